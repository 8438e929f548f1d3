/**
 * The health view: what a caller in the app experiences when it calls each service, computed as a pure function of a
 * snapshot of cluster objects (pods, Services, Chaos Mesh objects, the flagd ConfigMap) at one instant. The engine
 * recomputes it whenever the store changes; tests build snapshots from plain objects.
 */
import type { KubeObject, ObjectStore } from '../contracts';
import type { AppModel, FlagEffect } from './model';
import { parseGoDuration, parseStressSize } from './duration';

export interface ClusterSnapshot {
  pods: KubeObject[];
  services: KubeObject[];
  configMaps: KubeObject[];
  podChaos: KubeObject[];
  networkChaos: KubeObject[];
  stressChaos: KubeObject[];
  httpChaos: KubeObject[];
}

/**
 * The share of packets netem drops for `loss <pct>% <correlation>%` (what Chaos Mesh's NetworkChaos loss and corrupt
 * configure). netem draws each packet's number as correlation × the previous number + (1 − correlation) × a fresh
 * one; at 100 % correlation the number never moves from its first draw, so the interface drops every packet (when that
 * draw falls under the percentage, pct % of the time) or none. We take the likelier of the two: the original's
 * `loss 99 % correlation 100 %` is a black hole, as on a real kernel — not 1 % of calls getting through. Below 100 %
 * the long-run share is the percentage (bursts aside).
 */
export function netemDropRate(pct: number, correlationPct: number): number {
  const p = Math.min(100, Math.max(0, Number.isFinite(pct) ? pct : 100)) / 100;
  if (Number.isFinite(correlationPct) && correlationPct >= 100) return p >= 0.5 ? 1 : 0;
  return p;
}

/** How long a container-kill / pod-kill leaves the process down when the cluster half does not show it itself. */
export const KILL_OUTAGE_MS = 2000;

export interface PodState {
  name: string;
  uid: string;
  node: string;
  ip: string;
  /** Service (by the model's service label), if any. */
  service?: string;
  /** Pod condition Ready. */
  ready: boolean;
  /** The app process runs and answers (running container, not the pause image, no pod-failure/kill window). */
  serving: boolean;
  /** Container ports of the serving containers (numbers; named ports resolved through `namedPorts`). */
  ports: number[];
  namedPorts: Record<string, number>;
  /** command[0] (or the image's default) of the first container: the binary that registers in consul. */
  binary?: string;
  /** NetworkChaos on this pod's egress. */
  egressDelayMs: number;
  egressJitterMs: number;
  egressLoss: number;
  /** When the lossy chaos ends (ms epoch), if it has a duration. */
  lossUntilMs?: number;
  /** StressChaos. */
  stressCpuMillis: number;
  stressMemoryBytes: number;
  /** HTTPChaos on requests into this pod. */
  http?: { abort: boolean; delayMs: number; code?: number };
  /** Why the pod does not serve (for messages). */
  downReason?: string;
}

export type Route =
  | { kind: 'ok'; pods: PodState[] }
  /** Ready endpoints exist but nothing listens on the target port (wrong targetPort, pause image). */
  | { kind: 'refused'; pods: PodState[] }
  /** The Service has no ready endpoints (iptables REJECT): immediate refusal. */
  | { kind: 'no-endpoints' }
  /** No such Service: the name does not resolve. */
  | { kind: 'unresolvable' }
  /** Consul: no registered instance is connected. `everRegistered` distinguishes the two gRPC messages. */
  | { kind: 'no-instance'; everRegistered: boolean };

export interface ServiceState {
  name: string;
  pods: PodState[];
  route: Route;
  /** The port callers dial (Service port or registered port). */
  port: number;
}

export interface HealthView {
  atMs: number;
  services: Record<string, ServiceState>;
  podsByName: Record<string, PodState>;
  /** flagd flags: name → defaultVariant (AstronomyShop). */
  flags: Record<string, string>;
  /** Effects of the active flag variants. */
  effects: FlagEffect[];
  /** Time at which some chaos starts/ends and the view must be recomputed even without a store change. */
  nextChangeMs?: number;
}

const CHAOS_RESOURCES: Array<[keyof ClusterSnapshot, string]> = [
  ['podChaos', 'podchaos.chaos-mesh.org'],
  ['networkChaos', 'networkchaos.chaos-mesh.org'],
  ['stressChaos', 'stresschaos.chaos-mesh.org'],
  ['httpChaos', 'httpchaos.chaos-mesh.org'],
];

function safeList(store: ObjectStore, resource: string, namespace?: string): KubeObject[] {
  try {
    return store.list(resource, namespace);
  } catch {
    return [];
  }
}

/** Reads the objects the health view needs from the store (chaos objects from every namespace: they may select ours). */
export function snapshotFromStore(store: ObjectStore, namespace: string): ClusterSnapshot {
  const snap: ClusterSnapshot = {
    pods: safeList(store, 'pods', namespace),
    services: safeList(store, 'services', namespace),
    configMaps: safeList(store, 'configmaps', namespace).filter((c) => c.metadata.name === 'flagd-config'),
    podChaos: [], networkChaos: [], stressChaos: [], httpChaos: [],
  };
  for (const [key, resource] of CHAOS_RESOURCES) (snap[key]) = safeList(store, resource);
  return snap;
}

export function matchLabels(labels: Record<string, string> | undefined, selector: Record<string, string> | undefined): boolean {
  if (!selector) return false;
  const l = labels ?? {};
  for (const [k, v] of Object.entries(selector)) if (l[k] !== v) return false;
  return true;
}

function matchExpressions(labels: Record<string, string> | undefined, exprs: unknown): boolean {
  if (!Array.isArray(exprs)) return true;
  const l = labels ?? {};
  for (const e of exprs as Array<{ key: string; operator: string; values?: string[] }>) {
    const has = Object.prototype.hasOwnProperty.call(l, e.key);
    const vals = e.values ?? [];
    switch (e.operator) {
      case 'In': if (!has || !vals.includes(l[e.key])) return false; break;
      case 'NotIn': if (has && vals.includes(l[e.key])) return false; break;
      case 'Exists': if (!has) return false; break;
      case 'DoesNotExist': if (has) return false; break;
      default: return false;
    }
  }
  return true;
}

function isReady(pod: KubeObject): boolean {
  const conds = pod.status?.conditions as Array<{ type: string; status: string }> | undefined;
  return Boolean(conds?.some((c) => c.type === 'Ready' && c.status === 'True'));
}

function mainContainer(pod: KubeObject): { name: string; image: string; command?: string[]; ports?: Array<{ containerPort: number; name?: string }> } | undefined {
  return (pod.spec?.containers as Array<{ name: string; image: string; command?: string[]; ports?: Array<{ containerPort: number; name?: string }> }> | undefined)?.[0];
}

function isPauseImage(image: string | undefined): boolean {
  return Boolean(image && /(^|\/)pause(:|@|$)/.test(image));
}

interface ChaosInfo { obj: KubeObject; startMs: number; endMs?: number; active: boolean }

function chaosTiming(obj: KubeObject, nowMs: number): ChaosInfo {
  const startMs = Date.parse(String(obj.metadata.creationTimestamp ?? '')) || 0;
  const dur = parseGoDuration(obj.spec?.duration as string | undefined);
  const endMs = dur === undefined ? undefined : startMs + dur;
  const paused = obj.metadata.annotations?.['experiment.chaos-mesh.org/pause'] === 'true';
  const stopped = obj.status?.experiment?.desiredPhase === 'Stop';
  const active = !obj.metadata.deletionTimestamp && !paused && !stopped && nowMs >= startMs && (endMs === undefined || nowMs < endMs);
  return { obj, startMs, endMs, active };
}

/**
 * The pods a chaos object acts on among `pods` (already restricted to our namespace). Once a Chaos Mesh controller has
 * handled the object (the `chaos-mesh/records` finalizer or `status.experiment` is there), these are exactly the pods
 * its records name with phase `Injected` (`status.experiment.containerRecords[].id`, `<ns>/<pod>` or
 * `<ns>/<pod>/<container>`, as Chaos Mesh 2.x reports them): the controller's own pick for modes one / fixed /
 * percent, and nothing before it has injected or after it has recovered. Without a controller (plain objects in
 * tests) the selector is evaluated here, taking pods in name order for the counting modes.
 */
export function chaosTargets(obj: KubeObject, pods: KubeObject[], namespace: string): KubeObject[] {
  const recorded = recordedTargets(obj, pods, namespace);
  if (recorded) return recorded;
  return selectorTargets(obj, pods, namespace);
}

interface ChaosRecord { id?: string; phase?: string }

function recordedTargets(obj: KubeObject, pods: KubeObject[], namespace: string): KubeObject[] | undefined {
  const exp = obj.status?.experiment as { desiredPhase?: string; containerRecords?: ChaosRecord[] | null; records?: ChaosRecord[] | null } | undefined;
  const records = exp?.containerRecords ?? exp?.records ?? undefined;
  const handled = Array.isArray(records) || exp?.desiredPhase !== undefined || (obj.metadata.finalizers ?? []).includes('chaos-mesh/records');
  if (!handled) return undefined;
  const names = new Set<string>();
  for (const r of records ?? []) {
    if (r.phase !== 'Injected' || typeof r.id !== 'string') continue;
    const [ns, pod] = r.id.split('/');
    if (ns === namespace && pod) names.add(pod);
  }
  return names.size ? pods.filter((p) => names.has(p.metadata.name ?? '') && !p.metadata.deletionTimestamp) : [];
}

function selectorTargets(obj: KubeObject, pods: KubeObject[], namespace: string): KubeObject[] {
  const sel = (obj.spec?.selector ?? {}) as { namespaces?: string[]; labelSelectors?: Record<string, string>; expressionSelectors?: unknown; pods?: Record<string, string[]> };
  const namespaces = sel.namespaces && sel.namespaces.length ? sel.namespaces : [obj.metadata.namespace ?? ''];
  let candidates: KubeObject[];
  if (sel.pods && Object.keys(sel.pods).length) {
    const names = sel.pods[namespace] ?? [];
    candidates = pods.filter((p) => names.includes(p.metadata.name ?? ''));
  } else {
    if (!namespaces.includes(namespace)) return [];
    candidates = pods.filter((p) => (sel.labelSelectors ? matchLabels(p.metadata.labels, sel.labelSelectors) : true) && matchExpressions(p.metadata.labels, sel.expressionSelectors));
    if (!sel.labelSelectors && !sel.expressionSelectors) candidates = [];
  }
  candidates = candidates.filter((p) => !p.metadata.deletionTimestamp).sort((a, b) => String(a.metadata.name).localeCompare(String(b.metadata.name)));
  const mode = String(obj.spec?.mode ?? 'one');
  const value = Number(obj.spec?.value ?? 1);
  switch (mode) {
    case 'all': return candidates;
    case 'fixed': return candidates.slice(0, Math.max(0, value));
    case 'fixed-percent':
    case 'random-max-percent': return candidates.slice(0, Math.ceil((candidates.length * value) / 100));
    default: return candidates.slice(0, 1);
  }
}

function readFlags(snap: ClusterSnapshot): Record<string, string> {
  const cm = snap.configMaps.find((c) => c.metadata.name === 'flagd-config');
  const text = (cm?.data as Record<string, string> | undefined)?.['demo.flagd.json'];
  if (!text) return {};
  try {
    const parsed = JSON.parse(text) as { flags?: Record<string, { state?: string; defaultVariant?: string }> };
    const out: Record<string, string> = {};
    for (const [name, f] of Object.entries(parsed.flags ?? {})) {
      if (f.state && f.state !== 'ENABLED') continue;
      if (typeof f.defaultVariant === 'string') out[name] = f.defaultVariant;
    }
    return out;
  } catch {
    return {};
  }
}

/**
 * Computes the health view. `everRegistered` lists the services that have had a consul registration since the app
 * started (stale registrations are never removed), which decides between the two gRPC "unavailable" messages.
 */
/**
 * What the process in a pod actually listens on at `nowMs`, when something knows better than the pod status (the
 * apps' container behaviours: a url-shorten-service stuck in its index loop never opens 9090; a geo process that is
 * about to panic). `undefined` = no opinion (a running container serves its declared containerPorts).
 */
export type ListeningPorts = (pod: KubeObject, nowMs: number, noteChange?: (atMs: number) => void) => number[] | undefined;

export function computeHealth(model: AppModel, snap: ClusterSnapshot, nowMs: number, everRegistered: ReadonlySet<string> = new Set(), listening?: ListeningPorts): HealthView {
  const ns = model.namespace;
  let nextChangeMs: number | undefined;
  const noteChange = (t: number | undefined): void => {
    if (t !== undefined && t > nowMs && (nextChangeMs === undefined || t < nextChangeMs)) nextChangeMs = t;
  };
  const pods = snap.pods.filter((p) => (p.metadata.namespace ?? ns) === ns);
  const states = new Map<string, PodState>();
  for (const pod of pods) {
    const c = mainContainer(pod);
    const statuses = (pod.status?.containerStatuses ?? []) as Array<{ name: string; state?: Record<string, unknown>; image?: string }>;
    const st = statuses.find((s) => s.name === c?.name);
    const running = !pod.metadata.deletionTimestamp && pod.status?.phase === 'Running' && (st ? Boolean(st.state?.running) : true);
    const image = c?.image;
    const namedPorts: Record<string, number> = {};
    const ports: number[] = [];
    for (const ctr of (pod.spec?.containers ?? []) as Array<{ ports?: Array<{ containerPort: number; name?: string }> }>) {
      for (const p of ctr.ports ?? []) {
        ports.push(Number(p.containerPort));
        if (p.name) namedPorts[p.name] = Number(p.containerPort);
      }
    }
    const name = pod.metadata.name ?? '';
    const state: PodState = {
      name, uid: String(pod.metadata.uid ?? name), node: String(pod.spec?.nodeName ?? 'kind-worker'), ip: String(pod.status?.podIP ?? ''),
      service: pod.metadata.labels?.[model.serviceLabel], ready: isReady(pod), serving: running, ports, namedPorts,
      binary: c?.command?.[0] ?? (c ? undefined : undefined),
      egressDelayMs: 0, egressJitterMs: 0, egressLoss: 0, stressCpuMillis: 0, stressMemoryBytes: 0,
    };
    if (!running) state.downReason = pod.metadata.deletionTimestamp ? 'terminating' : 'not running';
    if (isPauseImage(image) || isPauseImage(st?.image)) { state.serving = false; state.downReason = 'pause image'; }
    if (state.serving && listening) {
      // The answer may change without a cluster change (a process opening its port after start-up, a retry loop).
      const open = listening(pod, nowMs, noteChange);
      if (open) {
        state.ports = open;
        state.namedPorts = Object.fromEntries(Object.entries(namedPorts).filter(([, p]) => open.includes(p)));
        if (open.length === 0) { state.serving = false; state.downReason = 'not listening'; }
      }
    }
    states.set(name, state);
  }

  // Chaos Mesh effects on the selected pods.
  for (const obj of snap.podChaos) {
    const t = chaosTiming(obj, nowMs);
    const action = String(obj.spec?.action ?? '');
    noteChange(t.startMs); noteChange(t.endMs);
    if (action === 'pod-failure') {
      if (!t.active) continue;
      for (const p of chaosTargets(obj, pods, ns)) { const s = states.get(p.metadata.name ?? ''); if (s) { s.serving = false; s.downReason = 'pod-failure'; } }
    } else if (action === 'container-kill' || action === 'pod-kill') {
      const until = t.startMs + KILL_OUTAGE_MS;
      noteChange(until);
      if (obj.metadata.deletionTimestamp || nowMs < t.startMs || nowMs >= until) continue;
      for (const p of chaosTargets(obj, pods, ns)) { const s = states.get(p.metadata.name ?? ''); if (s) { s.serving = false; s.downReason = action; } }
    }
  }
  for (const obj of snap.networkChaos) {
    const t = chaosTiming(obj, nowMs);
    noteChange(t.startMs); noteChange(t.endMs);
    if (!t.active) continue;
    const action = String(obj.spec?.action ?? '');
    for (const p of chaosTargets(obj, pods, ns)) {
      const s = states.get(p.metadata.name ?? '');
      if (!s) continue;
      if (action === 'delay') {
        s.egressDelayMs += parseGoDuration(obj.spec?.delay?.latency) ?? 0;
        s.egressJitterMs += parseGoDuration(obj.spec?.delay?.jitter) ?? 0;
      } else if (action === 'loss' || action === 'partition' || action === 'corrupt') {
        const pct = action === 'partition' ? 100 : Number.parseFloat(String(obj.spec?.[action]?.[action] ?? obj.spec?.loss?.loss ?? 100));
        const spec = obj.spec as Record<string, { correlation?: string | number } | undefined> | undefined;
        const correlation = action === 'partition' ? 0 : Number.parseFloat(String(spec?.[action]?.correlation ?? 0));
        s.egressLoss = 1 - (1 - s.egressLoss) * (1 - netemDropRate(pct, correlation));
        if (t.endMs !== undefined) s.lossUntilMs = Math.max(s.lossUntilMs ?? 0, t.endMs);
      }
    }
  }
  for (const obj of snap.stressChaos) {
    const t = chaosTiming(obj, nowMs);
    noteChange(t.startMs); noteChange(t.endMs);
    if (!t.active) continue;
    const cpu = obj.spec?.stressors?.cpu as { workers?: number; load?: number } | undefined;
    const mem = obj.spec?.stressors?.memory as { workers?: number; size?: string } | undefined;
    for (const p of chaosTargets(obj, pods, ns)) {
      const s = states.get(p.metadata.name ?? '');
      if (!s) continue;
      if (cpu) s.stressCpuMillis += (cpu.workers ?? 1) * (cpu.load ?? 100) * 10;
      if (mem) s.stressMemoryBytes += (mem.workers ?? 1) * (parseStressSize(mem.size) ?? 256e6);
    }
  }
  for (const obj of snap.httpChaos) {
    const t = chaosTiming(obj, nowMs);
    noteChange(t.startMs); noteChange(t.endMs);
    if (!t.active) continue;
    for (const p of chaosTargets(obj, pods, ns)) {
      const s = states.get(p.metadata.name ?? '');
      if (!s) continue;
      const code = obj.spec?.replace?.code ?? obj.spec?.patch?.code;
      s.http = { abort: Boolean(obj.spec?.abort), delayMs: parseGoDuration(obj.spec?.delay) ?? 0, ...(code !== undefined ? { code: Number(code) } : {}) };
    }
  }

  const services: Record<string, ServiceState> = {};
  for (const [name, spec] of Object.entries(model.services)) {
    const own = [...states.values()].filter((s) => s.service === name);
    // The workload reaches the frontend through its Kubernetes Service even when the app itself uses consul.
    const viaConsul = model.discovery === 'consul' && spec.kind === 'app' && name !== model.frontend.service;
    if (viaConsul) {
      const binary = spec.binary ?? name;
      const live = [...states.values()].filter((s) => s.serving && (s.binary ?? s.service) === binary && s.ports.length > 0);
      services[name] = {
        name, pods: own, port: spec.port,
        route: live.length ? { kind: 'ok', pods: live } : { kind: 'no-instance', everRegistered: everRegistered.has(name) },
      };
      continue;
    }
    const svc = snap.services.find((s) => s.metadata.name === name && (s.metadata.namespace ?? ns) === ns);
    if (!svc) { services[name] = { name, pods: own, port: spec.port, route: { kind: 'unresolvable' } }; continue; }
    const ports = (svc.spec?.ports ?? []) as Array<{ port: number; targetPort?: number | string }>;
    const sp = ports.find((p) => Number(p.port) === spec.port) ?? ports[0];
    const selector = svc.spec?.selector as Record<string, string> | undefined;
    const backends = pods.filter((p) => matchLabels(p.metadata.labels, selector)).map((p) => states.get(p.metadata.name ?? '')!).filter((s) => s.ready && !pods.find((p) => p.metadata.name === s.name)?.metadata.deletionTimestamp);
    const port = Number(sp?.port ?? spec.port);
    if (backends.length === 0) { services[name] = { name, pods: own, port, route: { kind: 'no-endpoints' } }; continue; }
    const target = sp?.targetPort ?? sp?.port;
    const listening = backends.filter((b) => {
      const tp = typeof target === 'string' && !/^\d+$/.test(target) ? b.namedPorts[target] : Number(target);
      return b.serving && tp !== undefined && b.ports.includes(tp);
    });
    services[name] = { name, pods: own, port, route: listening.length ? { kind: 'ok', pods: listening } : { kind: 'refused', pods: backends } };
    if (listening.length && listening.length < backends.length) {
      // Some endpoints refuse: the route keeps all backends; the engine refuses when it picks a non-listening one.
      services[name].route = { kind: 'ok', pods: backends.map((b) => (listening.includes(b) ? b : { ...b, serving: false, downReason: 'not listening' })) };
    }
  }

  const flags = readFlags(snap);
  const effects: FlagEffect[] = [];
  for (const [flag, variant] of Object.entries(flags)) effects.push(...(model.flags?.[flag]?.variants[variant] ?? []));
  const podsByName: Record<string, PodState> = {};
  for (const s of states.values()) podsByName[s.name] = s;
  return { atMs: nowMs, services, podsByName, flags, effects, ...(nextChangeMs !== undefined ? { nextChangeMs } : {}) };
}


/**
 * The app as it runs when nothing is wrong: every modelled service routes to pods that all serve, with no chaos
 * on them and no flag variant in effect. The request history before a session (the warm-up) is simulated on such a view.
 */
export function isHealthy(view: HealthView): boolean {
  if (view.effects.length) return false;
  const services = Object.values(view.services);
  if (!services.length) return false;
  return services.every((s) => s.route.kind === 'ok' && s.route.pods.length > 0 && s.route.pods.every(quiet));
}

function quiet(p: PodState): boolean {
  return p.serving && p.ready && !p.egressDelayMs && !p.egressJitterMs && !p.egressLoss && !p.stressCpuMillis && !p.stressMemoryBytes && !p.http;
}
