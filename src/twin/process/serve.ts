/**
 * Builds and serves one twin in the current process: object store, cluster half, API server.
 * Callers in the same process must never block on a kubectl child (spec pitfall P13): use `startTwin` (a child
 * process) unless every kubectl call is asynchronous, as in tests that inject their own PodRuntime.
 */
import type { PodRuntime } from '../contracts';
import { MemoryStore, StoreOptions } from '../apiserver/store';
import { createApiServer, ApiServer } from '../apiserver/server';
import type { ViewConfig } from '../apiserver/views';

export interface ServeOptions {
  port?: number;
  host?: string;
  /** A runtime to serve instead of starting the cluster half (tests). */
  runtime?: PodRuntime;
  store?: StoreOptions;
  followMaxMs?: number;
  /** Two views: set adminPrefix so that other callers (the agent) cannot see the fault machinery. */
  views?: ViewConfig;
  /** Overrides of the simulated cluster's durations (slower controllers, longer terminations, ...). */
  timing?: Partial<import('../cluster/context').Timing>;
}

/** Where the telemetry APIs answer (the twin's Prometheus and the Jaeger query API of each app namespace). */
export interface TwinTelemetry {
  prometheusUrl: string;
  jaegerUrls: Record<string, string>;
}

export interface ServedTwin {
  store: MemoryStore;
  telemetry?: TwinTelemetry;
  api: ApiServer;
  port: number;
  url: string;
  stop(): Promise<void>;
}

export async function serveTwin(o: ServeOptions = {}): Promise<ServedTwin> {
  const store = new MemoryStore(o.store);
  let runtime = o.runtime;
  let stopCluster: () => void = () => undefined;
  let telemetry: TwinTelemetry | undefined;
  let stopTelemetry: () => Promise<void> = async () => undefined;
  let proxy: import('../apiserver/proxy').ProxyBackend | undefined;
  if (!runtime) {
    const cluster = (await import('../cluster/index')).startCluster(store, { timing: o.timing });
    const tel = await import('../telemetry/index');
    let handle: import('../telemetry/index').TelemetryHandle | undefined;
    // The behaviours ask the request simulation for callers' errors and wrk2 outcomes once it runs.
    const sim = {
      wrk2Oracle: (world: unknown, run: { targetNamespace?: string; startMs: number; rate: number }, index: number) => (handle ? tel.wrk2OracleFor(handle)(world, run, index) : undefined),
      callErrors: (namespace: string, sinceMs: number) => (handle ? tel.callErrorsHook(handle)(namespace, sinceMs) : []),
    };
    const chaos = (await import('../chaos/index')).startChaosController({ store, clock: cluster.clock, killContainer: cluster.killContainer });
    const apps = (await import('../apps/index')).registerAppBehaviours(cluster.behaviours, { store, clock: cluster.clock, sim, killContainer: cluster.killContainer });
    (await import('../flower/behaviours')).registerFlowerBehaviours(cluster.behaviours, () => cluster.clock.now());
    (await import('./observability')).createObservabilityObjects(store);
    (await import('./chaos-mesh-objects')).createChaosMeshObjects(store);
    handle = await tel.startTelemetry({ store, clock: cluster.clock, listening: apps.listening });
    telemetry = { prometheusUrl: handle.prometheus.url, jaegerUrls: Object.fromEntries(Object.entries(handle.jaeger).map(([ns, e]) => [ns, e.url])) };
    const h = handle;
    stopTelemetry = () => h.stop();
    proxy = h.proxyBackend; // services/…/proxy reaches the twin's Prometheus and Jaeger pods
    runtime = cluster.runtime;
    stopCluster = () => { chaos.stop(); cluster.stop(); };
  }
  const api = createApiServer({ store, runtime, followMaxMs: o.followMaxMs, views: o.views, proxy });
  const host = o.host ?? '127.0.0.1';
  const port = await api.listen(o.port ?? 0, host);
  return {
    store, api, port, url: `http://${host}:${port}`, telemetry,
    async stop() {
      try { await stopTelemetry(); } catch { /* stopping anyway */ }
      try { stopCluster(); } catch { /* stopping anyway */ }
      await api.close();
      store.close();
    },
  };
}
