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
import type { ListeningPorts } from '../../../src/twin/sim/health';

const SOCIAL = 'test-social-network';

function wrk2Job(rate: number): Parameters<FakeStore['create']>[1] {
  return {
    apiVersion: 'batch/v1', kind: 'Job', metadata: { name: 'wrk2-job', namespace: 'default' },
    spec: { template: { spec: { containers: [{ name: 'wrk2', args: ['wrk', '-D', 'exp', '-t', '2', '-c', '2', '-d', '300s', '-L', '-s', '/scripts/compose-post.lua', `http://nginx-thrift.${SOCIAL}.svc.cluster.local:8080`, '-R', String(rate)] }] } } },
  };
}

/**
 * A session's start on the twin: the app deployed, the fault (a wrong targetPort on user-service), the wrk2 workload;
 * a minute later, nginx-thrift's request rate and error ratio from six minutes before the workload on.
 */
async function faultThenWorkload(clock: ManualClock, store: FakeStore, engine: SimEngine): Promise<{ jobAt: number; rate: Array<[number, number]>; errors: Array<[number, number]> }> {
  deployApp(store, 'social-network', SOCIAL);
  await new Promise((r) => setImmediate(r)); // the engine looks at the app after the writes
  clock.advance(2_000);
  engine.advanceTo();
  const svc = store.get('services', SOCIAL, 'user-service')!;
  svc.spec.ports[0].targetPort = 9999;
  store.update('services', svc);
  const jobAt = clock.now();
  store.create('jobs.batch', wrk2Job(100));
  clock.advance(60_000);
  engine.advanceTo();
  const from = jobAt - 6 * 60_000;
  const nginx = (q: string) => rangeQuery(engine.metrics, q, from, clock.now(), 15_000).series[0]?.points ?? [];
  return {
    jobAt,
    rate: nginx('sum(rate(service_requests_total{service="nginx-thrift"}[30s]))'),
    errors: nginx('sum(rate(service_request_errors_total{service="nginx-thrift"}[30s])) / sum(rate(service_requests_total{service="nginx-thrift"}[30s]))'),
  };
}

describe('twin telemetry: history from before the session (warm-up)', () => {
  it('charts healthy traffic at the workload\'s rate for minutes before the workload, then the fault', async function () {
    this.timeout(20_000);
    const clock = new ManualClock();
    const store = new FakeStore(clock);
    const engine = new SimEngine({ model: loadModel('social-network'), store, clock, seed: 5 });
    const { jobAt, rate, errors } = await faultThenWorkload(clock, store, engine);
    const before = rate.filter(([t]) => t < jobAt - 30_000);
    assert.ok(before.length >= 15, `points before the workload: ${before.length}`);
    // At the workload's rate (100 req/s; a sample is simulated and weighted), healthy.
    for (const [, v] of before.slice(2)) assert.ok(v > 70 && v < 130, `rate before: ${v}`);
    const errBefore = errors.filter(([t]) => t < jobAt - 30_000);
    assert.ok(errBefore.every(([, v]) => v === 0), 'no errors before the fault');
    const errAfter = errors.filter(([t]) => t > jobAt + 35_000);
    assert.ok(errAfter.length > 0 && errAfter.every(([, v]) => v === 1), 'every request fails once the workload meets the fault');
    // The wrk2 report knows only the workload's own requests.
    const id = engine.workloadIds().find((w) => w.startsWith('job/'))!;
    assert.ok(engine.clientStats(id)!.requests < 100 * 62, 'warm-up requests are not the workload\'s');
  });

  it('has the history even when a service\'s process opens its port only after the fault (a pod Ready, its start-up loop still retrying)', async function () {
    this.timeout(20_000);
    const clock = new ManualClock();
    const store = new FakeStore(clock);
    // social-graph-service's createIndexes loop reaches Mongo only three seconds after the session's fault.
    let opensAt = Infinity;
    const listening: ListeningPorts = (pod, nowMs) => (pod.metadata.labels?.service === 'social-graph-service' ? (nowMs >= opensAt ? [9090] : []) : undefined);
    const engine = new SimEngine({ model: loadModel('social-network'), store, clock, seed: 5, listening });
    store.subscribe((e) => { if (e.resource === 'services' && e.type === 'MODIFIED') opensAt = clock.now() + 3_000; });
    const { jobAt, rate, errors } = await faultThenWorkload(clock, store, engine);
    const before = rate.filter(([t]) => t < jobAt - 30_000);
    assert.ok(before.length >= 15, `points before the workload: ${before.length}`);
    assert.ok(errors.filter(([t]) => t < jobAt - 30_000).every(([, v]) => v === 0), 'no errors before the fault');
  });
});
