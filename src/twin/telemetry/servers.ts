/**
 * Starting the telemetry endpoints of the twin: one Prometheus API (shared metric store, published as Service
 * `prometheus-server` in namespace `observe`) and one Jaeger query API per app namespace (Service `jaeger`), fed by a
 * request simulation per modelled app that watches the twin's object store.
 */
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { KubeObject, ObjectStore } from '../contracts';
import { MetricStore } from './metric-store';
import { TraceStore } from './trace-store';
import { prometheusHandler } from './prometheus-api';
import { jaegerHandler } from './jaeger-api';
import { SimClock, SimEngine } from '../sim/engine';
import { loadModel, modelledApps } from '../sim/load-model';
import type { AppModel } from '../sim/model';
import type { ListeningPorts } from '../sim/health';
import type { CallError } from '../sim/engine';

export interface Endpoint {
  host: string;
  port: number;
  url: string;
  close(): Promise<void>;
}

type Handler = (req: http.IncomingMessage, res: http.ServerResponse) => Promise<boolean>;

/** Serves `handler` on host:port (0 = any free port). */
export async function serveHandler(handler: Handler, host = '127.0.0.1', port = 0): Promise<Endpoint> {
  const server = http.createServer((req, res) => {
    handler(req, res).then((handled) => {
      if (!handled) { res.writeHead(404, { 'Content-Type': 'text/plain' }); res.end('404 page not found\n'); }
    }).catch((err: Error) => {
      if (!res.headersSent) res.writeHead(500, { 'Content-Type': 'text/plain' });
      res.end(String(err.message));
    });
  });
  server.keepAliveTimeout = 1000;
  await new Promise<void>((resolve, reject) => { server.once('error', reject); server.listen(port, host, () => resolve()); });
  const addr = server.address() as AddressInfo;
  return {
    host, port: addr.port, url: `http://${host}:${addr.port}`,
    close: () => new Promise<void>((resolve) => { server.closeAllConnections?.(); server.close(() => resolve()); }),
  };
}

export interface TelemetryOptions {
  /** The twin's object store (pods, Services, Chaos Mesh objects, ConfigMaps, wrk2 Jobs). */
  store: ObjectStore;
  /** Twin time (default: the real clock). */
  clock?: SimClock;
  seed?: number;
  /** App ids to simulate (default: every apps/<id>/model.yaml). */
  apps?: string[];
  /** Models given directly (instead of loading apps/<id>/model.yaml). */
  models?: AppModel[];
  host?: string;
  /** Port of the Prometheus API (default 0 = free port). */
  prometheusPort?: number;
  /** Ports of the Jaeger APIs per namespace (default 0 = free port). */
  jaegerPorts?: Record<string, number>;
  /** Advance the simulation from a real-time timer every `tickMs` (default 250; 0 = only on queries / advance()). */
  tickMs?: number;
  scrapeIntervalMs?: number;
  /** Traces kept per app namespace (default 20 000, about 55 MB; older ones are dropped, as is anything older than 1 h). */
  maxTraces?: number;
  /** What pods' processes listen on (the apps' container behaviours know it); see ListeningPorts. */
  listening?: ListeningPorts;
}

export interface TelemetryHandle {
  prometheus: Endpoint;
  /** Jaeger endpoint per app namespace (test-hotel-reservation, test-social-network, astronomy-shop). */
  jaeger: Record<string, Endpoint>;
  engines: Record<string, SimEngine>;
  metrics: MetricStore;
  /**
   * What answers at a pod's IP and port for the API server's service / pod proxy: the Prometheus API on port 9090 of a
   * running Prometheus server pod, the Jaeger query API on port 16686 of a running jaeger all-in-one pod of an app
   * namespace; anything else: nothing listens.
   */
  proxyBackend: (dest: { namespace: string; pod: KubeObject; port: number }) => Handler | undefined;
  /** Brings every simulation up to the clock's now. */
  advance(): void;
  stop(): Promise<void>;
}

/**
 * Starts the simulations and the HTTP APIs. Queries first bring the simulation up to the clock's now, so answers are
 * current even with `tickMs: 0`.
 */
export async function startTelemetry(opts: TelemetryOptions): Promise<TelemetryHandle> {
  const clock = opts.clock ?? { now: () => Date.now() };
  const models = opts.models ?? (opts.apps ?? modelledApps()).map((id) => loadModel(id));
  const metrics = new MetricStore({ intervalMs: opts.scrapeIntervalMs ?? 15_000 });
  const engines: Record<string, SimEngine> = {};
  models.forEach((model, i) => {
    engines[model.namespace] = new SimEngine({ model, store: opts.store, clock, seed: (opts.seed ?? 1) + i * 7919, metrics, traces: new TraceStore({ maxTraces: opts.maxTraces ?? 20_000 }), scrapeIntervalMs: opts.scrapeIntervalMs, listening: opts.listening });
  });
  const advance = (): void => { const now = clock.now(); for (const e of Object.values(engines)) e.advanceTo(now); };
  const host = opts.host ?? '127.0.0.1';
  const promHandler = prometheusHandler({ metrics, now: () => clock.now(), beforeQuery: advance });
  const prometheus = await serveHandler(promHandler, host, opts.prometheusPort ?? 0);
  const jaeger: Record<string, Endpoint> = {};
  const jaegerHandlers: Record<string, Handler> = {};
  for (const [ns, engine] of Object.entries(engines)) {
    jaegerHandlers[ns] = jaegerHandler({ traces: engine.traces, now: () => clock.now(), beforeQuery: advance });
    jaeger[ns] = await serveHandler(jaegerHandlers[ns], host, opts.jaegerPorts?.[ns] ?? 0);
  }
  // A Jaeger in a namespace without a modelled app (one installed for the cluster) answers, with no traces.
  const emptyJaeger = jaegerHandler({ traces: new TraceStore({ maxTraces: 1 }), now: () => clock.now() });
  const proxyBackend = (dest: { namespace: string; pod: KubeObject; port: number }): Handler | undefined => {
    const images = runningImages(dest.pod);
    if (dest.port === 9090 && images.some((i) => PROMETHEUS_IMAGE.test(i))) return promHandler;
    if (dest.port === 16686 && images.some((i) => JAEGER_QUERY_IMAGE.test(i))) return jaegerHandlers[dest.namespace] ?? emptyJaeger;
    return undefined;
  };
  const tick = opts.tickMs ?? 250;
  const timer = tick > 0 ? setInterval(() => { try { advance(); } catch { /* next tick */ } }, tick) : undefined;
  timer?.unref?.();
  return {
    prometheus, jaeger, engines, metrics, advance, proxyBackend,
    async stop() {
      if (timer) clearInterval(timer);
      for (const e of Object.values(engines)) e.stop();
      await prometheus.close();
      for (const j of Object.values(jaeger)) await j.close();
    },
  };
}

/** Prometheus server images (quay.io/prometheus/prometheus, prom/prometheus, any registry, tag or digest). */
const PROMETHEUS_IMAGE = /(^|\/)(prometheus|prom)\/prometheus(:|@|$)/;
/** Jaeger images that serve the query API: all-in-one and jaeger-query (any registry, tag or digest). */
const JAEGER_QUERY_IMAGE = /(^|\/)jaegertracing\/(all-in-one|jaeger-query)(:|@|$)/;

/** The images of a running pod's running containers (not the pause image Chaos Mesh's pod-failure swaps in). */
function runningImages(pod: KubeObject): string[] {
  if (pod.metadata.deletionTimestamp || pod.status?.phase !== 'Running') return [];
  const statuses = (pod.status?.containerStatuses ?? []) as Array<{ name: string; state?: { running?: unknown } }>;
  return ((pod.spec?.containers ?? []) as Array<{ name: string; image: string }>)
    .filter((c) => !/(^|\/)pause(:|@|$)/.test(c.image))
    .filter((c) => { const st = statuses.find((x) => x.name === c.name); return !st || !!st.state?.running; })
    .map((c) => c.image);
}

/** `SimHooks.callErrors` for the apps' world: failed calls per namespace since a time (for the callers' log lines). */
export function callErrorsHook(tel: Pick<TelemetryHandle, 'engines' | 'advance'>): (namespace: string, sinceMs: number) => CallError[] {
  return (namespace, sinceMs) => {
    const engine = tel.engines[namespace];
    if (!engine) return [];
    tel.advance();
    return engine.callErrors(sinceMs);
  };
}

/**
 * A per-request outcome source for the wrk2 behaviour's report (`addWrk2Oracle` in src/twin/apps/wrk2.ts): the
 * status and latency the simulation gave request `index` of the wrk2 Job's workload.
 */
export function wrk2OracleFor(tel: Pick<TelemetryHandle, 'engines' | 'advance'>): (world: unknown, run: { targetNamespace?: string; startMs: number; rate: number }, index: number) => { status: number; bytes: number; latencyMs: number } | undefined {
  return (_world, run, index) => {
    const engine = run.targetNamespace ? tel.engines[run.targetNamespace] : undefined;
    if (!engine) return undefined;
    tel.advance();
    const id = engine.jobWorkloadNear(run.startMs, run.rate);
    const o = id ? engine.clientStats(id)?.outcomes[index] : undefined;
    if (!o) return undefined;
    return { status: o.status, bytes: o.status === 200 ? 1900 : o.status === 0 ? 0 : 120, latencyMs: o.latencyMs };
  };
}
