/**
 * cAdvisor-style container_* series per pod, as the kubelet's /metrics/cadvisor exposes them and the original's
 * Prometheus scrapes them (job kubernetes-cadvisor): one series per app container, one for the pause container
 * (`container="POD"`) and one for the pod cgroup (`container=""`); network series on the pod level with
 * `interface="eth0"`. Counters reset when a container restarts (new container id).
 */
import type { KubeObject } from '../contracts';
import type { AppModel, FlagEffect, ResourceSpec, ServiceSpec } from './model';
import type { HealthView, PodState } from './health';
import { bytesOf, cpuMillis as cpuQuantityMillis } from '../cluster/util';
import type { MetricStore } from '../telemetry/metric-store';

const MiB = 1048576;
const PAUSE_IMAGE = 'registry.k8s.io/pause:3.9';
const FALLBACK: ResourceSpec = { cpuIdleMillis: 2, cpuPerRequestMs: 0.5, memoryMiB: 20, cacheMiB: 4, threads: 10, rxBytesPerRequest: 300, txBytesPerRequest: 600 };

interface Acc {
  cpu: number;
  periods: number;
  throttledPeriods: number;
  throttledSec: number;
  lastT: number;
}

interface NetAcc {
  rxBytes: number;
  txBytes: number;
  rxPackets: number;
  txPackets: number;
  lastT: number;
}

interface Pending {
  cpuMs: number;
  rx: number;
  tx: number;
  requests: number;
}

function hash(s: string): string {
  let h1 = 0x811c9dc5;
  let h2 = 0x01000193;
  for (let i = 0; i < s.length; i++) {
    h1 = Math.imul(h1 ^ s.charCodeAt(i), 16777619);
    h2 = Math.imul(h2 ^ s.charCodeAt(i), 2246822519);
  }
  const a = (h1 >>> 0).toString(16).padStart(8, '0');
  const b = (h2 >>> 0).toString(16).padStart(8, '0');
  return (a + b).repeat(4);
}

export class PodMetrics {
  private view?: HealthView;
  private pods: KubeObject[] = [];
  private effects = new Map<string, FlagEffect[]>();
  private flagOnSince = new Map<string, number>();
  private readonly acc = new Map<string, Acc>();
  private readonly net = new Map<string, NetAcc>();
  private readonly pending = new Map<string, Pending>();
  private readonly usage = new Map<string, { cpuMillis: number; memoryBytes: number }>();

  constructor(private readonly model: AppModel, private readonly metrics: MetricStore) {}

  setView(view: HealthView, pods: KubeObject[], effects: Map<string, FlagEffect[]>, flagOnSince: Map<string, number>): void {
    this.view = view;
    this.pods = pods.filter((p) => (p.metadata.namespace ?? this.model.namespace) === this.model.namespace);
    this.effects = effects;
    this.flagOnSince = flagOnSince;
  }

  private p(pod: string): Pending {
    let x = this.pending.get(pod);
    if (!x) this.pending.set(pod, (x = { cpuMs: 0, rx: 0, tx: 0, requests: 0 }));
    return x;
  }

  /** A request served by `pod` (a pod of a service with spec `spec`). */
  served(pod: string, spec: ServiceSpec): void {
    const x = this.p(pod);
    x.cpuMs += spec.resources.cpuPerRequestMs;
    x.rx += spec.resources.rxBytesPerRequest;
    x.tx += spec.resources.txBytesPerRequest;
    x.requests++;
  }

  /** The caller's side of an exchange with a pod of `callee`. */
  exchanged(callerPod: string, _calleePod: string, callee: ServiceSpec): void {
    const x = this.p(callerPod);
    x.tx += callee.resources.rxBytesPerRequest;
    x.rx += callee.resources.txBytesPerRequest;
  }

  /** CPU (millicores, over the last scrape interval) and working set of a container at the last scrape. */
  containerUsage(pod: string, container: string): { cpuMillis: number; memoryBytes: number } | undefined {
    return this.usage.get(`${pod}/${container}`);
  }

  scrape(t: number): void {
    const seen = new Set<string>();
    for (const pod of this.pods) {
      if (!pod.spec?.nodeName || pod.metadata.deletionTimestamp && pod.status?.phase !== 'Running') continue;
      const phase = pod.status?.phase;
      if (phase !== 'Running' && phase !== 'Pending') continue;
      const name = pod.metadata.name ?? '';
      const uid = String(pod.metadata.uid ?? name);
      const state: PodState | undefined = this.view?.podsByName[name];
      const svcName = pod.metadata.labels?.[this.model.serviceLabel];
      const spec = svcName ? this.model.services[svcName] : undefined;
      const res = spec?.resources ?? FALLBACK;
      const pend = this.pending.get(name) ?? { cpuMs: 0, rx: 0, tx: 0, requests: 0 };
      this.pending.delete(name);
      const base = { namespace: this.model.namespace, pod: name, instance: String(pod.spec.nodeName), job: 'kubernetes-cadvisor' };
      const podCgroup = `/kubepods/burstable/pod${uid}`;
      const statuses = (pod.status?.containerStatuses ?? []) as Array<{ name: string; state?: Record<string, unknown>; restartCount?: number; containerID?: string; image?: string }>;
      const serving = state?.serving ?? true;
      const effects = (svcName ? this.effects.get(svcName) : undefined) ?? [];
      let totalCpu = 0;
      let totalMem = 0;
      let podLimitCpu = 0;
      let podLimitMem = 0;
      const containers = (pod.spec?.containers ?? []) as Array<{ name: string; image: string; resources?: { limits?: Record<string, string>; requests?: Record<string, string> } }>;
      containers.forEach((c, idx) => {
        const st = statuses.find((s) => s.name === c.name);
        if (st && !st.state?.running) return;
        if (!st && phase !== 'Running') return;
        const cid = (st?.containerID ?? '').replace(/^[a-z]+:\/\//, '') || hash(`${uid}/${c.name}/${st?.restartCount ?? 0}`);
        const key = `${uid}/${c.name}/${cid}`;
        seen.add(key);
        // Kubernetes quantities, read as the scheduler reads them (`m` is milli, not mega).
        const limitCpu = cpuQuantityMillis(c.resources?.limits?.cpu);
        const limitMem = bytesOf(c.resources?.limits?.memory);
        const reqCpu = c.resources?.requests?.cpu === undefined ? limitCpu : cpuQuantityMillis(c.resources.requests.cpu);
        podLimitCpu += limitCpu;
        podLimitMem += limitMem;
        const main = idx === 0;
        const pauseImage = !serving && state?.downReason === 'pause image';
        let cpuMillis = main && serving ? res.cpuIdleMillis : serving ? 1 : 0.02;
        if (main && state) cpuMillis += state.stressCpuMillis;
        if (main && serving) for (const e of effects) cpuMillis += e.cpuMillis ?? 0;
        let a = this.acc.get(key);
        if (!a) this.acc.set(key, (a = { cpu: main && serving ? 0.35 : 0.01, periods: 0, throttledPeriods: 0, throttledSec: 0, lastT: t }));
        const dt = Math.max(0, (t - a.lastT) / 1000);
        a.lastT = t;
        let used = (cpuMillis / 1000) * dt + (main ? pend.cpuMs / 1000 : 0);
        if (limitCpu > 0 && dt > 0) {
          const periods = dt * 10;
          a.periods += periods;
          const cap = (limitCpu / 1000) * dt;
          if (used > cap) {
            a.throttledSec += used - cap;
            a.throttledPeriods += Math.min(periods, periods * ((used - cap) / Math.max(used, 1e-9)) * 2);
            used = cap;
          }
        }
        a.cpu += used;
        totalCpu += a.cpu;
        const usageKey = `${name}/${c.name}`;
        let ws: number;
        if (pauseImage || !serving && main) ws = 0.3 * MiB;
        else if (!main) ws = 6 * MiB;
        else {
          ws = (res.memoryMiB + Math.min(8, pend.requests / 2000)) * MiB + (state?.stressMemoryBytes ?? 0);
          for (const e of effects) if (e.memoryGrowthMiBPerMin) {
            const since = [...this.flagOnSince.values()].reduce((m, v) => Math.min(m, v), t);
            ws += e.memoryGrowthMiBPerMin * MiB * ((t - since) / 60_000);
          }
          if (limitMem > 0) ws = Math.min(ws, limitMem * 0.98);
        }
        const cache = main && serving ? res.cacheMiB * MiB : 0.05 * MiB;
        totalMem += ws + cache;
        this.usage.set(usageKey, { cpuMillis: dt > 0 ? (used / dt) * 1000 : cpuMillis, memoryBytes: Math.round(ws) });
        const labels = { ...base, container: c.name, id: `${podCgroup}/${cid}`, image: st?.image && !pauseImage ? st.image : c.image, name: cid };
        this.containerSeries(labels, t, {
          cpu: a.cpu, periods: a.periods, throttledPeriods: a.throttledPeriods, throttledSec: a.throttledSec,
          ws, cache, threads: main && serving ? res.threads : 1, limitCpu, limitMem, reqCpu,
        });
      });
      // The pause container and the pod cgroup.
      const pauseKey = `${uid}/POD`;
      seen.add(pauseKey);
      let pa = this.acc.get(pauseKey);
      if (!pa) this.acc.set(pauseKey, (pa = { cpu: 0.02, periods: 0, throttledPeriods: 0, throttledSec: 0, lastT: t }));
      pa.cpu += 0.00002 * Math.max(0, (t - pa.lastT) / 1000);
      pa.lastT = t;
      const pauseId = hash(`${uid}/pause`);
      this.containerSeries({ ...base, container: 'POD', id: `${podCgroup}/${pauseId}`, image: PAUSE_IMAGE, name: pauseId }, t, {
        cpu: pa.cpu, periods: 0, throttledPeriods: 0, throttledSec: 0, ws: 0.25 * MiB, cache: 0, threads: 1, limitCpu: 0, limitMem: 0, reqCpu: 2,
      });
      this.containerSeries({ ...base, container: '', id: podCgroup, image: '', name: '' }, t, {
        cpu: totalCpu + pa.cpu, periods: 0, throttledPeriods: 0, throttledSec: 0, ws: totalMem + 0.25 * MiB, cache: 0, threads: 0, limitCpu: podLimitCpu, limitMem: podLimitMem, reqCpu: 0,
      }, true);
      // Network (shared by the pod's containers).
      let n = this.net.get(uid);
      if (!n) this.net.set(uid, (n = { rxBytes: 2048, txBytes: 1024, rxPackets: 20, txPackets: 12, lastT: t }));
      const ndt = Math.max(0, (t - n.lastT) / 1000);
      n.lastT = t;
      const bgPackets = serving ? 1.2 * ndt : 0.1 * ndt;
      const txScale = state && state.egressLoss > 0 ? 1 - state.egressLoss : 1;
      n.rxBytes += pend.rx + bgPackets * 110;
      n.txBytes += (pend.tx + bgPackets * 90) * txScale;
      n.rxPackets += pend.rx / 900 + pend.requests + bgPackets;
      n.txPackets += (pend.tx / 900 + pend.requests + bgPackets) * txScale;
      for (const container of ['', 'POD']) {
        const l = { ...base, container, id: container === '' ? podCgroup : `${podCgroup}/${pauseId}`, image: container === '' ? '' : PAUSE_IMAGE, name: container === '' ? '' : pauseId, interface: 'eth0' };
        const add = (metric: string, v: number): void => this.metrics.add({ __name__: metric, ...l }, t, Math.round(v));
        add('container_network_receive_bytes_total', n.rxBytes);
        add('container_network_transmit_bytes_total', n.txBytes);
        add('container_network_receive_packets_total', n.rxPackets);
        add('container_network_transmit_packets_total', n.txPackets);
        add('container_network_receive_packets_dropped_total', 0);
        add('container_network_transmit_packets_dropped_total', 0);
        add('container_network_receive_errors_total', 0);
        add('container_network_transmit_errors_total', 0);
      }
    }
    for (const k of this.acc.keys()) if (!seen.has(k)) this.acc.delete(k);
    const live = new Set(this.pods.map((p) => p.metadata.name));
    for (const k of this.usage.keys()) if (!live.has(k.slice(0, k.indexOf('/')))) this.usage.delete(k);
  }

  private containerSeries(labels: Record<string, string>, t: number, v: { cpu: number; periods: number; throttledPeriods: number; throttledSec: number; ws: number; cache: number; threads: number; limitCpu: number; limitMem: number; reqCpu: number }, podLevel = false): void {
    const add = (metric: string, value: number): void => this.metrics.add({ __name__: metric, ...labels }, t, value);
    add('container_cpu_usage_seconds_total', v.cpu);
    add('container_cpu_user_seconds_total', v.cpu * 0.68);
    add('container_cpu_system_seconds_total', v.cpu * 0.32);
    if (v.limitCpu > 0) {
      add('container_cpu_cfs_periods_total', Math.round(v.periods));
      add('container_cpu_cfs_throttled_periods_total', Math.round(v.throttledPeriods));
      add('container_cpu_cfs_throttled_seconds_total', v.throttledSec);
      add('container_spec_cpu_quota', v.limitCpu * 100);
      add('container_spec_cpu_period', 100000);
    }
    add('container_cpu_load_average_10s', 0);
    const rss = v.ws * 0.86;
    add('container_memory_working_set_bytes', Math.round(v.ws));
    add('container_memory_rss', Math.round(rss));
    add('container_memory_cache', Math.round(v.cache));
    add('container_memory_mapped_file', Math.round(v.cache * 0.12));
    add('container_memory_usage_bytes', Math.round(v.ws + v.cache));
    add('container_spec_memory_limit_bytes', v.limitMem);
    add('container_spec_cpu_shares', podLevel ? Math.max(2, Math.round((v.limitCpu * 1024) / 1000)) : Math.max(2, Math.round((v.reqCpu * 1024) / 1000)));
    add('container_threads', v.threads);
    add('container_threads_max', 0);
  }
}
