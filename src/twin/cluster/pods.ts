/** Creating and ranking the pods a workload controller owns. */
import type { KubeObject } from '../contracts';
import type { ClusterContext } from './context';
import { isConflictOrExists } from './context';
import { clone, ownerRef } from './util';

export function podFromTemplate(template: any, namespace: string, owner: KubeObject, name: string, generateName?: string): KubeObject {
  const meta = template?.metadata ?? {};
  const pod: KubeObject = {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name,
      namespace,
      labels: clone(meta.labels ?? {}),
      ownerReferences: [ownerRef(owner)],
    },
    spec: clone(template?.spec ?? {}),
  };
  if (generateName) pod.metadata.generateName = generateName;
  if (meta.annotations && Object.keys(meta.annotations).length) pod.metadata.annotations = clone(meta.annotations);
  if (meta.finalizers) pod.metadata.finalizers = clone(meta.finalizers);
  return pod;
}

/** Creates a pod named `<prefix><5 random chars>` (retrying on a name collision); returns the created pod. */
export function createGeneratedPod(ctx: ClusterContext, template: any, namespace: string, owner: KubeObject, prefix: string, extraLabels?: Record<string, string>): KubeObject | undefined {
  for (let attempt = 0; attempt < 10; attempt++) {
    const name = `${prefix}${ctx.rng.suffix(5)}`;
    const pod = podFromTemplate(template, namespace, owner, name, prefix);
    if (extraLabels) pod.metadata.labels = { ...(pod.metadata.labels ?? {}), ...extraLabels };
    try {
      return ctx.store.create('pods', pod);
    } catch (e) {
      if (!isConflictOrExists(e)) throw e;
    }
  }
  return undefined;
}

export function isPodReady(pod: KubeObject): boolean {
  return ((pod.status?.conditions ?? []) as any[]).some((c) => c.type === 'Ready' && c.status === 'True');
}

/** When the pod became Ready (ms), or undefined. */
export function readySince(pod: KubeObject): number | undefined {
  const c = ((pod.status?.conditions ?? []) as any[]).find((x) => x.type === 'Ready' && x.status === 'True');
  return c?.lastTransitionTime ? Date.parse(c.lastTransitionTime) : undefined;
}

export function isPodAvailable(pod: KubeObject, minReadySeconds: number, nowMs: number): boolean {
  if (!isPodReady(pod)) return false;
  if (!minReadySeconds) return true;
  const since = readySince(pod);
  return since !== undefined && since + minReadySeconds * 1000 <= nowMs;
}

export function isActive(pod: KubeObject): boolean {
  const phase = pod.status?.phase;
  return !pod.metadata.deletionTimestamp && phase !== 'Succeeded' && phase !== 'Failed';
}

function restarts(pod: KubeObject): number {
  return ((pod.status?.containerStatuses ?? []) as any[]).reduce((n, c) => n + (c.restartCount ?? 0), 0);
}

const PHASE_RANK: Record<string, number> = { Pending: 0, Unknown: 1, Running: 2 };

/** Orders pods so that the ones to delete first come first (controller.ActivePods ordering). */
export function deletionOrder(a: KubeObject, b: KubeObject): number {
  const sa = a.spec?.nodeName ? 1 : 0;
  const sb = b.spec?.nodeName ? 1 : 0;
  if (sa !== sb) return sa - sb;
  const pa = PHASE_RANK[a.status?.phase ?? 'Pending'] ?? 0;
  const pb = PHASE_RANK[b.status?.phase ?? 'Pending'] ?? 0;
  if (pa !== pb) return pa - pb;
  const ra = isPodReady(a) ? 1 : 0;
  const rb = isPodReady(b) ? 1 : 0;
  if (ra !== rb) return ra - rb;
  if (ra && rb) {
    const ta = readySince(a) ?? 0;
    const tb = readySince(b) ?? 0;
    if (ta !== tb) return tb - ta;
  }
  const xa = restarts(a);
  const xb = restarts(b);
  if (xa !== xb) return xb - xa;
  const ca = Date.parse(a.metadata.creationTimestamp ?? '') || 0;
  const cb = Date.parse(b.metadata.creationTimestamp ?? '') || 0;
  if (ca !== cb) return cb - ca;
  return (b.metadata.name ?? '').localeCompare(a.metadata.name ?? '');
}
