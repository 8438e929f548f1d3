/**
 * The twin's Chaos Mesh controller (the chaos-controller-manager + chaos-daemon of Chaos Mesh 2.6, reduced to what an
 * agent can observe): it watches the chaos-mesh.org objects, selects their pods, acts on them and writes the records,
 * conditions, finalizers and Events the real controller writes. It acts only through the ObjectStore, plus the
 * cluster's `killContainer` where the real one talks to the container runtime (container-kill).
 *
 *   const chaos = startChaosController({ store, clock: cluster.clock, killContainer: cluster.killContainer });
 *   ...
 *   chaos.stop();
 *
 * What is acted on here: PodChaos pod-failure (pause image patched in, original kept in an annotation), pod-kill
 * (pod deleted), container-kill (SIGKILL, exit 137). Every other kind (NetworkChaos, StressChaos, HTTPChaos, IOChaos,
 * DNSChaos, TimeChaos) gets records/status/events only: their effect on requests is the request simulation's
 * (`src/twin/sim/health.ts`), which reads the objects and `status.experiment.desiredPhase`; KernelChaos's is the
 * failing system call in the injected pod's processes (`src/twin/apps/kernel.ts`).
 */
import type { KubeObject, ObjectStore, StoreEvent } from '../contracts';
import type { Clock, TimerHandle } from '../cluster/clock';
import { EventRecorder } from '../cluster/events';
import { jsonEqual } from '../sorted-json';
import { clone, fnv32a, isoSeconds, requirementMatches, storeErrorCode, type LabelSelectorRequirement } from '../cluster/util';
import { parseGoDuration } from '../sim/duration';
import { watchDockerStops } from '../flower/docker-state';

export const FINALIZER = 'chaos-mesh/records';
export const PAUSE_ANNOTATION = 'experiment.chaos-mesh.org/pause';
/** The image pod-failure puts in place (Chaos Mesh's default `--pod-failure-pause-image`). */
export const PAUSE_IMAGE = 'gcr.io/google-containers/pause:latest';

const KINDS: Record<string, string> = {
  'podchaos.chaos-mesh.org': 'PodChaos',
  'networkchaos.chaos-mesh.org': 'NetworkChaos',
  'stresschaos.chaos-mesh.org': 'StressChaos',
  'httpchaos.chaos-mesh.org': 'HTTPChaos',
  'iochaos.chaos-mesh.org': 'IOChaos',
  'dnschaos.chaos-mesh.org': 'DNSChaos',
  'timechaos.chaos-mesh.org': 'TimeChaos',
  'kernelchaos.chaos-mesh.org': 'KernelChaos',
};
/** Kinds whose records name containers (`<ns>/<pod>/<container>`); the others name pods (`<ns>/<pod>`). */
const CONTAINER_LEVEL = new Set(['StressChaos', 'IOChaos', 'TimeChaos']);
const RETRY_MS = 10_000;
const MAX_RECORD_EVENTS = 10;

export interface ChaosControllerOptions {
  store: ObjectStore;
  clock: Clock;
  /** The container runtime's kill (the cluster's `killContainer`). */
  killContainer: (namespace: string, pod: string, container: string, exitCode?: number, reason?: string) => boolean;
  /** Seed for the pod choice of mode one / fixed / percent modes. Default 'aiopslab'. */
  seed?: number | string;
  log?: (message: string) => void;
  /**
   * Act only while a Deployment `chaos-controller-manager` (any namespace) has an available replica, as on a cluster
   * where Chaos Mesh is installed with Helm; before that chaos objects sit without finalizer or status, as they do
   * where the CRDs exist but the controller does not. Default false: the controller is part of the cluster.
   */
  requireInstalledController?: boolean;
}

/** The Deployment whose available replica means Chaos Mesh's controller runs. */
export const CONTROLLER_DEPLOYMENT = 'chaos-controller-manager';

export interface ChaosController {
  /** Reconciles every chaos object now (tests; the controller also reacts to store changes by itself). */
  syncAll(): void;
  stop(): void;
}

interface RecordEvent { operation: 'Apply' | 'Recover'; timestamp: string; type: 'Succeeded' | 'Failed'; message?: string }
interface ContainerRecord {
  id: string;
  selectorKey: string;
  phase: 'Injected' | 'Not Injected';
  injectedCount: number;
  recoveredCount: number;
  events?: RecordEvent[];
}

/** The pod annotation pod-failure keeps a container's original image in (chaos-mesh pkg/annotation rule). */
export function normalImageAnnotation(chaosName: string, action: string, container: string): string {
  const full = `chaos-mesh-${chaosName}-${action}-${container}-normal-image`;
  return full.length > 63 ? `${container}-normal` : full;
}

/** One-shot actions: applied once, nothing to recover. */
function isOneShot(kind: string, action: string): boolean {
  return kind === 'PodChaos' && (action === 'pod-kill' || action === 'container-kill');
}

function matchesSelector(pod: KubeObject, sel: any): boolean { // eslint-disable-line @typescript-eslint/no-explicit-any
  const labels = pod.metadata.labels ?? {};
  for (const [k, v] of Object.entries((sel.labelSelectors ?? {}) as Record<string, string>)) if (labels[k] !== v) return false;
  for (const req of (sel.expressionSelectors ?? []) as LabelSelectorRequirement[]) if (!requirementMatches(req, labels)) return false;
  const ann = pod.metadata.annotations ?? {};
  for (const [k, v] of Object.entries((sel.annotationSelectors ?? {}) as Record<string, string>)) if (ann[k] !== v) return false;
  const phases = (sel.podPhaseSelectors ?? []) as string[];
  if (phases.length && !phases.includes(String(pod.status?.phase ?? ''))) return false;
  const nodes = (sel.nodes ?? []) as string[];
  if (nodes.length && !nodes.includes(String(pod.spec?.nodeName ?? ''))) return false;
  return true;
}

/** A deterministic shuffle (Fisher–Yates driven by FNV-1a of seed + chaos uid + step). */
function shuffled<T>(items: T[], seed: string): T[] {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = fnv32a(`${seed}:${i}`) % (i + 1);
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
}

/**
 * The pods a chaos object selects, as Chaos Mesh's selector does: namespaces (default: the object's own), label /
 * expression / annotation / phase / node selectors or an explicit `pods` map; terminating pods excluded; then the mode.
 */
export function selectPods(store: ObjectStore, obj: KubeObject, seed: string): KubeObject[] {
  const sel = obj.spec?.selector ?? {};
  let candidates: KubeObject[] = [];
  const explicit = sel.pods as Record<string, string[]> | undefined;
  if (explicit && Object.keys(explicit).length) {
    for (const [ns, names] of Object.entries(explicit)) {
      for (const n of names) {
        const p = store.get('pods', ns, n);
        if (p) candidates.push(p);
      }
    }
  } else {
    const namespaces: string[] = Array.isArray(sel.namespaces) && sel.namespaces.length ? sel.namespaces : [obj.metadata.namespace ?? 'default'];
    for (const ns of namespaces) candidates.push(...store.list('pods', ns).filter((p) => matchesSelector(p, sel)));
  }
  candidates = candidates
    .filter((p) => !p.metadata.deletionTimestamp)
    .sort((a, b) => `${a.metadata.namespace}/${a.metadata.name}`.localeCompare(`${b.metadata.namespace}/${b.metadata.name}`));
  const n = candidates.length;
  const mode = String(obj.spec?.mode ?? 'one');
  const value = Number.parseFloat(String(obj.spec?.value ?? '0')) || 0;
  const mixed = shuffled(candidates, `${seed}:${obj.metadata.uid ?? obj.metadata.name}`);
  switch (mode) {
    case 'all': return candidates;
    case 'fixed': return mixed.slice(0, Math.min(n, Math.max(0, Math.floor(value))));
    case 'fixed-percent': return mixed.slice(0, Math.floor((n * value) / 100));
    case 'random-max-percent': {
      const max = Math.floor((n * value) / 100);
      return mixed.slice(0, fnv32a(`${seed}:${obj.metadata.uid}:count`) % (max + 1));
    }
    default: return mixed.slice(0, 1);
  }
}

// Still to be split (issue #16: commands per feature, the chaos reconcile per action, the mongo shell's commands as
// a table); it was being changed in parallel work when the length bound came in.
// eslint-disable-next-line max-lines-per-function
export function startChaosController(o: ChaosControllerOptions): ChaosController {
  const { store, clock } = o;
  const seed = String(o.seed ?? 'aiopslab');
  const log = o.log ?? ((m: string) => console.error(`[twin/chaos] ${m}`));
  const events = new EventRecorder(store, clock);
  const served = new Set(store.resourceTypes().map((t) => `${t.resource}.${t.group}`));
  const pending = new Map<string, TimerHandle>();
  const timers = new Map<string, TimerHandle>();
  const firstSeen = new Map<string, number>();
  let stopped = false;

  const keyOf = (resource: string, ns: string | undefined, name: string | undefined) => `${resource}|${ns ?? ''}|${name ?? ''}`;
  const enqueue = (key: string, delayMs = 0) => {
    if (stopped) return;
    if (delayMs > 0) {
      const old = timers.get(key);
      if (old !== undefined) clock.clearTimeout(old);
      timers.set(key, clock.setTimeout(() => { timers.delete(key); enqueue(key); }, delayMs));
      return;
    }
    if (pending.has(key)) return;
    pending.set(key, clock.setTimeout(() => {
      pending.delete(key);
      try {
        reconcile(key);
      } catch (e) {
        const code = storeErrorCode(e);
        if (code === 409) enqueue(key, 100);
        else if (code !== 404) log(`${key}: ${(e as Error)?.stack ?? String(e)}`);
      }
    }, 0));
  };

  const record = (obj: KubeObject, type: 'Normal' | 'Warning', reason: string, message: string, component: string) =>
    events.record(obj, type, reason, message, { component });

  function startMs(obj: KubeObject): number {
    const uid = obj.metadata.uid ?? '';
    let seen = firstSeen.get(uid);
    if (seen === undefined) { seen = clock.now(); firstSeen.set(uid, seen); }
    const created = Date.parse(String(obj.metadata.creationTimestamp ?? ''));
    // The API server stamps creation with the wall clock; under a manual clock that lies in the future or far past.
    return Number.isFinite(created) && created <= clock.now() && clock.now() - created < 86_400_000 ? Math.min(created, seen) : seen;
  }

  const installed = (): boolean => !o.requireInstalledController
    || store.list('deployments.apps').some((d) => d.metadata.name === CONTROLLER_DEPLOYMENT && !d.metadata.deletionTimestamp && Number(d.status?.availableReplicas ?? 0) > 0);

  function reconcile(key: string): void {
    if (!installed()) return;
    const [resource, ns, name] = key.split('|');
    const kind = KINDS[resource];
    const obj = store.get(resource, ns, name);
    if (!obj || !kind) return;
    const deleting = Boolean(obj.metadata.deletionTimestamp);
    const finalizers = obj.metadata.finalizers ?? [];
    if (!deleting && !finalizers.includes(FINALIZER)) {
      const updated = clone(obj);
      updated.metadata.finalizers = [...finalizers, FINALIZER];
      const written = store.update(resource, updated);
      record(written, 'Normal', 'FinalizerInited', 'Finalizer has been inited', 'initFinalizers');
      record(written, 'Normal', 'Updated', 'Successfully update finalizer of resource', 'initFinalizers');
      return; // the update comes back as a store event
    }
    if (deleting && !finalizers.includes(FINALIZER)) return;

    const action = String(obj.spec?.action ?? '');
    const oneShot = isOneShot(kind, action);
    const now = clock.now();
    const paused = obj.metadata.annotations?.[PAUSE_ANNOTATION] === 'true';
    const duration = parseGoDuration(obj.spec?.duration as string | undefined);
    const start = startMs(obj);
    const timeUp = duration !== undefined && now >= start + duration;
    const desired: 'Run' | 'Stop' = deleting || paused || timeUp ? 'Stop' : 'Run';

    const status = clone(obj.status ?? {}) as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
    const exp = (status.experiment ??= {}) as { desiredPhase?: string; containerRecords?: ContainerRecord[] | null };
    let current = obj;
    const pendingEvents: Array<[type: 'Normal' | 'Warning', reason: string, message: string, component: string]> = [];

    if (exp.desiredPhase !== desired) {
      if (desired === 'Run' && exp.desiredPhase === undefined) pendingEvents.push(['Normal', 'Started', 'Experiment has started', 'desiredphase']);
      else if (deleting) pendingEvents.push(['Normal', 'Deleted', 'Experiment has been deleted', 'desiredphase']);
      else if (timeUp) pendingEvents.push(['Normal', 'TimeUp', 'Time up according to the duration', 'desiredphase']);
      else if (paused) pendingEvents.push(['Normal', 'Paused', 'Experiment has been paused', 'desiredphase']);
      else pendingEvents.push(['Normal', 'Started', 'Experiment has started', 'desiredphase']);
      exp.desiredPhase = desired;
      pendingEvents.push(['Normal', 'Updated', 'Successfully update desiredPhase of resource', 'desiredphase']);
    }

    // Records: selected once, when the experiment first runs.
    let recordsChanged = false;
    let retry = false;
    if (!exp.containerRecords?.length && desired === 'Run') {
      const pods = selectPods(store, obj, seed);
      const recs: ContainerRecord[] = [];
      for (const p of pods) {
        const podId = `${p.metadata.namespace}/${p.metadata.name}`;
        const wantsContainers = CONTAINER_LEVEL.has(kind) || (kind === 'PodChaos' && action === 'container-kill');
        if (!wantsContainers) { recs.push(newRecord(podId)); continue; }
        const names = ((obj.spec?.containerNames ?? []) as string[]);
        const all = ((p.spec?.containers ?? []) as Array<{ name: string }>).map((c) => c.name);
        for (const c of names.length ? all.filter((x) => names.includes(x)) : all) recs.push(newRecord(`${podId}/${c}`));
      }
      if (recs.length) {
        exp.containerRecords = recs;
        recordsChanged = true;
      } else {
        pendingEvents.push(['Warning', 'Failed', 'Failed to select: no pod is selected', 'records']);
        retry = true;
      }
    }
    const recs = exp.containerRecords ?? [];
    for (const r of recs) {
      if (desired === 'Run' && r.phase !== 'Injected' && !(oneShot && r.injectedCount > 0)) {
        const err = apply(kind, action, obj, r.id);
        if (err === undefined) {
          r.phase = 'Injected';
          r.injectedCount++;
          pushRecordEvent(r, { operation: 'Apply', timestamp: isoSeconds(now), type: 'Succeeded' });
          pendingEvents.push(['Normal', 'Applied', `Successfully apply chaos for ${r.id}`, 'records']);
        } else {
          pushRecordEvent(r, { operation: 'Apply', timestamp: isoSeconds(now), type: 'Failed', message: err });
          pendingEvents.push(['Warning', 'Failed', `Failed to apply chaos: ${err}`, 'records']);
          retry = true;
        }
        recordsChanged = true;
      } else if (desired === 'Stop' && r.phase === 'Injected') {
        if (oneShot) {
          r.phase = 'Not Injected';
        } else {
          const err = recover(kind, action, obj, r.id);
          if (err === undefined) {
            r.phase = 'Not Injected';
            r.recoveredCount++;
            pushRecordEvent(r, { operation: 'Recover', timestamp: isoSeconds(now), type: 'Succeeded' });
            pendingEvents.push(['Normal', 'Recovered', `Successfully recover chaos for ${r.id}`, 'records']);
          } else {
            pushRecordEvent(r, { operation: 'Recover', timestamp: isoSeconds(now), type: 'Failed', message: err });
            pendingEvents.push(['Warning', 'Failed', `Failed to recover chaos: ${err}`, 'records']);
            retry = true;
          }
        }
        recordsChanged = true;
      }
    }
    if (recordsChanged) pendingEvents.push(['Normal', 'Updated', 'Successfully update records of resource', 'records']);

    const allInjected = recs.length > 0 && recs.every((r) => r.phase === 'Injected');
    const allRecovered = recs.length > 0 && recs.every((r) => r.phase === 'Not Injected');
    const cond = (type: string, on: boolean) => ({ type, status: on ? 'True' : 'False' });
    status.conditions = [cond('Selected', recs.length > 0), cond('AllInjected', allInjected), cond('AllRecovered', allRecovered), cond('Paused', paused && !deleting)];

    if (!jsonEqual(status, obj.status ?? {})) {
      const next = clone(obj);
      next.status = status;
      current = store.updateStatus(resource, next);
    }
    for (const [t, reason, message, component] of pendingEvents) record(current, t, reason, message, component);

    if (deleting && recs.every((r) => r.phase === 'Not Injected')) {
      const fresh = store.get(resource, ns, name);
      if (fresh) {
        const next = clone(fresh);
        next.metadata.finalizers = (fresh.metadata.finalizers ?? []).filter((f) => f !== FINALIZER);
        record(fresh, 'Normal', 'FinalizerRemoved', 'Finalizer has been removed', 'finalizers');
        store.update(resource, next);
        firstSeen.delete(obj.metadata.uid ?? '');
      }
      return;
    }
    if (retry) enqueue(key, RETRY_MS);
    else if (desired === 'Run' && duration !== undefined) enqueue(key, Math.max(1, start + duration - now));
  }

  function newRecord(id: string): ContainerRecord {
    return { id, selectorKey: '.', phase: 'Not Injected', injectedCount: 0, recoveredCount: 0 };
  }

  function pushRecordEvent(r: ContainerRecord, e: RecordEvent): void {
    r.events = [...(r.events ?? []), e].slice(-MAX_RECORD_EVENTS);
  }

  /** Injects one record; returns an error message or undefined. */
  function apply(kind: string, action: string, obj: KubeObject, id: string): string | undefined {
    const [ns, podName, container] = id.split('/');
    if (kind !== 'PodChaos') {
      return store.get('pods', ns, podName) ? undefined : `pods "${podName}" not found`;
    }
    const pod = store.get('pods', ns, podName);
    if (!pod) return `pods "${podName}" not found`;
    if (action === 'pod-kill') {
      const grace = obj.spec?.gracePeriod;
      store.delete('pods', ns, podName, typeof grace === 'number' ? { gracePeriodSeconds: grace } : undefined);
      return undefined;
    }
    if (action === 'container-kill') {
      return o.killContainer(ns, podName, container, 137, 'Error') ? undefined : `container "${container}" of pod ${ns}/${podName} is not running`;
    }
    if (action === 'pod-failure') {
      const next = clone(pod);
      const annotations = (next.metadata.annotations ??= {});
      for (const c of [...((next.spec?.initContainers ?? []) as any[]), ...((next.spec?.containers ?? []) as any[])]) { // eslint-disable-line @typescript-eslint/no-explicit-any
        const key = normalImageAnnotation(obj.metadata.name ?? '', action, c.name);
        if (annotations[key] === undefined) annotations[key] = c.image;
        c.image = PAUSE_IMAGE;
      }
      if (!jsonEqual(next, pod)) store.update('pods', next);
      return undefined;
    }
    return `unsupported PodChaos action "${action}"`;
  }

  /** Recovers one record; returns an error message or undefined. A pod that is gone counts as recovered. */
  function recover(kind: string, action: string, obj: KubeObject, id: string): string | undefined {
    if (kind !== 'PodChaos' || action !== 'pod-failure') return undefined;
    const [ns, podName] = id.split('/');
    const pod = store.get('pods', ns, podName);
    if (!pod) return undefined;
    const next = clone(pod);
    const annotations = next.metadata.annotations ?? {};
    for (const c of [...((next.spec?.initContainers ?? []) as any[]), ...((next.spec?.containers ?? []) as any[])]) { // eslint-disable-line @typescript-eslint/no-explicit-any
      const key = normalImageAnnotation(obj.metadata.name ?? '', action, c.name);
      if (annotations[key] !== undefined) {
        c.image = annotations[key];
        delete annotations[key];
      }
    }
    if (!jsonEqual(next, pod)) store.update('pods', next);
    return undefined;
  }

  let wasInstalled = installed();
  const onEvent = (e: StoreEvent) => {
    if (o.requireInstalledController && e.resource === 'deployments.apps' && e.object.metadata.name === CONTROLLER_DEPLOYMENT) {
      const now = installed();
      if (now && !wasInstalled) syncAll();
      wasInstalled = now;
      return;
    }
    if (!KINDS[e.resource]) return;
    if (e.type === 'DELETED') {
      const key = keyOf(e.resource, e.object.metadata.namespace, e.object.metadata.name);
      const t = timers.get(key);
      if (t !== undefined) { clock.clearTimeout(t); timers.delete(key); }
      firstSeen.delete(e.object.metadata.uid ?? '');
      return;
    }
    enqueue(keyOf(e.resource, e.object.metadata.namespace, e.object.metadata.name));
  };
  const unsubscribe = store.subscribe(onEvent);
  // The Docker Compose stand-ins' `docker stop` (src/twin/flower) also needs the runtime; started here to keep the
  // twin process wiring to one call.
  const unwatchDocker = watchDockerStops(store, clock, o.killContainer);
  function syncAll(): void {
    for (const r of Object.keys(KINDS)) {
      if (!served.has(r) && !store.resourceTypes().some((t) => `${t.resource}.${t.group}` === r)) continue;
      for (const obj of store.list(r)) enqueue(keyOf(r, obj.metadata.namespace, obj.metadata.name));
    }
  }
  syncAll();

  return {
    syncAll,
    stop() {
      stopped = true;
      unsubscribe();
      unwatchDocker();
      for (const t of [...pending.values(), ...timers.values()]) clock.clearTimeout(t);
      pending.clear();
      timers.clear();
    },
  };
}
