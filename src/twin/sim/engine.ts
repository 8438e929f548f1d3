/**
 * The request simulator: requests from the workloads flow through the app's call graph; each call's latency and
 * outcome follow from the health view of the cluster at that instant. It produces spans (TraceStore), per-service
 * request/error/latency series and per-pod cAdvisor-style container_* series (MetricStore).
 *
 * Time is the injected clock's: `advanceTo(ms)` simulates every arrival up to `ms` (tests call it with a manual
 * clock); `start()` does it from a timer against the real clock.
 */
import type { KubeObject, ObjectStore } from '../contracts';
import type { AppModel, CallSpec, EntrySpec, FlagEffect, ServiceSpec } from './model';
import { ClusterSnapshot, HealthView, ListeningPorts, PodState, computeHealth, isHealthy, snapshotFromStore } from './health';
import { Prng, sigmaFor } from './prng';
import { ResolvedWorkload, WorkloadSpec, entriesFor, workloadFromJob } from './workload';
import { SpanRecord, TagValue, TraceRecord, TraceStore } from '../telemetry/trace-store';
import { MetricStore } from '../telemetry/metric-store';
import { PodMetrics } from './pod-metrics';

export interface SimClock {
  now(): number;
}

export interface EngineOptions {
  model: AppModel;
  /** The cluster; without it, call `setSnapshot` (tests with plain objects). */
  store?: ObjectStore;
  clock?: SimClock;
  seed?: number;
  traces?: TraceStore;
  metrics?: MetricStore;
  /** Scrape interval of the metric series, ms (default 15 000: the export step of get_metrics). */
  scrapeIntervalMs?: number;
  /** Overrides the model's trace sampling ratio. */
  sampleRatio?: number;
  /** Read wrk2 Jobs and the load generator from the store (default true when a store is given). */
  workloadsFromStore?: boolean;
  /** What pods' processes listen on, from the apps' container behaviours (see ListeningPorts). */
  listening?: ListeningPorts;
  /** Longest a call into a silent peer hangs when the app has no deadline and the fault has no end (ms, default 600 000). */
  maxHangMs?: number;
}

/** What the load generator saw (wrk2-style), per workload. */
export interface ClientStats {
  requests: number;
  completed: number;
  non2xx: number;
  connectErrors: number;
  timeouts: number;
  /** Latency samples (ms) of completed requests, capped. */
  latenciesMs: number[];
  /** Per request in arrival order (capped at 100 000): HTTP status (0 = could not connect) and latency, once known. */
  outcomes: Array<{ status: number; latencyMs: number } | undefined>;
}

export interface CallError {
  caller: string;
  callee: string;
  message: string;
  count: number;
  firstMs: number;
  lastMs: number;
}

interface Outcome {
  ok: boolean;
  endMs: number;
  error?: string;
  grpcCode?: string;
}

interface Obs {
  endMs: number;
  key: number;
  sec: number;
  error: boolean;
}

const HIST_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 15, 30, 60];
const LE = [...HIST_BUCKETS.map((b) => String(b)), '+Inf'];
const WRK2_TIMEOUT_MS = 2000;


/** How much history the warm-up simulates before a workload (charts show the minutes before a session's deploy). */
const WARM_UP_MS = 6 * 60_000;
/** The most requests per second the warm-up simulates one by one (more are counted by weight). */
const WARM_UP_SAMPLE_RATE = 5;
/** Store changes that can change the health view or the workloads (Events, Leases and the like cannot). */
const RELEVANT = /^(pods|services|configmaps|jobs(\.batch)?|deployments(\.apps)?|[a-z]+chaos\.chaos-mesh\.org)$/;

type LiveWorkload = ResolvedWorkload & { nextMs: number; cum: number[]; total: number };

interface Family {
  labels: Record<string, string>;
  requests: number;
  errors: number;
  sum: number;
  buckets: Float64Array;
  kind: 'server' | 'client';
}

const GRPC_CODE_NUM: Record<string, number> = { OK: 0, CANCELLED: 1, UNKNOWN: 2, INVALID_ARGUMENT: 3, DEADLINE_EXCEEDED: 4, NOT_FOUND: 5, FAILED_PRECONDITION: 9, INTERNAL: 13, UNAVAILABLE: 14 };
const GRPC_GO_NAME: Record<string, string> = { UNAVAILABLE: 'Unavailable', INTERNAL: 'Internal', UNKNOWN: 'Unknown', DEADLINE_EXCEEDED: 'DeadlineExceeded', FAILED_PRECONDITION: 'FailedPrecondition', OK: 'OK' };

export class SimEngine {
  readonly model: AppModel;
  readonly traces: TraceStore;
  readonly metrics: MetricStore;
  readonly scrapeIntervalMs: number;
  /** Spans produced (sampled or not). */
  spansSimulated = 0;
  requestsSimulated = 0;

  private readonly store?: ObjectStore;
  private readonly clock: SimClock;
  private readonly rng: Prng;
  private readonly sampleRatio: number;
  private readonly maxHangMs: number;
  private readonly fromStore: boolean;
  private readonly listening?: ListeningPorts;
  private snapshot: ClusterSnapshot = { pods: [], services: [], configMaps: [], podChaos: [], networkChaos: [], stressChaos: [], httpChaos: [] };
  private view!: HealthView;
  private dirty = true;
  private readonly everRegistered = new Set<string>();
  private nowMs: number;
  private nextScrapeMs: number;
  private readonly workloads = new Map<string, LiveWorkload>();
  private readonly stats = new Map<string, ClientStats>();
  private readonly allWorkloads = new Map<string, ResolvedWorkload>();
  private readonly explicitIds = new Set<string>();
  private nextId = 1;
  private pendingTraces: Array<{ endMs: number; trace: TraceRecord; stats?: ClientStats; status: number; index: number; latencyMs: number }> = [];
  /** When the last message consumer of the request being simulated ends. */
  private asyncEndMs = 0;
  private pendingObs: Obs[] = [];
  private pendingCallErrors: Array<{ caller: string; callee: string; message: string; endMs: number }> = [];
  private readonly families: Family[] = [];
  private readonly familyIndex = new Map<string, number>();
  private readonly sigmas = new Map<string, number>();
  private readonly podMetrics: PodMetrics;
  private unsubscribe?: () => void;
  private timer?: NodeJS.Timeout;
  private flagEffectsByService = new Map<string, FlagEffect[]>();
  private flagOnSince = new Map<string, number>();
  private readonly callErrorMap = new Map<string, CallError>();
  /** The app's view, as its manifests declare it, the last time that was healthy (see checkHealthySoon, warmUp). */
  private lastHealthy?: HealthView;
  private healthCheckPending = false;
  /** When the latest simulated request arrived (app traffic). */
  private lastTrafficMs = -Infinity;
  /** Simulating the warm-up: the view is held, pod metrics and the wrk2 statistics are left alone. */
  private warming = false;
  /** How many requests each simulated one stands for (the warm-up simulates a sample of its traffic). */
  private obsWeight = 1;

  constructor(options: EngineOptions) {
    this.model = options.model;
    this.store = options.store;
    this.clock = options.clock ?? { now: () => Date.now() };
    this.rng = new Prng(options.seed ?? 1);
    this.traces = options.traces ?? new TraceStore();
    this.scrapeIntervalMs = options.scrapeIntervalMs ?? 15_000;
    this.metrics = options.metrics ?? new MetricStore({ intervalMs: this.scrapeIntervalMs });
    this.sampleRatio = options.sampleRatio ?? this.model.tracing.sampleRatio;
    this.maxHangMs = options.maxHangMs ?? 600_000;
    this.fromStore = options.workloadsFromStore ?? Boolean(options.store);
    this.listening = options.listening;
    this.nowMs = this.clock.now();
    this.nextScrapeMs = Math.ceil(this.nowMs / this.scrapeIntervalMs) * this.scrapeIntervalMs;
    for (const [name, s] of Object.entries(this.model.services)) this.sigmas.set(name, sigmaFor(s.latency.medianMs, s.latency.p99Ms));
    this.podMetrics = new PodMetrics(this.model, this.metrics);
    if (this.store) {
      this.unsubscribe = this.store.subscribe((e) => {
        if (!RELEVANT.test(e.resource)) return;
        this.dirty = true;
        if (e.object.metadata.namespace === this.model.namespace) this.checkHealthySoon();
      });
    }
    this.refresh(this.nowMs);
  }

  // ---------------------------------------------------------------- control

  /** Adds an explicit workload; returns its id (for `removeWorkload` and `clientStats`). */
  addWorkload(spec: WorkloadSpec): string {
    const id = `w${this.nextId++}`;
    const startMs = spec.startMs ?? this.nowMs;
    const entries = spec.entries ?? entriesFor(this.model, spec.script);
    this.installWorkload({ id, rate: spec.rate, dist: spec.dist ?? 'exp', startMs, endMs: spec.durationSec === null || spec.durationSec === undefined ? Infinity : startMs + spec.durationSec * 1000, entries, source: 'explicit' });
    this.explicitIds.add(id);
    return id;
  }

  removeWorkload(id: string): void {
    this.workloads.delete(id);
    this.explicitIds.delete(id);
  }

  /** The workload started from a wrk2 Job (`job/<uid>`) whose start is nearest `startMs` (the wrk2 behaviour's run). */
  jobWorkloadNear(startMs: number, rate?: number): string | undefined {
    let best: string | undefined;
    let bestD = Infinity;
    for (const [id, w] of this.allWorkloads) {
      if (w.source !== 'job' || (rate !== undefined && w.rate !== rate)) continue;
      const d = Math.abs(w.startMs - startMs);
      if (d < bestD) { bestD = d; best = id; }
    }
    return bestD <= 5_000 ? best : undefined;
  }

  /** Ids of the workloads currently known (explicit, from wrk2 Jobs, from the load generator). */
  workloadIds(): string[] {
    return [...this.workloads.keys()];
  }

  clientStats(id: string): ClientStats | undefined {
    return this.stats.get(id);
  }

  /**
   * The usage the container_* series report for a container at the last scrape (CPU millicores, working-set bytes),
   * so `kubectl top` (metrics.k8s.io, served from ContainerBehaviour.usage) can agree with Prometheus.
   */
  containerUsage(pod: string, container: string): { cpuMillis: number; memoryBytes: number } | undefined {
    return this.podMetrics.containerUsage(pod, container);
  }

  /** Replaces the cluster snapshot (when running without a store). */
  setSnapshot(snapshot: ClusterSnapshot): void {
    this.snapshot = snapshot;
    this.dirty = true;
  }

  /** The health view in force now. */
  health(): HealthView {
    return this.view;
  }

  now(): number {
    return this.nowMs;
  }

  /** Simulates from the last point up to `targetMs` (default: the clock's now). */
  advanceTo(targetMs: number = this.clock.now()): void {
    if (this.warmUpDue && !this.warming) this.warmUp(this.warmUpDue);
    if (targetMs <= this.nowMs) return;
    for (;;) {
      const horizon = Math.min(targetMs, this.nextScrapeMs);
      this.runArrivals(horizon);
      // A workload found just now: its history comes first (its own requests start a second after its Job).
      if (this.warmUpDue && !this.warming) this.warmUp(this.warmUpDue);
      if (this.nextScrapeMs <= targetMs) {
        const t = this.nextScrapeMs;
        this.flush(t);
        this.scrape(t);
        this.nextScrapeMs += this.scrapeIntervalMs;
        continue;
      }
      break;
    }
    this.flush(targetMs);
    this.nowMs = targetMs;
  }

  /** Runs `advanceTo(clock.now())` every `tickMs` of real time. */
  start(tickMs = 250): void {
    if (this.timer) return;
    this.timer = setInterval(() => {
      try {
        this.advanceTo(this.clock.now());
      } catch (e) {
        // Keep serving (the next tick retries), but say so once per kind of failure in the twin's log.
        const what = (e as Error).message;
        if (what !== this.lastTickError) console.error(`twin: the request simulation of ${this.model.namespace} failed a step: ${(e as Error).stack ?? what}`);
        this.lastTickError = what;
      }
    }, tickMs);
    this.timer.unref?.();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    this.unsubscribe?.();
    this.unsubscribe = undefined;
  }

  // ---------------------------------------------------------------- warm-up

  private lastTickError?: string;
  private warmUpDue?: { rate: number; entries: EntrySpec[]; atMs: number; quietSinceMs: number };

  /**
   * Soon after a change in the app's namespace: remember the app's view if it is healthy as its manifests declare it
   * (the warm-up's view). As declared: a running, Ready container serves the ports its manifest lists, whether or not
   * its process has opened them yet. Judged on what processes really listen on, the app is often never healthy before
   * its fault: SocialNetwork's Mongo-backed services open 9090 only once their createIndexes loop (retried every 1.3 s)
   * reaches Mongo, up to seconds after their pod is Ready, and a session injects its fault as soon as every pod is Ready.
   */
  private checkHealthySoon(): void {
    if (this.healthCheckPending || !this.store) return;
    this.healthCheckPending = true;
    // After the store write that triggered it, before any later request (e.g. the one that injects a fault) is read.
    setImmediate(() => {
      this.healthCheckPending = false;
      const declared = computeHealth(this.model, snapshotFromStore(this.store!, this.model.namespace), this.clock.now(), new Set(this.everRegistered));
      if (isHealthy(declared)) this.lastHealthy = declared;
    });
  }

  /**
   * The app has been running before its workload started: when a workload starts and the app had no traffic for a
   * while, the minutes before it are simulated as healthy traffic at the workload's rate (the app as last healthy
   * as declared, however it is now — the fault is usually injected just before the workload starts), so that
   * Prometheus and Jaeger hold history from before the fault. Cheap whatever the rate: up to WARM_UP_SAMPLE_RATE
   * requests per second are simulated, each standing for rate/that many in the metrics; traces are sampled the
   * same way. Pod metrics, wrk2 statistics and the request log are left alone.
   */
  private warmUp(due: NonNullable<SimEngine['warmUpDue']>): void {
    this.warmUpDue = undefined;
    const healthy = this.lastHealthy;
    // Up to where the simulation is now (the workload's own requests follow) and after any earlier traffic.
    const end = Math.min(due.atMs, this.horizon);
    const from = Math.max(end - WARM_UP_MS, due.quietSinceMs + this.scrapeIntervalMs);
    if (!healthy || !(end - from >= 2 * this.scrapeIntervalMs) || !(due.rate > 0)) return;
    const saved = { view: this.view, nowMs: this.nowMs, nextScrapeMs: this.nextScrapeMs, horizon: this.horizon };
    const sampleRate = Math.min(due.rate, WARM_UP_SAMPLE_RATE);
    this.warming = true;
    this.obsWeight = due.rate / sampleRate;
    try {
      // Quiet scrapes of the families from `from` on are written again, with the traffic.
      this.metrics.dropFrom([{ name: 'job', op: '=', value: 'twin-sim' }, { name: 'namespace', op: '=', value: this.model.namespace }], from);
      this.view = healthy;
      this.nowMs = from;
      this.horizon = from;
      this.nextScrapeMs = Math.ceil(from / this.scrapeIntervalMs) * this.scrapeIntervalMs;
      const id = 'warm-up';
      this.installWorkload({ id, rate: sampleRate, dist: 'exp', startMs: from, endMs: end, entries: due.entries, source: 'explicit' });
      this.advanceTo(end);
      this.workloads.delete(id);
      this.allWorkloads.delete(id);
      this.stats.delete(id);
    } finally {
      this.warming = false;
      this.obsWeight = 1;
      this.view = saved.view;
      this.nowMs = saved.nowMs;
      this.nextScrapeMs = saved.nextScrapeMs;
      this.horizon = saved.horizon;
      this.dirty = true;
    }
  }

  // ---------------------------------------------------------------- health and workloads

  private refresh(atMs: number): void {
    if (this.store) this.snapshot = snapshotFromStore(this.store, this.model.namespace);
    if (this.model.discovery === 'consul') this.noteConsulPod();
    this.view = computeHealth(this.model, this.snapshot, atMs, this.everRegistered, this.listening);
    for (const s of Object.values(this.view.services)) if (s.route.kind === 'ok' && this.model.discovery === 'consul') this.everRegistered.add(s.name);
    this.flagEffectsByService = new Map();
    for (const e of this.view.effects) {
      const list = this.flagEffectsByService.get(e.service) ?? [];
      list.push(e);
      this.flagEffectsByService.set(e.service, list);
    }
    for (const f of Object.keys(this.flagOnSince)) if (!this.view.flags[f] || this.view.flags[f] === 'off') this.flagOnSince.delete(f);
    for (const [f, v] of Object.entries(this.view.flags)) if (v !== 'off' && !this.flagOnSince.has(f)) this.flagOnSince.set(f, atMs);
    this.podMetrics.setView(this.view, this.snapshot.pods, this.flagEffectsByService, this.flagOnSince);
    if (this.fromStore && this.store) this.syncStoreWorkloads(atMs);
    this.dirty = false;
  }

  /**
   * Registrations live in consul's memory: a new consul pod (the namespace redeployed, consul restarted) starts empty,
   * so callers of a service that has not registered since say "there is no address available" again.
   */
  private noteConsulPod(): void {
    const registry = Object.entries(this.model.services).find(([name, s]) => s.kind === 'infra' && name === 'consul')?.[0];
    if (!registry) return;
    const pod = this.snapshot.pods.find((p) => p.metadata.labels?.[this.model.serviceLabel] === registry && !p.metadata.deletionTimestamp);
    const uid = pod?.metadata.uid;
    if (uid && this.consulUid !== undefined && uid !== this.consulUid) this.everRegistered.clear();
    if (uid) this.consulUid = uid;
  }

  private consulUid?: string;

  private syncStoreWorkloads(atMs: number): void {
    const seen = new Set<string>();
    let jobs: KubeObject[] = [];
    try { jobs = this.store!.list('jobs.batch', 'default'); } catch { jobs = []; }
    for (const job of jobs) {
      if (job.metadata.deletionTimestamp) continue;
      const w = workloadFromJob(job, this.model, this.snapshot.services);
      if (!w) continue;
      seen.add(w.id);
      if (!this.workloads.has(w.id) && w.endMs > atMs) this.installWorkload(w);
    }
    const lg = this.model.loadGenerator;
    if (lg) {
      const id = 'load-generator';
      const ready = this.snapshot.pods.some((p) => p.metadata.labels?.[this.model.serviceLabel] === lg.deployment && !p.metadata.deletionTimestamp && (p.status?.conditions as Array<{ type: string; status: string }> | undefined)?.some((c) => c.type === 'Ready' && c.status === 'True'));
      if (ready) {
        seen.add(id);
        if (!this.workloads.has(id)) this.installWorkload({ id, rate: lg.ratePerSec, dist: 'exp', startMs: atMs, endMs: Infinity, entries: entriesFor(this.model, lg.script), source: 'load-generator' });
      }
    }
    for (const [id, w] of this.workloads) if (w.source !== 'explicit' && !seen.has(id)) this.workloads.delete(id);
  }

  private installWorkload(w: ResolvedWorkload): void {
    if (w.source !== 'explicit' && this.lastHealthy && !this.warming) this.warmUpDue ??= { rate: w.rate, entries: w.entries, atMs: w.startMs, quietSinceMs: this.lastTrafficMs };
    const cum: number[] = [];
    let total = 0;
    for (const e of w.entries) { total += e.weight; cum.push(total); }
    this.workloads.set(w.id, { ...w, nextMs: Math.max(w.startMs, this.nowMs), cum, total });
    this.allWorkloads.set(w.id, w);
    if (!this.stats.has(w.id)) this.stats.set(w.id, { requests: 0, completed: 0, non2xx: 0, connectErrors: 0, timeouts: 0, latenciesMs: [], outcomes: [] });
  }

  private interarrival(w: { rate: number; dist: string }, rate: number): number {
    const mean = 1000 / rate;
    switch (w.dist) {
      case 'fixed': return mean;
      case 'norm': return Math.max(0, mean + this.rng.normal() * mean * 0.25);
      default: return this.rng.exponential(mean);
    }
  }

  /** Entry weights changed by flags (the flood flag multiplies `index`), and the rate change that follows. */
  private effectiveMix(w: { entries: EntrySpec[]; cum: number[]; total: number }): { cum: number[]; total: number; factor: number } {
    const factors = this.view.effects.filter((e) => e.entryWeightFactor);
    if (!factors.length) return { cum: w.cum, total: w.total, factor: 1 };
    const cum: number[] = [];
    let total = 0;
    for (const e of w.entries) {
      let weight = e.weight;
      for (const f of factors) weight *= f.entryWeightFactor![e.name] ?? 1;
      total += weight;
      cum.push(total);
    }
    return { cum, total, factor: total / w.total };
  }

  private runArrivals(horizon: number): void {
    this.horizon = Math.max(this.horizon, horizon);
    for (;;) {
      let next: LiveWorkload | undefined;
      for (const w of this.workloads.values()) if (w.nextMs < horizon && w.nextMs < w.endMs && (!next || w.nextMs < next.nextMs)) next = w;
      if (!next) break;
      const t = next.nextMs;
      if (!this.warming && (this.dirty || (this.view.nextChangeMs !== undefined && t >= this.view.nextChangeMs))) this.refresh(t);
      if (!this.workloads.has(next.id)) continue;
      const mix = this.effectiveMix(next);
      const r = this.rng.next() * mix.total;
      let i = 0;
      while (i < mix.cum.length - 1 && mix.cum[i] <= r) i++;
      this.request(next.entries[i], t, this.stats.get(next.id)!);
      next.nextMs = t + this.interarrival(next, next.rate * mix.factor);
    }
    if (!this.warming && (this.dirty || (this.view.nextChangeMs !== undefined && horizon >= this.view.nextChangeMs))) this.refresh(horizon);
  }

  // ---------------------------------------------------------------- requests

  private request(entry: EntrySpec, t: number, stats: ClientStats): void {
    this.requestsSimulated++;
    this.lastTrafficMs = t;
    const index = stats.requests++;
    if (index < 100_000) stats.outcomes.push(undefined);
    const svc = this.view.services[entry.service];
    const route = svc?.route;
    const pod = route && route.kind === 'ok' ? this.pick(route.pods) : undefined;
    if (!pod || !pod.serving) {
      // wrk2 cannot connect: a socket error, no span anywhere.
      stats.connectErrors++;
      if (index < 100_000) stats.outcomes[index] = { status: 0, latencyMs: 0 };
      return;
    }
    const sampled = this.sampleRatio >= 1 || this.rng.next() < this.sampleRatio;
    const spans: SpanRecord[] | null = sampled ? [] : null;
    this.asyncEndMs = 0;
    const out = this.runOp(entry.service, entry.operation, pod, t, undefined, spans, undefined, entry);
    const status = out.ok ? 200 : 500;
    const traceId = sampled ? this.rng.hex64() : '';
    if (spans && spans.length) {
      // Message consumers may still run after the response: the trace ends with its last span.
      const endMs = Math.max(out.endMs, this.asyncEndMs);
      const trace: TraceRecord = { traceId, startUs: Math.round(t * 1000), endUs: Math.round(endMs * 1000), spans };
      if (endMs <= this.nowMsHorizon()) this.finishTrace(trace, stats, status, out.endMs - t, index);
      else this.pendingTraces.push({ endMs, trace, stats, status, index, latencyMs: out.endMs - t });
    } else {
      this.finishClient(stats, status, out.endMs - t, index);
    }
  }

  private horizon = 0;
  private nowMsHorizon(): number {
    return this.horizon;
  }

  private finishTrace(trace: TraceRecord, stats: ClientStats, status: number, latencyMs: number, index: number): void {
    this.traces.add(trace);
    this.finishClient(stats, status, latencyMs, index);
  }

  private finishClient(stats: ClientStats, status: number, latencyMs: number, index: number): void {
    if (index < 100_000) stats.outcomes[index] = { status, latencyMs };
    if (latencyMs > WRK2_TIMEOUT_MS) stats.timeouts += Math.floor(latencyMs / WRK2_TIMEOUT_MS);
    stats.completed++;
    if (status >= 400) stats.non2xx++;
    if (stats.latenciesMs.length < 20_000) stats.latenciesMs.push(latencyMs);
  }

  private pick(pods: PodState[]): PodState {
    return pods.length === 1 ? pods[0] : pods[Math.floor(this.rng.next() * pods.length)];
  }

  private ownLatency(service: string, spec: ServiceSpec, pod: PodState | undefined, opFactor: number, effects: FlagEffect[] | undefined, op: string): number {
    let ms = this.rng.lognormal(spec.latency.medianMs, this.sigmas.get(service)!) * opFactor;
    if (pod && pod.stressCpuMillis > 0) ms *= 1 + pod.stressCpuMillis / 1000;
    if (effects) for (const e of effects) {
      if (e.call || (e.operation && e.operation !== op)) continue;
      if (e.latencyFactor) ms *= e.latencyFactor;
      if (e.addLatencyMs) ms += e.addLatencyMs;
    }
    return ms;
  }

  private spanId(): string {
    return this.rng.hex64();
  }

  /** Runs operation `op` of `service` on `pod` starting at `t`; appends the server span (if traced) under `parentId`. */
  private runOp(service: string, op: string, pod: PodState, t: number, parentId: string | undefined, spans: SpanRecord[] | null, callerProtocol: string | undefined, entry?: EntrySpec): Outcome {
    const spec = this.model.services[service];
    const opSpec = spec.operations[op];
    const effects = this.flagEffectsByService.get(service);
    const own = this.ownLatency(service, spec, pod, opSpec?.latencyFactor ?? 1, effects, op);
    let span: SpanRecord | undefined;
    const myId = spans ? this.spanId() : '';
    if (spans && spec.traced) {
      span = { spanId: myId, service, operation: op, startUs: Math.round(t * 1000), durationUs: 0, kind: spec.protocol === 'kafka' ? 'consumer' : 'server', error: false, tags: [], pod: pod.name, ...(parentId ? { parentSpanId: parentId } : {}) };
      spans.push(span);
    }
    this.spansSimulated += spec.traced ? 1 : 0;
    if (!this.warming) this.podMetrics.served(pod.name, spec);
    let cur = t + own * 0.4;
    let fail: Outcome | undefined;
    // Failures of the operation itself (flags, background error rate).
    if (effects) for (const e of effects) {
      if (e.call || !e.errorRate || (e.operation && e.operation !== op)) continue;
      if (this.rng.next() < e.errorRate) { fail = { ok: false, endMs: 0, error: e.error ?? 'internal error', grpcCode: e.grpcCode ?? 'INTERNAL' }; break; }
    }
    if (!fail && spec.errorRate && this.rng.next() < spec.errorRate) fail = { ok: false, endMs: 0, error: 'internal error', grpcCode: 'INTERNAL' };
    if (!fail && opSpec) {
      for (const step of opSpec.steps) {
        if ('parallel' in step) {
          let end = cur;
          for (const c of step.parallel) {
            const o = this.call(service, spec, pod, c, cur, span ? myId : parentId, spans);
            if (o.endMs > end) end = o.endMs;
            if (!o.ok && !c.ignoreErrors && !fail) fail = o;
          }
          cur = end;
        } else {
          const o = this.call(service, spec, pod, step, cur, span ? myId : parentId, spans);
          cur = o.endMs;
          if (!o.ok && !step.ignoreErrors) fail = o;
        }
        if (fail) break;
      }
    }
    const endMs = cur + own * 0.6;
    const ok = !fail;
    if (span) {
      span.durationUs = Math.max(1, Math.round((endMs - t) * 1000));
      this.tagServer(span, spec, ok, fail, entry, callerProtocol);
    }
    this.observe(this.serverFamily(service, op, opSpec), endMs, (endMs - t) / 1000, !ok);
    return ok ? { ok: true, endMs } : { ok: false, endMs, error: fail!.error, grpcCode: fail!.grpcCode };
  }

  /** Tag lists are shared between spans with the same tags (they are never mutated): most of a span's memory. */
  private readonly tagCache = new Map<string, { tags: Array<[string, TagValue]>; error: boolean }>();

  private tagServer(span: SpanRecord, spec: ServiceSpec, ok: boolean, fail: Outcome | undefined, entry: EntrySpec | undefined, callerProtocol: string | undefined): void {
    const key = `s|${spec.protocol}|${ok ? 1 : 0}|${fail?.grpcCode}|${fail?.error}|${entry?.method}|${entry?.path}|${span.operation}`;
    let hit = this.tagCache.get(key);
    if (!hit) {
      this.buildServerTags(span, spec, ok, fail, entry, callerProtocol);
      if (this.tagCache.size < 50_000) this.tagCache.set(key, (hit = { tags: span.tags, error: span.error }));
      return;
    }
    span.tags = hit.tags;
    span.error = hit.error;
  }

  private buildServerTags(span: SpanRecord, spec: ServiceSpec, ok: boolean, fail: Outcome | undefined, entry: EntrySpec | undefined, _callerProtocol: string | undefined): void {
    const tags: Array<[string, TagValue]> = [['span.kind', spec.protocol === 'kafka' ? 'consumer' : 'server']];
    if (spec.protocol === 'kafka') {
      tags.push(['messaging.system', 'kafka'], ['messaging.operation', span.operation.split(' ').pop() ?? 'process']);
      span.error = !ok;
    } else if (spec.protocol === 'http') {
      const status = ok ? 200 : 500;
      tags.push(['http.method', entry?.method ?? span.operation.split(' ')[span.operation.startsWith('HTTP') ? 1 : 0] ?? 'GET'], ['http.status_code', status]);
      if (entry?.path) tags.push(['http.url', entry.path]);
      span.error = !ok;
    } else if (spec.protocol === 'grpc') {
      const code = ok ? 'OK' : fail?.grpcCode ?? 'UNAVAILABLE';
      if (this.model.discovery === 'consul') {
        tags.push(['component', 'gRPC'], ['response_code', GRPC_GO_NAME[code] ?? code], ['response_class', grpcClass(code)]);
        span.error = grpcClass(code) === '5xx';
      } else {
        tags.push(['rpc.system', 'grpc'], ['rpc.grpc.status_code', GRPC_CODE_NUM[code] ?? 2]);
        span.error = !ok;
        if (!ok) tags.push(['otel.status_code', 'ERROR'], ['otel.status_description', fail?.error ?? '']);
      }
    }
    // Thrift (C++) spans are never error-tagged.
    span.tags = tags;
  }

  /** One call from `caller` (running on `callerPod`) per `c`, starting at `t`. */
  private call(caller: string, callerSpec: ServiceSpec, callerPod: PodState, c: CallSpec, t: number, parentId: string | undefined, spans: SpanRecord[] | null): Outcome {
    if (c.probability !== undefined && c.probability < 1 && this.rng.next() >= c.probability) return { ok: true, endMs: t };
    const callee = this.model.services[c.service];
    const clientName = c.clientSpan ?? c.operation;
    const clientId = spans ? this.spanId() : '';
    let clientSpan: SpanRecord | undefined;
    if (spans && callerSpec.traced) {
      clientSpan = { spanId: clientId, service: caller, operation: clientName, startUs: Math.round(t * 1000), durationUs: 0, kind: 'client', error: false, tags: [], pod: callerPod.name, ...(parentId ? { parentSpanId: parentId } : {}) };
      spans.push(clientSpan);
    }
    this.spansSimulated++;
    const out = this.callInner(caller, callerSpec, callerPod, c, callee, t, clientSpan ? clientId : parentId, spans);
    if (clientSpan) {
      clientSpan.durationUs = Math.max(1, Math.round((out.endMs - t) * 1000));
      this.tagClient(clientSpan, callerSpec, callee, out);
    }
    let fam = this.clientFamilies.get(c);
    if (fam === undefined) this.clientFamilies.set(c, (fam = this.family('client', caller, c.operation, c.service)));
    this.observe(fam, out.endMs, (out.endMs - t) / 1000, !out.ok);
    if (!out.ok && out.error) {
      // A failure that ends later (a hung call) is known only when it ends: callers cannot log it before.
      if (out.endMs > this.horizon) this.pendingCallErrors.push({ caller, callee: c.service, message: out.error, endMs: out.endMs });
      else this.noteCallError(caller, c.service, out.error, out.endMs);
    }
    return out;
  }

  private tagClient(span: SpanRecord, callerSpec: ServiceSpec, callee: ServiceSpec, out: Outcome): void {
    const key = `c|${callerSpec.protocol}|${callee.protocol}|${callee.kind}|${out.ok ? 1 : 0}|${out.grpcCode}|${out.error}`;
    let hit = this.tagCache.get(key);
    if (!hit) {
      this.buildClientTags(span, callerSpec, callee, out);
      if (this.tagCache.size < 50_000) this.tagCache.set(key, (hit = { tags: span.tags, error: span.error }));
      return;
    }
    span.tags = hit.tags;
    span.error = hit.error;
  }

  private buildClientTags(span: SpanRecord, callerSpec: ServiceSpec, callee: ServiceSpec, out: Outcome): void {
    const tags: Array<[string, TagValue]> = [['span.kind', 'client']];
    if (callerSpec.protocol === 'thrift') {
      span.tags = tags;
      return; // C++ client spans are never error-tagged.
    }
    if (callee.protocol === 'http' || callerSpec.protocol === 'http' && callee.protocol === 'thrift') {
      tags.push(['http.status_code', out.ok ? 200 : 500]);
      span.error = !out.ok;
    } else if (callee.protocol === 'grpc') {
      const code = out.ok ? 'OK' : out.grpcCode ?? 'UNAVAILABLE';
      if (this.model.discovery === 'consul') tags.push(['component', 'gRPC'], ['response_code', GRPC_GO_NAME[code] ?? code], ['response_class', out.ok ? '2xx' : grpcClass(code)]);
      else tags.push(['rpc.system', 'grpc'], ['rpc.grpc.status_code', GRPC_CODE_NUM[code] ?? 2]);
      span.error = !out.ok;
    } else {
      tags.push(['db.system', callee.kind], ['peer.service', callee.kind]);
      span.error = !out.ok;
    }
    if (!out.ok && out.error) tags.push(['error.message', out.error]);
    span.tags = tags;
  }

  private callInner(caller: string, callerSpec: ServiceSpec, callerPod: PodState, c: CallSpec, callee: ServiceSpec, t: number, parentId: string | undefined, spans: SpanRecord[] | null): Outcome {
    const fast = (error: string, grpcCode = 'UNAVAILABLE'): Outcome => ({ ok: false, endMs: t + 0.2 + this.rng.next() * 0.6, error, grpcCode });
    // A flag that breaks this edge at the caller (paymentUnreachable).
    const effects = this.flagEffectsByService.get(caller);
    if (effects) for (const e of effects) {
      if (e.call === c.service && e.errorRate && this.rng.next() < e.errorRate) return fast(grpcMessage(e.grpcCode ?? 'UNAVAILABLE', e.error ?? 'unavailable'), e.grpcCode ?? 'UNAVAILABLE');
    }
    const state = this.view.services[c.service];
    const route = state?.route ?? { kind: 'unresolvable' as const };
    const port = state?.port ?? callee.port;
    if (route.kind === 'no-instance') return fast(`rpc error: code = Unavailable desc = there is no ${route.everRegistered ? 'connection' : 'address'} available`);
    if (route.kind === 'unresolvable') return fast(refusedMessage(callerSpec, callee, c.service, port, 'unresolvable'));
    if (route.kind === 'no-endpoints' || route.kind === 'refused') return fast(refusedMessage(callerSpec, callee, c.service, port, 'refused'));
    const pod = this.pick(route.pods);
    if (!pod.serving) return fast(refusedMessage(callerSpec, callee, c.service, port, 'refused'));
    // The network: NetworkChaos delays/drops the egress of the selected pods (requests out of the caller, responses out of the callee).
    const net = 0.05 + this.rng.next() * 0.1;
    const reqDelay = callerPod.egressDelayMs + (callerPod.egressJitterMs ? this.rng.next() * callerPod.egressJitterMs : 0);
    const respDelay = pod.egressDelayMs + (pod.egressJitterMs ? this.rng.next() * pod.egressJitterMs : 0);
    if (callerPod.egressLoss > 0 && this.rng.next() < callerPod.egressLoss) return this.hang(t, callerSpec, c.service, port, callerPod.lossUntilMs);
    if (pod.http?.abort) return fast(httpAbortMessage(c.service, port));
    const serverStart = t + reqDelay + net + (pod.http?.delayMs ?? 0);
    let inner: Outcome;
    if (callee.traced) {
      inner = this.runOp(c.service, c.operation, pod, serverStart, parentId, spans, callerSpec.protocol);
    } else {
      const ms = this.ownLatency(c.service, callee, pod, 1, undefined, c.operation);
      if (!this.warming) this.podMetrics.served(pod.name, callee);
      inner = { ok: true, endMs: serverStart + ms };
      if (callee.consumers) for (const k of callee.consumers) this.consume(k, inner.endMs, parentId, spans);
    }
    if (pod.egressLoss > 0 && this.rng.next() < pod.egressLoss) return this.hang(t, callerSpec, c.service, port, pod.lossUntilMs);
    const endMs = inner.endMs + respDelay + net;
    if (pod.http?.code !== undefined && pod.http.code >= 400) return { ok: false, endMs, error: `HTTP ${pod.http.code}`, grpcCode: 'UNKNOWN' };
    if (!this.warming) this.podMetrics.exchanged(callerPod.name, pod.name, callee);
    return inner.ok ? { ok: true, endMs } : { ok: false, endMs, error: inner.error, grpcCode: inner.grpcCode };
  }

  /**
   * A consumer group processes a message published at `publishedMs` on one of its serving pods (the poll picks it up
   * a few ms later); nobody waits for it. No serving pod: the message waits in the broker (lag is not modelled).
   */
  private consume(k: CallSpec, publishedMs: number, parentId: string | undefined, spans: SpanRecord[] | null): void {
    // A consumer listens on nothing: it only has to run (not paused, not failed by chaos).
    const pods = this.view.services[k.service]?.pods.filter((p) => p.serving || p.downReason === 'not listening') ?? [];
    if (!pods.length) return;
    const out = this.runOp(k.service, k.operation, this.pick(pods), publishedMs + 2 + this.rng.next() * 8, parentId, spans, 'kafka');
    if (out.endMs > this.asyncEndMs) this.asyncEndMs = out.endMs;
  }

  /** A call whose packets are dropped: it ends at the caller's deadline, or (no deadline) when the loss ends. */
  private hang(t: number, callerSpec: ServiceSpec, callee: string, port: number, lossUntilMs: number | undefined): Outcome {
    if (this.model.callTimeoutMs !== null) {
      const endMs = t + this.model.callTimeoutMs;
      if (callerSpec.protocol === 'thrift') return { ok: false, endMs, error: `TSocket::read() recv() <Host: ${callee} Port: ${port}>: Resource temporarily unavailable`, grpcCode: 'DEADLINE_EXCEEDED' };
      return { ok: false, endMs, error: 'rpc error: code = DeadlineExceeded desc = context deadline exceeded', grpcCode: 'DEADLINE_EXCEEDED' };
    }
    const until = lossUntilMs !== undefined && lossUntilMs > t ? Math.min(lossUntilMs, t + this.maxHangMs) : t + this.maxHangMs;
    return { ok: false, endMs: until + 1 + this.rng.next() * 50, error: 'rpc error: code = Unavailable desc = transport is closing', grpcCode: 'UNAVAILABLE' };
  }

  private noteCallError(caller: string, callee: string, message: string, atMs: number): void {
    const key = `${caller}\u0000${callee}\u0000${message}`;
    const e = this.callErrorMap.get(key);
    if (e) { e.count++; if (atMs > e.lastMs) e.lastMs = atMs; if (atMs < e.firstMs) e.firstMs = atMs; }
    else this.callErrorMap.set(key, { caller, callee, message, count: 1, firstMs: atMs, lastMs: atMs });
  }

  /**
   * Failed calls seen so far, per caller, callee and error text (e.g. compose-post-service → user-service
   * `TSocket::open() connect() <Host: user-service Port: 9090>: Connection refused`), for log lines of the callers.
   * With `sinceMs`, only entries whose last failure is at or after it.
   */
  callErrors(sinceMs = -Infinity): CallError[] {
    return [...this.callErrorMap.values()].filter((e) => e.lastMs >= sinceMs).map((e) => ({ ...e }));
  }

  // ---------------------------------------------------------------- metrics

  private readonly clientFamilies = new WeakMap<CallSpec, number>();
  private readonly serverFamilies = new WeakMap<object, number>();

  private serverFamily(service: string, op: string, opSpec: object | undefined): number {
    if (!opSpec) return this.family('server', service, op, undefined);
    let f = this.serverFamilies.get(opSpec);
    if (f === undefined) this.serverFamilies.set(opSpec, (f = this.family('server', service, op, undefined)));
    return f;
  }

  private family(kind: 'server' | 'client', service: string, operation: string, target: string | undefined): number {
    const key = `${kind}|${service}|${operation}|${target ?? ''}`;
    let i = this.familyIndex.get(key);
    if (i === undefined) {
      const labels: Record<string, string> = { namespace: this.model.namespace, service, operation, job: 'twin-sim' };
      if (target) labels.target = target;
      i = this.families.length;
      this.families.push({ labels, requests: 0, errors: 0, sum: 0, buckets: new Float64Array(HIST_BUCKETS.length + 1), kind });
      this.familyIndex.set(key, i);
    }
    return i;
  }

  private observe(key: number, endMs: number, sec: number, error: boolean): void {
    if (endMs > this.horizon) { this.pendingObs.push({ endMs, key, sec, error }); return; }
    this.apply(key, sec, error);
  }

  private apply(key: number, sec: number, error: boolean): void {
    const f = this.families[key];
    const w = this.obsWeight;
    f.requests += w;
    if (error) f.errors += w;
    f.sum += sec * w;
    let b = 0;
    while (b < HIST_BUCKETS.length && sec > HIST_BUCKETS[b]) b++;
    f.buckets[b] += w;
  }

  private flush(t: number): void {
    this.horizon = Math.max(this.horizon, t);
    if (this.pendingObs.length) {
      const keep: Obs[] = [];
      for (const o of this.pendingObs) if (o.endMs <= t) this.apply(o.key, o.sec, o.error); else keep.push(o);
      this.pendingObs = keep;
    }
    if (this.pendingCallErrors.length) {
      const keep: typeof this.pendingCallErrors = [];
      for (const e of this.pendingCallErrors) if (e.endMs <= t) this.noteCallError(e.caller, e.callee, e.message, e.endMs); else keep.push(e);
      this.pendingCallErrors = keep;
    }
    if (this.pendingTraces.length) {
      const keep: typeof this.pendingTraces = [];
      for (const p of this.pendingTraces) {
        if (p.endMs <= t) this.finishTrace(p.trace, p.stats!, p.status, p.latencyMs, p.index);
        else keep.push(p);
      }
      this.pendingTraces = keep;
    }
  }

  private scrape(t: number): void {
    if (this.dirty && !this.warming) this.refresh(t);
    const m = this.metrics;
    for (const f of this.families) {
      const pre = f.kind === 'server' ? 'service_request' : 'service_client_request';
      m.add({ __name__: `${pre}s_total`, ...f.labels }, t, f.requests);
      m.add({ __name__: `${pre}_errors_total`, ...f.labels }, t, f.errors);
      m.add({ __name__: `${pre}_duration_seconds_sum`, ...f.labels }, t, f.sum);
      m.add({ __name__: `${pre}_duration_seconds_count`, ...f.labels }, t, f.requests);
      let acc = 0;
      for (let b = 0; b < LE.length; b++) {
        acc += f.buckets[b];
        m.add({ __name__: `${pre}_duration_seconds_bucket`, ...f.labels, le: LE[b] }, t, acc);
      }
    }
    if (this.warming) return;
    this.podMetrics.scrape(t);
    // Scrape health, as Prometheus records it for every target.
    const nodes = new Set(this.snapshot.pods.map((p) => String(p.spec?.nodeName ?? '')).filter(Boolean));
    for (const node of nodes) m.add({ __name__: 'up', instance: node, job: 'kubernetes-cadvisor' }, t, 1);
    m.add({ __name__: 'up', instance: 'localhost:9090', job: 'prometheus' }, t, 1);
    this.traces.expire(t);
    if (Math.floor(t / this.scrapeIntervalMs) % 40 === 0) m.trim(t);
  }
}

function grpcClass(code: string): string {
  if (code === 'OK') return '2xx';
  if (['INVALID_ARGUMENT', 'NOT_FOUND', 'ALREADY_EXISTS', 'PERMISSION_DENIED', 'UNAUTHENTICATED', 'FAILED_PRECONDITION', 'OUT_OF_RANGE'].includes(code)) return '4xx';
  if (code === 'CANCELLED') return '0xx';
  return '5xx';
}

function grpcMessage(code: string, desc: string): string {
  return `rpc error: code = ${GRPC_GO_NAME[code] ?? code} desc = ${desc}`;
}

function refusedMessage(callerSpec: ServiceSpec, callee: ServiceSpec, name: string, port: number, why: 'refused' | 'unresolvable'): string {
  if (callee.protocol === 'mongo') {
    // The C driver (SocialNetwork's C++ services) and mgo (HotelReservation's Go services) word it differently.
    if (callerSpec.protocol === 'thrift') {
      return `No suitable servers found: \`serverSelectionTimeoutMS\` expired: [${why === 'refused' ? 'connection refused' : 'Failed to resolve'} calling ismaster on '${name}:${port}']`;
    }
    return 'no reachable servers';
  }
  if (callee.protocol === 'thrift' || callerSpec.protocol === 'thrift' && callee.protocol !== 'memcached' && callee.protocol !== 'redis') {
    return why === 'refused'
      ? `TSocket::open() connect() <Host: ${name} Port: ${port}>: Connection refused`
      : `TSocket::open() getaddrinfo() <Host: ${name} Port: ${port}>: Name or service not known`;
  }
  if (callee.protocol === 'grpc') {
    return why === 'refused'
      ? `rpc error: code = Unavailable desc = connection error: desc = "transport: Error while dialing: dial tcp ${name}:${port}: connect: connection refused"`
      : `rpc error: code = Unavailable desc = name resolver error: produced zero addresses`;
  }
  if (callee.protocol === 'redis') return why === 'refused' ? `Connection refused (${name}:${port})` : `Name or service not known (${name}:${port})`;
  return why === 'refused' ? `dial tcp ${name}:${port}: connect: connection refused` : `dial tcp: lookup ${name}: no such host`;
}

function httpAbortMessage(name: string, port: number): string {
  return `read tcp ->${name}:${port}: read: connection reset by peer`;
}
