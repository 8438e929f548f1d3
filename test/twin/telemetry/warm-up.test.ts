/**
 * Telemetry from the first second: when a session's workload starts, the app has "been running" — the minutes
 * before are simulated as healthy traffic at the workload's rate — so Prometheus holds history from before the
 * fault to compare with, even though the fault is injected before the workload starts.
 */
import assert from 'node:assert/strict';
import { FakeStore, ManualClock, deployApp } from './fixtures';
import { SimEngine } from '../../../src/twin/sim/engine';
import { loadModel } from '../../../src/twin/sim/load-model';
import { rangeQuery } from '../../../src/twin/telemetry/promql';

const SOCIAL = 'test-social-network';

function wrk2Job(rate: number): Parameters<FakeStore['create']>[1] {
  return {
    apiVersion: 'batch/v1', kind: 'Job', metadata: { name: 'wrk2-job', namespace: 'default' },
    spec: { template: { spec: { containers: [{ name: 'wrk2', args: ['wrk', '-D', 'exp', '-t', '2', '-c', '2', '-d', '300s', '-L', '-s', '/scripts/compose-post.lua', `http://nginx-thrift.${SOCIAL}.svc.cluster.local:8080`, '-R', String(rate)] }] } } },
  };
}

describe('twin telemetry: history from before the session (warm-up)', () => {
  it('charts healthy traffic at the workload\'s rate for minutes before the workload, then the fault', async function () {
    this.timeout(20_000);
    const clock = new ManualClock();
    const store = new FakeStore(clock);
    const engine = new SimEngine({ model: loadModel('social-network'), store, clock, seed: 5 });
    deployApp(store, 'social-network', SOCIAL);
    await new Promise((r) => setImmediate(r)); // the engine notes the healthy app
    clock.advance(2_000);
    engine.advanceTo();
    // The fault (a wrong targetPort), then the workload, as a session does.
    const svc = store.get('services', SOCIAL, 'user-service')!;
    svc.spec.ports[0].targetPort = 9999;
    store.update('services', svc);
    const jobAt = clock.now();
    store.create('jobs.batch', wrk2Job(100));
    clock.advance(60_000);
    engine.advanceTo();

    const step = 15_000;
    const from = jobAt - 6 * 60_000;
    const rate = rangeQuery(engine.metrics, 'sum(rate(service_requests_total{service="nginx-thrift"}[30s]))', from, clock.now(), step);
    const errors = rangeQuery(engine.metrics, 'sum(rate(service_request_errors_total{service="nginx-thrift"}[30s])) / sum(rate(service_requests_total{service="nginx-thrift"}[30s]))', from, clock.now(), step);
    const before = rate.series[0].points.filter(([t]) => t < jobAt - 30_000);
    assert.ok(before.length >= 15, `points before the workload: ${before.length}`);
    // At the workload's rate (100 req/s; a sample is simulated and weighted), healthy.
    for (const [, v] of before.slice(2)) assert.ok(v > 70 && v < 130, `rate before: ${v}`);
    const errBefore = errors.series[0].points.filter(([t]) => t < jobAt - 30_000);
    assert.ok(errBefore.every(([, v]) => v === 0), 'no errors before the fault');
    const errAfter = errors.series[0].points.filter(([t]) => t > jobAt + 35_000);
    assert.ok(errAfter.length > 0 && errAfter.every(([, v]) => v === 1), 'every request fails once the workload meets the fault');
    // The wrk2 report knows only the workload's own requests.
    const id = engine.workloadIds().find((w) => w.startsWith('job/'))!;
    assert.ok(engine.clientStats(id)!.requests < 100 * 62, 'warm-up requests are not the workload\'s');
  });
});
