/**
 * The Kubernetes API for the fault injectors and the environment's own housekeeping: the same requests kubectl sends
 * (reads, patches, deletes, exec over WebSocket), without a kubectl process per call — each costs a Go binary's start,
 * ~80 ms of CPU, which a session paid a few dozen times. The docker CLI of the Flower apps stays a process.
 */
import * as k8s from '@kubernetes/client-node';
import { loadKubeConfig } from '../kubeconfig-load';

export interface FaultApi {
  core: k8s.CoreV1Api;
  apps: k8s.AppsV1Api;
  custom: k8s.CustomObjectsApi;
  /** `kubectl exec` (pods/exec over WebSocket). */
  exec: k8s.Exec;
}

export function faultApi(kc: k8s.KubeConfig): FaultApi {
  return { core: kc.makeApiClient(k8s.CoreV1Api), apps: kc.makeApiClient(k8s.AppsV1Api), custom: kc.makeApiClient(k8s.CustomObjectsApi), exec: new k8s.Exec(kc) };
}

/** RFC 7386 merge patch, strategic merge patch (kubectl patch's default), RFC 6902 JSON patch. */
export const MERGE_PATCH = k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.MergePatch);
export const STRATEGIC_PATCH = k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.StrategicMergePatch);
export const JSON_PATCH = k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.JsonPatch);

/** The HTTP status of a failed API call (404, 409, ...), if it was one. */
export function statusCode(error: unknown): number | undefined {
  const code = (error as { code?: unknown }).code;
  return typeof code === 'number' ? code : undefined;
}

/** Runs an API call; a failure becomes an error saying what was attempted and what the server answered. */
export async function apiCall<T>(what: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    throw new Error(`${what} failed: ${apiErrorMessage(error)}`);
  }
}

/** What the server said about a failed call (its Status message), else the HTTP status or the client's error. */
export function apiErrorMessage(error: unknown): string {
  const body = (error as { body?: unknown }).body;
  if (typeof body === 'string') {
    try {
      const status = JSON.parse(body) as { message?: string };
      if (status.message) return status.message;
    } catch {
      // not JSON: fall through
    }
  }
  const code = statusCode(error);
  return code ? `HTTP ${code}` : (error as Error).message;
}

/** The API of the cluster a kubeconfig file points at (its current context). */
export function faultApiFromFile(kubeconfigPath: string): FaultApi {
  return faultApi(loadKubeConfig(kubeconfigPath));
}
