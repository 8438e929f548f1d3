import assert from 'node:assert/strict';
import { FakeStore, T0, deployApp, podsOf } from './fixtures';
import { ManualClock } from '../../../src/twin/cluster/clock';
import { SimEngine } from '../../../src/twin/sim/engine';
import { loadModel } from '../../../src/twin/sim/load-model';
import { instantQuery } from '../../../src/twin/telemetry/promql';
import { traceJson } from '../../../src/twin/telemetry/jaeger-api';
import { selectPods, startChaosController, type ChaosController } from '../../../src/twin/chaos';
import type { KubeObject } from '../../../src/twin/contracts';

const NS = 'test-hotel-reservation';
const LOGIN = { name: 'login', weight: 1, service: 'frontend', operation: 'HTTP POST /user' };

function chaos(kind: string, name: string, spec: Record<string, unknown>): KubeObject {
  return { apiVersion: 'chaos-mesh.org/v1alpha1', kind, metadata: { name, namespace: NS }, spec: { mode: 'one', selector: { labelSelectors: { 'io.kompose.service': 'user' } }, ...spec } };
}

/**
 * Two replicas of user; the Chaos Mesh controller picks one (mode one, by its seed) and records it in
 * status.experiment.containerRecords. The seed is chosen so that the pick is NOT the first pod by name, which is
 * what the simulation used to assume.
 */
function setup(kind: string, resource: string, spec: Record<string, unknown>): { clock: ManualClock; store: FakeStore; engine: SimEngine; ctl: ChaosController; selected: string; other: string } {
  const clock = new ManualClock(T0);
  const store = new FakeStore(clock);
  deployApp(store, 'hotel-reservation', NS);
  const [first] = podsOf(store, NS, 'io.kompose.service', 'user');
  const second = structuredClone(first);
  second.metadata.name = first.metadata.name!.replace(/-a/, '-b');
  delete second.metadata.uid;
  second.status.podIP = '10.244.1.99';
  store.create('pods', second);
  const names = podsOf(store, NS, 'io.kompose.service', 'user').map((p) => p.metadata.name!).sort();
  assert.equal(names.length, 2);
  const engine = new SimEngine({ model: loadModel('hotel-reservation'), store, clock, seed: 3 });
  engine.addWorkload({ rate: 20, entries: [LOGIN] });
  const obj = { ...chaos(kind, 'exp', spec), metadata: { name: 'exp', namespace: NS, uid: 'chaos-uid-1' } };
  let seed = 0;
  while (selectPods(store, obj, String(seed))[0].metadata.name === names[0]) seed++;
  const ctl = startChaosController({ store, clock, seed, killContainer: () => true, log: (m) => { throw new Error(m); } });
  store.create(resource, obj);
  clock.advance(10);
  const records = store.get(resource, NS, 'exp')!.status.experiment.containerRecords as Array<{ id: string; phase: string }>;
  assert.equal(records.length, 1, 'mode one: one record');
  assert.equal(records[0].phase, 'Injected');
  const selected = records[0].id.split('/')[1];
  assert.equal(selected, names[1], 'the controller picked the second pod by name');
  return { clock, store, engine, ctl, selected, other: names[0] };
}

describe('twin simulation: chaos acts on the pods the Chaos Mesh controller selected', () => {
  it('NetworkChaos delay 10 s, mode one, 2 replicas of user: only calls served by the recorded pod are slow (Jaeger hostname shows which)', () => {
    const { clock, store, engine, ctl, selected, other } = setup('NetworkChaos', 'networkchaos.chaos-mesh.org', { action: 'delay', delay: { latency: '10s' }, duration: '10m' });
    try {
      clock.advance(90_000);
      engine.advanceTo();
      const slow = new Map<string, number>([[selected, 0], [other, 0]]);
      const fast = new Map<string, number>([[selected, 0], [other, 0]]);
      for (const t of engine.traces.find({ service: 'user', limit: 1000 })) {
        const json = traceJson(t) as { spans: Array<{ spanID: string; references: Array<{ spanID: string }>; duration: number; processID: string; operationName: string }>; processes: Record<string, { serviceName: string; tags: Array<{ key: string; value: unknown }> }> };
        const server = json.spans.find((s) => json.processes[s.processID].serviceName === 'user')!;
        const host = String(json.processes[server.processID].tags.find((x) => x.key === 'hostname')!.value);
        const client = json.spans.find((s) => s.spanID === server.references[0].spanID)!;
        assert.equal(json.processes[client.processID].serviceName, 'frontend');
        if (client.duration >= 10_000_000) slow.set(host, slow.get(host)! + 1);
        else if (client.duration < 100_000) fast.set(host, fast.get(host)! + 1);
      }
      assert.ok(slow.get(selected)! > 20, `calls into ${selected} take ≥ 10 s: ${JSON.stringify([...slow])}`);
      assert.equal(fast.get(selected), 0, 'no fast call into the delayed pod');
      assert.ok(fast.get(other)! > 20, `calls into ${other} stay fast: ${JSON.stringify([...fast])}`);
      assert.equal(slow.get(other), 0, 'no slow call into the pod that was not selected');
      // The client-side p99 of calls into user now reflects the delay (half the calls, mode one of 2).
      const p99 = instantQuery(engine.metrics, 'histogram_quantile(0.99, sum by (le) (rate(service_client_request_duration_seconds_bucket{target="user"}[1m])))', engine.now());
      assert.ok((p99 as { samples: Array<{ v: number }> }).samples[0].v >= 10);

      // Recovery: deleting the object recovers the record; every call is fast again.
      store.delete('networkchaos.chaos-mesh.org', NS, 'exp');
      const since = clock.now() + 1000;
      clock.advance(60_000);
      engine.advanceTo();
      const after = engine.traces.find({ service: 'user', startUs: since * 1000, limit: 1000 });
      assert.ok(after.length > 100);
      assert.ok(after.every((t) => t.endUs - t.startUs < 1_000_000), 'no slow request after recovery');
    } finally {
      ctl.stop();
      engine.stop();
    }
  });

  it('StressChaos, mode one, 2 replicas: only the recorded pod\'s container CPU rises in Prometheus', () => {
    const { clock, engine, ctl, selected, other } = setup('StressChaos', 'stresschaos.chaos-mesh.org', { duration: '10m', stressors: { cpu: { workers: 2, load: 100 } } });
    try {
      clock.advance(120_000);
      engine.advanceTo();
      const cpu = (pod: string) => {
        const v = instantQuery(engine.metrics, `rate(container_cpu_usage_seconds_total{pod="${pod}",container="hotel-reserv-user"}[1m])`, engine.now()) as { samples: Array<{ v: number }> };
        assert.equal(v.samples.length, 1, pod);
        return v.samples[0].v;
      };
      assert.ok(cpu(selected) > 0.9, `stressed pod ${cpu(selected)}`);
      assert.ok(cpu(other) < 0.05, `other pod ${cpu(other)}`);
      const top = instantQuery(engine.metrics, 'topk(1, rate(container_cpu_usage_seconds_total{namespace="test-hotel-reservation",container!="",container!="POD"}[1m]))', engine.now()) as { samples: Array<{ labels: Record<string, string> }> };
      assert.equal(top.samples[0].labels.pod, selected, 'topk finds the stressed pod');
    } finally {
      ctl.stop();
      engine.stop();
    }
  });

  for (const [mode, value, expected] of [['fixed', '2', 2], ['fixed-percent', '67', 2], ['all', undefined, 3]] as Array<[string, string | undefined, number]>) {
    it(`StressChaos mode ${mode}${value ? ` ${value}` : ''}, 3 replicas: exactly the ${expected} recorded pods are stressed`, () => {
      const clock = new ManualClock(T0);
      const store = new FakeStore(clock);
      deployApp(store, 'hotel-reservation', NS);
      const [first] = podsOf(store, NS, 'io.kompose.service', 'user');
      for (const [suffix, ip] of [['-b', '10.244.1.98'], ['-c', '10.244.1.99']]) {
        const extra = structuredClone(first);
        extra.metadata.name = first.metadata.name!.replace(/-a/, suffix);
        delete extra.metadata.uid;
        extra.status.podIP = ip;
        store.create('pods', extra);
      }
      const engine = new SimEngine({ model: loadModel('hotel-reservation'), store, clock, seed: 4 });
      const ctl = startChaosController({ store, clock, seed: 7, killContainer: () => true, log: (m) => { throw new Error(m); } });
      try {
        engine.addWorkload({ rate: 20, entries: [LOGIN] });
        const obj = chaos('StressChaos', 'stress', { mode, ...(value ? { value } : {}), duration: '10m', stressors: { cpu: { workers: 2, load: 100 } } });
        store.create('stresschaos.chaos-mesh.org', obj);
        clock.advance(120_000);
        engine.advanceTo();
        const records = store.get('stresschaos.chaos-mesh.org', NS, 'stress')!.status.experiment.containerRecords as Array<{ id: string; phase: string }>;
        const chosen = new Set(records.map((r) => r.id.split('/')[1]));
        assert.equal(chosen.size, expected);
        for (const p of podsOf(store, NS, 'io.kompose.service', 'user')) {
          const v = instantQuery(engine.metrics, `rate(container_cpu_usage_seconds_total{pod="${p.metadata.name}",container="hotel-reserv-user"}[1m])`, engine.now()) as { samples: Array<{ v: number }> };
          const stressed = v.samples[0].v > 0.9;
          assert.equal(stressed, chosen.has(p.metadata.name!), `${p.metadata.name}: cpu ${v.samples[0].v}, recorded ${chosen.has(p.metadata.name!)}`);
        }
      } finally {
        ctl.stop();
        engine.stop();
      }
    });
  }

  it('without a controller (plain objects), the selector is still evaluated by the simulation', () => {
    const clock = new ManualClock(T0);
    const store = new FakeStore(clock);
    deployApp(store, 'hotel-reservation', NS);
    const engine = new SimEngine({ model: loadModel('hotel-reservation'), store, clock, seed: 3 });
    store.create('networkchaos.chaos-mesh.org', chaos('NetworkChaos', 'exp', { action: 'delay', delay: { latency: '2s' }, duration: '10m' }));
    const [user] = podsOf(store, NS, 'io.kompose.service', 'user');
    clock.advance(1000);
    engine.advanceTo();
    assert.equal(engine.health().podsByName[user.metadata.name!].egressDelayMs, 2000);
    // Once a controller has handled it, only its records count: a record not (yet) injected means no effect.
    const obj = store.get('networkchaos.chaos-mesh.org', NS, 'exp')!;
    obj.metadata.finalizers = ['chaos-mesh/records'];
    obj.status = { experiment: { desiredPhase: 'Run', containerRecords: [{ id: `${NS}/${user.metadata.name}`, phase: 'Not Injected', selectorKey: '.', injectedCount: 0, recoveredCount: 0 }] } };
    store.update('networkchaos.chaos-mesh.org', obj);
    clock.advance(1000);
    engine.advanceTo();
    assert.equal(engine.health().podsByName[user.metadata.name!].egressDelayMs, 0);
    engine.stop();
  });
});
