import assert from 'node:assert/strict';
import * as net from 'node:net';
import { collectSessionSeries } from '../../src/env/telemetry/session-series';
import { startTelemetry, type TelemetryHandle } from '../../src/twin/telemetry/servers';
import { FakeStore, ManualClock, deployApp, podsOf } from '../twin/telemetry/fixtures';
import { startFakePrometheus } from '../support/fake-prometheus';

/** A port nothing listens on. */
async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as net.AddressInfo).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

const T = Date.parse('2026-09-15T13:00:00Z');
const NS = 'test-app';

describe('session telemetry series (p50/p99 latency and error rate per service from Prometheus)', function () {
  this.timeout(30_000);

  it('reads per-service latency percentiles and error rates over the episode, one point per step', async () => {
    const prom = await startFakePrometheus({ namespace: NS, services: ['frontend', 'geo', 'user'], fromMs: T - 120_000, toMs: T + 600_000, faulty: 'geo', faultAtMs: T + 300_000 });
    try {
      const t = await collectSessionSeries({ prometheusUrl: prom.url, namespace: NS, startMs: T, endMs: T + 600_000 });
      assert.equal(t.source, 'prometheus');
      assert.equal(t.namespace, NS);
      assert.equal(t.startMs, T);
      assert.equal(t.endMs, T + 600_000);
      assert.equal(t.stepMs, 6000, '600 s in at most 120 points');
      assert.deepEqual(t.services.map((s) => s.service), ['frontend', 'geo', 'user']);
      for (const s of t.services) {
        assert.equal(s.p50Ms.length, 101);
        assert.equal(s.p99Ms.length, 101);
        assert.equal(s.errorRate.length, 101);
      }
      const geo = t.services.find((s) => s.service === 'geo')!;
      const user = t.services.find((s) => s.service === 'user')!;
      // Before the fault (point 10 = T+60 s): p50 8.13 ms, p99 48.8 ms, no errors.
      assert.equal(geo.p50Ms[10], 8.13);
      assert.equal(geo.p99Ms[10], 48.8);
      assert.equal(geo.errorRate[10], 0);
      // Well after it (point 90 = T+540 s): 1.75 s / 2.49 s and half the requests failing; other services unchanged.
      assert.equal(geo.p50Ms[90], 1750);
      assert.equal(geo.p99Ms[90], 2490);
      assert.equal(geo.errorRate[90], 0.5);
      assert.equal(user.p99Ms[90], 48.8);
      assert.equal(user.errorRate[90], 0);
    } finally {
      await prom.close();
    }
  });

  it('stays small: long episodes get a coarser step, and only the most affected services are kept', async () => {
    const services = Array.from({ length: 25 }, (_, i) => `svc-${String(i).padStart(2, '0')}`);
    const prom = await startFakePrometheus({ namespace: NS, services, fromMs: T - 60_000, toMs: T + 2 * 3_600_000, faulty: 'svc-17', faultAtMs: T + 3_600_000 });
    try {
      const t = await collectSessionSeries({ prometheusUrl: prom.url, namespace: NS, startMs: T, endMs: T + 2 * 3_600_000 });
      assert.equal(t.stepMs, 61_000);
      assert.ok(t.windowSec >= 122);
      assert.ok(t.services.every((s) => s.p99Ms.length <= 120 && s.errorRate.length <= 120));
      assert.equal(t.services.length, 20);
      assert.ok(t.services.some((s) => s.service === 'svc-17'), 'the failing service is kept');
      assert.equal(t.omittedServices?.length, 5);
      assert.ok(JSON.stringify(t).length < 60_000, `record size ${JSON.stringify(t).length}`);
    } finally {
      await prom.close();
    }
  });

  it('always keeps the service the fault is aimed at, even a quiet one past the cap or one that served nothing', async () => {
    const services = Array.from({ length: 25 }, (_, i) => `svc-${String(i).padStart(2, '0')}`);
    const prom = await startFakePrometheus({ namespace: NS, services, fromMs: T - 60_000, toMs: T + 600_000, faulty: 'svc-17', faultAtMs: T + 300_000 });
    try {
      // svc-24 is healthy and ranks last: without the target it is one of the five left out.
      const quiet = await collectSessionSeries({ prometheusUrl: prom.url, namespace: NS, startMs: T, endMs: T + 600_000, faultTarget: 'svc-24' });
      assert.equal(quiet.services.length, 20);
      assert.equal(quiet.faultTarget, 'svc-24');
      assert.ok(quiet.services.some((s) => s.service === 'svc-24'), 'the target is charted');
      assert.ok(!quiet.omittedServices?.includes('svc-24'));
      // A pod-failure target serves nothing (its requests fail at the callers): an empty series still names it.
      const silent = await collectSessionSeries({ prometheusUrl: prom.url, namespace: NS, startMs: T, endMs: T + 600_000, faultTarget: 'user' });
      const user = silent.services.find((s) => s.service === 'user');
      assert.ok(user, silent.services.map((s) => s.service).join(', '));
      assert.ok(user.p50Ms.every((v) => v === null) && user.errorRate.length === silent.services[0].errorRate.length);
    } finally {
      await prom.close();
    }
  });

  it('says why when there is nothing to read (no series for the namespace, Prometheus unreachable)', async () => {
    const prom = await startFakePrometheus({ namespace: 'other', services: ['a'], fromMs: T, toMs: T + 300_000 });
    try {
      await assert.rejects(collectSessionSeries({ prometheusUrl: prom.url, namespace: NS, startMs: T, endMs: T + 300_000 }), /no request metrics .* for namespace test-app/);
    } finally {
      await prom.close();
    }
    const closed = await freePort();
    await assert.rejects(collectSessionSeries({ prometheusUrl: `http://127.0.0.1:${closed}`, namespace: NS, startMs: T, endMs: T + 60_000 }), new RegExp(`Prometheus at http://127.0.0.1:${closed} could not be queried \\(ECONNREFUSED\\)`));
  });

  describe('against the embedded cluster\'s Prometheus and request simulation', () => {
    let tel: TelemetryHandle;
    let clock: ManualClock;
    let store: FakeStore;
    const HOTEL = 'test-hotel-reservation';
    let faultAt = 0;
    let start = 0;

    before(async () => {
      clock = new ManualClock();
      store = new FakeStore(clock);
      deployApp(store, 'hotel-reservation', HOTEL);
      tel = await startTelemetry({ store, clock, apps: ['hotel-reservation'], tickMs: 0, seed: 5 });
      tel.engines[HOTEL].addWorkload({ rate: 20, dist: 'exp', entries: [{ name: 'search', weight: 1, service: 'frontend', operation: 'HTTP GET /hotels', method: 'GET', path: '/hotels' }] });
      start = clock.now();
      clock.advance(3 * 60_000);
      tel.advance();
      faultAt = clock.now();
      for (const p of podsOf(store, HOTEL, 'io.kompose.service', 'geo')) store.delete('pods', HOTEL, p.metadata.name!);
      clock.advance(3 * 60_000);
    });
    after(async () => tel?.stop());

    it('charts the services of the app, with the errors the fault causes', async () => {
      const t = await collectSessionSeries({ prometheusUrl: tel.prometheus.url, namespace: HOTEL, startMs: start, endMs: clock.now() });
      const names = t.services.map((s) => s.service);
      assert.ok(names.includes('frontend') && names.includes('search'), names.join(','));
      const frontend = t.services.find((s) => s.service === 'frontend')!;
      const at = (ms: number) => Math.round((ms - t.startMs) / t.stepMs);
      const before = frontend.errorRate[at(faultAt) - 2];
      const after = frontend.errorRate[frontend.errorRate.length - 1];
      assert.equal(before, 0, 'no errors before the fault');
      assert.ok(after !== null && after > 0.5, `frontend error rate with geo gone: ${after}`);
      assert.ok(frontend.p99Ms.some((v) => v !== null && v > 0));
    });
  });
});
