import { MemoryStore } from '../src/twin/apiserver/store';
import { ManualClock, startCluster } from '../src/twin/cluster';
import type { KubeObject } from '../src/twin/contracts';

function deployment(i: number): KubeObject {
  const name = `svc-${i}`;
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, namespace: 'default' },
    spec: {
      replicas: 1 + (i % 3),
      selector: { matchLabels: { app: name } },
      template: { metadata: { labels: { app: name } }, spec: { containers: [{ name, image: `example/${name}:1.0`, ports: [{ containerPort: 8080 }] }] } },
    },
  };
}

/** Time to bring 30 Deployments (60 pods) with their Services to Ready on a manual clock, and the cluster time it took. */
export async function run(): Promise<Record<string, number | string>> {
  const samples: number[] = [];
  let clusterMs = 0;
  let work = 0;
  for (let round = 0; round < 5; round++) {
    const store = new MemoryStore({ finishGracefulDeletes: false });
    const clock = new ManualClock();
    const cluster = startCluster(store, { clock, seed: round, timing: { leaseRenewMs: 0 } });
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < 30; i++) {
      store.create('deployments.apps', deployment(i));
      store.create('services', { apiVersion: 'v1', kind: 'Service', metadata: { name: `svc-${i}`, namespace: 'default' }, spec: { selector: { app: `svc-${i}` }, ports: [{ port: 80, targetPort: 8080 }] } });
    }
    let elapsed = 0;
    const ready = () => store.list('deployments.apps', 'default').every((d) => (d.status?.availableReplicas ?? 0) === d.spec.replicas);
    while (!ready() && elapsed < 60_000) {
      cluster.advance(100);
      elapsed += 100;
    }
    samples.push(Number(process.hrtime.bigint() - t0) / 1e6);
    clusterMs = elapsed;
    work = cluster.workDone();
    cluster.stop();
    store.close();
  }
  samples.sort((a, b) => a - b);
  return {
    deployments: 30,
    pods: 60,
    wall_ms_median_30_deployments_ready: Math.round(samples[2] * 10) / 10,
    cluster_ms_until_ready: clusterMs,
    controller_work_items: work,
  };
}
