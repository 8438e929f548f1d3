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

export function startChaosController(o: ChaosControllerOptions): ChaosController {
  const { store, clock } = o;
  const log = o.log ?? ((m: string) => console.error(`[twin/chaos] ${m}`));
  const events = new EventRecorder(store, clock);
  const served = new Set(store.resourceTypes().map((t) => `${t.resource}.${t.group}`));
  const pending = new Map<string, TimerHandle>();
  const timers = new Map<string, TimerHandle>();
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
        if (installed()) reconcile(r, key);
      } catch (e) {
        const code = storeErrorCode(e);
        if (code === 409) enqueue(key, 100);
        else if (code !== 404) log(`${key}: ${(e as Error)?.stack ?? String(e)}`);
      }
    }, 0));
  };
  const r: ChaosReconciler = {
    store,
    clock,
    seed: String(o.seed ?? 'aiopslab'),
    killContainer: o.killContainer,
    firstSeen: new Map<string, number>(),
    record: (obj, type, reason, message, component) => events.record(obj, type, reason, message, { component }),
    enqueue,
  };

  const installed = (): boolean => !o.requireInstalledController
    || store.list('deployments.apps').some((d) => d.metadata.name === CONTROLLER_DEPLOYMENT && !d.metadata.deletionTimestamp && Number(d.status?.availableReplicas ?? 0) > 0);
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
      r.firstSeen.delete(e.object.metadata.uid ?? '');
      return;
    }
    enqueue(keyOf(e.resource, e.object.metadata.namespace, e.object.metadata.name));
  };
  const unsubscribe = store.subscribe(onEvent);
  // The Docker Compose stand-ins' `docker stop` (src/twin/flower) also needs the runtime; started here to keep the
  // twin process wiring to one call.
  const unwatchDocker = watchDockerStops(store, clock, o.killContainer);
  function syncAll(): void {
    for (const res of Object.keys(KINDS)) {
      if (!served.has(res) && !store.resourceTypes().some((t) => `${t.resource}.${t.group}` === res)) continue;
      for (const obj of store.list(res)) enqueue(keyOf(res, obj.metadata.namespace, obj.metadata.name));
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

/** What a reconcile works with: the controller's store, clock, seed, event recorder and work queue. */
interface ChaosReconciler {
  store: ObjectStore;
  clock: Clock;
  seed: string;
  killContainer: ChaosControllerOptions['killContainer'];
  /** When each chaos object (by uid) was first seen: its start when the creation stamp cannot serve. */
  firstSeen: Map<string, number>;
  record(obj: KubeObject, type: 'Normal' | 'Warning', reason: string, message: string, component: string): void;
  enqueue(key: string, delayMs?: number): void;
}

type PendingEvent = [type: 'Normal' | 'Warning', reason: string, message: string, component: string];
type ExperimentStatus = { desiredPhase?: string; containerRecords?: ContainerRecord[] | null };
type ChaosStatus = Record<string, unknown> & { experiment?: ExperimentStatus; conditions?: Array<{ type: string; status: string }> };

/** One reconcile of one chaos object: what it decided, and the Events it records once the status is written. */
interface ReconcilePass {
  key: string;
  resource: string;
  kind: string;
  obj: KubeObject;
  action: string;
  oneShot: boolean;
  now: number;
  deleting: boolean;
  paused: boolean;
  timeUp: boolean;
  duration: number | undefined;
  start: number;
  desired: 'Run' | 'Stop';
  exp: ExperimentStatus;
  pendingEvents: PendingEvent[];
  recordsChanged: boolean;
  retry: boolean;
}

function startMs(r: ChaosReconciler, obj: KubeObject): number {
  const { clock, firstSeen } = r;
  const uid = obj.metadata.uid ?? '';
  let seen = firstSeen.get(uid);
  if (seen === undefined) { seen = clock.now(); firstSeen.set(uid, seen); }
  const created = Date.parse(String(obj.metadata.creationTimestamp ?? ''));
  // The API server stamps creation with the wall clock; under a manual clock that lies in the future or far past.
  return Number.isFinite(created) && created <= clock.now() && clock.now() - created < 86_400_000 ? Math.min(created, seen) : seen;
}

/** Finalizer, desired phase, records (select, inject, recover), conditions, Events, and when to look again. */
function reconcile(r: ChaosReconciler, key: string): void {
  const { store } = r;
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
    r.record(written, 'Normal', 'FinalizerInited', 'Finalizer has been inited', 'initFinalizers');
    r.record(written, 'Normal', 'Updated', 'Successfully update finalizer of resource', 'initFinalizers');
    return; // the update comes back as a store event
  }
  if (deleting && !finalizers.includes(FINALIZER)) return;

  const action = String(obj.spec?.action ?? '');
  const now = r.clock.now();
  const paused = obj.metadata.annotations?.[PAUSE_ANNOTATION] === 'true';
  const duration = parseGoDuration(obj.spec?.duration as string | undefined);
  const start = startMs(r, obj);
  const timeUp = duration !== undefined && now >= start + duration;
  const desired: 'Run' | 'Stop' = deleting || paused || timeUp ? 'Stop' : 'Run';

  const status = clone(obj.status ?? {}) as ChaosStatus;
  const exp = (status.experiment ??= {});
  const pass: ReconcilePass = {
    key, resource, kind, obj, action, oneShot: isOneShot(kind, action), now, deleting, paused, timeUp, duration, start, desired, exp,
    pendingEvents: [], recordsChanged: false, retry: false,
  };
  updateDesiredPhase(pass);
  selectRecords(r, pass);
  const recs = exp.containerRecords ?? [];
  for (const rec of recs) stepRecord(r, pass, rec);
  if (pass.recordsChanged) pass.pendingEvents.push(['Normal', 'Updated', 'Successfully update records of resource', 'records']);
  writeStatus(r, pass, status, recs);

  if (deleting && recs.every((rec) => rec.phase === 'Not Injected')) {
    removeFinalizer(r, pass, ns, name);
    return;
  }
  if (pass.retry) r.enqueue(key, RETRY_MS);
  else if (desired === 'Run' && duration !== undefined) r.enqueue(key, Math.max(1, start + duration - now));
}

/** The experiment's desired phase (Run or Stop), with the Event that says why it changed. */
function updateDesiredPhase(pass: ReconcilePass): void {
  const { exp, desired, deleting, timeUp, paused, pendingEvents } = pass;
  if (exp.desiredPhase === desired) return;
  if (desired === 'Run' && exp.desiredPhase === undefined) pendingEvents.push(['Normal', 'Started', 'Experiment has started', 'desiredphase']);
  else if (deleting) pendingEvents.push(['Normal', 'Deleted', 'Experiment has been deleted', 'desiredphase']);
  else if (timeUp) pendingEvents.push(['Normal', 'TimeUp', 'Time up according to the duration', 'desiredphase']);
  else if (paused) pendingEvents.push(['Normal', 'Paused', 'Experiment has been paused', 'desiredphase']);
  else pendingEvents.push(['Normal', 'Started', 'Experiment has started', 'desiredphase']);
  exp.desiredPhase = desired;
  pendingEvents.push(['Normal', 'Updated', 'Successfully update desiredPhase of resource', 'desiredphase']);
}

/** Records: selected once, when the experiment first runs (pods, or their containers for container-level kinds). */
function selectRecords(r: ChaosReconciler, pass: ReconcilePass): void {
  const { exp, obj, kind, action } = pass;
  if (exp.containerRecords?.length || pass.desired !== 'Run') return;
  const pods = selectPods(r.store, obj, r.seed);
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
    pass.recordsChanged = true;
  } else {
    pass.pendingEvents.push(['Warning', 'Failed', 'Failed to select: no pod is selected', 'records']);
    pass.retry = true;
  }
}

/** Injects a record the experiment should run on, or recovers one it should stop on; the outcome goes in its events. */
function stepRecord(r: ChaosReconciler, pass: ReconcilePass, rec: ContainerRecord): void {
  const { desired, oneShot } = pass;
  if (desired === 'Run' && rec.phase !== 'Injected' && !(oneShot && rec.injectedCount > 0)) {
    if (actOnRecord(r, pass, rec, 'Apply')) {
      rec.phase = 'Injected';
      rec.injectedCount++;
    }
    pass.recordsChanged = true;
  } else if (desired === 'Stop' && rec.phase === 'Injected') {
    // A one-shot action (a pod kill) has nothing to undo.
    if (oneShot) {
      rec.phase = 'Not Injected';
    } else if (actOnRecord(r, pass, rec, 'Recover')) {
      rec.phase = 'Not Injected';
      rec.recoveredCount++;
    }
    pass.recordsChanged = true;
  }
}

/**
 * Applies or recovers one record as Chaos Mesh does: the outcome is recorded on the record and as an Event of the
 * experiment, and a failure asks for another pass. Says whether it worked.
 */
function actOnRecord(r: ChaosReconciler, pass: ReconcilePass, rec: ContainerRecord, operation: 'Apply' | 'Recover'): boolean {
  const { kind, action, obj, now, pendingEvents } = pass;
  const verb = operation.toLowerCase();
  const err = (operation === 'Apply' ? apply : recover)(r, kind, action, obj, rec.id);
  if (err === undefined) {
    pushRecordEvent(rec, { operation, timestamp: isoSeconds(now), type: 'Succeeded' });
    pendingEvents.push(['Normal', operation === 'Apply' ? 'Applied' : 'Recovered', `Successfully ${verb} chaos for ${rec.id}`, 'records']);
    return true;
  }
  pushRecordEvent(rec, { operation, timestamp: isoSeconds(now), type: 'Failed', message: err });
  pendingEvents.push(['Warning', 'Failed', `Failed to ${verb} chaos: ${err}`, 'records']);
  pass.retry = true;
  return false;
}

/** The conditions from the records; the status written when it changed; then the pass's Events. */
function writeStatus(r: ChaosReconciler, pass: ReconcilePass, status: ChaosStatus, recs: ContainerRecord[]): void {
  const { obj, resource, paused, deleting } = pass;
  const allInjected = recs.length > 0 && recs.every((rec) => rec.phase === 'Injected');
  const allRecovered = recs.length > 0 && recs.every((rec) => rec.phase === 'Not Injected');
  const cond = (type: string, on: boolean) => ({ type, status: on ? 'True' : 'False' });
  status.conditions = [cond('Selected', recs.length > 0), cond('AllInjected', allInjected), cond('AllRecovered', allRecovered), cond('Paused', paused && !deleting)];

  let current = obj;
  if (!jsonEqual(status, obj.status ?? {})) {
    const next = clone(obj);
    next.status = status;
    current = r.store.updateStatus(resource, next);
  }
  for (const [t, reason, message, component] of pass.pendingEvents) r.record(current, t, reason, message, component);
}

/** Every record recovered on a deleted experiment: the finalizer goes, and the object with it. */
function removeFinalizer(r: ChaosReconciler, pass: ReconcilePass, ns: string, name: string): void {
  const fresh = r.store.get(pass.resource, ns, name);
  if (!fresh) return;
  const next = clone(fresh);
  next.metadata.finalizers = (fresh.metadata.finalizers ?? []).filter((f) => f !== FINALIZER);
  r.record(fresh, 'Normal', 'FinalizerRemoved', 'Finalizer has been removed', 'finalizers');
  r.store.update(pass.resource, next);
  r.firstSeen.delete(pass.obj.metadata.uid ?? '');
}

function newRecord(id: string): ContainerRecord {
  return { id, selectorKey: '.', phase: 'Not Injected', injectedCount: 0, recoveredCount: 0 };
}

function pushRecordEvent(r: ContainerRecord, e: RecordEvent): void {
  r.events = [...(r.events ?? []), e].slice(-MAX_RECORD_EVENTS);
}

/** Injects one record; returns an error message or undefined. */
function apply(r: ChaosReconciler, kind: string, action: string, obj: KubeObject, id: string): string | undefined {
  const { store } = r;
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
    return r.killContainer(ns, podName, container, 137, 'Error') ? undefined : `container "${container}" of pod ${ns}/${podName} is not running`;
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
function recover(r: ChaosReconciler, kind: string, action: string, obj: KubeObject, id: string): string | undefined {
  if (kind !== 'PodChaos' || action !== 'pod-failure') return undefined;
  const { store } = r;
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
