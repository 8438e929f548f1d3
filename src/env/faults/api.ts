/**
 * The Kubernetes API for injectors whose change is a read and a patch (Services, Deployments, ConfigMaps, Chaos Mesh
 * resources): the same requests kubectl sends, without its ~60 ms process start per call. Exec and anything a user
 * would recognise as a kubectl session (Mongo scripts, docker) stay with kubectl.
 */
import * as k8s from '@kubernetes/client-node';
import { loadKubeConfig } from '../kubeconfig-load';

export interface FaultApi {
  core: k8s.CoreV1Api;
  apps: k8s.AppsV1Api;
  custom: k8s.CustomObjectsApi;
}

export function faultApi(kc: k8s.KubeConfig): FaultApi {
  return { core: kc.makeApiClient(k8s.CoreV1Api), apps: kc.makeApiClient(k8s.AppsV1Api), custom: kc.makeApiClient(k8s.CustomObjectsApi) };
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
