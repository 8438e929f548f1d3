/**
 * Builds and serves one twin in the current process: object store, cluster half, API server.
 * Callers in the same process must never block on a kubectl child (spec pitfall P13): use `startTwin` (a child
 * process) unless every kubectl call is asynchronous, as in tests that inject their own PodRuntime.
 */
import type { PodRuntime } from '../contracts';
import { MemoryStore, StoreOptions } from '../apiserver/store';
import { createApiServer, ApiServer } from '../apiserver/server';
import type { ViewConfig } from '../apiserver/views';
import { TokenAuthority, startTokenController } from '../apiserver/authn';
import { RbacAuthorizer } from '../apiserver/rbac';
import { createBootstrapPolicy } from '../apiserver/rbac-bootstrap';
import { ROOT_CA_PEM } from '../apiserver/defaults';
import type { TwinTls } from './tls';

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
  /**
   * A cluster as `kind create cluster` leaves it: no Chaos Mesh CRDs (and its controller acts only once a Deployment
   * chaos-controller-manager is available), no observe namespace / Prometheus objects, no StorageClass or local-path
   * provisioner. Default false: everything the problems need is there from the start.
   */
  bare?: boolean;
  /**
   * HTTPS with this certificate, bearer-token authentication (this admin token = system:masters; ServiceAccount
   * tokens) and RBAC for every request, as a real API server; `views` is then ignored.
   */
  identity?: { tls: TwinTls; adminToken: string };
  /** The apps' behaviour models (apps/<app>/model.yaml), parsed already; default: read and parsed here. */
  models?: import('../sim/model').AppModel[];
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
  const store = new MemoryStore({ ...o.store, chaosMeshCrds: !o.bare && o.store?.chaosMeshCrds !== false });
  createBootstrapPolicy(store);
  const tokens = new TokenAuthority(store, { adminToken: o.identity?.adminToken });
  const stopTokens = startTokenController(store, tokens, o.identity?.tls.caPem ?? ROOT_CA_PEM);
  let runtime = o.runtime;
  let stopCluster: () => void = () => undefined;
  let telemetry: TwinTelemetry | undefined;
  let stopTelemetry: () => Promise<void> = async () => undefined;
  let proxy: import('../apiserver/proxy').ProxyBackend | undefined;
  if (!runtime) {
    const cluster = (await import('../cluster/index')).startCluster(store, { timing: o.timing, defaultStorage: !o.bare });
    const tel = await import('../telemetry/index');
    let handle: import('../telemetry/index').TelemetryHandle | undefined;
    // The behaviours ask the request simulation for callers' errors and wrk2 outcomes once it runs.
    const sim = {
      wrk2Oracle: (world: unknown, run: { targetNamespace?: string; startMs: number; rate: number }, index: number) => (handle ? tel.wrk2OracleFor(handle)(world, run, index) : undefined),
      callErrors: (namespace: string, sinceMs: number) => (handle ? tel.callErrorsHook(handle)(namespace, sinceMs) : []),
    };
    const chaos = (await import('../chaos/index')).startChaosController({ store, clock: cluster.clock, killContainer: cluster.killContainer, requireInstalledController: o.bare });
    const apps = (await import('../apps/index')).registerAppBehaviours(cluster.behaviours, { store, clock: cluster.clock, sim, killContainer: cluster.killContainer });
    (await import('../flower/behaviours')).registerFlowerBehaviours(cluster.behaviours, () => cluster.clock.now());
    if (!o.bare) {
      (await import('./observability')).createObservabilityObjects(store);
      (await import('./chaos-mesh-objects')).createChaosMeshObjects(store);
    }
    handle = await tel.startTelemetry({ store, clock: cluster.clock, listening: apps.listening, models: o.models });
    telemetry = { prometheusUrl: handle.prometheus.url, jaegerUrls: Object.fromEntries(Object.entries(handle.jaeger).map(([ns, e]) => [ns, e.url])) };
    const h = handle;
    stopTelemetry = () => h.stop();
    proxy = h.proxyBackend; // services/…/proxy reaches the twin's Prometheus and Jaeger pods
    runtime = cluster.runtime;
    stopCluster = () => { chaos.stop(); cluster.stop(); };
  }
  const identities = o.identity ? { authority: tokens, rbac: new RbacAuthorizer(store) } : undefined;
  const tls = o.identity ? { key: o.identity.tls.keyPem, cert: o.identity.tls.certPem } : undefined;
  const api = createApiServer({ store, runtime, followMaxMs: o.followMaxMs, views: o.views, proxy, tokens, identities, tls });
  const host = o.host ?? '127.0.0.1';
  const port = await api.listen(o.port ?? 0, host);
  return {
    store, api, port, url: `${tls ? 'https' : 'http'}://${host}:${port}`, telemetry,
    async stop() {
      stopTokens();
      try { await stopTelemetry(); } catch { /* stopping anyway */ }
      try { stopCluster(); } catch { /* stopping anyway */ }
      await api.close();
      store.close();
    },
  };
}
