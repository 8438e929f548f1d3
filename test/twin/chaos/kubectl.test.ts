import { strict as assert } from 'node:assert';
import type { TwinHandle } from '../../../src/twin';
import type { Kubectl } from '../../../src/env/kubectl';
import { injectorFor } from '../../../src/env/faults';
import type { FaultSpec } from '../../../src/core/problems/types';
import type { AppDefinition } from '../../../src/core/apps/types';
import { CHAOS_NAMESPACE as CM } from '../../../src/env/faults/chaos-mesh';
import { eventually as until, faultContext, podsIn, useTwinProcess } from '../../support/twin-process';

const NS = 'chaos-test';
const app: AppDefinition = { id: 'chaos-app', name: 'Chaos', namespace: NS, description: '', supportedOperations: [], serviceLabel: 'io.kompose.service', deploy: { kind: 'none' } };

function deployment(service: string, replicas = 1): string {
  return `
apiVersion: apps/v1
kind: Deployment
metadata: {name: ${service}, namespace: ${NS}, labels: {io.kompose.service: ${service}}}
spec:
  replicas: ${replicas}
  selector: {matchLabels: {io.kompose.service: ${service}}}
  template:
    metadata: {labels: {io.kompose.service: ${service}}}
    spec:
      containers:
      - {name: hotel-reserv-${service}, image: "nginx:1.25", ports: [{containerPort: 8086}]}
`;
}

const MANIFEST = [`apiVersion: v1\nkind: Namespace\nmetadata: {name: ${NS}}\n`, deployment('user'), deployment('geo'), deployment('triple', 3)].join('---\n');

/** A Chaos Mesh experiment as these tests read it back. */
interface ChaosJson {
  status: {
    experiment: { desiredPhase?: string; containerRecords: Array<{ id: string; phase: string }> };
    conditions: Array<{ type: string; status: string }>;
  };
}

describe('twin Chaos Mesh controller through the real kubectl and our injectors', function () {
  this.timeout(60_000);
  let twin: TwinHandle;
  let kubectl: Kubectl;

  const ctx = (fault: FaultSpec) => faultContext({ twin, kubectl }, app, fault);
  const podsOf = (service: string) => podsIn(kubectl, NS, `io.kompose.service=${service}`);
  const chaos = (kind: string, name: string) => kubectl.json<ChaosJson>(['get', kind, name, '-n', CM]);
  const runningWithRestarts = (service: string, restarts: number) => until(`${service} Running with ${restarts} restarts`, async () => {
    const out = await kubectl.run(['get', 'pods', '-n', NS, '-l', `io.kompose.service=${service}`, '--no-headers']);
    const cols = out.trim().split(/\s+/);
    return cols[1] === '1/1' && cols[2] === 'Running' && cols[3] === String(restarts) ? out : undefined;
  });

  useTwinProcess('aiopslab-chaos-', async (t) => {
    ({ twin, kubectl } = t);
    await kubectl.run(['apply', '-f', '-'], MANIFEST);
    await until('5 running pods', async () => (await podsIn(kubectl, NS)).filter((p) => p.status.phase === 'Running').length === 5);
  });

  it('pod-failure: pause image and annotation, RESTARTS 1; deleting the PodChaos restores the image, RESTARTS 2', async () => {
    const fault: FaultSpec = { kind: 'chaos-pod-failure', target: 'user', params: { duration: '200s' } };
    await injectorFor(fault.kind).inject(ctx(fault));
    await runningWithRestarts('user', 1);
    const [pod] = await podsOf('user');
    const describe = await kubectl.run(['describe', 'pod', pod.metadata.name, '-n', NS]);
    assert.match(describe, /Image:\s+gcr\.io\/google-containers\/pause:latest/);
    assert.match(describe, /hotel-reserv-user-normal: nginx:1\.25/);
    assert.match(describe, /Container hotel-reserv-user definition changed, will be restarted/);

    const yaml = await kubectl.run(['get', 'podchaos', `${NS}-pod-failure-experiment`, '-n', CM, '-o', 'yaml']);
    assert.match(yaml, /desiredPhase: Run/);
    assert.match(yaml, new RegExp(`id: ${NS}/${pod.metadata.name}`));
    assert.match(yaml, /phase: Injected/);
    assert.match(yaml, /- chaos-mesh\/records/);
    const events = await kubectl.run(['get', 'events', '-n', CM, '--field-selector', 'involvedObject.kind=PodChaos']);
    assert.match(events, new RegExp(`Applied\\s+podchaos/${NS}-pod-failure-experiment\\s+Successfully apply chaos for ${NS}/${pod.metadata.name}`));
    assert.match(events, /FinalizerInited/);
    // As Chaos Mesh records them: on the experiment, in its namespace — none among the app's own events.
    assert.doesNotMatch(await kubectl.run(['get', 'events', '-n', NS]), /podchaos|apply chaos/i);

    await injectorFor(fault.kind).recover(ctx(fault)); // kubectl delete: recovers first, then the object goes
    assert.equal((await kubectl.run(['get', 'podchaos', '-n', CM, '--no-headers', '--ignore-not-found'])).trim(), '');
    await runningWithRestarts('user', 2);
    const [after] = await podsOf('user');
    assert.equal(after.metadata.name, pod.metadata.name);
    assert.equal(after.spec.containers[0].image, 'nginx:1.25');
    assert.equal(after.metadata.annotations?.['hotel-reserv-user-normal'], undefined);
  });

  it('container-kill: RESTARTS 1, Last State Terminated with exit code 137', async () => {
    const fault: FaultSpec = { kind: 'chaos-container-kill', target: 'geo', params: { container: 'hotel-reserv-geo' } };
    await injectorFor(fault.kind).inject(ctx(fault));
    await runningWithRestarts('geo', 1);
    const [pod] = await podsOf('geo');
    const describe = await kubectl.run(['describe', 'pod', pod.metadata.name, '-n', NS]);
    assert.match(describe, /Last State:\s+Terminated\n\s+Reason:\s+Error\n\s+Exit Code:\s+137/);
    const events = await kubectl.run(['get', 'events', '-n', CM, '--field-selector', `involvedObject.name=${NS}-container-kill`]);
    assert.match(events, new RegExp(`Successfully apply chaos for ${NS}/${pod.metadata.name}/hotel-reserv-geo`));
    await injectorFor(fault.kind).recover(ctx(fault));
    await runningWithRestarts('geo', 1);
  });

  it('duration expiry: recovered, desiredPhase Stop, TimeUp event, the object stays', async () => {
    const fault: FaultSpec = { kind: 'chaos-pod-failure', target: 'user', params: { duration: '2s', name: 'short' } };
    await injectorFor(fault.kind).inject(ctx(fault));
    const obj = await until('desiredPhase Stop', async () => {
      const o = await chaos('podchaos', `${NS}-short`);
      return o.status?.experiment?.desiredPhase === 'Stop' && o.status.experiment.containerRecords?.[0]?.phase === 'Not Injected' ? o : undefined;
    });
    assert.ok(obj.status.conditions.some((c) => c.type === 'AllRecovered' && c.status === 'True'));
    const describe = await kubectl.run(['describe', 'podchaos', `${NS}-short`, '-n', CM]);
    assert.match(describe, /TimeUp\s+\S+\s+desiredphase\s+Time up according to the duration/);
    assert.match(describe, /Recovered\s+\S+\s+records\s+Successfully recover chaos for/);
    await runningWithRestarts('user', 4);
    assert.equal((await podsOf('user'))[0].spec.containers[0].image, 'nginx:1.25');
    await injectorFor(fault.kind).recover(ctx(fault));
  });

  it('pod-kill: the pod is deleted and recreated under a new name', async () => {
    const [before] = await podsOf('user');
    const fault: FaultSpec = { kind: 'chaos-pod-kill', target: 'user', params: { action: 'pod-kill' } };
    await injectorFor(fault.kind).inject(ctx(fault));
    await until('a new user pod', async () => {
      const pods = await podsOf('user');
      return pods.length === 1 && pods[0].metadata.name !== before.metadata.name && pods[0].status?.phase === 'Running';
    });
    await injectorFor(fault.kind).recover(ctx(fault));
  });

  it('mode one picks exactly one of three pods', async () => {
    const fault: FaultSpec = { kind: 'chaos-pod-failure', target: 'triple', params: { name: 'one-of-three' } };
    await injectorFor(fault.kind).inject(ctx(fault));
    await until('one paused pod', async () => (await podsOf('triple')).filter((p) => p.spec.containers[0].image === 'gcr.io/google-containers/pause:latest').length === 1);
    const records = (await chaos('podchaos', `${NS}-one-of-three`)).status.experiment.containerRecords;
    assert.equal(records.length, 1);
    await injectorFor(fault.kind).recover(ctx(fault));
    assert.equal((await podsOf('triple')).filter((p) => p.spec.containers[0].image === 'gcr.io/google-containers/pause:latest').length, 0);
  });

  it('NetworkChaos delay / loss (F9): records and events only — the selected pod keeps its name, image and restart count', async () => {
    const snapshot = async () => (await podsOf('triple')).map((p) => `${p.metadata.name} ${p.spec.containers[0].image} ${p.status.containerStatuses?.[0].restartCount}`).sort();
    const before = await snapshot();
    for (const fault of [
      { kind: 'chaos-network-delay', target: 'triple', params: { name: 'delay', latency: '10s', jitter: '0ms', correlation: '100', duration: '200s', mode: 'one' } },
      { kind: 'chaos-network-loss', target: 'triple', params: { name: 'loss', loss: '99', correlation: '100', duration: '200s', mode: 'one' } },
    ] as FaultSpec[]) {
      await injectorFor(fault.kind).inject(ctx(fault));
      const name = String(fault.params.name);
      const obj = await until(`${name} injected`, async () => {
        const o = await chaos('networkchaos', `${NS}-${name}`);
        return o.status?.experiment?.containerRecords?.[0]?.phase === 'Injected' ? o : undefined;
      });
      assert.equal(obj.status.experiment.containerRecords.length, 1, 'mode one: one of the three pods');
      assert.match(obj.status.experiment.containerRecords[0].id, new RegExp(`^${NS}/triple-`));
      const events = await kubectl.run(['get', 'events', '-n', CM, '--field-selector', `involvedObject.kind=NetworkChaos,involvedObject.name=${NS}-${name}`]);
      assert.match(events, new RegExp(`Successfully apply chaos for ${obj.status.experiment.containerRecords[0].id}`));
      assert.deepEqual(await snapshot(), before, 'no restart, no image change');
      await injectorFor(fault.kind).recover(ctx(fault));
      assert.equal((await kubectl.run(['get', 'networkchaos', `${NS}-${name}`, '-n', CM, '--ignore-not-found'])).trim(), '');
    }
    assert.deepEqual(await snapshot(), before);
  });

  it('KernelChaos: injected into one geo pod (record Injected, no Failed event), which keeps running untouched', async () => {
    const [geo] = await podsOf('geo');
    const fault: FaultSpec = { kind: 'kernel-chaos', target: 'geo', params: { mode: 'one' } };
    await injectorFor(fault.kind).inject(ctx(fault));
    const obj = await until('the record Injected', async () => {
      const o = (await kubectl.json<{ items: ChaosJson[] }>(['get', 'kernelchaos', '-n', CM])).items[0];
      return o?.status?.experiment?.containerRecords?.[0]?.phase === 'Injected' ? o : undefined;
    });
    assert.equal(obj.status.experiment.containerRecords[0].id, `${NS}/${geo.metadata.name}`);
    assert.doesNotMatch(await kubectl.run(['get', 'events', '-n', CM, '--field-selector', 'involvedObject.kind=KernelChaos']), /Failed/);
    const [after] = await podsOf('geo');
    assert.deepEqual([after.metadata.name, after.status.containerStatuses?.[0].restartCount], [geo.metadata.name, geo.status.containerStatuses?.[0].restartCount]);
    await injectorFor(fault.kind).recover(ctx(fault));
  });
});
