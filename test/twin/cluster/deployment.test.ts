import assert from 'assert/strict';
import { deployment, harness, service, type Harness } from './harness';

const RS = 'replicasets.apps';
const DEPLOY = 'deployments.apps';

describe('twin cluster: deployments', () => {
  let h: Harness;
  beforeEach(() => {
    h = harness();
  });
  afterEach(() => h.stop());

  it('brings a Deployment to Available with N ready pods named <rs>-<5 chars>', () => {
    h.create(DEPLOY, deployment('web', { replicas: 3 }));
    h.run(5000);
    const d = h.store.get(DEPLOY, 'default', 'web')!;
    assert.equal(d.status.readyReplicas, 3);
    assert.equal(d.status.availableReplicas, 3);
    assert.equal(d.status.updatedReplicas, 3);
    assert.equal(d.status.observedGeneration, 1);
    const available = d.status.conditions.find((c: any) => c.type === 'Available');
    assert.equal(available.status, 'True');
    assert.equal(available.reason, 'MinimumReplicasAvailable');
    const progressing = d.status.conditions.find((c: any) => c.type === 'Progressing');
    assert.equal(progressing.reason, 'NewReplicaSetAvailable');
    const rs = h.store.list(RS, 'default');
    assert.equal(rs.length, 1);
    assert.match(rs[0].metadata.name!, /^web-[4-9bcdf]{6,10}$/);
    assert.equal(rs[0].metadata.annotations!['deployment.kubernetes.io/revision'], '1');
    assert.equal(d.metadata.annotations!['deployment.kubernetes.io/revision'], '1');
    const pods = h.pods();
    assert.equal(pods.length, 3);
    for (const p of pods) {
      assert.match(p.metadata.name!, new RegExp(`^${rs[0].metadata.name}-[${'bcdfghjklmnpqrstvwxz2456789'}]{5}$`));
      assert.equal(p.status.phase, 'Running');
      assert.equal(p.metadata.ownerReferences![0].kind, 'ReplicaSet');
      assert.equal(p.metadata.ownerReferences![0].controller, true);
      assert.match(p.status.podIP, /^10\.244\.1\.\d+$/);
      assert.equal(p.spec.nodeName, 'kind-worker');
      assert.equal(p.status.qosClass, 'BestEffort');
    }
    const scaling = h.events('default', 'ScalingReplicaSet');
    assert.equal(scaling[0].message, `Scaled up replica set ${rs[0].metadata.name} to 3 from 0`);
    assert.equal((scaling[0].source as any).component, 'deployment-controller');
    assert.equal(h.events('default', 'SuccessfulCreate').length, 3);
  });

  it('rollout restart creates a new ReplicaSet, scales the old one to 0 and bumps the revision', () => {
    h.create(DEPLOY, deployment('web', { replicas: 2 }));
    h.run(5000);
    const oldRs = h.store.list(RS, 'default')[0];
    const d = h.store.get(DEPLOY, 'default', 'web')!;
    d.spec.template.metadata.annotations = { 'kubectl.kubernetes.io/restartedAt': '2026-03-01T10:00:05Z' };
    h.store.update(DEPLOY, d);
    h.run(10000);
    const all = h.store.list(RS, 'default');
    assert.equal(all.length, 2);
    const newRs = all.find((r) => r.metadata.name !== oldRs.metadata.name)!;
    assert.equal(newRs.spec.replicas, 2);
    assert.equal(h.store.get(RS, 'default', oldRs.metadata.name!)!.spec.replicas, 0);
    assert.equal(newRs.metadata.annotations!['deployment.kubernetes.io/revision'], '2');
    const after = h.store.get(DEPLOY, 'default', 'web')!;
    assert.equal(after.metadata.annotations!['deployment.kubernetes.io/revision'], '2');
    assert.equal(after.status.updatedReplicas, 2);
    assert.equal(after.status.availableReplicas, 2);
    assert.equal(after.status.observedGeneration, after.metadata.generation);
    const pods = h.pods();
    assert.equal(pods.length, 2);
    assert.ok(pods.every((p) => p.metadata.labels!['pod-template-hash'] === newRs.metadata.labels!['pod-template-hash']));
    const msgs = h.events('default', 'ScalingReplicaSet').map((e) => e.message);
    assert.ok(msgs.includes(`Scaled down replica set ${oldRs.metadata.name} to 0 from 1`), msgs.join('\n'));
  });

  it('does not roll out when a client re-orders the template keys (P11)', () => {
    h.create(DEPLOY, deployment('web'));
    h.run(3000);
    const d = h.store.get(DEPLOY, 'default', 'web')!;
    const c = d.spec.template.spec.containers[0];
    d.spec.template.spec.containers[0] = { ports: c.ports, image: c.image, name: c.name };
    d.spec.template = { spec: d.spec.template.spec, metadata: d.spec.template.metadata };
    h.store.update(DEPLOY, d);
    h.run(3000);
    assert.equal(h.store.list(RS, 'default').length, 1);
  });

  it('rollout undo reuses the old ReplicaSet and makes its revision the newest', () => {
    h.create(DEPLOY, deployment('web', { image: 'nginx:1.25' }));
    h.run(3000);
    const first = h.store.list(RS, 'default')[0];
    let d = h.store.get(DEPLOY, 'default', 'web')!;
    d.spec.template.spec.containers[0].image = 'nginx:1.26';
    h.store.update(DEPLOY, d);
    h.run(5000);
    // kubectl rollout undo: the template of revision 1 (without pod-template-hash) is patched back.
    d = h.store.get(DEPLOY, 'default', 'web')!;
    const tmpl = JSON.parse(JSON.stringify(first.spec.template));
    delete tmpl.metadata.labels['pod-template-hash'];
    d.spec.template = tmpl;
    h.store.update(DEPLOY, d);
    h.run(5000);
    const all = h.store.list(RS, 'default');
    assert.equal(all.length, 2);
    const reused = h.store.get(RS, 'default', first.metadata.name!)!;
    assert.equal(reused.spec.replicas, 1);
    assert.equal(reused.metadata.annotations!['deployment.kubernetes.io/revision'], '3');
    assert.equal(reused.metadata.annotations!['deployment.kubernetes.io/revision-history'], '1');
    assert.equal(h.store.get(DEPLOY, 'default', 'web')!.metadata.annotations!['deployment.kubernetes.io/revision'], '3');
    assert.equal(h.pods()[0].spec.containers[0].image, 'nginx:1.25');
  });

  it('scaling to 0 removes the pods and empties the endpoints; scaling back restores them', () => {
    h.create(DEPLOY, deployment('user-service', { replicas: 1, ports: [9090] }));
    h.create('services', service('user-service', { app: 'user-service' }, 9090, 9090));
    h.run(3000);
    let ep = h.store.get('endpoints', 'default', 'user-service')!;
    assert.equal((ep.subsets as any)[0].addresses.length, 1);
    const d = h.store.get(DEPLOY, 'default', 'user-service')!;
    d.spec.replicas = 0;
    h.store.update(DEPLOY, d);
    h.run(3000);
    assert.equal(h.pods().length, 0);
    ep = h.store.get('endpoints', 'default', 'user-service')!;
    assert.equal(ep.subsets, undefined);
    const slice = h.store.list('endpointslices.discovery.k8s.io', 'default')[0];
    assert.equal(slice.endpoints, null);
    const dep = h.store.get(DEPLOY, 'default', 'user-service')!;
    assert.equal(dep.status.replicas, undefined);
    assert.ok(h.events('default', 'ScalingReplicaSet').some((e) => /Scaled down replica set user-service-\w+ to 0 from 1/.test(String(e.message))));
    d.spec.replicas = 1;
    h.store.update(DEPLOY, { ...h.store.get(DEPLOY, 'default', 'user-service')!, spec: d.spec });
    h.run(3000);
    ep = h.store.get('endpoints', 'default', 'user-service')!;
    assert.equal((ep.subsets as any)[0].addresses.length, 1);
  });

  it('recreates a deleted pod (graceful deletion: Terminating, then gone)', () => {
    h.create(DEPLOY, deployment('web', { replicas: 1 }));
    h.run(3000);
    const victim = h.pods()[0];
    h.store.delete('pods', 'default', victim.metadata.name!);
    h.cluster.settle();
    const terminating = h.store.get('pods', 'default', victim.metadata.name!);
    assert.ok(terminating?.metadata.deletionTimestamp, 'pod is Terminating first');
    h.run(3000);
    const pods = h.pods();
    assert.equal(pods.length, 1);
    assert.notEqual(pods[0].metadata.name, victim.metadata.name);
    assert.equal(pods[0].status.phase, 'Running');
    assert.ok(h.events('default', 'Killing').some((e) => e.message === `Stopping container web`));
    assert.ok(h.events('default', 'SuccessfulCreate').some((e) => e.message === `Created pod: ${pods[0].metadata.name}`));
  });

  it('a rolling update with a broken image keeps the old pod (maxUnavailable) and reports progress', () => {
    h.create(DEPLOY, deployment('geo', { replicas: 1, image: 'yinfangchen/hotelreservation:latest' }));
    h.run(3000);
    h.cluster.registerMissingImage('yinfangchen/geo:app4');
    const d = h.store.get(DEPLOY, 'default', 'geo')!;
    d.spec.template.spec.containers[0].image = 'yinfangchen/geo:app4';
    h.store.update(DEPLOY, d);
    h.run(30000);
    const pods = h.pods();
    assert.equal(pods.length, 2);
    const dep = h.store.get(DEPLOY, 'default', 'geo')!;
    assert.equal(dep.status.availableReplicas, 1);
    assert.equal(dep.status.updatedReplicas, 1);
    assert.equal(dep.status.unavailableReplicas, 1);
    const prog = dep.status.conditions.find((c: any) => c.type === 'Progressing');
    assert.equal(prog.reason, 'ReplicaSetUpdated');
    h.run(600_000);
    const late = h.store.get(DEPLOY, 'default', 'geo')!.status.conditions.find((c: any) => c.type === 'Progressing');
    assert.equal(late.status, 'False');
    assert.equal(late.reason, 'ProgressDeadlineExceeded');
  });

  it('a pod relabelled out of its ReplicaSet is orphaned and replaced', () => {
    h.create(DEPLOY, deployment('web', { replicas: 1 }));
    h.run(3000);
    const p = h.pods()[0];
    p.metadata.labels = { debug: 'true' };
    h.store.update('pods', p);
    h.run(3000);
    const pods = h.pods();
    assert.equal(pods.length, 2);
    const orphan = pods.find((x) => x.metadata.name === p.metadata.name)!;
    assert.deepEqual(orphan.metadata.ownerReferences ?? [], []);
    assert.equal(pods.filter((x) => x.metadata.labels!.app === 'web').length, 1);
  });

  it('deleting the namespace removes everything without controller errors', async () => {
    h.create('namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'demo' } });
    const d = deployment('web', { replicas: 2 });
    d.metadata.namespace = 'demo';
    h.create(DEPLOY, d);
    h.create('services', { ...service('web', { app: 'web' }, 80, 80), metadata: { name: 'web', namespace: 'demo' } });
    h.run(3000);
    assert.equal(h.pods('demo').length, 2);
    h.store.delete('namespaces', undefined, 'demo');
    for (let i = 0; i < 20 && h.store.get('namespaces', undefined, 'demo'); i++) {
      h.run(500);
      await new Promise((r) => setTimeout(r, 20));
    }
    h.run(1000);
    assert.equal(h.store.get('namespaces', undefined, 'demo'), undefined);
    assert.equal(h.store.list('pods', 'demo').length, 0);
  });
});
