import { strict as assert } from 'node:assert';
import type { KubeObject } from '../../../src/twin/contracts';
import { startChaosController, normalImageAnnotation, PAUSE_IMAGE, type ChaosController } from '../../../src/twin/chaos';
import { deployment, harness, type Harness } from '../cluster/harness';

const PC = 'podchaos.chaos-mesh.org';

function user(replicas = 1): KubeObject {
  const d = deployment('user', { replicas, image: 'yinfangchen/hotelreservation:latest', ports: [8086], labels: { 'io.kompose.service': 'user' } });
  d.spec.template.spec.containers[0].name = 'hotel-reserv-user';
  d.spec.template.spec.containers[0].command = ['user'];
  return d;
}

function chaos(kind: string, name: string, spec: Record<string, unknown>): KubeObject {
  return { apiVersion: 'chaos-mesh.org/v1alpha1', kind, metadata: { name, namespace: 'default' }, spec: { mode: 'one', selector: { labelSelectors: { 'io.kompose.service': 'user' } }, ...spec } };
}

describe('twin Chaos Mesh controller (manual clock)', () => {
  let h: Harness;
  let ctl: ChaosController;
  beforeEach(() => {
    h = harness();
    ctl = startChaosController({ store: h.store, clock: h.clock, killContainer: h.cluster.killContainer, seed: 42, log: (m) => { throw new Error(m); } });
  });
  afterEach(() => { ctl.stop(); h.stop(); });

  const status = (p: KubeObject) => p.status.containerStatuses[0];
  const reasons = (kind: string, name: string) => h.events('default').filter((e: any) => e.involvedObject.kind === kind && e.involvedObject.name === name).map((e: any) => e.reason); // eslint-disable-line @typescript-eslint/no-explicit-any

  it('pod-failure swaps in the pause image (annotation keeps the original), deletion restores it', () => {
    h.create('deployments.apps', user());
    h.run(5000);
    const [pod] = h.pods('default', 'io.kompose.service', 'user');
    h.create(PC, chaos('PodChaos', 'pod-failure-experiment', { action: 'pod-failure', duration: '200s' }));
    h.run(3000);
    let p = h.store.get('pods', 'default', pod.metadata.name!)!;
    assert.equal(p.spec.containers[0].image, PAUSE_IMAGE);
    assert.equal(p.metadata.annotations?.['hotel-reserv-user-normal'], 'yinfangchen/hotelreservation:latest');
    assert.equal(status(p).restartCount, 1);
    assert.equal(status(p).image, PAUSE_IMAGE);
    assert.ok(h.events('default', 'Killing').some((e: any) => /Container hotel-reserv-user definition changed, will be restarted/.test(e.message))); // eslint-disable-line @typescript-eslint/no-explicit-any
    const obj = h.store.get(PC, 'default', 'pod-failure-experiment')!;
    assert.deepEqual(obj.metadata.finalizers, ['chaos-mesh/records']);
    assert.equal(obj.status.experiment.desiredPhase, 'Run');
    assert.equal(obj.status.experiment.containerRecords[0].id, `default/${pod.metadata.name}`);
    assert.equal(obj.status.experiment.containerRecords[0].phase, 'Injected');
    assert.deepEqual(obj.status.conditions.map((c: any) => `${c.type}=${c.status}`), ['Selected=True', 'AllInjected=True', 'AllRecovered=False', 'Paused=False']); // eslint-disable-line @typescript-eslint/no-explicit-any
    assert.deepEqual(reasons('PodChaos', 'pod-failure-experiment'), ['FinalizerInited', 'Updated', 'Started', 'Updated', 'Applied', 'Updated']);

    h.store.delete(PC, 'default', 'pod-failure-experiment');
    h.run(3000);
    assert.equal(h.store.get(PC, 'default', 'pod-failure-experiment'), undefined);
    p = h.store.get('pods', 'default', pod.metadata.name!)!;
    assert.equal(p.spec.containers[0].image, 'yinfangchen/hotelreservation:latest');
    assert.equal(p.metadata.annotations?.['hotel-reserv-user-normal'], undefined);
    assert.equal(status(p).restartCount, 2);
    assert.ok(status(p).state.running);
  });

  it('annotation key: full form up to 63 characters, <container>-normal beyond', () => {
    assert.equal(normalImageAnnotation('pod-kill', 'pod-failure', 'hotel-reserv-user'), 'chaos-mesh-pod-kill-pod-failure-hotel-reserv-user-normal-image');
    assert.equal(normalImageAnnotation('pod-failure-experiment', 'pod-failure', 'hotel-reserv-user'), 'hotel-reserv-user-normal');
  });

  it('duration expiry recovers, sets desiredPhase Stop and keeps the object', () => {
    h.create('deployments.apps', user());
    h.run(5000);
    h.create(PC, chaos('PodChaos', 'pf', { action: 'pod-failure', duration: '10s' }));
    h.run(12_000);
    const obj = h.store.get(PC, 'default', 'pf')!;
    assert.equal(obj.status.experiment.desiredPhase, 'Stop');
    assert.equal(obj.status.experiment.containerRecords[0].phase, 'Not Injected');
    assert.ok(obj.status.conditions.some((c: any) => c.type === 'AllRecovered' && c.status === 'True')); // eslint-disable-line @typescript-eslint/no-explicit-any
    const r = reasons('PodChaos', 'pf');
    assert.ok(r.includes('TimeUp') && r.includes('Recovered'), r.join(','));
    const [pod] = h.pods('default', 'io.kompose.service', 'user');
    assert.equal(pod.spec.containers[0].image, 'yinfangchen/hotelreservation:latest');
    assert.equal(status(pod).restartCount, 2);
  });

  it('container-kill: exit 137, one restart, nothing to recover', () => {
    h.create('deployments.apps', user());
    h.run(5000);
    h.create(PC, chaos('PodChaos', 'container-kill', { action: 'container-kill', duration: '200s', containerNames: ['hotel-reserv-user'] }));
    h.run(3000);
    const [pod] = h.pods('default', 'io.kompose.service', 'user');
    assert.equal(status(pod).restartCount, 1);
    assert.equal(status(pod).lastState.terminated.exitCode, 137);
    assert.equal(status(pod).lastState.terminated.reason, 'Error');
    const obj = h.store.get(PC, 'default', 'container-kill')!;
    assert.equal(obj.status.experiment.containerRecords[0].id, `default/${pod.metadata.name}/hotel-reserv-user`);
    h.store.delete(PC, 'default', 'container-kill');
    h.run(3000);
    assert.equal(h.store.get(PC, 'default', 'container-kill'), undefined);
    assert.equal(status(h.pods('default', 'io.kompose.service', 'user')[0]).restartCount, 1);
  });

  it('pod-kill deletes the pod and its ReplicaSet replaces it', () => {
    h.create('deployments.apps', user());
    h.run(5000);
    const [before] = h.pods('default', 'io.kompose.service', 'user');
    h.create(PC, chaos('PodChaos', 'pk', { action: 'pod-kill', gracePeriod: 0 }));
    h.run(5000);
    const after = h.pods('default', 'io.kompose.service', 'user');
    assert.equal(after.length, 1);
    assert.notEqual(after[0].metadata.name, before.metadata.name);
  });

  it('mode one picks exactly one of three pods; mode all picks every pod', () => {
    h.create('deployments.apps', user(3));
    h.run(5000);
    h.create(PC, chaos('PodChaos', 'one', { action: 'pod-failure' }));
    h.run(3000);
    assert.equal(h.pods('default', 'io.kompose.service', 'user').filter((p) => p.spec.containers[0].image === PAUSE_IMAGE).length, 1);
    h.store.delete(PC, 'default', 'one');
    h.run(3000);
    h.create(PC, chaos('PodChaos', 'all', { action: 'pod-failure', mode: 'all' }));
    h.run(3000);
    assert.equal(h.pods('default', 'io.kompose.service', 'user').filter((p) => p.spec.containers[0].image === PAUSE_IMAGE).length, 3);
  });

  it('NetworkChaos, StressChaos and KernelChaos get records and status, and leave the pod running', () => {
    h.create('deployments.apps', user());
    h.run(5000);
    const [pod] = h.pods('default', 'io.kompose.service', 'user');
    h.create('networkchaos.chaos-mesh.org', chaos('NetworkChaos', 'loss', { action: 'loss', loss: { loss: '99', correlation: '100' }, duration: '200s' }));
    h.create('stresschaos.chaos-mesh.org', chaos('StressChaos', 'cpu', { stressors: { cpu: { workers: 1 } }, duration: '200s' }));
    h.create('kernelchaos.chaos-mesh.org', chaos('KernelChaos', 'kernel-chaos', { failKernRequest: { callchain: [{ funcname: '__x64_sys_mount' }], failtype: 0 } }));
    h.run(2000);
    const loss = h.store.get('networkchaos.chaos-mesh.org', 'default', 'loss')!;
    assert.equal(loss.status.experiment.containerRecords[0].id, `default/${pod.metadata.name}`);
    assert.equal(loss.status.experiment.containerRecords[0].phase, 'Injected');
    const cpu = h.store.get('stresschaos.chaos-mesh.org', 'default', 'cpu')!;
    assert.equal(cpu.status.experiment.containerRecords[0].id, `default/${pod.metadata.name}/hotel-reserv-user`);
    const k = h.store.get('kernelchaos.chaos-mesh.org', 'default', 'kernel-chaos')!;
    assert.equal(k.status.experiment.containerRecords[0].id, `default/${pod.metadata.name}`);
    assert.equal(k.status.experiment.containerRecords[0].phase, 'Injected');
    assert.ok(!reasons('KernelChaos', 'kernel-chaos').includes('Failed'));
    assert.equal(status(h.store.get('pods', 'default', pod.metadata.name!)!).restartCount, 0);
  });
  it('pause annotation recovers (Paused condition) and removing it injects again', () => {
    h.create('deployments.apps', user());
    h.run(5000);
    h.create(PC, chaos('PodChaos', 'pf', { action: 'pod-failure', duration: '200s' }));
    h.run(2000);
    const pause = (value?: string) => {
      const o = structuredClone(h.store.get(PC, 'default', 'pf')!);
      o.metadata.annotations = value ? { 'experiment.chaos-mesh.org/pause': value } : {};
      h.store.update(PC, o);
      h.run(2000);
      return h.store.get(PC, 'default', 'pf')!;
    };
    let obj = pause('true');
    assert.equal(obj.status.experiment.desiredPhase, 'Stop');
    assert.ok(obj.status.conditions.some((c: any) => c.type === 'Paused' && c.status === 'True')); // eslint-disable-line @typescript-eslint/no-explicit-any
    assert.equal(h.pods('default', 'io.kompose.service', 'user')[0].spec.containers[0].image, 'yinfangchen/hotelreservation:latest');
    obj = pause(undefined);
    assert.equal(obj.status.experiment.desiredPhase, 'Run');
    assert.equal(obj.status.experiment.containerRecords[0].injectedCount, 2);
    assert.equal(h.pods('default', 'io.kompose.service', 'user')[0].spec.containers[0].image, PAUSE_IMAGE);
    assert.ok(reasons('PodChaos', 'pf').includes('Paused'));
  });
});
