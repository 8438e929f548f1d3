/**
 * Pods and Deployments as the injectors act on them, through the API with kubectl's semantics: list the live pods,
 * delete some (`kubectl delete pod … --ignore-not-found --wait=false`), run a command in one (`kubectl exec`), wait
 * for a Deployment's rollout (`kubectl rollout status`). The same code runs on the embedded cluster and real ones.
 */
import type * as k8s from '@kubernetes/client-node';
import { Writable } from 'node:stream';
import { apiCall, apiErrorMessage, statusCode, STRATEGIC_PATCH, type FaultApi } from './api';
import { waitUntil } from '../wait';
import { ignoreNotFound } from '../races';

/** The namespace's pods that are not already terminating (an exec or a delete could find those gone). */
export async function livePods(api: FaultApi, namespace: string): Promise<k8s.V1Pod[]> {
  const list = await apiCall(`Listing the pods of ${namespace}`, () => api.core.listNamespacedPod({ namespace }));
  return list.items.filter((p) => !p.metadata?.deletionTimestamp);
}

/** Deletes the pods (their controllers replace them); one already gone is deleted as far as we are concerned. */
export async function deletePods(api: FaultApi, namespace: string, names: string[]): Promise<void> {
  await Promise.all(names.map((name) => apiCall(`Deleting pod ${namespace}/${name}`, () => ignoreNotFound(api.core.deleteNamespacedPod({ name, namespace })))));
}

/**
 * What `kubectl rollout restart` does — a new restartedAt in the pod template — but with a millisecond timestamp:
 * kubectl refuses a second restart within the same second, which an inject followed at once by a recover would hit.
 */
export async function restartDeployment(api: FaultApi, namespace: string, name: string): Promise<void> {
  const body = { spec: { template: { metadata: { annotations: { 'kubectl.kubernetes.io/restartedAt': new Date().toISOString() } } } } };
  await apiCall(`Restarting Deployment ${namespace}/${name}`, () => api.apps.patchNamespacedDeployment({ name, namespace, body }, STRATEGIC_PATCH));
}

/** The container `kubectl exec` picks when none is named: the pod's default-container annotation, else its first. */
function defaultContainer(pod: k8s.V1Pod): string {
  const annotated = pod.metadata?.annotations?.['kubectl.kubernetes.io/default-container'];
  const names = (pod.spec?.containers ?? []).map((c) => c.name);
  return annotated && names.includes(annotated) ? annotated : names[0] ?? '';
}

/**
 * Runs `command` in the pod's default container and returns its stdout; fails, like `kubectl exec`, when it cannot
 * run or exits non-zero — with the end of its output, which says why, and its exit code.
 */
export async function execInPod(api: FaultApi, pod: k8s.V1Pod, command: string[], timeoutMs = 120_000): Promise<string> {
  const namespace = pod.metadata?.namespace ?? '';
  const name = pod.metadata?.name ?? '';
  const where = `exec in pod ${namespace}/${name} (${command.join(' ')})`;
  const stdout = collector();
  const stderr = collector();
  let status: k8s.V1Status | undefined;
  const socket = await apiCall(where, () => api.exec.exec(namespace, name, defaultContainer(pod), command, stdout.stream, stderr.stream, null, false, (s) => { status = s; }));
  await new Promise<void>((resolve, reject) => {
    if (socket.readyState === socket.CLOSED) return resolve();
    const timer = setTimeout(() => {
      socket.close();
      reject(new Error(`${where} did not finish within ${Math.round(timeoutMs / 1000)} s`));
    }, timeoutMs);
    socket.on('close', () => {
      clearTimeout(timer);
      resolve();
    });
  });
  if (status?.status === 'Success') return stdout.text();
  const exitCode = status?.details?.causes?.find((c) => c.reason === 'ExitCode')?.message;
  const why = [stdout.text().trim().slice(-600), stderr.text().trim()].filter(Boolean).join('\n');
  const outcome = exitCode !== undefined ? `command terminated with exit code ${exitCode}` : status?.message ?? 'the connection closed without an exit status';
  throw new Error(`${where} failed: ${outcome}${why ? `\n${why}` : ''}`);
}

function collector(): { stream: Writable; text(): string } {
  const chunks: Buffer[] = [];
  const stream = new Writable({ write(chunk: Buffer, _encoding, done) { chunks.push(Buffer.from(chunk)); done(); } });
  return { stream, text: () => Buffer.concat(chunks).toString('utf8') };
}

/**
 * Waits until the Deployment has rolled out, by the rules of `kubectl rollout status`: its controller has seen the
 * latest spec, every replica runs it, none of the old ones is left, and all are available; a rollout past its
 * progress deadline fails.
 */
export async function waitForRollout(api: FaultApi, namespace: string, name: string, sleep: (ms: number) => Promise<void>, timeoutMs = 120_000): Promise<void> {
  const rolledOut = waitUntil(async () => {
    const d = await api.apps.readNamespacedDeployment({ name, namespace });
    const status = d.status ?? {};
    if ((d.metadata?.generation ?? 0) > (status.observedGeneration ?? 0)) return false;
    const progressing = (status.conditions ?? []).find((c) => c.type === 'Progressing');
    if (progressing?.reason === 'ProgressDeadlineExceeded') throw new Error(`deployment "${name}" exceeded its progress deadline`);
    const wanted = d.spec?.replicas ?? 1;
    const updated = status.updatedReplicas ?? 0;
    return updated >= wanted && (status.replicas ?? 0) <= updated && (status.availableReplicas ?? 0) >= updated;
  }, { timeoutMs, what: `the rollout of deployment ${namespace}/${name}`, sleep, pollMs: 100, maxPollMs: 1000 });
  await rolledOut.catch((error: unknown) => {
    throw statusCode(error) === undefined ? error : new Error(`Reading Deployment ${namespace}/${name} failed: ${apiErrorMessage(error)}`);
  });
}
