import assert from 'assert/strict';
import type { KubeObject } from '../../../src/twin/contracts';
import { deployment, harness, service, type Harness } from './harness';

function job(name: string, command: string[], extra: Record<string, unknown> = {}): KubeObject {
  return {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: { name, namespace: 'default' },
    spec: { ...extra, template: { spec: { restartPolicy: 'Never', containers: [{ name: 'wrk2', image: 'deathstarbench/wrk2-client:latest', command }] } } },
  };
}

describe('twin cluster: jobs and endpoints', () => {
  let h: Harness;
  beforeEach(() => {
    h = harness();
  });
  afterEach(() => h.stop());

  it('a Job runs its pod to completion', () => {
    h.create('jobs.batch', job('wrk2-job', ['sh', '-c', 'echo Running 10s test; sleep 10; echo Requests/sec: 10.0']));
    h.run(5000);
    let j = h.store.get('jobs.batch', 'default', 'wrk2-job')!;
    assert.equal(j.status.active, 1);
    const pod = h.pods()[0];
    assert.match(pod.metadata.name!, /^wrk2-job-[a-z0-9]{5}$/);
    assert.equal(pod.metadata.labels!['job-name'], 'wrk2-job');
    assert.equal(pod.metadata.labels!['batch.kubernetes.io/job-name'], 'wrk2-job');
    h.run(10_000);
    j = h.store.get('jobs.batch', 'default', 'wrk2-job')!;
    assert.equal(j.status.succeeded, 1);
    assert.equal(j.status.active, undefined);
    assert.ok(j.status.completionTime);
    assert.equal(j.status.conditions.find((c: any) => c.type === 'Complete').status, 'True');
    const done = h.store.get('pods', 'default', pod.metadata.name!)!;
    assert.equal(done.status.phase, 'Succeeded');
    assert.equal(done.status.containerStatuses[0].state.terminated.reason, 'Completed');
    assert.deepEqual(h.cluster.runtime.logs({ namespace: 'default', pod: pod.metadata.name!, container: 'wrk2' }).map((l) => l.text), ['Running 10s test', 'Requests/sec: 10.0']);
    assert.ok(h.events('default', 'Completed').some((e) => e.message === 'Job completed'));
  });

  it('a failing Job retries with back-off and fails after backoffLimit', () => {
    h.create('jobs.batch', job('bad', ['sh', '-c', 'exit 3'], { backoffLimit: 2 }));
    h.run(300_000);
    const j = h.store.get('jobs.batch', 'default', 'bad')!;
    assert.equal(j.status.failed, 3);
    const failed = j.status.conditions.find((c: any) => c.type === 'Failed');
    assert.equal(failed.reason, 'BackoffLimitExceeded');
    assert.equal(failed.message, 'Job has reached the specified backoff limit');
    assert.equal(h.pods().length, 3);
  });

  it('endpoints follow readiness and resolve named and numeric target ports', () => {
    let ready = false;
    h.cluster.registerBehaviour('example/user:1', { start: () => ({ kind: 'running' }), probe: () => ready });
    h.create('deployments.apps', deployment('user-service', {
      replicas: 2,
      podSpec: { containers: [{ name: 'u', image: 'example/user:1', ports: [{ name: 'thrift', containerPort: 9090 }], readinessProbe: { tcpSocket: { port: 9090 }, periodSeconds: 2 } }] },
    }));
    h.create('services', service('user-service', { app: 'user-service' }, 9090, 'thrift'));
    h.run(5000);
    let ep = h.store.get('endpoints', 'default', 'user-service')!;
    let subset = (ep.subsets as any)[0];
    assert.equal(subset.addresses, undefined);
    assert.equal(subset.notReadyAddresses.length, 2);
    assert.deepEqual(subset.ports, [{ name: 'http', port: 9090, protocol: 'TCP' }]);
    let slice = h.store.list('endpointslices.discovery.k8s.io', 'default')[0];
    assert.equal(slice.metadata.labels!['kubernetes.io/service-name'], 'user-service');
    assert.equal(slice.metadata.labels!['endpointslice.kubernetes.io/managed-by'], 'endpointslice-controller.k8s.io');
    assert.deepEqual((slice.endpoints as any[]).map((e) => e.conditions.ready), [false, false]);
    ready = true;
    h.run(5000);
    ep = h.store.get('endpoints', 'default', 'user-service')!;
    subset = (ep.subsets as any)[0];
    assert.equal(subset.addresses.length, 2);
    assert.equal(subset.addresses[0].targetRef.kind, 'Pod');
    assert.equal(subset.addresses[0].nodeName, 'kind-worker');
    // A numeric targetPort no container listens on still lists the pod on that port (F1 of the fault catalog).
    const svc = h.store.get('services', 'default', 'user-service')!;
    svc.spec.ports[0].targetPort = 9999;
    h.store.update('services', svc);
    h.run(1000);
    ep = h.store.get('endpoints', 'default', 'user-service')!;
    assert.deepEqual((ep.subsets as any)[0].ports, [{ name: 'http', port: 9999, protocol: 'TCP' }]);
    assert.equal((ep.subsets as any)[0].addresses.length, 2);
    slice = h.store.list('endpointslices.discovery.k8s.io', 'default')[0];
    assert.deepEqual(slice.ports, [{ name: 'http', port: 9999, protocol: 'TCP' }]);
    // A named targetPort no container declares selects no port: the endpoints are empty.
    svc.spec.ports[0].targetPort = 'nope';
    h.store.update('services', { ...h.store.get('services', 'default', 'user-service')!, spec: svc.spec });
    h.run(1000);
    assert.equal(h.store.get('endpoints', 'default', 'user-service')!.subsets, undefined);
    // Deleting the Service removes its Endpoints.
    h.store.delete('services', 'default', 'user-service');
    h.run(1000);
    assert.equal(h.store.get('endpoints', 'default', 'user-service'), undefined);
  });

  it('a pod relabelled out of a Service selector leaves its endpoints', () => {
    h.create('pods', { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', namespace: 'default', labels: { app: 'x' } }, spec: { containers: [{ name: 'c', image: 'nginx:1.25' }] } });
    h.create('services', service('x', { app: 'x' }, 80, 80));
    h.run(3000);
    assert.equal((h.store.get('endpoints', 'default', 'x')!.subsets as any)[0].addresses.length, 1);
    const p = h.store.get('pods', 'default', 'p')!;
    p.metadata.labels = { app: 'debug' };
    h.store.update('pods', p);
    h.run(1000);
    assert.equal(h.store.get('endpoints', 'default', 'x')!.subsets, undefined);
  });
});
