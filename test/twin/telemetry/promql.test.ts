import assert from 'node:assert/strict';
import { MetricStore } from '../../../src/twin/telemetry/metric-store';
import { instantQuery, rangeQuery, PromQLError } from '../../../src/twin/telemetry/promql';

const T = Date.parse('2026-09-15T13:00:00Z');
const END = T + 40 * 15_000;

/** Request counters per pod (x-1 10/s + 1/s errors, y-1 2/s) and an info metric joining pods to nodes, as kube_pod_info does. */
function store(): MetricStore {
  const m = new MetricStore();
  for (let i = 0; i <= 40; i++) {
    const t = T + i * 15_000;
    m.add({ __name__: 'req_total', svc: 'x', pod: 'x-1', code: '200' }, t, i * 150);
    m.add({ __name__: 'req_total', svc: 'x', pod: 'x-1', code: '500' }, t, i * 15);
    m.add({ __name__: 'req_total', svc: 'y', pod: 'y-1', code: '200' }, t, i * 30);
    m.add({ __name__: 'pod_info', pod: 'x-1', node: 'kind-worker', namespace: 'a' }, t, 1);
    m.add({ __name__: 'pod_info', pod: 'y-1', node: 'kind-worker2', namespace: 'a' }, t, 1);
  }
  return m;
}

type S = Array<{ labels: Record<string, string>; v: number }>;
const vec = (q: string, m: MetricStore, t = END): S => {
  const v = instantQuery(m, q, t);
  assert.equal(v.type, 'vector', q);
  return (v as { samples: S }).samples.map((s) => ({ labels: s.labels, v: Math.round(s.v * 1e6) / 1e6 }));
};

describe('PromQL: vector matching, label functions, subqueries', () => {
  const m = store();

  it('group_left joins labels from the one side (many-to-one), group_right the other way round', () => {
    assert.deepEqual(vec('sum by (pod) (rate(req_total[1m])) * on(pod) group_left(node) pod_info', m), [
      { labels: { pod: 'x-1', node: 'kind-worker' }, v: 11 },
      { labels: { pod: 'y-1', node: 'kind-worker2' }, v: 2 },
    ]);
    assert.deepEqual(vec('sum by (node) (rate(req_total[1m]) * on(pod) group_left(node) pod_info)', m), [
      { labels: { node: 'kind-worker' }, v: 11 },
      { labels: { node: 'kind-worker2' }, v: 2 },
    ]);
    // The error share of each code within its pod: many (per code) to one (per pod).
    assert.deepEqual(vec('rate(req_total{svc="x"}[1m]) / ignoring(code) group_left sum without (code) (rate(req_total{svc="x"}[1m]))', m).map((s) => [s.labels.code, s.v]), [['200', 0.909091], ['500', 0.090909]]);
    assert.deepEqual(vec('pod_info * on(pod) group_right rate(req_total{code="200"}[1m])', m).map((s) => [s.labels.pod, s.labels.code, s.v]), [['x-1', '200', 10], ['y-1', '200', 2]]);
  });

  it('matching errors as Prometheus words them', () => {
    assert.throws(() => instantQuery(m, 'rate(req_total[1m]) * on(pod) pod_info', END), /many-to-many matching not allowed/);
    assert.throws(() => instantQuery(m, 'pod_info * on(pod) group_left rate(req_total[1m])', END), /found duplicate series for the match group \{pod="x-1"\} on the right hand-side of the operation: \[.*\];many-to-many matching not allowed: matching labels must be unique on one side$/);
    assert.throws(() => instantQuery(m, 'req_total * group_left pod_info', END), PromQLError);
  });

  it('one-to-one with on() keeps only the on labels; comparisons filter', () => {
    assert.deepEqual(vec('sum by (pod) (rate(req_total[1m])) / on(pod) pod_info', m).map((s) => s.labels), [{ pod: 'x-1' }, { pod: 'y-1' }]);
    assert.deepEqual(vec('sum by (pod) (rate(req_total[1m])) > 5', m), [{ labels: { pod: 'x-1' }, v: 11 }]);
  });

  it('label_replace and label_join', () => {
    assert.deepEqual(vec('label_replace(pod_info, "worker", "$1", "node", "kind-(.*)")', m).map((s) => s.labels.worker), ['worker', 'worker2']);
    assert.deepEqual(vec('label_replace(pod_info, "worker", "$1", "node", "nomatch-(.*)")', m).map((s) => s.labels.worker), [undefined, undefined]);
    assert.deepEqual(vec('label_join(pod_info, "id", "/", "namespace", "pod")', m).map((s) => s.labels.id), ['a/x-1', 'a/y-1']);
  });

  it('subqueries: max_over_time of a rate, rate of a subquery, in range queries too', () => {
    assert.deepEqual(vec('max_over_time(sum(rate(req_total[1m]))[5m:1m])', m), [{ labels: {}, v: 13 }]);
    assert.deepEqual(vec('rate(req_total{svc="y"}[5m:15s])', m).map((s) => s.v), [2]);
    const r = rangeQuery(m, 'avg_over_time(sum by (svc) (rate(req_total[1m]))[2m:30s])', END - 120_000, END, 60_000);
    assert.deepEqual(r.series.map((s) => [s.labels.svc, s.points.map(([, v]) => Math.round(v * 1000) / 1000)]), [['x', [11, 11, 11]], ['y', [2, 2, 2]]]);
    assert.throws(() => instantQuery(m, 'time()[5m:1m]', END), /subquery is only allowed on instant vector/);
    assert.equal((instantQuery(m, 'rate(sum(req_total)[5m:1m] offset 1m)', END) as { samples: unknown[] }).samples.length, 1);
    assert.throws(() => rangeQuery(m, 'sum(req_total)[5m:1m]', END - 60_000, END, 15_000), /invalid expression type "range vector" for range query/);
  });
});

describe('PromQL: trends and distributions over time', () => {
  // Memory growing 1 MiB per 15 s (a leak), plus a flat series.
  const m = new MetricStore();
  for (let i = 0; i <= 40; i++) {
    const t = T + i * 15_000;
    m.add({ __name__: 'mem_bytes', pod: 'leaky' }, t, 100 * 2 ** 20 + i * 2 ** 20);
    m.add({ __name__: 'mem_bytes', pod: 'flat' }, t, 50 * 2 ** 20);
  }
  const one = (q: string): number => {
    const v = instantQuery(m, q, END) as { samples: Array<{ v: number }> };
    assert.equal(v.samples.length, 1, q);
    return v.samples[0].v;
  };

  it('deriv and predict_linear find the leak; the flat pod has slope 0', () => {
    assert.ok(Math.abs(one('deriv(mem_bytes{pod="leaky"}[5m])') - 2 ** 20 / 15) < 1e-6);
    assert.equal(one('deriv(mem_bytes{pod="flat"}[5m])'), 0);
    // In one hour: now (140 MiB) + 240 × 1 MiB.
    assert.ok(Math.abs(one('predict_linear(mem_bytes{pod="leaky"}[10m], 3600)') - (140 + 240) * 2 ** 20) < 1);
    assert.deepEqual((instantQuery(m, 'predict_linear(mem_bytes[10m], 3600) > 300 * 1024 * 1024', END) as { samples: Array<{ labels: Record<string, string> }> }).samples.map((s) => s.labels), [{ pod: 'leaky' }]);
  });

  it('quantile/stddev/stdvar/present/absent_over_time, log2/log10/sgn', () => {
    assert.equal(one('quantile_over_time(0.5, mem_bytes{pod="flat"}[5m])'), 50 * 2 ** 20);
    assert.equal(one('stddev_over_time(mem_bytes{pod="flat"}[5m])'), 0);
    assert.ok(one('stdvar_over_time(mem_bytes{pod="leaky"}[1m])') > 0);
    assert.equal(one('present_over_time(mem_bytes{pod="flat"}[5m])'), 1);
    assert.deepEqual((instantQuery(m, 'absent_over_time(mem_bytes{pod="gone"}[5m])', END) as { samples: Array<{ labels: Record<string, string> }> }).samples.map((s) => s.labels), [{ pod: 'gone' }]);
    assert.equal((instantQuery(m, 'absent_over_time(mem_bytes{pod="flat"}[5m])', END) as { samples: unknown[] }).samples.length, 0);
    assert.equal(one('log2(mem_bytes{pod="flat"} / 1048576 * 2 / 100)'), 0);
    assert.equal(one('log10(vector(1000))'), 3);
    assert.equal(one('sgn(vector(-4))'), -1);
  });
});

describe('PromQL: one extrapolation rule for every path', () => {
  it('increase() on the ring fast path equals delta() on the sample-list path for an irregularly sampled counter', () => {
    const m = new MetricStore();
    let v = 3;
    let t = T + 2_000;
    // Irregular scrapes (7–23 s apart) and uneven growth, so the edges are extrapolated differently per window.
    for (let i = 0; i < 60; i++) {
      m.add({ __name__: 'c_total', pod: 'p' }, t, v);
      t += 7_000 + ((i * 7919) % 16_000);
      v += (i * 31) % 17;
    }
    // Windows that start after the first sample: there the counter-only "not before zero" clamp cannot apply.
    for (const at of [T + 320_000, T + 401_000, T + 555_500, t - 1_000]) {
      for (const range of ['30s', '1m', '5m']) {
        const inc = vec(`increase(c_total[${range}])`, m, at);
        const del = vec(`delta(c_total[${range}])`, m, at);
        assert.deepEqual(inc, del, `at +${(at - T) / 1000}s over ${range}`);
        const rate = vec(`rate(c_total[${range}])`, m, at);
        const seconds = { '30s': 30, '1m': 60, '5m': 300 }[range]!;
        assert.deepEqual(rate.map((s) => Math.round(s.v * seconds * 1e3) / 1e3), inc.map((s) => Math.round(s.v * 1e3) / 1e3));
      }
    }
  });

  it('a counter reset is counted as a restart from zero, not as a fall', () => {
    const m = new MetricStore();
    const values = [100, 130, 160, 10, 40, 70];
    values.forEach((value, i) => m.add({ __name__: 'r_total' }, T + i * 15_000, value));
    const [inc] = vec('increase(r_total[75s])', m, T + 75_000);
    // The window (0 s, 75 s] holds the samples at 15…75 s: +30, then the reset (+10 from zero), then +60 = 100 over
    // 60 s of samples; the gap to the window's start (15 s) is within 1.1 intervals, so it stretches to 75 s.
    assert.equal(inc.v, 100 * (75 / 60));
  });
});
