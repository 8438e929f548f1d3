import assert from 'node:assert/strict';
import { FakeStore, ManualClock, deployApp, podsOf } from './fixtures';
import { SimEngine } from '../../../src/twin/sim/engine';
import { loadModel } from '../../../src/twin/sim/load-model';
import { instantQuery } from '../../../src/twin/telemetry/promql';
import type { KubeObject } from '../../../src/twin/contracts';

const NS = 'test-hotel-reservation';

function setup(seed = 1): { clock: ManualClock; store: FakeStore; engine: SimEngine } {
  const clock = new ManualClock();
  const store = new FakeStore(clock);
  deployApp(store, 'hotel-reservation', NS);
  const engine = new SimEngine({ model: loadModel('hotel-reservation'), store, clock, seed });
  return { clock, store, engine };
}

function run(clock: ManualClock, engine: SimEngine, ms: number): void {
  clock.advance(ms);
  engine.advanceTo();
}

function one(engine: SimEngine, query: string): number {
  const v = instantQuery(engine.metrics, query, engine.now());
  assert.equal(v.type, 'vector');
  const s = (v as { samples: Array<{ v: number }> }).samples;
  assert.equal(s.length, 1, `${query}: ${JSON.stringify(s)}`);
  return s[0].v;
}

const SEARCH = { name: 'search', weight: 1, service: 'frontend', operation: 'HTTP GET /hotels' };
const LOGIN = { name: 'login', weight: 1, service: 'frontend', operation: 'HTTP POST /user' };

function chaos(kind: string, name: string, service: string, spec: Record<string, unknown>): KubeObject {
  return { apiVersion: 'chaos-mesh.org/v1alpha1', kind, metadata: { name, namespace: NS }, spec: { mode: 'one', selector: { labelSelectors: { 'io.kompose.service': service } }, ...spec } };
}

describe('twin simulation: more fault kinds', () => {
  it('StressChaos on geo: container CPU saturates its 1-core limit (throttling), geo gets slower; gone after deletion', () => {
    const { clock, store, engine } = setup();
    engine.addWorkload({ rate: 20, entries: [SEARCH] });
    run(clock, engine, 120_000);
    const cpu = 'rate(container_cpu_usage_seconds_total{pod=~"geo-.*",container="hotel-reserv-geo"}[1m])';
    const geoP50 = 'histogram_quantile(0.5, sum by (le) (rate(service_request_duration_seconds_bucket{service="geo"}[1m])))';
    assert.ok(one(engine, cpu) < 0.05);
    const before = one(engine, geoP50);
    store.create('stresschaos.chaos-mesh.org', chaos('StressChaos', 'stress', 'geo', { duration: '10m', stressors: { cpu: { workers: 2, load: 100 } } }));
    run(clock, engine, 120_000);
    assert.ok(one(engine, cpu) > 0.9, `cpu ${one(engine, cpu)}`);
    assert.ok(one(engine, 'rate(container_cpu_cfs_throttled_periods_total{pod=~"geo-.*",container="hotel-reserv-geo"}[1m])') > 0);
    assert.ok(one(engine, geoP50) > before * 1.5);
    const geoPod = podsOf(store, NS, 'io.kompose.service', 'geo')[0].metadata.name!;
    assert.ok(engine.containerUsage(geoPod, 'hotel-reserv-geo')!.cpuMillis > 900, 'kubectl top can show the same usage');
    store.delete('stresschaos.chaos-mesh.org', NS, 'stress');
    run(clock, engine, 120_000);
    assert.ok(one(engine, cpu) < 0.05);
  });

  it('HTTPChaos abort on user: CheckUser fails at the caller with a reset', () => {
    const { clock, store, engine } = setup();
    engine.addWorkload({ rate: 10, entries: [LOGIN] });
    store.create('httpchaos.chaos-mesh.org', chaos('HTTPChaos', 'abort', 'user', { target: 'Request', port: 8086, abort: true, duration: '5m' }));
    run(clock, engine, 60_000);
    assert.ok(engine.callErrors().some((e) => e.callee === 'user' && /connection reset by peer/.test(e.message)));
    assert.equal(one(engine, 'sum(rate(service_request_errors_total{service="frontend"}[1m])) / sum(rate(service_requests_total{service="frontend"}[1m]))'), 1);
  });

  it('profile running the geo binary (wrong command): GetProfiles finds no instance, geo keeps serving', () => {
    const { clock, store, engine } = setup();
    engine.addWorkload({ rate: 20, entries: [SEARCH] });
    run(clock, engine, 30_000);
    const [pod] = podsOf(store, NS, 'io.kompose.service', 'profile');
    pod.spec.containers[0].command = ['geo'];
    store.update('pods', pod);
    run(clock, engine, 30_000);
    const failed = engine.traces.find({ service: 'frontend', operation: '/profile.Profile/GetProfiles', tags: { error: 'true' } });
    assert.ok(failed.length > 0);
    assert.ok(engine.callErrors().some((e) => e.callee === 'profile' && e.message === 'rpc error: code = Unavailable desc = there is no connection available'));
    const geoRoute = engine.health().services.geo.route;
    assert.equal(geoRoute.kind === 'ok' && geoRoute.pods.length, 2, 'srv-geo has two live instances');
    assert.equal(engine.traces.find({ service: 'search', tags: { error: 'true' } }).length, 0);
  });

  it('a crash-looping geo container: searches fail fast, reservations and recommendations unaffected', () => {
    const { clock, store, engine } = setup();
    engine.addWorkload({ rate: 20, entries: [SEARCH, { name: 'recommend', weight: 1, service: 'frontend', operation: 'HTTP GET /recommendations' }] });
    run(clock, engine, 30_000);
    const [pod] = podsOf(store, NS, 'io.kompose.service', 'geo');
    pod.status.containerStatuses[0].state = { waiting: { reason: 'CrashLoopBackOff' } };
    pod.status.conditions = [{ type: 'Ready', status: 'False' }];
    store.update('pods', pod);
    run(clock, engine, 60_000);
    const bad = engine.traces.find({ service: 'frontend', operation: 'HTTP GET /hotels', tags: { error: 'true' }, limit: 1 });
    assert.ok(bad.length === 1);
    const ops = bad[0].spans.map((s) => s.operation);
    assert.ok(ops.includes('/geo.Geo/Nearby') && !ops.includes('/rate.Rate/GetRates') && !ops.includes('/profile.Profile/GetProfiles'));
    assert.ok(bad[0].spans.find((s) => s.operation === '/search.Search/Nearby' && s.service === 'search')!.tags.some(([k, v]) => k === 'response_class' && v === '5xx'));
    assert.equal(engine.traces.find({ service: 'frontend', operation: 'HTTP GET /recommendations', tags: { error: 'true' } }).length, 0);
    // No running container: no container series for geo any more, only the pause container and the pod cgroup.
    const v = instantQuery(engine.metrics, 'container_memory_working_set_bytes{pod=~"geo-.*"}', clock.now() - 1);
    assert.ok(v.type === 'vector' && v.samples.length >= 2);
  });

  it('container-kill on geo: a short outage with a few failed searches, then healthy', () => {
    const { clock, store, engine } = setup();
    engine.addWorkload({ rate: 100, entries: [SEARCH] });
    run(clock, engine, 10_000);
    store.create('podchaos.chaos-mesh.org', chaos('PodChaos', 'container-kill', 'geo', { action: 'container-kill', containerNames: ['hotel-reserv-geo'], duration: '200s' }));
    run(clock, engine, 30_000);
    const errs = engine.callErrors().filter((e) => e.callee === 'geo');
    assert.equal(errs.length, 1);
    assert.ok(errs[0].count > 50 && errs[0].count < 400, String(errs[0].count));
    assert.ok(errs[0].lastMs - errs[0].firstMs <= 2100);
  });

  it('reads the wrk2 Job the env layer launches: one-shot 10 s at 10 req/s, then no traffic', () => {
    const { clock, store, engine } = setup();
    store.create('jobs.batch', {
      apiVersion: 'batch/v1', kind: 'Job', metadata: { name: 'wrk2-job', namespace: 'default' },
      spec: { template: { spec: { containers: [{ name: 'wrk2', image: 'deathstarbench/wrk2-client:latest', args: ['wrk', '-D', 'exp', '-t', '2', '-c', '2', '-d', '10s', '-L', '-s', '/scripts/mixed-workload_type_1.lua', `http://frontend.${NS}.svc.cluster.local:5000`, '-R', '10', '--latency'] }] } } },
    });
    run(clock, engine, 60_000);
    const id = engine.workloadIds().find((w) => w.startsWith('job/'))!;
    const stats = engine.clientStats(id)!;
    assert.ok(stats.requests > 70 && stats.requests < 130, String(stats.requests));
    assert.equal(stats.non2xx, 0);
    const n = engine.requestsSimulated;
    run(clock, engine, 60_000);
    assert.equal(engine.requestsSimulated, n);
  });
});

describe('twin simulation: the workload enters through the frontend Service', () => {
  it('HotelReservation frontend Service with a wrong targetPort: wrk2 cannot connect, no spans at all', () => {
    const { clock, store, engine } = setup();
    const id = engine.addWorkload({ rate: 10, entries: [SEARCH] });
    const svc = store.get('services', NS, 'frontend')!;
    svc.spec.ports[0].targetPort = 5001;
    store.update('services', svc);
    run(clock, engine, 30_000);
    assert.ok(engine.clientStats(id)!.connectErrors > 200);
    assert.equal(engine.traces.count, 0);
  });
});

describe('twin simulation: hooks for the apps behaviours', () => {
  it('a process that never opens its port (url-shorten-service stuck in its index loop): text-service is refused, composes fail', () => {
    const clock = new ManualClock();
    const store = new FakeStore(clock);
    const SN = 'test-social-network';
    deployApp(store, 'social-network', SN);
    let stuck = false;
    const engine = new SimEngine({
      model: loadModel('social-network'), store, clock, seed: 2, sampleRatio: 1,
      listening: (pod) => (stuck && pod.metadata.labels?.service === 'url-shorten-service' ? [] : undefined),
    });
    engine.addWorkload({ rate: 10, script: 'compose-post.lua' });
    run(clock, engine, 30_000);
    stuck = true;
    store.update('pods', store.list('pods', SN)[0]); // any store change makes the engine look again
    run(clock, engine, 30_000);
    assert.ok(engine.callErrors(clock.now() - 10_000).some((e) => e.caller === 'text-service' && e.message === 'TSocket::open() connect() <Host: url-shorten-service Port: 9090>: Connection refused'));
    const t = engine.traces.find({ service: 'nginx-thrift', tags: { error: 'true' }, limit: 1 })[0];
    const ops = t.spans.map((s) => s.operation);
    assert.ok(ops.includes('compose_urls_client') && !ops.includes('compose_urls_server'));
  });

  it('wrk2OracleFor and callErrorsHook answer per request of the wrk2 Job and per namespace', async () => {
    const { startTelemetry, wrk2OracleFor, callErrorsHook } = await import('../../../src/twin/telemetry/servers');
    const clock = new ManualClock();
    const store = new FakeStore(clock);
    deployApp(store, 'hotel-reservation', NS);
    const tel = await startTelemetry({ store, clock, apps: ['hotel-reservation'], tickMs: 0 });
    try {
      const job = store.create('jobs.batch', {
        apiVersion: 'batch/v1', kind: 'Job', metadata: { name: 'wrk2-job', namespace: 'default' },
        spec: { template: { spec: { containers: [{ name: 'wrk2', image: 'deathstarbench/wrk2-client:latest', args: ['wrk', '-D', 'exp', '-t', '2', '-c', '2', '-d', '10s', '-L', '-s', '/scripts/mixed-workload_type_1.lua', `http://frontend.${NS}.svc.cluster.local:5000`, '-R', '10'] }] } } },
      });
      clock.advance(20_000);
      const oracle = wrk2OracleFor(tel);
      const run0 = { targetNamespace: NS, startMs: Date.parse(String(job.metadata.creationTimestamp)) + 1500, rate: 10 };
      const first = oracle(undefined, run0, 0)!;
      assert.equal(first.status, 200);
      assert.ok(first.latencyMs > 0 && first.latencyMs < 100);
      assert.equal(oracle(undefined, { ...run0, targetNamespace: 'elsewhere' }, 0), undefined);
      assert.deepEqual(callErrorsHook(tel)(NS, 0), []);
    } finally {
      await tel.stop();
    }
  });
});
