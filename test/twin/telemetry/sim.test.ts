import assert from 'node:assert/strict';
import { FakeStore, ManualClock, deployApp, podsOf } from './fixtures';
import { SimEngine } from '../../../src/twin/sim/engine';
import { loadModel } from '../../../src/twin/sim/load-model';
import { computeHealth, snapshotFromStore } from '../../../src/twin/sim/health';
import { instantQuery, Value } from '../../../src/twin/telemetry/promql';
import type { KubeObject } from '../../../src/twin/contracts';

const HOTEL = 'test-hotel-reservation';
const SOCIAL = 'test-social-network';

function scalarOf(v: Value): number {
  if (v.type === 'scalar') return v.v;
  if (v.type === 'vector' && v.samples.length === 1) return v.samples[0].v;
  if (v.type === 'vector' && v.samples.length === 0) return NaN;
  throw new Error(`expected one sample, got ${JSON.stringify(v)}`);
}

function q(e: SimEngine, query: string): number {
  return scalarOf(instantQuery(e.metrics, query, e.now()));
}

function hotel(seed = 1): { clock: ManualClock; store: FakeStore; engine: SimEngine } {
  const clock = new ManualClock();
  const store = new FakeStore(clock);
  deployApp(store, 'hotel-reservation', HOTEL);
  const engine = new SimEngine({ model: loadModel('hotel-reservation'), store, clock, seed });
  return { clock, store, engine };
}

function social(): { clock: ManualClock; store: FakeStore; engine: SimEngine } {
  const clock = new ManualClock();
  const store = new FakeStore(clock);
  deployApp(store, 'social-network', SOCIAL);
  const engine = new SimEngine({ model: loadModel('social-network'), store, clock, seed: 3, sampleRatio: 1 });
  return { clock, store, engine };
}

function run(clock: ManualClock, engine: SimEngine, ms: number): void {
  clock.advance(ms);
  engine.advanceTo();
}

const LOGIN_ONLY = [{ name: 'login', weight: 1, service: 'frontend', operation: 'HTTP POST /user', method: 'POST', path: '/user' }];

function networkChaos(name: string, action: 'delay' | 'loss', service: string, extra: Record<string, unknown>, duration = '200s'): KubeObject {
  return {
    apiVersion: 'chaos-mesh.org/v1alpha1', kind: 'NetworkChaos',
    metadata: { name, namespace: HOTEL },
    spec: { action, mode: 'one', duration, selector: { namespaces: [HOTEL], labelSelectors: { 'io.kompose.service': service } }, ...extra },
  };
}

describe('twin simulation: HotelReservation', () => {
  it('healthy under the mixed workload: plausible rates, no errors, ms latencies', () => {
    const { clock, engine } = hotel();
    engine.addWorkload({ rate: 50, dist: 'exp', script: 'mixed-workload_type_1.lua' });
    run(clock, engine, 180_000);
    const fe = q(engine, 'sum(rate(service_requests_total{service="frontend"}[1m]))');
    assert.ok(fe > 35 && fe < 65, `frontend rate ${fe}`);
    const search = q(engine, 'sum(rate(service_requests_total{service="search"}[2m]))');
    assert.ok(search / fe > 0.5 && search / fe < 0.7, `search share ${search / fe}`);
    assert.equal(q(engine, 'sum(rate(service_request_errors_total[2m])) / sum(rate(service_requests_total[2m]))'), 0);
    const p50 = q(engine, 'histogram_quantile(0.5, sum by (le) (rate(service_request_duration_seconds_bucket{service="frontend"}[2m])))');
    const p99 = q(engine, 'histogram_quantile(0.99, sum by (le) (rate(service_request_duration_seconds_bucket{service="frontend"}[2m])))');
    assert.ok(p50 > 0.0005 && p50 < 0.02, `p50 ${p50}`);
    assert.ok(p99 >= p50 && p99 < 0.2, `p99 ${p99}`);
    // Every service of the call graph reports spans; no span is an error.
    assert.deepEqual(engine.traces.services(), ['frontend', 'geo', 'profile', 'rate', 'recommendation', 'reservation', 'search', 'user'].filter((s) => s !== 'user' || engine.traces.services().includes('user')));
    assert.equal(engine.traces.find({ service: 'frontend', tags: { error: 'true' } }).length, 0);
    // cAdvisor series exist for every pod, three cgroups each.
    const cpu = instantQuery(engine.metrics, `container_cpu_usage_seconds_total{namespace="${HOTEL}",pod=~"geo-.*"}`, engine.now());
    assert.equal(cpu.type === 'vector' && cpu.samples.length, 3);
  });

  it('container limits are read as Kubernetes quantities: a memory limit in milli-bytes is not read as megabytes', () => {
    const { clock, store, engine } = hotel();
    const [user] = podsOf(store, HOTEL, 'io.kompose.service', 'user');
    const container = user.spec!.containers[0];
    container.resources = { limits: { memory: '1288490188800m', cpu: '0.5' }, requests: { cpu: '250m' } };
    store.update('pods', user);
    run(clock, engine, 30_000);
    const selector = `{pod="${user.metadata.name}",container="${container.name}"}`;
    assert.equal(q(engine, `container_spec_memory_limit_bytes${selector}`), 1288490188.8);
    assert.equal(q(engine, `container_spec_cpu_quota${selector}`), 50_000);
    assert.equal(q(engine, `container_spec_cpu_shares${selector}`), 256);
  });

  it('NetworkChaos delay 10s on user: calls into user take >= 10 s (p99 and spans), the user server span stays fast', () => {
    const { clock, store, engine } = hotel();
    engine.addWorkload({ rate: 5, dist: 'exp', entries: LOGIN_ONLY });
    run(clock, engine, 60_000);
    store.create('networkchaos.chaos-mesh.org', networkChaos('delay', 'delay', 'user', { delay: { latency: '10s', correlation: '100', jitter: '0ms' } }));
    run(clock, engine, 120_000);
    const p99 = q(engine, 'histogram_quantile(0.99, sum by (le) (rate(service_client_request_duration_seconds_bucket{target="user"}[1m])))');
    assert.ok(p99 >= 10, `p99 ${p99}`);
    const slow = engine.traces.find({ service: 'frontend', operation: '/user.User/CheckUser', minDurationUs: 10_000_000 });
    assert.ok(slow.length > 100, `slow traces ${slow.length}`);
    const server = slow[0].spans.find((s) => s.service === 'user')!;
    assert.ok(server.durationUs < 100_000, 'time is on the wire, not in user');
    assert.ok(!slow[0].spans.some((s) => s.error), 'delay alone causes no errors');
    // Removing the fault: fast again.
    store.delete('networkchaos.chaos-mesh.org', HOTEL, 'delay');
    run(clock, engine, 120_000);
    const after = q(engine, 'histogram_quantile(0.99, sum by (le) (rate(service_client_request_duration_seconds_bucket{target="user"}[1m])))');
    assert.ok(after < 0.05, `p99 after recovery ${after}`);
  });

  it('NetworkChaos loss 99% on user: calls into user hang and fail (transport is closing) when the loss ends', () => {
    const { clock, store, engine } = hotel();
    engine.addWorkload({ rate: 5, dist: 'exp', entries: LOGIN_ONLY });
    run(clock, engine, 30_000);
    store.create('networkchaos.chaos-mesh.org', networkChaos('loss', 'loss', 'user', { loss: { loss: '99', correlation: '100' } }, '60s'));
    run(clock, engine, 30_000);
    // While the loss lasts the requests hang: nothing completes, so no new traces.
    const during = engine.traces.find({ service: 'frontend', tags: { error: 'true' } });
    assert.equal(during.length, 0);
    run(clock, engine, 60_000);
    const failed = engine.traces.find({ service: 'frontend', operation: '/user.User/CheckUser', tags: { error: 'true' }, limit: 1000 });
    assert.ok(failed.length > 100, `failed ${failed.length}`);
    const root = failed[0].spans.find((s) => !s.parentSpanId)!;
    assert.ok(root.tags.some(([k, v]) => k === 'http.status_code' && v === 500));
    assert.ok(engine.callErrors().some((e) => e.callee === 'user' && e.message === 'rpc error: code = Unavailable desc = transport is closing'));
    assert.ok(q(engine, 'sum(increase(service_client_request_errors_total{target="user"}[2m]))') > 100);
  });

  it('NetworkChaos loss 99% with correlation 100% drops every packet (netem\'s number never moves), with no correlation about 99%', () => {
    // Many calls into user while the loss lasts: the independent 1 % would let some through, each a trace with user's spans.
    const completedIntoUser = (correlation: string) => {
      const { clock, store, engine } = hotel(7);
      engine.addWorkload({ rate: 20, dist: 'exp', entries: LOGIN_ONLY });
      run(clock, engine, 10_000);
      store.create('networkchaos.chaos-mesh.org', networkChaos('loss', 'loss', 'user', { loss: { loss: '99', correlation } }, '600s'));
      run(clock, engine, 1_000);
      const from = clock.now() * 1000;
      run(clock, engine, 120_000);
      return engine.traces.find({ service: 'user', limit: 100_000 }).filter((t) => t.spans.some((sp) => sp.service === 'user' && sp.startUs >= from)).length;
    };
    assert.equal(completedIntoUser('100'), 0, 'a black hole: no call into user completes');
    assert.ok(completedIntoUser('0') > 0, 'independent 99 % loss lets about one call in a hundred through');
  });

  it('consul discovery: a wrong targetPort on the geo Service changes nothing; pod-failure on user gives "there is no connection available"', () => {
    const { clock, store, engine } = hotel();
    engine.addWorkload({ rate: 20, dist: 'exp', entries: [{ name: 'search', weight: 1, service: 'frontend', operation: 'HTTP GET /hotels' }, ...LOGIN_ONLY] });
    const geo = store.get('services', HOTEL, 'geo')!;
    geo.spec.ports[0].targetPort = 9999;
    store.update('services', geo);
    run(clock, engine, 60_000);
    assert.equal(engine.traces.find({ service: 'frontend', tags: { error: 'true' } }).length, 0);
    store.create('podchaos.chaos-mesh.org', { apiVersion: 'chaos-mesh.org/v1alpha1', kind: 'PodChaos', metadata: { name: 'pod-failure-experiment', namespace: HOTEL }, spec: { action: 'pod-failure', mode: 'one', duration: '100s', selector: { labelSelectors: { 'io.kompose.service': 'user' } } } });
    run(clock, engine, 60_000);
    const failed = engine.traces.find({ service: 'frontend', operation: '/user.User/CheckUser', tags: { error: 'true' } });
    assert.ok(failed.length > 0);
    assert.ok(!failed[0].spans.some((s) => s.service === 'user'), 'no user server span');
    assert.ok(engine.callErrors().some((e) => e.callee === 'user' && e.message === 'rpc error: code = Unavailable desc = there is no connection available'));
    // Searches are unaffected.
    assert.equal(engine.traces.find({ service: 'frontend', operation: 'HTTP GET /hotels', tags: { error: 'true' } }).length, 0);
    // The chaos ends after 100 s: healthy again.
    run(clock, engine, 60_000);
    const since = clock.now() - 15_000;
    assert.equal(engine.callErrors(since).length, 0);
  });

  it('is deterministic for a seed', () => {
    const a = hotel(7);
    const b = hotel(7);
    for (const x of [a, b]) { x.engine.addWorkload({ rate: 20 }); run(x.clock, x.engine, 30_000); }
    assert.equal(a.engine.spansSimulated, b.engine.spansSimulated);
    assert.deepEqual(a.engine.traces.find({ service: 'frontend', limit: 3 }), b.engine.traces.find({ service: 'frontend', limit: 3 }));
  });
});

describe('twin simulation: SocialNetwork', () => {
  it('targetPort 9999 on user-service: connection refused at compose-post-service, nginx 500, no compose_creator_server; fixed by restoring the port', () => {
    const { clock, store, engine } = social();
    engine.addWorkload({ rate: 10, dist: 'exp', script: 'compose-post.lua' });
    run(clock, engine, 60_000);
    assert.equal(q(engine, 'sum(rate(service_request_errors_total{service="nginx-thrift"}[1m]))'), 0);
    const svc = store.get('services', SOCIAL, 'user-service')!;
    svc.spec.ports[0].targetPort = 9999;
    store.update('services', svc);
    run(clock, engine, 60_000);
    const errRatio = q(engine, 'sum(rate(service_request_errors_total{service="nginx-thrift"}[30s])) / sum(rate(service_requests_total{service="nginx-thrift"}[30s]))');
    assert.equal(errRatio, 1);
    const traces = engine.traces.find({ service: 'nginx-thrift', tags: { 'http.status_code': '500' }, limit: 10 });
    assert.ok(traces.length > 0);
    const ops = traces[0].spans.map((s) => s.operation);
    assert.ok(ops.includes('compose_creator_client') && !ops.includes('compose_creator_server'));
    assert.ok(!ops.includes('store_post_client'), 'compose stops before storing');
    const creator = traces[0].spans.find((s) => s.operation === 'compose_creator_client')!;
    assert.equal(creator.error, false, 'C++ client spans are never error-tagged');
    const nginx = traces[0].spans.filter((s) => s.service === 'nginx-thrift');
    assert.ok(nginx.length === 2 && nginx.every((s) => s.error));
    assert.ok(engine.callErrors().some((e) => e.caller === 'compose-post-service' && e.message === 'TSocket::open() connect() <Host: user-service Port: 9090>: Connection refused'));
    // Health view: endpoints exist (pods ready) but nothing listens on 9999.
    assert.equal(engine.health().services['user-service'].route.kind, 'refused');
    svc.spec.ports[0].targetPort = 9090;
    store.update('services', svc);
    run(clock, engine, 60_000);
    assert.equal(q(engine, 'sum(rate(service_request_errors_total{service="nginx-thrift"}[30s]))'), 0);
  });

  it('user-service scaled to zero: no endpoints, callers refused; scaling back heals', () => {
    const { clock, store, engine } = social();
    engine.addWorkload({ rate: 10, dist: 'exp', script: 'compose-post.lua' });
    run(clock, engine, 30_000);
    const [pod] = podsOf(store, SOCIAL, 'service', 'user-service');
    store.delete('pods', SOCIAL, pod.metadata.name!);
    run(clock, engine, 60_000);
    assert.equal(engine.health().services['user-service'].route.kind, 'no-endpoints');
    assert.ok(q(engine, 'sum(rate(service_client_request_errors_total{service="compose-post-service",target="user-service"}[30s]))') > 5);
    assert.ok(engine.callErrors(clock.now() - 10_000).some((e) => /Connection refused/.test(e.message)));
    store.create('pods', pod);
    run(clock, engine, 60_000);
    assert.equal(q(engine, 'sum(rate(service_request_errors_total{service="nginx-thrift"}[30s]))'), 0);
  });
});

describe('twin simulation: health view and AstronomyShop flags', () => {
  it('is a pure function of a snapshot: Service without ready pods → no-endpoints; flagd flags are read from the ConfigMap', () => {
    const clock = new ManualClock();
    const store = new FakeStore(clock);
    deployApp(store, 'astronomy-shop', 'astronomy-shop');
    const model = loadModel('astronomy-shop');
    const snap = snapshotFromStore(store, 'astronomy-shop');
    const healthy = computeHealth(model, snap, clock.now());
    assert.equal(healthy.services.payment.route.kind, 'ok');
    assert.equal(healthy.flags.paymentFailure, 'off');
    const cm = snap.configMaps[0] as KubeObject & { data: Record<string, string> };
    const json = JSON.parse(cm.data['demo.flagd.json']);
    json.flags.paymentFailure.defaultVariant = '100%';
    const broken = computeHealth(model, { ...snap, configMaps: [{ ...cm, data: { 'demo.flagd.json': JSON.stringify(json) } }], pods: snap.pods.map((p) => (p.metadata.labels?.['app.kubernetes.io/name'] === 'cart' ? { ...p, status: { ...p.status, conditions: [{ type: 'Ready', status: 'False' }] } } : p)) }, clock.now());
    assert.equal(broken.services.cart.route.kind, 'no-endpoints');
    assert.equal(broken.flags.paymentFailure, '100%');
    assert.equal(broken.effects[0].service, 'payment');
  });

  it('paymentFailure 100%: checkouts fail with the demo error, other pages stay healthy; the load generator drives traffic', () => {
    const clock = new ManualClock();
    const store = new FakeStore(clock);
    deployApp(store, 'astronomy-shop', 'astronomy-shop');
    const engine = new SimEngine({ model: loadModel('astronomy-shop'), store, clock, seed: 5 });
    engine.addWorkload({ rate: 20, script: 'locust' });
    run(clock, engine, 30_000);
    assert.ok(engine.workloadIds().includes('load-generator'));
    const cm = store.get("configmaps", "astronomy-shop", "flagd-config")! as KubeObject & { data: Record<string, string> };
    const json = JSON.parse(cm.data['demo.flagd.json']);
    json.flags.paymentFailure.defaultVariant = '100%';
    store.update('configmaps', { ...cm, data: { 'demo.flagd.json': JSON.stringify(json, null, 2) } });
    run(clock, engine, 60_000);
    const failed = engine.traces.find({ service: 'payment', tags: { error: 'true' }, limit: 5 });
    assert.ok(failed.length > 0);
    assert.ok(engine.callErrors().some((e) => e.caller === 'checkout' && /Payment request failed\. Invalid token\. app\.loyalty\.level=gold/.test(e.message)));
    assert.equal(engine.traces.find({ service: 'frontend', operation: 'GET /api/cart', tags: { error: 'true' } }).length, 0);
  });
});

describe('twin simulation: more flagd flags', () => {
  function shop(): { clock: ManualClock; store: FakeStore; engine: SimEngine; setFlag: (flag: string, variant: string) => void } {
    const clock = new ManualClock();
    const store = new FakeStore(clock);
    deployApp(store, 'astronomy-shop', 'astronomy-shop');
    const engine = new SimEngine({ model: loadModel('astronomy-shop'), store, clock, seed: 9 });
    const setFlag = (flag: string, variant: string): void => {
      const cm = store.get('configmaps', 'astronomy-shop', 'flagd-config')! as KubeObject & { data: Record<string, string> };
      const json = JSON.parse(cm.data['demo.flagd.json']);
      json.flags[flag].defaultVariant = variant;
      store.update('configmaps', { ...cm, data: { 'demo.flagd.json': JSON.stringify(json, null, 2) } });
    };
    return { clock, store, engine, setFlag };
  }

  it('paymentUnreachable: checkout fails to reach payment (no payment spans), ground truth is the caller', () => {
    const { clock, engine, setFlag } = shop();
    engine.addWorkload({ rate: 30, entries: [{ name: 'checkout', weight: 1, service: 'frontend-proxy', operation: 'POST /api/checkout' }] });
    setFlag('paymentUnreachable', 'on');
    run(clock, engine, 30_000);
    assert.equal(engine.traces.find({ service: 'payment' }).length, 0);
    const e = engine.callErrors().find((x) => x.caller === 'checkout' && x.callee === 'payment')!;
    assert.equal(e.message, 'rpc error: code = Unavailable desc = name resolver error: produced zero addresses');
    setFlag('paymentUnreachable', 'off');
    run(clock, engine, 30_000);
    assert.ok(engine.traces.find({ service: 'payment' }).length > 0);
  });

  it('loadGeneratorFloodHomepage: request rate to the frontend jumps by an order of magnitude', () => {
    const { clock, engine, setFlag } = shop();
    run(clock, engine, 120_000);
    const before = q(engine, 'sum(rate(service_requests_total{service="frontend"}[1m]))');
    setFlag('loadGeneratorFloodHomepage', 'on');
    run(clock, engine, 120_000);
    const after = q(engine, 'sum(rate(service_requests_total{service="frontend"}[1m]))');
    assert.ok(before > 1 && after / before > 5, `${before} → ${after}`);
  });
});
