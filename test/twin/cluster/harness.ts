/** Test harness: a fake store on a manual clock with the cluster started on it. */
import type { KubeObject } from '../../../src/twin/contracts';
import { ManualClock, startCluster, type Cluster, type ClusterOptions } from '../../../src/twin/cluster';
import { MemoryStore } from '../../../src/twin/apiserver/store';
import { FakeStore } from './fake-store';

export interface Harness {
  store: FakeStore | MemoryStore;
  clock: ManualClock;
  cluster: Cluster;
  /** Advances cluster time in 100 ms steps (so every intermediate state gets processed). */
  run(ms: number): void;
  create(resource: string, obj: KubeObject): KubeObject;
  pods(ns?: string, labelKey?: string, labelValue?: string): KubeObject[];
  events(ns?: string, reason?: string): KubeObject[];
  stop(): void;
}

export function harness(options: ClusterOptions = {}): Harness {
  const clock = new ManualClock(Date.parse('2026-03-01T10:00:00Z'));
  // The API server's store by default (its own timestamps come from the real clock); TWIN_STORE=fake uses the
  // test-only fake store whose timestamps follow the manual clock.
  const store = process.env.TWIN_STORE === 'fake' ? new FakeStore(() => clock.now()) : new MemoryStore({ finishGracefulDeletes: false, namespaceFinalizeDelayMs: 0 });
  const logs: string[] = [];
  const cluster = startCluster(store, { clock, seed: 42, log: (m) => logs.push(m), systemComponents: false, ...options });
  const h: Harness = {
    store,
    clock,
    cluster,
    run(ms: number) {
      for (let t = 0; t < ms; t += 100) cluster.advance(Math.min(100, ms - t));
      cluster.settle();
      if (logs.length) throw new Error(`cluster logged errors:\n${logs.join('\n')}`);
    },
    create(resource, obj) {
      return store.create(resource, obj);
    },
    pods(ns = 'default', labelKey?: string, labelValue?: string) {
      return store.list('pods', ns).filter((p) => !labelKey || p.metadata.labels?.[labelKey] === labelValue);
    },
    events(ns = 'default', reason?: string) {
      return store.list('events', ns).filter((e) => !reason || e.reason === reason);
    },
    stop() {
      cluster.stop();
      if (store instanceof MemoryStore) store.close();
    },
  };
  return h;
}

export function deployment(name: string, opts: { replicas?: number; image?: string; ports?: number[]; podSpec?: Record<string, unknown>; labels?: Record<string, string> } = {}): KubeObject {
  const labels = opts.labels ?? { app: name };
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, namespace: 'default' },
    spec: {
      replicas: opts.replicas ?? 1,
      selector: { matchLabels: labels },
      template: {
        metadata: { labels },
        spec: {
          containers: [
            {
              name,
              image: opts.image ?? 'nginx:1.25',
              ports: (opts.ports ?? [80]).map((p) => ({ containerPort: p, name: `p${p}` })),
            },
          ],
          ...(opts.podSpec ?? {}),
        },
      },
    },
  };
}

export function service(name: string, selector: Record<string, string>, port: number, targetPort: number | string): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name, namespace: 'default' },
    spec: { selector, clusterIP: '10.96.100.10', ports: [{ name: 'http', port, targetPort, protocol: 'TCP' }] },
  };
}

export function statusOf(pod: KubeObject): string {
  // The STATUS column of `kubectl get pods` (enough of the printer logic for assertions).
  if (pod.metadata.deletionTimestamp) return 'Terminating';
  let reason: string = pod.status?.phase ?? 'Pending';
  for (const c of (pod.status?.containerStatuses ?? []) as any[]) {
    if (c.state?.waiting?.reason) reason = c.state.waiting.reason;
    else if (c.state?.terminated) reason = c.state.terminated.reason ?? `ExitCode:${c.state.terminated.exitCode}`;
  }
  return reason;
}
