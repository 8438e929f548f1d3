/**
 * The rule-based baseline's knowledge: how to read kubectl's answers (full `-o json` Lists, or the
 * compact `-o jsonpath` lines the baseline asks for so that a whole namespace fits in one capped
 * observation) into Kubernetes-shaped objects, and the explicit rules that turn those into
 * suspects. Each rule is one small function; every finding says which rule fired and why.
 */

import { ruleFailingCalls, ruleSlowCalls, type CallStats } from './baseline-traces';

// ---------------------------------------------------------------------------------------------
// Kubernetes shapes (only the fields the rules read; same names as kubectl's JSON).

export type Labels = Record<string, string>;

export interface ContainerState {
  running?: { startedAt?: string };
  waiting?: { reason?: string; message?: string };
  terminated?: { reason?: string; exitCode?: number };
}

export interface ContainerStatus {
  name?: string;
  ready?: boolean;
  restartCount?: number;
  image?: string;
  state?: ContainerState;
  lastState?: ContainerState;
}

export interface Pod {
  metadata: { name: string; labels?: Labels; creationTimestamp?: string };
  spec?: { nodeSelector?: Labels; containers?: Array<{ name?: string; image?: string; command?: string[]; ports?: Array<{ containerPort?: number }> }> };
  status?: { phase?: string; containerStatuses?: ContainerStatus[] };
}

export interface Deployment {
  metadata: { name: string; annotations?: Record<string, string> };
  spec?: {
    replicas?: number;
    selector?: { matchLabels?: Labels };
    template?: { spec?: { nodeSelector?: Labels; containers?: Array<{ name?: string; image?: string; command?: string[] }> } };
  };
  status?: { availableReplicas?: number; readyReplicas?: number };
}

export interface ServicePort {
  name?: string;
  port?: number;
  targetPort?: number | string;
  protocol?: string;
}

export interface Service {
  metadata: { name: string };
  spec?: { selector?: Labels; ports?: ServicePort[] };
}

export interface Endpoints {
  metadata: { name: string };
  subsets?: Array<{ addresses?: Array<{ ip?: string }>; notReadyAddresses?: Array<{ ip?: string }>; ports?: Array<{ port?: number }> }>;
}

export interface KubeEvent {
  involvedObject?: { kind?: string; name?: string };
  reason?: string;
  message?: string;
  count?: number;
  type?: string;
}

export interface PersistentVolume {
  metadata: { name: string };
  spec?: { claimRef?: { namespace?: string; name?: string; uid?: string } };
  status?: { phase?: string };
}

export interface FlagState {
  key: string;
  defaultVariant: string;
}

export interface Snapshot {
  namespace: string;
  pods: Pod[];
  deployments: Deployment[];
  services: Service[];
  endpoints: Endpoints[];
  events: KubeEvent[];
  /** Client calls between services, summarised from a get_traces export (empty until read). */
  calls: CallStats[];
  flags: FlagState[];
  volumes: PersistentVolume[];
  /** The flagd ConfigMap's data (file name → JSON text), when there is one. */
  flagData?: Record<string, string>;
  /** service name → its log text (from get_logs). */
  logs: Record<string, string>;
  /** Findings of follow-up reads (e.g. a database's mounted configuration), merged with the rules' findings. */
  extra?: Finding[];
}

export function emptySnapshot(namespace: string): Snapshot {
  return { namespace, pods: [], deployments: [], services: [], endpoints: [], events: [], calls: [], flags: [], volumes: [], logs: {} };
}

// ---------------------------------------------------------------------------------------------
// Reading observations.

/** Split an observation into `### <name>` sections (text before the first marker goes to ''). */
export function splitSections(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  let current = '';
  const buf: string[] = [];
  const flush = () => {
    out[current] = (out[current] ? out[current] + '\n' : '') + buf.join('\n');
    buf.length = 0;
  };
  for (const line of text.split(/\r?\n/)) {
    const m = /^### (\S+)\s*$/.exec(line);
    if (m) {
      flush();
      current = m[1];
    } else buf.push(line);
  }
  flush();
  return out;
}

/** Parse a run of JSON values separated by whitespace, as kubectl's jsonpath prints `[*]` results. */
export function parseJsonSequence(text: string): unknown[] {
  const out: unknown[] = [];
  let i = 0;
  const s = text.trim();
  while (i < s.length) {
    while (i < s.length && /\s/.test(s[i])) i++;
    if (i >= s.length) break;
    const start = i;
    if (s[i] === '{' || s[i] === '[') {
      let depth = 0;
      let inStr = false;
      for (; i < s.length; i++) {
        const c = s[i];
        if (inStr) {
          if (c === '\\') i++;
          else if (c === '"') inStr = false;
        } else if (c === '"') inStr = true;
        else if (c === '{' || c === '[') depth++;
        else if (c === '}' || c === ']') {
          depth--;
          if (depth === 0) {
            i++;
            break;
          }
        }
      }
    } else if (s[i] === '"') {
      i++;
      for (; i < s.length; i++) {
        if (s[i] === '\\') i++;
        else if (s[i] === '"') {
          i++;
          break;
        }
      }
    } else {
      while (i < s.length && !/\s/.test(s[i])) i++;
    }
    const token = s.slice(start, i);
    try {
      out.push(JSON.parse(token));
    } catch {
      out.push(token);
    }
  }
  return out;
}

function jsonOr<T>(text: string | undefined, fallback: T): T {
  if (text === undefined || text.trim() === '') return fallback;
  try {
    return JSON.parse(text) as T;
  } catch {
    return fallback;
  }
}

function num(text: string | undefined): number | undefined {
  if (text === undefined || text.trim() === '') return undefined;
  const n = Number(text.trim());
  return Number.isFinite(n) ? n : undefined;
}

/** If the section is a kubectl `-o json` document, its items (a List) or the object itself. */
function jsonItems(text: string): unknown[] | undefined {
  const t = text.trim();
  if (!t.startsWith('{')) return undefined;
  try {
    const doc = JSON.parse(t) as { items?: unknown[] };
    return Array.isArray(doc.items) ? doc.items : [doc];
  } catch {
    return undefined;
  }
}

/** The named objects of a kubectl `-o json` section (see jsonItems). */
function namedItems<T extends { metadata?: { name?: string } }>(text: string): T[] | undefined {
  return jsonItems(text)?.filter((o): o is T => !!(o as T | undefined)?.metadata?.name);
}

/** A whitespace-separated jsonpath list such as `{.spec.containers[*].image}`; none for an empty field. */
function words(field: string): string[] {
  const t = field.trim();
  return t === '' ? [] : t.split(/\s+/);
}

function tabLines(text: string, minFields: number): string[][] {
  return text
    .split(/\r?\n/)
    .map((l) => l.split('\t'))
    .filter((f) => f.length >= minFields && /^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/.test(f[0]));
}

export const POD_FIELDS =
  '{.metadata.name}{"\\t"}{.metadata.creationTimestamp}{"\\t"}{.status.phase}{"\\t"}{.metadata.labels}{"\\t"}{.spec.nodeSelector}{"\\t"}' +
  '{.spec.containers[*].image}{"\\t"}{.spec.containers[*].ports[*].containerPort}{"\\t"}{.status.containerStatuses[*].state}{"\\t"}' +
  '{.status.containerStatuses[*].lastState}{"\\t"}{.status.containerStatuses[*].ready}{"\\t"}{.status.containerStatuses[*].restartCount}{"\\n"}';

export function parsePods(text: string): Pod[] {
  return namedItems<Pod>(text) ?? tabLines(text, 11).map((f) => {
    const images = words(f[5]);
    const ports = words(f[6]).map(Number).filter(Number.isFinite);
    const states = parseJsonSequence(f[7]) as ContainerState[];
    const lastStates = parseJsonSequence(f[8]) as ContainerState[];
    const ready = words(f[9]).map((v) => v === 'true');
    const restarts = words(f[10]).map(Number);
    const pod: Pod = {
      metadata: { name: f[0], creationTimestamp: f[1] || undefined, labels: jsonOr<Labels>(f[3], {}) },
      spec: {
        nodeSelector: jsonOr<Labels | undefined>(f[4], undefined),
        containers: images.map((image, i) => ({ image, ports: i === 0 ? ports.map((containerPort) => ({ containerPort })) : [] })),
      },
      status: {
        phase: f[2] || undefined,
        containerStatuses: states.map((state, i) => ({
          state: typeof state === 'object' ? state : undefined,
          lastState: typeof lastStates[i] === 'object' ? lastStates[i] : undefined,
          ready: ready[i],
          restartCount: restarts[i],
        })),
      },
    };
    return pod;
  });
}

export const DEPLOYMENT_FIELDS =
  '{.metadata.name}{"\\t"}{.spec.replicas}{"\\t"}{.status.availableReplicas}{"\\t"}{.spec.selector.matchLabels}{"\\t"}' +
  '{.spec.template.spec.nodeSelector}{"\\t"}{.spec.template.spec.containers[*].image}{"\\t"}{.spec.template.spec.containers[*].command}{"\\t"}' +
  '{.metadata.annotations.deployment\\.kubernetes\\.io/revision}{"\\n"}';

export function parseDeployments(text: string): Deployment[] {
  return namedItems<Deployment>(text) ?? tabLines(text, 8).map((f) => {
    const images = words(f[5]);
    const commands = parseJsonSequence(f[6]).filter(Array.isArray) as string[][];
    const revision = f[7]?.trim();
    const annotations: Record<string, string> = revision ? { 'deployment.kubernetes.io/revision': revision } : {};
    return {
      metadata: { name: f[0], annotations },
      spec: {
        replicas: num(f[1]),
        selector: { matchLabels: jsonOr<Labels>(f[3], {}) },
        template: { spec: { nodeSelector: jsonOr<Labels | undefined>(f[4], undefined), containers: images.map((image, i) => ({ image, command: commands[i] })) } },
      },
      status: { availableReplicas: num(f[2]) },
    };
  });
}

export const SERVICE_FIELDS = '{.metadata.name}{"\\t"}{.spec.selector}{"\\t"}{.spec.ports}{"\\n"}';

export function parseServices(text: string): Service[] {
  return namedItems<Service>(text) ?? tabLines(text, 3).map((f) => ({ metadata: { name: f[0] }, spec: { selector: jsonOr<Labels | undefined>(f[1], undefined), ports: jsonOr<ServicePort[]>(f[2], []) } }));
}

export const ENDPOINTS_FIELDS = '{.metadata.name}{"\\t"}{.subsets[*].addresses[*].ip}{"\\t"}{.subsets[*].notReadyAddresses[*].ip}{"\\t"}{.subsets[*].ports[*].port}{"\\n"}';

export function parseEndpoints(text: string): Endpoints[] {
  return namedItems<Endpoints>(text) ?? tabLines(text, 4).map((f) => {
    const addresses = words(f[1]).map((ip) => ({ ip }));
    const notReady = words(f[2]).map((ip) => ({ ip }));
    const ports = words(f[3]).map((p) => ({ port: Number(p) }));
    return { metadata: { name: f[0] }, subsets: addresses.length + notReady.length > 0 ? [{ addresses, notReadyAddresses: notReady, ports }] : [] };
  });
}

export const EVENT_FIELDS = '{.involvedObject.kind}{"\\t"}{.involvedObject.name}{"\\t"}{.reason}{"\\t"}{.count}{"\\t"}{.message}{"\\n"}';

export function parseEvents(text: string): KubeEvent[] {
  const items = jsonItems(text);
  if (items) return items as KubeEvent[];
  return text
    .split(/\r?\n/)
    .map((l) => l.split('\t'))
    .filter((f) => f.length >= 5 && /^[A-Z][A-Za-z]+$/.test(f[0]))
    .map((f) => ({ involvedObject: { kind: f[0], name: f[1] }, reason: f[2], count: num(f[3]), message: f.slice(4).join('\t') }));
}


export const PV_FIELDS = '{.metadata.name}{"\\t"}{.status.phase}{"\\t"}{.spec.claimRef}{"\\n"}';

export function parseVolumes(text: string): PersistentVolume[] {
  return namedItems<PersistentVolume>(text) ?? tabLines(text, 3).map((f) => ({ metadata: { name: f[0] }, status: { phase: f[1] || undefined }, spec: { claimRef: jsonOr(f[2], undefined) } }));
}

/** flagd's ConfigMap data as file name → text (`-o jsonpath='{.data}'` or the whole ConfigMap as JSON). */
export function parseFlagData(text: string): Record<string, string> | undefined {
  const t = text.trim();
  const start = t.indexOf('{');
  if (start < 0) return undefined;
  try {
    const doc = JSON.parse(t.slice(start)) as Record<string, unknown>;
    const data = (doc.kind === 'ConfigMap' ? (doc.data as Record<string, unknown>) : doc) ?? {};
    const out: Record<string, string> = {};
    for (const [k, v] of Object.entries(data)) if (typeof v === 'string') out[k] = v;
    return out;
  } catch {
    return undefined;
  }
}

/** flagd's ConfigMap data (`-o jsonpath='{.data}'` or the whole ConfigMap as JSON) → flags and their default variants. */
export function parseFlags(text: string): FlagState[] {
  const t = text.trim();
  const start = t.indexOf('{');
  if (start < 0) return [];
  let data: Record<string, unknown>;
  try {
    const doc = JSON.parse(t.slice(start)) as Record<string, unknown>;
    data = (doc.kind === 'ConfigMap' ? (doc.data as Record<string, unknown>) : doc) ?? {};
  } catch {
    return [];
  }
  const flags: FlagState[] = [];
  for (const value of Object.values(data)) {
    const parsed = typeof value === 'string' ? jsonOr<{ flags?: Record<string, { defaultVariant?: string }> }>(value, {}) : (value as { flags?: Record<string, { defaultVariant?: string }> });
    for (const [key, f] of Object.entries(parsed?.flags ?? {})) {
      if (f && typeof f.defaultVariant === 'string') flags.push({ key, defaultVariant: f.defaultVariant });
    }
  }
  return flags;
}

/** The label key most pods carry (e.g. `io.kompose.service`, `service`, `app`), to select all app pods at once. */
export function commonLabelKey(pods: readonly Pod[]): string | undefined {
  const counts = new Map<string, number>();
  for (const p of pods) for (const k of Object.keys(p.metadata.labels ?? {})) if (k !== 'pod-template-hash') counts.set(k, (counts.get(k) ?? 0) + 1);
  const preferred = ['io.kompose.service', 'service', 'app.kubernetes.io/component', 'app.kubernetes.io/name', 'app'];
  const best = Math.max(0, ...counts.values());
  if (best === 0) return undefined;
  return preferred.find((k) => counts.get(k) === best) ?? [...counts.entries()].find(([, n]) => n === best)?.[0];
}

/**
 * Words that mark a log line worth reading: errors and failures, where a service's database lives, and the
 * line saying a server started (which tells a start-up race from a service that never comes up).
 */
export const LOG_PATTERN = 'error|fail|refused|denied|not authorized|panic|fatal|unavailable|timeout|timed out|no reachable|database URL|exception|Starting the';

/**
 * `kubectl logs --prefix` output (`[pod/<pod>/<container>] <line>`) → log text per workload.
 * Lines without a prefix are ignored.
 */
export function parsePrefixedLogs(text: string, pods: readonly Pod[], deployments: readonly Deployment[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of text.split(/\r?\n/)) {
    const m = /^\[pod\/([^/\]]+)\/[^\]]*\] ?(.*)$/.exec(line);
    if (!m) continue;
    const pod = pods.find((p) => p.metadata.name === m[1]);
    const workload = pod ? workloadOf(pod, deployments) : workloadOf({ metadata: { name: m[1] } }, deployments);
    out[workload] = (out[workload] ?? '') + m[2] + '\n';
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Findings.

export type SystemLevel = 'Hardware' | 'Operating System' | 'Virtualization' | 'Application';
export type FaultType = 'Misconfiguration' | 'Code Defect' | 'Authentication Issue' | 'Network/Storage Issue' | 'Operation Error' | 'Dependency Problem';

export interface Analysis {
  system_level: SystemLevel;
  fault_type: FaultType;
}

export interface Finding {
  /** The faulty component (service / workload name). */
  target: string;
  rule: string;
  evidence: string;
  /** Confidence 0–100; findings are ranked by it. */
  score: number;
  analysis?: Analysis;
  /** kubectl commands that undo the fault (mitigation only). */
  fix?: string[];
}

/** Rule table: symptom → (system level, fault type), using the benchmark's taxonomy. */
export const ANALYSIS_TABLE = {
  targetPortMismatch: { system_level: 'Virtualization', fault_type: 'Misconfiguration' },
  scaledToZero: { system_level: 'Virtualization', fault_type: 'Operation Error' },
  unschedulableNodeSelector: { system_level: 'Virtualization', fault_type: 'Dependency Problem' },
  unboundVolumeClaims: { system_level: 'Virtualization', fault_type: 'Operation Error' },
  dbNotAuthorized: { system_level: 'Application', fault_type: 'Authentication Issue' },
  // A database user that no longer exists: the benchmark files this under storage issues.
  dbUserMissing: { system_level: 'Application', fault_type: 'Network/Storage Issue' },
  // A workload running another service's binary: the benchmark files this under storage issues too.
  wrongBinary: { system_level: 'Application', fault_type: 'Network/Storage Issue' },
  badImageOrConfig: { system_level: 'Application', fault_type: 'Misconfiguration' },
  dbUnreachableConfig: { system_level: 'Application', fault_type: 'Misconfiguration' },
} as const satisfies Record<string, Analysis>;

const BAD_WAITING = new Set(['CrashLoopBackOff', 'Error', 'ImagePullBackOff', 'ErrImagePull', 'CreateContainerConfigError', 'InvalidImageName', 'RunContainerError']);
const IMAGE_WAITING = new Set(['ImagePullBackOff', 'ErrImagePull', 'InvalidImageName']);

export function matchesSelector(labels: Labels | undefined, selector: Labels | undefined): boolean {
  if (!selector || Object.keys(selector).length === 0) return false;
  return Object.entries(selector).every(([k, v]) => labels?.[k] === v);
}

/** The deployment that owns a pod (by label selector, else by the name prefix before the ReplicaSet hash). */
export function workloadOf(pod: Pod, deployments: readonly Deployment[]): string {
  const byLabels = deployments.find((d) => matchesSelector(pod.metadata.labels, d.spec?.selector?.matchLabels));
  if (byLabels) return byLabels.metadata.name;
  const parts = pod.metadata.name.split('-');
  return parts.length > 2 ? parts.slice(0, -2).join('-') : pod.metadata.name;
}

/** Why a pod is unhealthy now (crash, image pull, terminated), or undefined. */
export function podProblem(pod: Pod): string | undefined {
  for (const cs of pod.status?.containerStatuses ?? []) {
    const w = cs.state?.waiting?.reason;
    if (w && BAD_WAITING.has(w)) return w;
    const t = cs.state?.terminated;
    if (t && t.reason !== 'Completed') return t.reason ?? 'Terminated';
  }
  if (pod.status?.phase === 'Failed') return 'Failed';
  return undefined;
}

function jsonPatch(ops: unknown[]): string {
  return `'${JSON.stringify(ops)}'`;
}

/** Wait (within exec_shell's 30 s) until a deployment's rollout finished, so the fix is in place before submitting. */
function waitRollout(snap: Snapshot, deployment: string): string {
  return `kubectl rollout status deployment/${deployment} -n ${snap.namespace} --timeout=25s`;
}

/** Wait (within exec_shell's 30 s) until every pod of the namespace is Ready. */
function waitPodsReady(snap: Snapshot): string {
  return `kubectl wait --for=condition=Ready pods --all -n ${snap.namespace} --timeout=25s`;
}

function podsOf(snap: Snapshot, workload: string): Pod[] {
  return snap.pods.filter((p) => workloadOf(p, snap.deployments) === workload);
}

// --- Rule: pods waiting in a crash / image-pull state, or terminated with an error.
export function ruleCrashingPods(snap: Snapshot): Finding[] {
  const out: Finding[] = [];
  for (const pod of snap.pods) {
    const problem = podProblem(pod);
    if (!problem) continue;
    const target = workloadOf(pod, snap.deployments);
    const dep = snap.deployments.find((d) => d.metadata.name === target);
    const revision = Number(dep?.metadata.annotations?.['deployment.kubernetes.io/revision'] ?? '1');
    const fix = dep && revision > 1
      ? [`kubectl rollout undo deployment ${target} -n ${snap.namespace}`, waitRollout(snap, target)]
      : [`kubectl delete pod ${pod.metadata.name} -n ${snap.namespace}`, waitPodsReady(snap)];
    out.push({
      target,
      rule: IMAGE_WAITING.has(problem) ? 'image-pull-failure' : 'crashing-pod',
      evidence: `pod ${pod.metadata.name} is ${problem}`,
      score: 70,
      analysis: IMAGE_WAITING.has(problem) || revision > 1 ? ANALYSIS_TABLE.badImageOrConfig : undefined,
      fix,
    });
  }
  return out;
}

// --- Rule: Pending pods; with a nodeSelector no node satisfies → dependency problem; unbound claims → operation error.
export function rulePendingPods(snap: Snapshot): Finding[] {
  const out: Finding[] = [];
  for (const pod of snap.pods) {
    if (pod.status?.phase !== 'Pending') continue;
    const target = workloadOf(pod, snap.deployments);
    const events = snap.events.filter((e) => e.involvedObject?.name === pod.metadata.name && e.reason === 'FailedScheduling');
    const msg = events.map((e) => e.message ?? '').join(' ');
    if (/PersistentVolumeClaim/i.test(msg)) {
      // Volumes still bound to claims of this namespace that no longer exist: release them so the new claims bind.
      const released = snap.volumes.filter((v) => v.status?.phase === 'Released' && v.spec?.claimRef?.namespace === snap.namespace);
      const fix = released.map((v) => `kubectl patch pv ${v.metadata.name} --type json -p ${jsonPatch([{ op: 'remove', path: '/spec/claimRef' }])}`);
      // Services that use a database whose pod was stuck (their logs name it) or that crash: restart them once
      // the databases are up, since they gave up on their database while it was missing.
      const pendingDbs = new Set(snap.pods.filter((p) => p.status?.phase === 'Pending').map((p) => workloadOf(p, snap.deployments)));
      const dependents = new Set(Object.entries(snap.logs).filter(([, log]) => pendingDbs.has(dbHostFromLog(log) ?? '')).map(([w]) => w));
      // The usual naming: database `mongodb-geo` (or `geo-mongodb`) serves workload `geo`.
      for (const db of pendingDbs) {
        const owner = db.replace(/^(mongodb|mongo|redis|memcached)-/, '').replace(/-(mongodb|mongo|redis|memcached)$/, '');
        if (owner !== db && snap.deployments.some((d) => d.metadata.name === owner)) dependents.add(owner);
      }
      const restart = snap.pods.filter((p) => podProblem(p) || dependents.has(workloadOf(p, snap.deployments)));
      const crashing = restart.length > 0 ? [`kubectl delete pod ${restart.map((p) => p.metadata.name).join(' ')} -n ${snap.namespace}`] : [];
      out.push({
        target,
        rule: 'pending-unbound-volume',
        evidence: `pod ${pod.metadata.name} is Pending: ${msg.slice(0, 160)}${released.length ? `; ${released.length} released volume(s) keep old claims` : ''}`,
        score: 75,
        analysis: ANALYSIS_TABLE.unboundVolumeClaims,
        fix: fix.length > 0 ? [...fix, waitPodsReady(snap), ...(crashing.length > 0 ? [...crashing, waitPodsReady(snap)] : [])] : undefined,
      });
      continue;
    }
    const sel = pod.spec?.nodeSelector;
    if (sel && Object.keys(sel).length > 0) {
      out.push({
        target,
        rule: 'pending-node-selector',
        evidence: `pod ${pod.metadata.name} is Pending with nodeSelector ${JSON.stringify(sel)}${msg ? `: ${msg.slice(0, 160)}` : ''}`,
        score: 85,
        analysis: ANALYSIS_TABLE.unschedulableNodeSelector,
        fix: [`kubectl patch deployment ${target} -n ${snap.namespace} --type json -p ${jsonPatch([{ op: 'remove', path: '/spec/template/spec/nodeSelector' }])}`, waitRollout(snap, target)],
      });
      continue;
    }
    out.push({ target, rule: 'pending-pod', evidence: `pod ${pod.metadata.name} is Pending${msg ? `: ${msg.slice(0, 160)}` : ''}`, score: 55 });
  }
  return out;
}

// --- Rule: deployments scaled to zero, or with fewer available replicas than desired.
export function ruleDeploymentReplicas(snap: Snapshot): Finding[] {
  const out: Finding[] = [];
  for (const d of snap.deployments) {
    const want = d.spec?.replicas;
    const have = d.status?.availableReplicas ?? 0;
    if (want === 0) {
      out.push({
        target: d.metadata.name,
        rule: 'scaled-to-zero',
        evidence: `deployment ${d.metadata.name} has replicas 0`,
        score: 85,
        analysis: ANALYSIS_TABLE.scaledToZero,
        fix: [`kubectl scale deployment ${d.metadata.name} -n ${snap.namespace} --replicas=1`, waitRollout(snap, d.metadata.name)],
      });
    } else if (want !== undefined && have < want) {
      out.push({ target: d.metadata.name, rule: 'unavailable-replicas', evidence: `deployment ${d.metadata.name} has ${have}/${want} available`, score: 45 });
    }
  }
  return out;
}

// --- Rule: a deployment whose pod template changed after it was created (revision > 1): a recent change to suspect.
export function ruleChangedDeployments(snap: Snapshot): Finding[] {
  const out: Finding[] = [];
  for (const d of snap.deployments) {
    const revision = Number(d.metadata.annotations?.['deployment.kubernetes.io/revision'] ?? '1');
    if (!(revision > 1)) continue;
    out.push({
      target: d.metadata.name,
      rule: 'changed-deployment',
      evidence: `deployment ${d.metadata.name} is at revision ${revision}: its pod template changed after it was created`,
      score: 55,
      analysis: ANALYSIS_TABLE.badImageOrConfig,
      fix: [`kubectl rollout undo deployment ${d.metadata.name} -n ${snap.namespace}`, waitRollout(snap, d.metadata.name)],
    });
  }
  return out;
}

// --- Rule: a Service whose numeric targetPort matches no container port of the pods it selects.
export function ruleServicePorts(snap: Snapshot): Finding[] {
  const out: Finding[] = [];
  for (const svc of snap.services) {
    const selector = svc.spec?.selector;
    const pods = snap.pods.filter((p) => matchesSelector(p.metadata.labels, selector));
    const containerPorts = new Set(pods.flatMap((p) => (p.spec?.containers ?? []).flatMap((c) => (c.ports ?? []).map((x) => x.containerPort))).filter((x): x is number => typeof x === 'number'));
    if (pods.length === 0 || containerPorts.size === 0) continue;
    const ports = svc.spec?.ports ?? [];
    ports.forEach((p, i) => {
      if (typeof p.targetPort !== 'number' || containerPorts.has(p.targetPort)) return;
      const right = p.port !== undefined && containerPorts.has(p.port) ? p.port : containerPorts.size === 1 ? [...containerPorts][0] : undefined;
      out.push({
        target: svc.metadata.name,
        rule: 'target-port-mismatch',
        evidence: `service ${svc.metadata.name} port ${p.port} targets ${p.targetPort}, but its pods listen on ${[...containerPorts].join(', ')}`,
        score: 85,
        analysis: ANALYSIS_TABLE.targetPortMismatch,
        fix: right !== undefined ? [`kubectl patch service ${svc.metadata.name} -n ${snap.namespace} --type json -p ${jsonPatch([{ op: 'replace', path: `/spec/ports/${i}/targetPort`, value: right }])}`] : undefined,
      });
    });
  }
  return out;
}

// --- Rule: a Service with a selector but no ready endpoint address.
export function ruleEmptyEndpoints(snap: Snapshot): Finding[] {
  if (snap.endpoints.length === 0) return [];
  const out: Finding[] = [];
  for (const svc of snap.services) {
    if (!svc.spec?.selector || Object.keys(svc.spec.selector).length === 0) continue;
    const ep = snap.endpoints.find((e) => e.metadata.name === svc.metadata.name);
    const ready = (ep?.subsets ?? []).reduce((n, s) => n + (s.addresses?.length ?? 0), 0);
    if (ready === 0) out.push({ target: svc.metadata.name, rule: 'no-ready-endpoints', evidence: `service ${svc.metadata.name} has no ready endpoints`, score: 38 });
  }
  return out;
}

// --- Rule: a workload whose container runs another workload's binary (command names a sibling service).
export function ruleWrongBinary(snap: Snapshot): Finding[] {
  const names = new Set(snap.deployments.map((d) => d.metadata.name));
  const out: Finding[] = [];
  for (const d of snap.deployments) {
    (d.spec?.template?.spec?.containers ?? []).forEach((c, i) => {
      const bin = c.command?.[0]?.split('/').pop();
      if (!bin || bin === d.metadata.name || !names.has(bin)) return;
      out.push({
        target: d.metadata.name,
        rule: 'wrong-binary',
        evidence: `deployment ${d.metadata.name} runs command ${JSON.stringify(c.command)}, the binary of ${bin}`,
        score: 80,
        analysis: ANALYSIS_TABLE.wrongBinary,
        fix: [`kubectl patch deployment ${d.metadata.name} -n ${snap.namespace} --type json -p ${jsonPatch([{ op: 'replace', path: `/spec/template/spec/containers/${i}/command`, value: [d.metadata.name] }])}`, waitRollout(snap, d.metadata.name)],
      });
    });
  }
  return out;
}

// --- Rule: a pod running another image than its deployment's template (e.g. swapped for a pause image).
export function ruleImageDrift(snap: Snapshot): Finding[] {
  const out: Finding[] = [];
  for (const pod of snap.pods) {
    const target = workloadOf(pod, snap.deployments);
    const dep = snap.deployments.find((d) => d.metadata.name === target);
    // During a rollout (revision > 1) old pods legitimately run the previous image; that is the changed-deployment rule's case.
    if (Number(dep?.metadata.annotations?.['deployment.kubernetes.io/revision'] ?? '1') > 1) continue;
    const want = (dep?.spec?.template?.spec?.containers ?? []).map((c) => c.image).filter(Boolean);
    const have = (pod.spec?.containers ?? []).map((c) => c.image).filter(Boolean);
    if (want.length === 0 || have.length === 0) continue;
    const drift = have.filter((img) => !want.includes(img));
    if (drift.length > 0 && want.length === have.length) {
      out.push({ target, rule: 'image-drift', evidence: `pod ${pod.metadata.name} runs ${drift.join(', ')} but deployment ${target} specifies ${want.join(', ')}`, score: 75, fix: [`kubectl delete pod ${pod.metadata.name} -n ${snap.namespace}`, waitPodsReady(snap)] });
    }
  }
  return out;
}

// --- Rule: a container that was killed (exit 137) since it started.
export function ruleKilledContainers(snap: Snapshot): Finding[] {
  const out: Finding[] = [];
  for (const pod of snap.pods) {
    for (const cs of pod.status?.containerStatuses ?? []) {
      const t = cs.lastState?.terminated;
      if (t && t.exitCode === 137 && t.reason !== 'OOMKilled') {
        out.push({ target: workloadOf(pod, snap.deployments), rule: 'container-killed', evidence: `pod ${pod.metadata.name} was killed (exit 137), restarts ${cs.restartCount ?? '?'}`, score: 40 });
      }
    }
  }
  return out;
}

/**
 * Feature flag → the service whose behaviour it breaks (from what each flag does in the demo's code):
 * most flags break the service they name; `paymentUnreachable` makes checkout dial a bad address,
 * `imageSlowLoad` and `loadGeneratorFloodHomepage` hit the frontend, `kafkaQueueProblems` floods the queue.
 */
export const FLAG_TARGETS: Record<string, string> = {
  adFailure: 'ad',
  adHighCpu: 'ad',
  adManualGc: 'ad',
  cartFailure: 'cart',
  imageSlowLoad: 'frontend',
  kafkaQueueProblems: 'kafka',
  loadGeneratorFloodHomepage: 'frontend',
  paymentFailure: 'payment',
  paymentUnreachable: 'checkout',
  productCatalogFailure: 'product-catalog',
  recommendationCacheFailure: 'recommendation',
};

/** Switch a flag back to its `off` variant in the flagd ConfigMap (a merge patch of the whole file) and restart flagd. */
function flagOffFix(snap: Snapshot, key: string): string[] | undefined {
  if (!snap.flagData) return undefined;
  const data: Record<string, string> = {};
  for (const [file, text] of Object.entries(snap.flagData)) {
    let doc: { flags?: Record<string, { defaultVariant?: string; variants?: Record<string, unknown> }> };
    try {
      doc = JSON.parse(text);
    } catch {
      continue;
    }
    const flag = doc.flags?.[key];
    if (!flag || !flag.variants || !('off' in flag.variants)) continue;
    flag.defaultVariant = 'off';
    data[file] = JSON.stringify(doc, null, 2);
  }
  if (Object.keys(data).length === 0) return undefined;
  const patch = JSON.stringify({ data }).replace(/'/g, `'\\''`);
  return [
    `kubectl patch configmap flagd-config -n ${snap.namespace} --type merge -p '${patch}'`,
    `kubectl rollout restart deployment flagd -n ${snap.namespace}`,
    waitRollout(snap, 'flagd'),
  ];
}

// --- Rule: a failure feature flag switched on.
export function ruleFeatureFlags(snap: Snapshot): Finding[] {
  const out: Finding[] = [];
  for (const f of snap.flags) {
    if (f.defaultVariant === 'off' || f.defaultVariant === 'false' || f.defaultVariant === '0%') continue;
    const target = FLAG_TARGETS[f.key];
    if (!target) continue;
    out.push({ target, rule: 'failure-flag-on', evidence: `feature flag ${f.key} is set to ${f.defaultVariant}`, score: 90, fix: flagOffFix(snap, f.key) });
  }
  return out;
}

// --- Rules on logs.
const MONGO_URL = /(?:database URL|mongodb:\/\/)[^\w]*([a-z0-9-]+)(?::\d+)?/i;

/** The database host a service's log says it uses. */
function dbHostFromLog(log: string): string | undefined {
  const m = MONGO_URL.exec(log);
  return m ? m[1] : undefined;
}

export function ruleLogs(snap: Snapshot): Finding[] {
  const out: Finding[] = [];
  for (const [service, log] of Object.entries(snap.logs)) {
    const db = dbHostFromLog(log);
    const dbPod = db ? snap.pods.find((p) => workloadOf(p, snap.deployments) === db) : undefined;
    const crashing = podsOf(snap, service).filter((p) => podProblem(p));
    const restartCrashing = crashing.map((p) => `kubectl delete pod ${p.metadata.name} -n ${snap.namespace}`);
    if (restartCrashing.length > 0) restartCrashing.push(waitPodsReady(snap));
    const dbName = /not authorized on ([\w-]+)/.exec(log)?.[1] ?? (db ? `${db.replace(/^mongodb-/, '')}-db` : undefined);
    if (/not authorized on /i.test(log) && db) {
      const grant = `db.grantRolesToUser("admin",[{role:"readWrite",db:"${dbName}"}])`;
      out.push({
        target: db,
        rule: 'db-not-authorized',
        evidence: `${service} log: not authorized on ${dbName} (database ${db})`,
        score: 88,
        analysis: ANALYSIS_TABLE.dbNotAuthorized,
        fix: [...(dbPod ? [`kubectl exec ${dbPod.metadata.name} -n ${snap.namespace} -- mongo admin -u admin -p admin --authenticationDatabase admin --eval '${grant}'`] : []), ...restartCrashing],
      });
      continue;
    }
    if (/Authentication failed|UserNotFound/i.test(log) && db) {
      const create = `db.createUser({user:"admin",pwd:"admin",roles:[{role:"userAdminAnyDatabase",db:"admin"},{role:"readWrite",db:"${dbName}"}]})`;
      out.push({
        target: db,
        rule: 'db-user-missing',
        evidence: `${service} log: authentication to ${db} failed`,
        score: 88,
        analysis: ANALYSIS_TABLE.dbUserMissing,
        fix: [...(dbPod ? [`kubectl exec ${dbPod.metadata.name} -n ${snap.namespace} -- mongo admin -u root -p root --authenticationDatabase admin --eval '${create}'`] : []), ...restartCrashing],
      });
      continue;
    }
    // Index creation that never succeeds (no "Starting the … server" afterwards): the database it names is unusable.
    const selection = /No suitable servers found[^\n]*?'([a-z0-9-]+):\d+'/i.exec(log);
    if (selection && !/Starting the [\w-]+ server/.test(log)) {
      out.push({ target: selection[1], rule: 'db-unselectable', evidence: `${service} cannot select database server ${selection[1]} and never started`, score: 80, analysis: ANALYSIS_TABLE.dbUnreachableConfig, fix: restartCrashing });
      continue;
    }
    // Thrift / TCP connection refused to a named host.
    const refused = [...log.matchAll(/<Host: ([a-z0-9-]+) Port: \d+>: Connection refused|Failed to connect ([a-z0-9-]+?)-client|dial tcp ([a-z0-9-]+):\d+: connect: connection refused/g)].map((m) => m[1] ?? m[2] ?? m[3]);
    if (refused.length > 0) {
      const counts = new Map<string, number>();
      for (const h of refused) counts.set(h, (counts.get(h) ?? 0) + 1);
      const [host, n] = [...counts.entries()].sort((a, b) => b[1] - a[1])[0];
      out.push({ target: host, rule: 'connection-refused', evidence: `${service} log: ${n} connection failures to ${host}`, score: 50 });
    }
    if (/no reachable servers/.test(log) && crashing.length > 0 && dbPod?.status?.phase !== 'Pending') {
      out.push({ target: service, rule: 'db-unreachable-crash', evidence: `${service} crashes with "no reachable servers"${db ? ` (database URL ${db})` : ''}`, score: 72, analysis: ANALYSIS_TABLE.badImageOrConfig });
    }
  }
  return out;
}

// --- Database that requires TLS while its clients speak plain TCP (found after a db-unselectable finding).

/** A `mode:` line of a mongod.conf `net.tls` / `net.ssl` section that refuses plain connections. */
const TLS_REQUIRED = /^(\s*)mode:\s*(requireTLS|requireSSL|preferTLS|preferSSL)\s*$/m;

/** ConfigMaps printed by `kubectl get configmap <name> -o json` (one after another, or as a List) → name → data. */
export function parseConfigMaps(text: string): Record<string, Record<string, string>> {
  const out: Record<string, Record<string, string>> = {};
  const add = (doc: unknown) => {
    const cm = doc as { kind?: string; metadata?: { name?: string }; data?: Record<string, unknown>; items?: unknown[] };
    if (Array.isArray(cm?.items)) return cm.items.forEach(add);
    if (cm?.kind !== 'ConfigMap' || !cm.metadata?.name) return;
    const data: Record<string, string> = {};
    for (const [k, v] of Object.entries(cm.data ?? {})) if (typeof v === 'string') data[k] = v;
    out[cm.metadata.name] = data;
  };
  for (const doc of parseJsonSequence(text)) add(doc);
  return out;
}

/**
 * The two shell calls (each allowed by the guarded shell policy: no command substitution) that read the ConfigMaps
 * a workload's pods mount: their names from the Deployment's volumes, then the ConfigMaps themselves as JSON.
 */
export function mountedConfigMapNamesCommand(namespace: string, workload: string): string {
  return `echo '### configmapnames'; kubectl get deployment ${workload} -n ${namespace} -o jsonpath='{.spec.template.spec.volumes[*].configMap.name}'; echo; echo '### end'`;
}

export function configMapsCommand(namespace: string, names: readonly string[]): string {
  return `echo '### configmaps'; kubectl get configmap ${names.join(' ')} -n ${namespace} -o json; echo '### end'`;
}

/**
 * A database whose mounted configuration requires TLS (e.g. mongod.conf `net.tls.mode: requireTLS`) while its
 * clients cannot select it: switch TLS off in that ConfigMap (dropping the certificate lines), restart the database,
 * then restart the clients that gave up on it. Undefined when no mounted configuration requires TLS.
 */
export function ruleTlsRequired(snap: Snapshot, db: string, configMaps: Record<string, Record<string, string>>, clients: readonly string[]): Finding | undefined {
  for (const [name, data] of Object.entries(configMaps)) {
    const patched: Record<string, string> = {};
    for (const [file, text] of Object.entries(data)) {
      if (!TLS_REQUIRED.test(text)) continue;
      patched[file] = text
        .replace(TLS_REQUIRED, (_m, indent: string) => `${indent}mode: disabled`)
        .split('\n')
        .filter((line) => !/^\s*(certificateKeyFile|CAFile|PEMKeyFile|certificateKeyFilePassword):/.test(line))
        .join('\n');
    }
    if (Object.keys(patched).length === 0) continue;
    const patch = JSON.stringify({ data: patched }).replace(/'/g, `'\\''`);
    const clientPods = snap.pods.filter((p) => clients.includes(workloadOf(p, snap.deployments))).map((p) => p.metadata.name);
    const mode = TLS_REQUIRED.exec(Object.values(data).find((t) => TLS_REQUIRED.test(t)) ?? '')?.[2];
    return {
      target: db,
      rule: 'db-requires-tls',
      evidence: `ConfigMap ${name} of ${db} sets TLS mode ${mode}, while ${clients.join(', ') || 'its clients'} cannot select it`,
      score: 86,
      analysis: ANALYSIS_TABLE.dbUnreachableConfig,
      fix: [
        `kubectl patch configmap ${name} -n ${snap.namespace} --type merge -p '${patch}'`,
        `kubectl rollout restart deployment ${db} -n ${snap.namespace}`,
        waitRollout(snap, db),
        ...(clientPods.length > 0 ? [`kubectl delete pod ${clientPods.join(' ')} -n ${snap.namespace}`, waitPodsReady(snap)] : []),
      ],
    };
  }
  return undefined;
}

/** Workloads whose logs say they cannot select database server `db` (and never started). */
export function unselectableClients(snap: Snapshot, db: string): string[] {
  return Object.entries(snap.logs)
    .filter(([, log]) => new RegExp(`No suitable servers found[^\\n]*?'${db}:\\d+'`, 'i').test(log) && !/Starting the [\w-]+ server/.test(log))
    .map(([w]) => w);
}

/** Every rule, in one place. */
export const RULES: ReadonlyArray<(snap: Snapshot) => Finding[]> = [
  ruleFeatureFlags,
  ruleSlowCalls,
  ruleFailingCalls,
  rulePendingPods,
  ruleDeploymentReplicas,
  ruleServicePorts,
  ruleWrongBinary,
  ruleCrashingPods,
  ruleImageDrift,
  ruleChangedDeployments,
  ruleEmptyEndpoints,
  ruleKilledContainers,
  ruleLogs,
];

export interface Diagnosis {
  /** Findings merged per target, best first. */
  suspects: Finding[];
  all: Finding[];
}

/** Run every rule; merge findings per target keeping the best score (and the first analysis/fix found). */
export function diagnose(snap: Snapshot): Diagnosis {
  const all = [...RULES.flatMap((r) => r(snap)), ...(snap.extra ?? [])];
  const byTarget = new Map<string, Finding>();
  for (const f of all) {
    const cur = byTarget.get(f.target);
    if (!cur) {
      byTarget.set(f.target, { ...f });
      continue;
    }
    const best = f.score > cur.score ? { ...f } : cur;
    best.analysis = f.score > cur.score ? (f.analysis ?? cur.analysis) : (cur.analysis ?? f.analysis);
    best.fix = f.score > cur.score ? (f.fix ?? cur.fix) : (cur.fix ?? f.fix);
    best.evidence = f.score > cur.score ? `${f.evidence}; ${cur.evidence}` : `${cur.evidence}; ${f.evidence}`;
    byTarget.set(f.target, best);
  }
  // A database found faulty through its clients' logs explains its clients' crashes.
  for (const f of all) {
    if ((f.rule === 'db-not-authorized' || f.rule === 'db-user-missing' || f.rule === 'db-unselectable' || f.rule === 'db-requires-tls') && f.score >= 80) {
      for (const other of byTarget.values()) {
        if (other.target !== f.target && (other.rule === 'crashing-pod' || other.rule === 'connection-refused' || other.rule === 'no-ready-endpoints')) other.score = Math.min(other.score, 35);
      }
    }
  }
  const suspects = [...byTarget.values()].sort((a, b) => b.score - a.score || a.target.localeCompare(b.target));
  return { suspects, all };
}

/** Minimum score for a finding to count as an anomaly. */
export const DETECTION_THRESHOLD = 40;
