import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { FakeStore, ManualClock, deployApp } from './fixtures';
import { MetricStore } from '../../../src/twin/telemetry/metric-store';
import { instantQuery, rangeQuery } from '../../../src/twin/telemetry/promql';
import { startTelemetry, TelemetryHandle } from '../../../src/twin/telemetry/servers';
import { exportMetrics, ORIGINAL_METRICS } from '../../../src/env/telemetry/metrics-export';
import { exportTraces } from '../../../src/env/telemetry/traces-export';
import { parseCsv } from '../../../src/env/telemetry/csv-table';

const T = Date.parse('2026-09-15T13:00:00Z');

function synthetic(): MetricStore {
  const m = new MetricStore();
  for (let i = 0; i <= 40; i++) {
    const t = T + i * 15_000;
    m.add({ __name__: 'req_total', job: 'a', svc: 'x', code: '200' }, t, i * 150); // 10/s
    m.add({ __name__: 'req_total', job: 'a', svc: 'y', code: '200' }, t, i * 30); // 2/s
    m.add({ __name__: 'req_total', job: 'a', svc: 'x', code: '500' }, t, i * 15); // 1/s
    m.add({ __name__: 'err_total', job: 'a', svc: 'x' }, t, i * 15);
    m.add({ __name__: 'all_total', job: 'a', svc: 'x' }, t, i * 165);
    // 90 % of observations ≤ 0.1 s, the rest in (0.1, 1].
    m.add({ __name__: 'lat_bucket', svc: 'x', le: '0.1' }, t, i * 90);
    m.add({ __name__: 'lat_bucket', svc: 'x', le: '1' }, t, i * 100);
    m.add({ __name__: 'lat_bucket', svc: 'x', le: '+Inf' }, t, i * 100);
  }
  return m;
}

const END = T + 40 * 15_000;
const vec = (v: ReturnType<typeof instantQuery>): Array<{ labels: Record<string, string>; v: number }> => {
  assert.equal(v.type, 'vector');
  return (v as { samples: Array<{ labels: Record<string, string>; v: number }> }).samples;
};

describe('PromQL subset', () => {
  const m = synthetic();
  it('selects with =, !=, =~, !~ and reads the latest sample within the lookback', () => {
    assert.equal(vec(instantQuery(m, 'req_total', END)).length, 3);
    assert.equal(vec(instantQuery(m, 'req_total{svc="x"}', END)).length, 2);
    assert.equal(vec(instantQuery(m, 'req_total{svc!="x"}', END)).length, 1);
    assert.equal(vec(instantQuery(m, 'req_total{code=~"5.."}', END))[0].v, 600);
    assert.equal(vec(instantQuery(m, "req_total{code!~'2..',svc='x'}", END)).length, 1);
    assert.equal(vec(instantQuery(m, '{__name__=~"req_.*"}', END)).length, 3);
    assert.equal(vec(instantQuery(m, 'req_total', END + 6 * 60_000)).length, 0, 'stale after 5 minutes');
  });
  it('rate, irate, increase over [5m]-style ranges', () => {
    const r = vec(instantQuery(m, 'rate(req_total{svc="x",code="200"}[1m])', END));
    assert.ok(Math.abs(r[0].v - 10) < 1e-9, String(r[0].v));
    assert.equal(r[0].labels.__name__, undefined);
    assert.ok(Math.abs(vec(instantQuery(m, 'irate(req_total{svc="y"}[5m])', END))[0].v - 2) < 1e-9);
    assert.ok(Math.abs(vec(instantQuery(m, 'increase(req_total{svc="y"}[5m])', END))[0].v - 600) < 1e-6);
  });
  it('sum/avg/max/min/count by and without', () => {
    const s = vec(instantQuery(m, 'sum by (svc) (rate(req_total[1m]))', END)).sort((a, b) => a.labels.svc.localeCompare(b.labels.svc));
    assert.deepEqual(s.map((x) => [x.labels, Math.round(x.v)]), [[{ svc: 'x' }, 11], [{ svc: 'y' }, 2]]);
    assert.equal(vec(instantQuery(m, 'count without (code) (req_total)', END)).length, 2);
    assert.equal(vec(instantQuery(m, 'max(req_total)', END))[0].v, 6000);
    assert.equal(vec(instantQuery(m, 'sum(rate(req_total[1m])) by (job)', END))[0].labels.job, 'a');
  });
  it('histogram_quantile and error ratios (vector / vector, vector * scalar)', () => {
    const p50 = vec(instantQuery(m, 'histogram_quantile(0.5, sum by (le) (rate(lat_bucket[1m])))', END))[0].v;
    assert.ok(Math.abs(p50 - 0.1 * (50 / 90)) < 1e-9, String(p50));
    const p99 = vec(instantQuery(m, 'histogram_quantile(0.99, rate(lat_bucket[1m]))', END))[0].v;
    assert.ok(Math.abs(p99 - 0.91) < 1e-9, String(p99));
    const ratio = vec(instantQuery(m, 'rate(err_total[1m]) / rate(all_total[1m])', END))[0].v;
    assert.ok(Math.abs(ratio - 1 / 11) < 1e-9);
    const pct = vec(instantQuery(m, 'sum(rate(req_total{code="500"}[1m])) / sum(rate(req_total[1m])) * 100', END))[0].v;
    assert.ok(Math.abs(pct - 100 / 13) < 1e-9);
    assert.equal(vec(instantQuery(m, 'req_total > 5000', END)).length, 1);
    const sc = instantQuery(m, '2 * (3 + 4) ^ 2', END);
    assert.deepEqual(sc, { type: 'scalar', v: 98 });
  });
  it('offset, topk, without, and/unless, absent', () => {
    assert.equal(vec(instantQuery(m, 'req_total{svc="y"} offset 5m', END))[0].v, 20 * 30);
    const top = vec(instantQuery(m, 'topk(1, rate(req_total[1m]))', END));
    assert.deepEqual(top.map((x) => x.labels.svc), ['x']);
    assert.equal(vec(instantQuery(m, 'sum without (code, job) (req_total)', END)).length, 2);
    assert.equal(vec(instantQuery(m, 'req_total unless req_total{code="500"}', END)).length, 2);
    assert.deepEqual(vec(instantQuery(m, 'absent(nothing_total{job="z"})', END)), [{ labels: { job: 'z' }, v: 1 }]);
  });

  it('range queries evaluate every step', () => {
    const r = rangeQuery(m, 'sum(rate(req_total[1m]))', T + 300_000, END, 60_000);
    assert.equal(r.series.length, 1);
    assert.equal(r.series[0].points.length, 6);
  });
  it('rejects bad queries with Prometheus-style parse errors', () => {
    assert.throws(() => instantQuery(m, 'sum(rate(req_total[1m])', END), /parse error/);
    assert.throws(() => instantQuery(m, 'rate(req_total)', END), /expected type range vector in call to function "rate"/);
    assert.throws(() => instantQuery(m, 'foo(req_total)', END), /unknown function with name "foo"/);
    assert.throws(() => instantQuery(m, '{x=~".*"}', END), /at least one non-empty matcher/);
  });
});

describe('telemetry HTTP APIs and the env-layer exporters', function () {
  this.timeout(20_000);
  let tel: TelemetryHandle;
  let clock: ManualClock;
  let out: string;
  const NS = 'test-hotel-reservation';

  before(async () => {
    clock = new ManualClock();
    const store = new FakeStore(clock);
    deployApp(store, 'hotel-reservation', NS);
    tel = await startTelemetry({ store, clock, apps: ['hotel-reservation'], tickMs: 0, seed: 11 });
    tel.engines[NS].addWorkload({ rate: 10, dist: 'exp', entries: [
      { name: 'search', weight: 60, service: 'frontend', operation: 'HTTP GET /hotels', method: 'GET', path: '/hotels' },
      { name: 'login', weight: 40, service: 'frontend', operation: 'HTTP POST /user', method: 'POST', path: '/user' },
    ] });
    clock.advance(5 * 60_000);
    store.create('networkchaos.chaos-mesh.org', { apiVersion: 'chaos-mesh.org/v1alpha1', kind: 'NetworkChaos', metadata: { name: 'delay', namespace: NS }, spec: { action: 'delay', mode: 'one', duration: '200s', selector: { labelSelectors: { 'io.kompose.service': 'user' } }, delay: { latency: '10s' } } });
    clock.advance(2 * 60_000);
    out = fs.mkdtempSync(path.join(os.tmpdir(), 'aiopslab-tel-'));
  });
  after(async () => {
    await tel?.stop();
    fs.rmSync(out, { recursive: true, force: true });
  });

  const get = async (url: string): Promise<{ status: number; body: any }> => { // eslint-disable-line @typescript-eslint/no-explicit-any
    const res = await fetch(url);
    return { status: res.status, body: await res.json() };
  };

  it('Prometheus: query_range returns a matrix in Prometheus JSON; errors are bad_data', async () => {
    const now = clock.now() / 1000;
    const r = await get(`${tel.prometheus.url}/api/v1/query_range?${new URLSearchParams({ query: 'sum by (service) (rate(service_requests_total{namespace="test-hotel-reservation"}[1m]))', start: String(now - 300), end: String(now), step: '15' })}`);
    assert.equal(r.status, 200);
    assert.equal(r.body.status, 'success');
    assert.equal(r.body.data.resultType, 'matrix');
    const fe = r.body.data.result.find((s: { metric: { service: string } }) => s.metric.service === 'frontend');
    assert.ok(fe.values.length >= 19);
    const [t, v] = fe.values[fe.values.length - 1];
    assert.equal(typeof t, 'number');
    assert.equal(typeof v, 'string');
    assert.ok(Number(v) > 5 && Number(v) < 15);
    const bad = await get(`${tel.prometheus.url}/api/v1/query?query=${encodeURIComponent('sum(rate(x[5m])')}`);
    assert.equal(bad.status, 400);
    assert.equal(bad.body.status, 'error');
    assert.equal(bad.body.errorType, 'bad_data');
    assert.match(bad.body.error, /parse error/);
    const noStep = await get(`${tel.prometheus.url}/api/v1/query_range?query=up&start=1&end=2`);
    assert.equal(noStep.body.errorType, 'bad_data');
  });

  it('Prometheus: instant query, series, labels and label values', async () => {
    const q = await get(`${tel.prometheus.url}/api/v1/query?query=${encodeURIComponent('histogram_quantile(0.99, sum by (le) (rate(service_client_request_duration_seconds_bucket{target="user"}[1m])))')}`);
    assert.equal(q.body.data.resultType, 'vector');
    assert.ok(Number(q.body.data.result[0].value[1]) >= 10);
    const s = await get(`${tel.prometheus.url}/api/v1/series?${new URLSearchParams({ 'match[]': 'container_memory_working_set_bytes{pod=~"geo-.*"}' })}`);
    assert.equal(s.body.data.length, 3);
    const labels = await get(`${tel.prometheus.url}/api/v1/labels`);
    assert.ok(['__name__', 'container', 'instance', 'namespace', 'pod'].every((l) => labels.body.data.includes(l)));
    const values = await get(`${tel.prometheus.url}/api/v1/label/__name__/values`);
    assert.ok(values.body.data.includes('container_cpu_usage_seconds_total'));
  });

  it('Jaeger: services, operations, traces filtered by service/operation/tags/minDuration, trace by id', async () => {
    const base = tel.jaeger[NS].url;
    const services = await get(`${base}/api/services`);
    assert.deepEqual(services.body.data, ['frontend', 'geo', 'profile', 'rate', 'reservation', 'search', 'user']);
    const ops = await get(`${base}/api/services/user/operations`);
    assert.deepEqual(ops.body.data, ['/user.User/CheckUser']);
    const slow = await get(`${base}/api/traces?${new URLSearchParams({ service: 'frontend', operation: '/user.User/CheckUser', minDuration: '10s', lookback: '1h', limit: '5' })}`);
    assert.equal(slow.body.data.length, 5);
    const trace = slow.body.data[0];
    const client = trace.spans.find((s: { operationName: string; references: unknown[] }) => s.operationName === '/user.User/CheckUser' && trace.processes[(s as unknown as { processID: string }).processID].serviceName === 'frontend');
    assert.ok(client.duration >= 10_000_000);
    assert.equal(client.references[0].refType, 'CHILD_OF');
    assert.ok(trace.spans.some((s: { tags: Array<{ key: string; value: unknown }> }) => s.tags.some((t) => t.key === 'http.status_code' && t.value === 200)));
    const fast = await get(`${base}/api/traces?${new URLSearchParams({ service: 'frontend', operation: 'HTTP GET /hotels', maxDuration: '1s', limit: '3' })}`);
    assert.equal(fast.body.data.length, 3);
    const errs = await get(`${base}/api/traces?${new URLSearchParams({ service: 'frontend', tags: '{"error":"true"}' })}`);
    assert.equal(errs.body.data.length, 0);
    const byId = await get(`${base}/api/traces/${trace.traceID}`);
    assert.equal(byId.body.data[0].traceID, trace.traceID);
    const missing = await get(`${base}/api/traces/00000000deadbeef`);
    assert.equal(missing.status, 404);
    const noService = await get(`${base}/api/traces`);
    assert.equal(noService.status, 400);
    assert.equal(noService.body.errors[0].msg, "parameter 'service' is required");
  });

  it('exportMetrics writes the original layout, columns and reply over real HTTP', async () => {
    const res = await exportMetrics({ prometheusUrl: tel.prometheus.url, namespace: NS, durationMinutes: 5, outDir: out, now: clock.now() });
    assert.match(res.text, /^Metrics data exported to directory: .*metrics_output\/metric_\d{8}_\d{6}\n\nDirectory structure:\nmetric_\d{8}_\d{6}\/\n {4}container\/\n {8}kpi_/);
    assert.ok(fs.existsSync(path.join(res.dir, 'istio')));
    const names = fs.readdirSync(path.join(res.dir, 'container'));
    assert.ok(names.includes('kpi_container_cpu_usage_seconds_total.csv'));
    assert.ok(names.includes('kpi_container_threads_max.csv'), 'the real names behind the fused entry are exported too');
    assert.ok(!names.includes(`kpi_${ORIGINAL_METRICS[17]}.csv`), 'the fused name matches nothing');
    const rows = parseCsv(fs.readFileSync(path.join(res.dir, 'container', 'kpi_container_network_receive_bytes_total.csv'), 'utf8')).filter((r) => r.length > 1);
    assert.deepEqual(rows[0], ['timestamp', 'cmdb_id', 'kpi_name', 'value']);
    assert.match(rows[1][1], /^kind-worker\.[a-z-]+-5d8f7c9b4-ax2kq$/);
    assert.equal(rows[1][2], 'container_network_receive_bytes_total.eth0');
    const ts = rows.slice(1).map((r) => Number(r[0]));
    assert.deepEqual(ts, [...ts].sort((a, b) => a - b));
    assert.ok(ts.every((t) => Number.isInteger(t) && t % 15 === 0));
  });

  it('exportMetrics keeps only the given pods (the original lists them through the Kubernetes API)', async () => {
    const geo = (await get(`${tel.prometheus.url}/api/v1/label/pod/values`)).body.data.find((p: string) => p.startsWith('geo-'));
    const res = await exportMetrics({ prometheusUrl: tel.prometheus.url, namespace: NS, durationMinutes: 1, outDir: path.join(out, 'only-geo'), now: clock.now(), pods: [geo] });
    const rows = parseCsv(fs.readFileSync(path.join(res.dir, 'container', 'kpi_container_memory_rss.csv'), 'utf8')).filter((r) => r.length > 1).slice(1);
    assert.ok(rows.length >= 3 * 4);
    assert.ok(rows.every((r) => r[1] === `kind-worker.${geo}`));
  });

  it('exportTraces writes the original columns and file name over real HTTP', async () => {
    const res = await exportTraces({ jaegerUrl: tel.jaeger[NS].url, namespace: NS, durationMinutes: 5, outDir: out, now: clock.now() });
    assert.equal(res.text, `Traces data exported to: ${path.join(out, 'trace_output', `traces_${Math.floor(clock.now() / 1000)}.csv`)}`);
    const rows = parseCsv(fs.readFileSync(res.file, 'utf8')).filter((r) => r.length > 1);
    assert.deepEqual(rows[0], ['trace_id', 'span_id', 'parent_span', 'service_name', 'operation_name', 'start_time', 'duration', 'has_error', 'response']);
    assert.ok(rows.some((r) => r[2] === 'ROOT' && r[3] === 'frontend' && r[8] === '200'));
    assert.ok(rows.some((r) => r[3] === 'search' && r[8] === '2xx'));
    assert.ok(rows.slice(1).every((r) => r[7] === 'True' || r[7] === 'False'));
  });
});
