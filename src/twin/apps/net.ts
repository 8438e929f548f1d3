/**
 * The network as an app container experiences it, computed from the store at one instant: DNS names of Services and
 * pods, ClusterIP → endpoints → pod, whether a process listens on the target port (connection refused otherwise),
 * Services without ready endpoints (refused by kube-proxy's REJECT rule), unknown names (NXDOMAIN).
 */
import type { V1Container, V1ContainerStatus, V1EndpointSubset, V1ServicePort } from '@kubernetes/client-node';
import type { KubeObject } from '../contracts';
import type { AppWorld } from './world';

export type Reach =
  | { ok: true; pod?: KubeObject; ip: string; port: number; service?: KubeObject; starting?: boolean }
  | { ok: false; kind: 'nxdomain' | 'refused' | 'timeout'; ip?: string; service?: KubeObject };

const IP_RE = /^\d+\.\d+\.\d+\.\d+$/;

function containerRunning(pod: KubeObject, name: string): boolean {
  const s = ((pod.status?.containerStatuses ?? []) as V1ContainerStatus[]).find((c) => c.name === name);
  return !!s?.state?.running;
}

/** Does a process in this pod listen on `port` now? */
export function listening(world: AppWorld, pod: KubeObject, port: number): boolean {
  if (pod.metadata.deletionTimestamp && pod.status?.phase !== 'Running') return false;
  const now = world.now();
  for (const c of (pod.spec?.containers ?? []) as V1Container[]) {
    if (!containerRunning(pod, c.name)) continue;
    const info = world.instanceOf(pod, c.name);
    if (info && info.image === c.image) {
      if (info.ports.includes(port) && now >= info.servingFromMs && (info.servingUntilMs === undefined || now < info.servingUntilMs)) return true;
      continue;
    }
    if (info && info.image !== c.image) continue; // e.g. Chaos Mesh swapped in the pause image
    if ((c.ports ?? []).some((p) => Number(p.containerPort) === port)) return true;
  }
  return false;
}

/** Would a pod selected by a Service listen on `port` soon (scheduled, starting, not crash-looping)? */
function willListen(pod: KubeObject, port: number): boolean {
  if (!pod.spec?.nodeName || pod.metadata.deletionTimestamp) return false;
  const statuses = (pod.status?.containerStatuses ?? []) as V1ContainerStatus[];
  if (statuses.some((s) => s.state?.waiting?.reason && !['ContainerCreating', 'PodInitializing'].includes(s.state.waiting.reason))) return false;
  if (statuses.some((s) => s.state?.terminated)) return false;
  return ((pod.spec?.containers ?? []) as V1Container[]).some((c) => (c.ports ?? []).some((p) => Number(p.containerPort) === port));
}

function selectorMatches(sel: Record<string, string> | undefined, labels: Record<string, string> | undefined): boolean {
  if (!sel || Object.keys(sel).length === 0) return false;
  return Object.entries(sel).every(([k, v]) => labels?.[k] === v);
}

export function resolveService(world: AppWorld, fromNs: string, host: string): { service?: KubeObject; pod?: KubeObject; ip?: string } {
  const store = world.store;
  const h = host.replace(/\.$/, '').toLowerCase();
  if (IP_RE.test(h)) {
    const svc = store.list('services').find((s) => s.spec?.clusterIP === h);
    if (svc) return { service: svc, ip: h };
    const pod = store.list('pods').find((p) => p.status?.podIP === h && !['Succeeded', 'Failed'].includes(p.status?.phase));
    return { pod, ip: h };
  }
  const parts = h.split('.');
  const name = parts[0];
  const ns = parts.length >= 2 && parts[1] !== 'svc' ? parts[1] : fromNs;
  if (parts.length > 2 && !(parts[2] === 'svc' || parts.slice(2).join('.') === '')) {
    // <pod-hostname>.<service>.<ns>.svc...: a StatefulSet pod
    const svcNs = parts[2];
    const pod = store.list('pods', svcNs).find((p) => (p.spec?.hostname ?? p.metadata.name) === name && p.spec?.subdomain === parts[1]);
    if (pod) return { pod, ip: pod.status?.podIP };
  }
  const svc = store.get('services', ns, name);
  if (svc) return { service: svc, ip: svc.spec?.clusterIP && svc.spec.clusterIP !== 'None' ? svc.spec.clusterIP : undefined };
  return {};
}

/**
 * Connecting from a pod in `fromNs` to `host:port`. `allowStarting`: count a selected pod that is still starting as
 * reachable (a client that retries for a few seconds at start-up, like mgo's 10 s dial).
 */
export function reach(world: AppWorld, fromNs: string, host: string, port: number, opts: { allowStarting?: boolean } = {}): Reach {
  const r = resolveService(world, fromNs, host);
  if (!r.service && !r.pod) return { ok: false, kind: IP_RE.test(host) ? 'timeout' : 'nxdomain' };
  if (r.pod && !r.service) {
    return listening(world, r.pod, port) ? { ok: true, pod: r.pod, ip: r.pod.status?.podIP, port } : { ok: false, kind: 'refused', ip: r.pod.status?.podIP };
  }
  const svc = r.service!;
  const sp = ((svc.spec?.ports ?? []) as V1ServicePort[]).find((p) => Number(p.port) === port && (p.protocol ?? 'TCP') === 'TCP');
  if (!sp) return { ok: false, kind: 'timeout', ip: r.ip, service: svc };
  const ns = svc.metadata.namespace ?? fromNs;
  const ep = world.store.get('endpoints', ns, svc.metadata.name ?? '');
  const ready: Array<{ pod?: KubeObject; ip: string; port: number }> = [];
  for (const subset of (ep?.subsets ?? []) as V1EndpointSubset[]) {
    const ports = subset.ports ?? [];
    const p = ports.length === 1 ? ports[0] : ports.find((x) => x.name === sp.name);
    if (!p) continue;
    for (const a of subset.addresses ?? []) {
      const pod = a.targetRef?.name ? world.store.get('pods', ns, a.targetRef.name) : undefined;
      ready.push({ pod, ip: a.ip, port: Number(p.port) });
    }
  }
  for (const x of ready) {
    if (x.pod && listening(world, x.pod, x.port)) return { ok: true, pod: x.pod, ip: x.ip, port: x.port, service: svc };
  }
  if (ready.length === 0 && opts.allowStarting) {
    const target = typeof sp.targetPort === 'number' ? sp.targetPort : Number(sp.targetPort ?? sp.port);
    const pods = world.store.list('pods', ns).filter((p) => selectorMatches(svc.spec?.selector, p.metadata.labels));
    const soon = pods.find((p) => willListen(p, Number.isFinite(target) ? target : Number(sp.port)));
    if (soon) return { ok: true, pod: soon, ip: soon.status?.podIP ?? '', port: target, service: svc, starting: true };
  }
  if (opts.allowStarting) {
    for (const x of ready) if (x.pod && willListenNow(world, x.pod, x.port)) return { ok: true, pod: x.pod, ip: x.ip, port: x.port, service: svc, starting: true };
  }
  return { ok: false, kind: 'refused', ip: r.ip, service: svc };
}

/** A ready pod whose process has started but not yet opened its port (e.g. still initialising). */
function willListenNow(world: AppWorld, pod: KubeObject, port: number): boolean {
  for (const c of (pod.spec?.containers ?? []) as V1Container[]) {
    const info = world.instanceOf(pod, c.name);
    if (info && info.image === c.image && info.ports.includes(port) && info.servingFromMs !== Infinity) return true;
  }
  return false;
}

/** The pod a Service would send a client to (first ready endpoint, or a selected pod still starting). */
export function backendPod(world: AppWorld, ns: string, serviceName: string): KubeObject | undefined {
  const svc = world.store.get('services', ns, serviceName);
  if (!svc) return undefined;
  const ep = world.store.get('endpoints', ns, serviceName);
  for (const subset of (ep?.subsets ?? []) as V1EndpointSubset[]) {
    for (const a of subset.addresses ?? []) {
      const pod = a.targetRef?.name ? world.store.get('pods', ns, a.targetRef.name) : undefined;
      if (pod) return pod;
    }
  }
  return world.store
    .list('pods', ns)
    .filter((p) => selectorMatches(svc.spec?.selector, p.metadata.labels) && !p.metadata.deletionTimestamp)
    .sort((a, b) => String(b.metadata.creationTimestamp ?? '').localeCompare(String(a.metadata.creationTimestamp ?? '')))[0];
}

/** What `curl`/`nc` print for a failed connection. */
export function curlError(host: string, port: number, r: Reach): { text: string; code: number } {
  if (r.ok) return { text: '', code: 0 };
  if (r.kind === 'nxdomain') return { text: `curl: (6) Could not resolve host: ${host}`, code: 6 };
  if (r.kind === 'timeout') return { text: `curl: (28) Failed to connect to ${host} port ${port} after 130000 ms: Couldn't connect to server`, code: 28 };
  return { text: `curl: (7) Failed to connect to ${host} port ${port} after 1 ms: Couldn't connect to server`, code: 7 };
}
