/** What every controller gets: the store, the clock, a seeded random source, the work queue, events, timings. */
import type { KubeObject, ObjectStore } from '../contracts';
import type { Clock } from './clock';
import type { EventRecorder } from './events';
import type { WorkQueue } from './queue';
import { clone, Random, storeErrorCode } from './util';
import { jsonEqual } from '../sorted-json';

/** Durations of the simulated cluster, in milliseconds of cluster time. */
export interface Timing {
  /** Pulling an image the node does not have yet. */
  imagePullMs: number;
  /** Pulling (pull policy Always) an image the node already has. */
  imagePullCachedMs: number;
  /** From `Created` to `Started`. */
  containerStartMs: number;
  /** How long a container whose behaviour exits runs first, unless the behaviour says (`afterMs`). */
  crashAfterMs: number;
  /** How long an exited container shows `Error`/`Completed` before the kubelet's next sync acts on it. */
  kubeletSyncMs: number;
  /** SIGTERM → container gone, for a deleted pod (capped by its grace period). */
  terminationMs: number;
  /** Crash-loop and image-pull back-off: initial, cap, and the running time after which the back-off resets. */
  backoffInitialMs: number;
  backoffMaxMs: number;
  backoffResetMs: number;
  /** How often the scheduler retries a pod that did not fit (it also retries on every relevant cluster change). */
  schedulerRetryMs: number;
  /** Node lease renewal interval (0 disables leases). */
  leaseRenewMs: number;
  /**
   * How long a change waits before the controllers act on it (0: on the next tick). A busy control plane on a loaded
   * machine reacts late; the robustness tests slow the controllers with it to find steps that assume they are fast.
   */
  controllerLagMs: number;
}

export const DEFAULT_TIMING: Timing = {
  imagePullMs: 400,
  imagePullCachedMs: 120,
  containerStartMs: 30,
  crashAfterMs: 100,
  kubeletSyncMs: 1000,
  terminationMs: 200,
  backoffInitialMs: 10_000,
  backoffMaxMs: 300_000,
  backoffResetMs: 600_000,
  schedulerRetryMs: 60_000,
  leaseRenewMs: 10_000,
  controllerLagMs: 0,
};

export interface ClusterContext {
  /** The controllers' view: reads from the informer cache (list() results are shared: never mutate them). */
  store: ObjectStore;
  /** The API server's store itself (handed to container behaviours). */
  apiStore: ObjectStore;
  clock: Clock;
  rng: Random;
  queue: WorkQueue;
  events: EventRecorder;
  timing: Timing;
  /** True when the store serves the resource (e.g. `leases.coordination.k8s.io`). */
  serves(resource: string): boolean;
  log(message: string): void;
}

export function isNotFound(e: unknown): boolean {
  return storeErrorCode(e) === 404;
}

export function isConflictOrExists(e: unknown): boolean {
  return storeErrorCode(e) === 409;
}

/** A read that does not copy when the store is the informer cache (the result must not be mutated). */
export function peek(store: ObjectStore, resource: string, namespace: string | undefined, name: string): KubeObject | undefined {
  const p = (store as { peek?: ObjectStore['get'] }).peek;
  return p ? p.call(store, resource, namespace, name) : store.get(resource, namespace, name);
}

/** Gets a fresh copy, applies `mutate`, and writes it with update() only if something changed. */
export function updateObject(store: ObjectStore, resource: string, namespace: string | undefined, name: string, mutate: (obj: KubeObject) => void): KubeObject | undefined {
  const once = () => updateOnce(store, resource, namespace, name, mutate);
  try {
    return once();
  } catch (e) {
    if (!isConflictOrExists(e)) throw e;
    return once();
  }
}

function updateOnce(store: ObjectStore, resource: string, namespace: string | undefined, name: string, mutate: (obj: KubeObject) => void): KubeObject | undefined {
  const current = peek(store, resource, namespace, name);
  if (!current) return undefined;
  const next = clone(current);
  mutate(next);
  const { status: _a, ...restNext } = next;
  const { status: _b, ...restCur } = current;
  if (jsonEqual(restNext, restCur)) return clone(current);
  try {
    return store.update(resource, next);
  } catch (e) {
    if (isNotFound(e)) return undefined;
    throw e;
  }
}

/** Writes `status` through the status subresource if it differs from the stored one. */
export function writeStatus(store: ObjectStore, resource: string, obj: KubeObject, status: unknown): KubeObject | undefined {
  try {
    return writeStatusOnce(store, resource, obj, status);
  } catch (e) {
    if (!isConflictOrExists(e)) throw e;
    return writeStatusOnce(store, resource, obj, status);
  }
}

function writeStatusOnce(store: ObjectStore, resource: string, obj: KubeObject, status: unknown): KubeObject | undefined {
  const current = peek(store, resource, obj.metadata.namespace, obj.metadata.name ?? '');
  if (!current || current.metadata.uid !== obj.metadata.uid) return undefined;
  if (jsonEqual(current.status ?? {}, status ?? {})) return clone(current);
  const next = clone(current);
  next.status = clone(status);
  try {
    return store.updateStatus(resource, next);
  } catch (e) {
    if (isNotFound(e)) return undefined;
    throw e;
  }
}

/** Deletes, ignoring NotFound. */
export function deleteObject(
  store: ObjectStore,
  resource: string,
  namespace: string | undefined,
  name: string,
  options?: { propagationPolicy?: 'Background' | 'Foreground' | 'Orphan'; gracePeriodSeconds?: number },
): boolean {
  try {
    store.delete(resource, namespace, name, options);
    return true;
  } catch (e) {
    if (isNotFound(e)) return false;
    throw e;
  }
}

/** Kubernetes condition upsert: keeps lastTransitionTime when the status does not change. */
export function setCondition(
  conditions: Array<Record<string, unknown>>,
  cond: { type: string; status: string; reason?: string; message?: string },
  nowIso: string,
  withUpdateTime = false,
): Array<Record<string, unknown>> {
  const out = conditions.filter((c) => c.type !== cond.type);
  const prev = conditions.find((c) => c.type === cond.type);
  const sameStatus = prev && prev.status === cond.status;
  const same = sameStatus && prev.reason === cond.reason && prev.message === cond.message;
  const next: Record<string, unknown> = { type: cond.type, status: cond.status };
  if (withUpdateTime) next.lastUpdateTime = same ? prev.lastUpdateTime : nowIso;
  next.lastTransitionTime = sameStatus ? prev.lastTransitionTime : nowIso;
  if (cond.reason) next.reason = cond.reason;
  if (cond.message) next.message = cond.message;
  const idx = conditions.findIndex((c) => c.type === cond.type);
  if (idx < 0) out.push(next);
  else out.splice(idx, 0, next);
  return out;
}
