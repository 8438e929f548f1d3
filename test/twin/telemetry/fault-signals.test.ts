/**
 * Per fault kind: the signals a real cluster shows in metrics, traces and callers' errors, *and only those*
 * (services and paths that do not touch the faulty service stay healthy), and that recovery restores healthy
 * signals. Simulation level (manual clock, plain objects in a store); the pod states, events and log lines of the same
 * faults are asserted through the real kubectl in test/twin/apps/*.test.ts and test/twin/chaos/*.test.ts.
 */
import assert from 'node:assert/strict';
import { FakeStore, ManualClock, deployApp, podsOf } from './fixtures';
import { SimEngine } from '../../../src/twin/sim/engine';
import { loadModel } from '../../../src/twin/sim/load-model';
import { instantQuery, type Value } from '../../../src/twin/telemetry/promql';
import { ManualClock as ClusterClock } from '../../../src/twin/cluster/clock';
import { startChaosController } from '../../../src/twin/chaos';
import type { KubeObject } from '../../../src/twin/contracts';

const HOTEL = 'test-hotel-reservation';
const SOCIAL = 'test-social-network';
const SHOP = 'astronomy-shop';

interface World { clock: ManualClock; store: FakeStore; engine: SimEngine }

function world(app: string, ns: string, seed = 11): World {
  const clock = new ManualClock();
  const store = new FakeStore(clock);
  deployApp(store, app, ns);
  const engine = new SimEngine({ model: loadModel(app), store, clock, seed });
  return { clock, store, engine };
}

function run(w: World, ms: number): void {
  w.clock.advance(ms);
  w.engine.advanceTo();
}

function num(v: Value): number {
  if (v.type === 'scalar') return v.v;
  if (v.type === 'vector' && v.samples.length === 1) return v.samples[0].v;
  if (v.type === 'vector' && v.samples.length === 0) return NaN;
  throw new Error(`expected one sample, got ${JSON.stringify(v)}`);
}

function q(w: World, query: string): number {
  return num(instantQuery(w.engine.metrics, query, w.engine.now()));
}

/** Services whose server-side error counter grew over the last `window`. */
function failingServices(w: World, ns: string, window = '1m'): string[] {
  const v = instantQuery(w.engine.metrics, `sum by (service) (increase(service_request_errors_total{namespace="${ns}"}[${window}])) > 0`, w.engine.now());
  assert.equal(v.type, 'vector');
  return (v as { samples: Array<{ labels: Record<string, string> }> }).samples.map((s) => s.labels.service).sort();
}

/** caller→callee pairs with failed calls since `sinceMs`. */
function failingEdges(w: World, sinceMs: number): string[] {
  return [...new Set(w.engine.callErrors(sinceMs).map((e) => `${e.caller}→${e.callee}`))].sort();
}

function p99(w: World, selector: string, window = '1m'): number {
  return q(w, `histogram_quantile(0.99, sum by (le) (rate(${selector}[${window}])))`);
}

function networkChaos(name: string, action: 'delay' | 'loss', extra: Record<string, unknown>, duration: string): KubeObject {
  return {
    apiVersion: 'chaos-mesh.org/v1alpha1', kind: 'NetworkChaos', metadata: { name, namespace: HOTEL },
    spec: { action, mode: 'one', duration, selector: { namespaces: [HOTEL], labelSelectors: { 'io.kompose.service': 'user' } }, ...extra },
  };
}

const MIXED_HOTEL = 'mixed-workload_type_1.lua';

describe('twin fault signals: HotelReservation (and only those)', () => {
  it('NetworkChaos delay 10 s on user: p99 into user ≥ 10 s, /user and /reservation slow, no errors anywhere, search and recommendations fast; after the 200 s it is healthy', () => {
    const w = world('hotel-reservation', HOTEL);
    w.engine.addWorkload({ rate: 60, script: MIXED_HOTEL });
    run(w, 60_000);
    const start = w.clock.now();
    w.store.create('networkchaos.chaos-mesh.org', networkChaos('delay', 'delay', { delay: { latency: '10s', correlation: '100', jitter: '0ms' } }, '200s'));
    run(w, 120_000);
    assert.ok(p99(w, 'service_client_request_duration_seconds_bucket{target="user"}') >= 10);
    assert.ok(p99(w, 'service_request_duration_seconds_bucket{service="frontend",operation="HTTP POST /user"}') >= 10);
    const slow = w.engine.traces.find({ service: 'frontend', operation: '/user.User/CheckUser', minDurationUs: 10_000_000, limit: 5 });
    assert.ok(slow.length > 0, 'spans show the delay');
    // Only those: no errors, and paths that do not touch user keep their millisecond latencies.
    assert.deepEqual(failingServices(w, HOTEL, '2m'), []);
    assert.deepEqual(failingEdges(w, start), []);
    assert.ok(p99(w, 'service_request_duration_seconds_bucket{service="frontend",operation="HTTP GET /hotels"}') < 0.2);
    assert.ok(p99(w, 'service_request_duration_seconds_bucket{service="frontend",operation="HTTP GET /recommendations"}') < 0.2);
    assert.equal(w.engine.traces.find({ service: 'frontend', operation: 'HTTP GET /hotels', minDurationUs: 1_000_000 }).length, 0);
    // Recovery: the experiment's 200 s run out.
    run(w, 150_000);
    assert.ok(p99(w, 'service_client_request_duration_seconds_bucket{target="user"}') < 0.05);
    assert.deepEqual(failingServices(w, HOTEL), []);
  });

  it('NetworkChaos loss 99 % on user: only calls into user fail (transport is closing when the loss ends), searches stay healthy; afterwards no new errors', () => {
    const w = world('hotel-reservation', HOTEL);
    w.engine.addWorkload({ rate: 60, script: MIXED_HOTEL });
    run(w, 30_000);
    const start = w.clock.now();
    w.store.create('networkchaos.chaos-mesh.org', networkChaos('loss', 'loss', { loss: { loss: '99', correlation: '100' } }, '60s'));
    run(w, 30_000);
    assert.deepEqual(failingEdges(w, start), [], 'while the loss lasts the calls hang, nothing has failed yet');
    assert.ok(p99(w, 'service_request_duration_seconds_bucket{service="frontend",operation="HTTP GET /hotels"}', '30s') < 0.2, 'searches unaffected');
    run(w, 45_000);
    assert.deepEqual(failingEdges(w, start), ['frontend→user']);
    assert.ok(w.engine.callErrors(start).every((e) => e.message === 'rpc error: code = Unavailable desc = transport is closing'));
    assert.deepEqual(failingServices(w, HOTEL, '1m'), ['frontend']);
    assert.equal(w.engine.traces.find({ service: 'frontend', operation: 'HTTP GET /hotels', tags: { error: 'true' } }).length, 0);
    const after = w.clock.now();
    run(w, 60_000);
    assert.deepEqual(failingEdges(w, after), []);
    assert.deepEqual(failingServices(w, HOTEL, '30s'), []);
  });

  it('geo crash-looping (revoked role / dropped user / wrong image): search path 500 "there is no connection available", /user /reservation /recommendations 200; a healthy pod heals', () => {
    const w = world('hotel-reservation', HOTEL);
    w.engine.addWorkload({ rate: 60, script: MIXED_HOTEL });
    run(w, 30_000);
    const [pod] = podsOf(w.store, HOTEL, 'io.kompose.service', 'geo');
    const healthy = structuredClone(pod);
    pod.status.containerStatuses[0].state = { waiting: { reason: 'CrashLoopBackOff' } };
    pod.status.containerStatuses[0].ready = false;
    pod.status.conditions = [{ type: 'Ready', status: 'False' }];
    w.store.update('pods', pod);
    const start = w.clock.now();
    run(w, 60_000);
    assert.deepEqual(failingEdges(w, start), ['frontend→search', 'search→geo'], 'search passes the error on to frontend');
    assert.ok(w.engine.callErrors(start).every((e) => e.message === 'rpc error: code = Unavailable desc = there is no connection available'));
    assert.deepEqual(failingServices(w, HOTEL), ['frontend', 'search']);
    for (const op of ['HTTP POST /user', 'HTTP POST /reservation', 'HTTP GET /recommendations']) {
      assert.equal(w.engine.traces.find({ service: 'frontend', operation: op, tags: { error: 'true' } }).length, 0, op);
    }
    const bad = w.engine.traces.find({ service: 'frontend', operation: 'HTTP GET /hotels', tags: { error: 'true' }, limit: 1 })[0];
    const geoClient = bad.spans.find((s) => s.operation === '/geo.Geo/Nearby' && s.service === 'search')!;
    assert.ok(geoClient.error && !bad.spans.some((s) => s.service === 'geo'), 'geo client span errors, no geo server span');
    w.store.update('pods', healthy);
    const healed = w.clock.now();
    run(w, 60_000);
    assert.deepEqual(failingEdges(w, healed + 1000), []);
    assert.deepEqual(failingServices(w, HOTEL, '30s'), []);
  });

  it('redeploy without PV (fresh consul, data services crash-looping, Mongo Pending): every data call fails with "there is no address available"; healthy pods heal', () => {
    const w = world('hotel-reservation', HOTEL);
    w.engine.addWorkload({ rate: 40, script: MIXED_HOTEL });
    run(w, 30_000);
    const before = w.store.list('pods', HOTEL).map((p) => structuredClone(p));
    // The namespace is deleted and the app re-applied: every pod is new (new uid), consul starts empty.
    for (const p of before) w.store.delete('pods', HOTEL, p.metadata.name!);
    const data = new Set(['geo', 'profile', 'rate', 'recommendation', 'reservation', 'user']);
    for (const p of before) {
      const n = structuredClone(p);
      delete n.metadata.uid;
      n.metadata.name = n.metadata.name!.replace('5d8f7c9b4', '7b6c5d4e3');
      const svc = n.metadata.labels?.['io.kompose.service'] ?? '';
      if (svc.startsWith('mongodb-')) n.status = { phase: 'Pending', conditions: [{ type: 'PodScheduled', status: 'False', reason: 'Unschedulable' }] };
      else if (data.has(svc)) {
        n.status.containerStatuses[0].state = { waiting: { reason: 'CrashLoopBackOff' } };
        n.status.containerStatuses[0].ready = false;
        n.status.conditions = [{ type: 'Ready', status: 'False' }];
      }
      w.store.create('pods', n);
    }
    const start = w.clock.now();
    run(w, 60_000);
    const errs = w.engine.callErrors(start);
    assert.ok(errs.length > 0);
    assert.deepEqual([...new Set(errs.map((e) => e.message))], ['rpc error: code = Unavailable desc = there is no address available']);
    assert.deepEqual(new Set(errs.map((e) => e.callee)), new Set(['geo', 'search', 'user', 'recommendation']), 'search→geo (passed on to frontend), frontend→user, frontend→recommendation fail first');
    // Healed: pods healthy again (same new names), services register in the new consul.
    for (const p of w.store.list('pods', HOTEL)) {
      const orig = before.find((b) => b.metadata.name === p.metadata.name!.replace('7b6c5d4e3', '5d8f7c9b4'))!;
      w.store.update('pods', { ...p, status: structuredClone(orig.status) });
    }
    const healed = w.clock.now();
    run(w, 60_000);
    assert.deepEqual(failingEdges(w, healed + 1000), []);
  });

  it('profile running the geo binary (F11): only GetProfiles fails (/hotels and /recommendations 500), geo keeps serving; the right command heals', () => {
    const w = world('hotel-reservation', HOTEL);
    w.engine.addWorkload({ rate: 60, script: MIXED_HOTEL });
    run(w, 30_000);
    const [pod] = podsOf(w.store, HOTEL, 'io.kompose.service', 'profile');
    const original = structuredClone(pod);
    pod.spec.containers[0].command = ['geo'];
    w.store.update('pods', pod);
    const start = w.clock.now();
    run(w, 60_000);
    assert.deepEqual(failingEdges(w, start), ['frontend→profile']);
    assert.ok(w.engine.callErrors(start).every((e) => e.message === 'rpc error: code = Unavailable desc = there is no connection available'));
    assert.deepEqual(failingServices(w, HOTEL), ['frontend']);
    for (const op of ['HTTP POST /user', 'HTTP POST /reservation']) assert.equal(w.engine.traces.find({ service: 'frontend', operation: op, tags: { error: 'true' } }).length, 0, op);
    assert.ok(w.engine.traces.find({ service: 'geo', limit: 5 }).length > 0, 'geo still answers searches');
    w.store.update('pods', original);
    const healed = w.clock.now();
    run(w, 60_000);
    assert.deepEqual(failingEdges(w, healed + 1000), []);
    assert.deepEqual(failingServices(w, HOTEL, '30s'), []);
  });

  it('KernelChaos failing mount(2) in user: injected, and the requests stay healthy (a Go service never mounts)', () => {
    const clock = new ClusterClock(Date.parse('2026-09-15T13:00:00Z'));
    const store = new FakeStore(clock);
    deployApp(store, 'hotel-reservation', HOTEL);
    const engine = new SimEngine({ model: loadModel('hotel-reservation'), store, clock, seed: 2 });
    const ctl = startChaosController({ store, clock, killContainer: () => true, log: () => undefined });
    const w = { clock: clock as unknown as ManualClock, store, engine };
    try {
      engine.addWorkload({ rate: 40, script: MIXED_HOTEL });
      run(w, 30_000);
      const start = clock.now();
      store.create('kernelchaos.chaos-mesh.org', { apiVersion: 'chaos-mesh.org/v1alpha1', kind: 'KernelChaos', metadata: { name: 'kernel-chaos', namespace: HOTEL, uid: 'k-1' }, spec: { mode: 'one', selector: { labelSelectors: { 'io.kompose.service': 'user' } }, failKernRequest: { callchain: [{ funcname: '__x64_sys_mount' }], failtype: 0 } } });
      run(w, 60_000);
      const obj = store.get('kernelchaos.chaos-mesh.org', HOTEL, 'kernel-chaos')!;
      assert.equal(obj.status.experiment.containerRecords[0].phase, 'Injected');
      assert.deepEqual(failingEdges(w, start), []);
      assert.deepEqual(failingServices(w, HOTEL), []);
    } finally {
      ctl.stop();
      engine.stop();
    }
  });
});

describe('twin fault signals: SocialNetwork user-service (and only those)', () => {
  const MIXED = 'mixed-workload.lua';
  const REFUSED = 'TSocket::open() connect() <Host: user-service Port: 9090>: Connection refused';

  function assertComposeOnly(w: World, start: number): void {
    // The refusal at compose-post-service, passed back to nginx-thrift; nothing else fails.
    assert.deepEqual(failingEdges(w, start), ['compose-post-service→user-service', 'nginx-thrift→compose-post-service']);
    assert.ok(w.engine.callErrors(start).every((e) => e.message === REFUSED));
    assert.deepEqual(failingServices(w, SOCIAL), ['compose-post-service', 'nginx-thrift']);
    const composeErr = q(w, 'sum(rate(service_request_errors_total{service="nginx-thrift",operation="/wrk2-api/post/compose"}[1m])) / sum(rate(service_requests_total{service="nginx-thrift",operation="/wrk2-api/post/compose"}[1m]))');
    assert.equal(composeErr, 1, 'every compose fails');
    for (const op of ['/wrk2-api/home-timeline/read', '/wrk2-api/user-timeline/read']) {
      assert.ok(w.engine.traces.find({ service: 'nginx-thrift', operation: op, limit: 5 }).length > 0, op);
      assert.equal(w.engine.traces.find({ service: 'nginx-thrift', operation: op, tags: { error: 'true' } }).length, 0, `${op} stays healthy`);
    }
  }

  function assertHealed(w: World): void {
    const t = w.clock.now();
    run(w, 60_000);
    assert.deepEqual(failingEdges(w, t + 1000), []);
    assert.deepEqual(failingServices(w, SOCIAL, '30s'), []);
  }

  it('targetPort 9999: the endpoints stay (pod ready, route refused), only composes fail at compose-post-service; restoring 9090 heals', () => {
    const w = world('social-network', SOCIAL);
    w.engine.addWorkload({ rate: 40, script: MIXED });
    run(w, 30_000);
    const svc = w.store.get('services', SOCIAL, 'user-service')!;
    svc.spec.ports[0].targetPort = 9999;
    w.store.update('services', svc);
    const start = w.clock.now();
    run(w, 60_000);
    const route = w.engine.health().services['user-service'].route;
    assert.equal(route.kind, 'refused');
    assert.equal(route.kind === 'refused' && route.pods.length, 1, 'the ready pod is still behind the Service');
    assertComposeOnly(w, start);
    svc.spec.ports[0].targetPort = 9090;
    w.store.update('services', svc);
    assertHealed(w);
  });

  it('scaled to zero: no endpoints, only composes fail (same caller text as the targetPort fault); one replica heals', () => {
    const w = world('social-network', SOCIAL);
    w.engine.addWorkload({ rate: 40, script: MIXED });
    run(w, 30_000);
    const [pod] = podsOf(w.store, SOCIAL, 'service', 'user-service');
    w.store.delete('pods', SOCIAL, pod.metadata.name!);
    const start = w.clock.now();
    run(w, 60_000);
    assert.equal(w.engine.health().services['user-service'].route.kind, 'no-endpoints');
    assertComposeOnly(w, start);
    w.store.create('pods', pod);
    assertHealed(w);
  });

  it('nodeSelector extra-node: the new pod is Pending without an IP, no endpoints, only composes fail; scheduling it heals', () => {
    const w = world('social-network', SOCIAL);
    w.engine.addWorkload({ rate: 40, script: MIXED });
    run(w, 30_000);
    const [pod] = podsOf(w.store, SOCIAL, 'service', 'user-service');
    w.store.delete('pods', SOCIAL, pod.metadata.name!);
    const pending = structuredClone(pod);
    pending.metadata.name = pod.metadata.name!.replace('5d8f7c9b4', '6c9d8e7f5');
    delete pending.metadata.uid;
    delete pending.spec.nodeName;
    pending.spec.nodeSelector = { 'kubernetes.io/hostname': 'extra-node' };
    pending.status = { phase: 'Pending', conditions: [{ type: 'PodScheduled', status: 'False', reason: 'Unschedulable' }] };
    w.store.create('pods', pending);
    const start = w.clock.now();
    run(w, 60_000);
    assert.equal(w.engine.health().services['user-service'].route.kind, 'no-endpoints');
    assertComposeOnly(w, start);
    w.store.delete('pods', SOCIAL, pending.metadata.name);
    w.store.create('pods', pod);
    assertHealed(w);
  });
});

describe('twin fault signals: SocialNetwork url-shorten-mongodb requireTLS (F2)', () => {
  it('url-shorten-service never opens 9090: only composes fail, at text-service; reads stay healthy; leaving the loop heals', () => {
    const clock = new ManualClock();
    const store = new FakeStore(clock);
    deployApp(store, 'social-network', SOCIAL);
    let stuck = false;
    const engine = new SimEngine({ model: loadModel('social-network'), store, clock, seed: 5, listening: (pod) => (stuck && pod.metadata.labels?.service === 'url-shorten-service' ? [] : undefined) });
    const w = { clock, store, engine };
    engine.addWorkload({ rate: 40, script: 'mixed-workload.lua' });
    run(w, 30_000);
    stuck = true;
    store.update('pods', podsOf(store, SOCIAL, 'service', 'url-shorten-service')[0]);
    const start = clock.now();
    run(w, 60_000);
    const root = w.engine.callErrors(start).filter((e) => e.callee === 'url-shorten-service');
    assert.deepEqual(root.map((e) => `${e.caller}: ${e.message}`), ['text-service: TSocket::open() connect() <Host: url-shorten-service Port: 9090>: Connection refused']);
    assert.ok(failingEdges(w, start).every((e) => ['text-service→url-shorten-service', 'compose-post-service→text-service', 'nginx-thrift→compose-post-service'].includes(e)), failingEdges(w, start).join(', '));
    assert.equal(engine.health().services['url-shorten-service'].route.kind, 'refused', 'endpoints unchanged, nothing listens');
    for (const op of ['/wrk2-api/home-timeline/read', '/wrk2-api/user-timeline/read']) assert.equal(engine.traces.find({ service: 'nginx-thrift', operation: op, tags: { error: 'true' } }).length, 0, op);
    stuck = false;
    store.update('pods', podsOf(store, SOCIAL, 'service', 'url-shorten-service')[0]);
    const healed = clock.now();
    run(w, 60_000);
    assert.deepEqual(failingEdges(w, healed + 1000), []);
  });
});

describe('twin fault signals: AstronomyShop flagd flags (and only those), flag off heals', () => {
  function shop(): World & { setFlag: (flag: string, variant: string) => void } {
    const w = world('astronomy-shop', SHOP, 21);
    const setFlag = (flag: string, variant: string): void => {
      const cm = w.store.get('configmaps', SHOP, 'flagd-config')! as KubeObject & { data: Record<string, string> };
      const json = JSON.parse(cm.data['demo.flagd.json']);
      json.flags[flag].defaultVariant = variant;
      w.store.update('configmaps', { ...cm, data: { 'demo.flagd.json': JSON.stringify(json, null, 2) } });
    };
    return { ...w, setFlag };
  }
  const cpu = (w: World, app: string) => q(w, `sum(rate(container_cpu_usage_seconds_total{namespace="${SHOP}",pod=~"${app}-.*",container!="",container!="POD"}[1m]))`);
  const serverP50 = (w: World, service: string, op: string) => q(w, `histogram_quantile(0.5, sum by (le) (rate(service_request_duration_seconds_bucket{service="${service}",operation="${op}"}[1m])))`);

  interface Case {
    flag: string;
    variant: string;
    /** Services allowed to show server errors while the flag is on. */
    failing: string[];
    during(w: World, before: Record<string, number>): void;
    /** Measured before the flag is set (baselines). */
    baseline?(w: World): Record<string, number>;
    healed?(w: World, before: Record<string, number>): void;
  }

  const cases: Case[] = [
    {
      flag: 'adFailure', variant: 'on', failing: ['ad', 'frontend', 'frontend-proxy'],
      during: (w) => {
        const ratio = q(w, 'sum(rate(service_request_errors_total{service="ad"}[2m])) / sum(rate(service_requests_total{service="ad"}[2m]))');
        assert.ok(ratio > 0.02 && ratio < 0.25, `1 in 10 GetAds fail: ${ratio}`);
        assert.ok(w.engine.traces.find({ service: 'ad', tags: { error: 'true' }, limit: 1 }).length === 1);
      },
    },
    {
      flag: 'adHighCpu', variant: 'on', failing: [],
      during: (w) => assert.ok(cpu(w, 'ad') > 3, `ad ~4 cores: ${cpu(w, 'ad')}`),
      healed: (w) => assert.ok(cpu(w, 'ad') < 0.5, `ad idle again: ${cpu(w, 'ad')}`),
    },
    {
      flag: 'adManualGc', variant: 'on', failing: [],
      during: (w) => assert.ok(serverP50(w, 'ad', 'oteldemo.AdService/GetAds') > 1.5),
      healed: (w) => assert.ok(serverP50(w, 'ad', 'oteldemo.AdService/GetAds') < 0.2),
    },
    {
      flag: 'cartFailure', variant: 'on', failing: ['cart'],
      during: (w) => {
        assert.ok(w.engine.traces.find({ service: 'checkout', operation: 'oteldemo.CartService/EmptyCart', tags: { error: 'true' }, limit: 1 }).length === 1, 'EmptyCart client span errors');
        assert.equal(w.engine.traces.find({ service: 'checkout', operation: 'oteldemo.CheckoutService/PlaceOrder', tags: { error: 'true' } }).length, 0, 'orders still succeed');
      },
    },
    {
      flag: 'imageSlowLoad', variant: '10sec', failing: [],
      during: (w) => {
        assert.ok(serverP50(w, 'frontend-proxy', 'GET /images/products/{image}') >= 10);
        assert.ok(serverP50(w, 'frontend-proxy', 'GET /api/cart') < 0.5, 'API traffic unaffected');
      },
      healed: (w) => assert.ok(serverP50(w, 'frontend-proxy', 'GET /images/products/{image}') < 0.5),
    },
    {
      flag: 'kafkaQueueProblems', variant: 'on', failing: [],
      baseline: (w) => ({ kafka: cpu(w, 'kafka') }),
      during: (w, b) => assert.ok(cpu(w, 'kafka') > b.kafka + 0.25, `kafka CPU up: ${b.kafka} → ${cpu(w, 'kafka')}`),
      healed: (w, b) => assert.ok(cpu(w, 'kafka') < b.kafka + 0.1),
    },
    {
      flag: 'paymentFailure', variant: '100%', failing: ['checkout', 'frontend', 'frontend-proxy', 'payment'],
      during: (w) => assert.ok(w.engine.callErrors().some((e) => e.caller === 'checkout' && e.callee === 'payment')),
    },
    {
      flag: 'paymentUnreachable', variant: 'on', failing: ['checkout', 'frontend', 'frontend-proxy'],
      during: (w) => assert.ok(w.engine.callErrors().some((e) => e.caller === 'checkout' && e.callee === 'payment' && /produced zero addresses/.test(e.message))),
    },
    {
      flag: 'productCatalogFailure', variant: 'on', failing: ['checkout', 'frontend', 'frontend-proxy', 'product-catalog'],
      during: (w) => {
        const ratio = q(w, 'sum(rate(service_request_errors_total{service="product-catalog",operation="oteldemo.ProductCatalogService/GetProduct"}[2m])) / sum(rate(service_requests_total{service="product-catalog",operation="oteldemo.ProductCatalogService/GetProduct"}[2m]))');
        assert.ok(ratio > 0.02 && ratio < 0.25, String(ratio));
      },
    },
    {
      flag: 'recommendationCacheFailure', variant: 'on', failing: [],
      baseline: (w) => ({ p50: serverP50(w, 'recommendation', 'oteldemo.RecommendationService/ListRecommendations'), mem: q(w, `sum(container_memory_working_set_bytes{namespace="${SHOP}",pod=~"recommendation-.*",container!="",container!="POD"})`) }),
      during: (w, b) => {
        assert.ok(serverP50(w, 'recommendation', 'oteldemo.RecommendationService/ListRecommendations') > b.p50 * 1.8);
        assert.ok(q(w, `sum(container_memory_working_set_bytes{namespace="${SHOP}",pod=~"recommendation-.*",container!="",container!="POD"})`) > b.mem + 20 * 2 ** 20, 'memory climbs');
      },
    },
    {
      flag: 'loadGeneratorFloodHomepage', variant: 'on', failing: [],
      baseline: (w) => ({ rate: q(w, 'sum(rate(service_requests_total{service="frontend"}[1m]))') }),
      during: (w, b) => assert.ok(q(w, 'sum(rate(service_requests_total{service="frontend"}[1m]))') > b.rate * 5),
    },
  ];

  for (const c of cases) {
    it(`${c.flag} (${c.variant}): its signals, errors only in ${c.failing.length ? c.failing.join(', ') : 'no service'}; off heals`, () => {
      const w = shop();
      w.engine.addWorkload({ rate: 20, script: 'locust' });
      run(w, 90_000);
      assert.deepEqual(failingServices(w, SHOP), [], 'healthy before');
      const before = c.baseline?.(w) ?? {};
      w.setFlag(c.flag, c.variant);
      const start = w.clock.now();
      run(w, 150_000);
      c.during(w, before);
      const failing = failingServices(w, SHOP, '2m');
      assert.ok(failing.every((s) => c.failing.includes(s)), `errors only where expected: ${failing.join(', ')}`);
      const edges = failingEdges(w, start).filter((e) => !c.failing.some((s) => e.endsWith(`→${s}`) || e.startsWith(`${s}→`) || (c.flag === 'paymentUnreachable' && e === 'checkout→payment')));
      assert.deepEqual(edges, [], 'no failed calls on paths not touching the flag\'s service');
      w.setFlag(c.flag, 'off');
      const off = w.clock.now();
      run(w, 150_000);
      assert.deepEqual(failingServices(w, SHOP, '1m'), [], 'flag off: no errors');
      assert.deepEqual(failingEdges(w, off + 5000), []);
      c.healed?.(w, before);
    });
  }
});
