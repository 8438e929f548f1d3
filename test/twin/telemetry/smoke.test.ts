import assert from 'node:assert/strict';
import { FakeStore, ManualClock, deployApp } from './fixtures';
import { SimEngine } from '../../../src/twin/sim/engine';
import { loadModel } from '../../../src/twin/sim/load-model';
import { instantQuery } from '../../../src/twin/telemetry/promql';

describe('smoke', () => {
  it('runs', () => {
    const clock = new ManualClock();
    const store = new FakeStore(clock);
    deployApp(store, 'hotel-reservation', 'test-hotel-reservation');
    const e = new SimEngine({ model: loadModel('hotel-reservation'), store, clock, seed: 1 });
    e.addWorkload({ rate: 100, dist: 'exp' });
    clock.advance(120_000);
    const t0 = Date.now();
    e.advanceTo();
    console.log('ms', Date.now() - t0, 'spans', e.spansSimulated, 'traces', e.traces.count, 'series', e.metrics.seriesCount);
    const v = instantQuery(e.metrics, 'sum by (service) (rate(service_requests_total[1m]))', clock.now());
    console.log(JSON.stringify(v));
    const q = instantQuery(e.metrics, 'histogram_quantile(0.99, sum by (le, service) (rate(service_request_duration_seconds_bucket{service="frontend"}[1m])))', clock.now());
    console.log(JSON.stringify(q));
    console.log(JSON.stringify(e.traces.find({ service: 'frontend', limit: 1 })[0], null, 0).slice(0, 1500));
    assert.ok(e.traces.count > 0);
  });
});
