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
}

export interface ServedTwin {
  store: MemoryStore;
  api: ApiServer;
  port: number;
  url: string;
  stop(): Promise<void>;
}

export async function serveTwin(o: ServeOptions = {}): Promise<ServedTwin> {
  const store = new MemoryStore(o.store);
  let runtime = o.runtime;
  let stopCluster: () => void = () => undefined;
  if (!runtime) {
    const cluster = (await import('../cluster/index')).startCluster(store);
    (await import('../apps/index')).registerAppBehaviours(cluster.behaviours, { store, clock: cluster.clock });
    runtime = cluster.runtime;
    stopCluster = () => cluster.stop();
  }
  const api = createApiServer({ store, runtime, followMaxMs: o.followMaxMs, views: o.views });
  const host = o.host ?? '127.0.0.1';
  const port = await api.listen(o.port ?? 0, host);
  return {
    store, api, port, url: `http://${host}:${port}`,
    async stop() {
      try { stopCluster(); } catch { /* stopping anyway */ }
      await api.close();
      store.close();
    },
  };
}
