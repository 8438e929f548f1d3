/**
 * Twin telemetry figures: spans simulated per second on one core (HotelReservation, healthy, every request traced),
 * heap per 1,000 stored traces, and PromQL query_range latency over 1 hour of data for one service.
 */
import { SimEngine } from '../src/twin/sim/engine';
import { loadModel } from '../src/twin/sim/load-model';
import { TraceStore } from '../src/twin/telemetry/trace-store';
import { rangeQuery } from '../src/twin/telemetry/promql';
import type { KubeObject } from '../src/twin/contracts';
import * as v8 from 'node:v8';
import * as vm from 'node:vm';

/** A gc() even without --expose-gc (npm run bench starts node plainly). */
function gc(): void {
  v8.setFlagsFromString('--expose-gc');
  (vm.runInNewContext('gc') as () => void)();
}

function healthySnapshot(): { pods: KubeObject[]; services: KubeObject[] } {
  const model = loadModel('hotel-reservation');
  const pods: KubeObject[] = [];
  const services: KubeObject[] = [];
  let ip = 10;
  for (const [name, s] of Object.entries(model.services)) {
    const labels = { 'io.kompose.service': name };
    pods.push({
      apiVersion: 'v1', kind: 'Pod', metadata: { name: `${name}-5d8f7c9b4-x2kq`, namespace: model.namespace, uid: `u-${name}`, labels },
      spec: { nodeName: 'kind-worker', containers: [{ name: `hotel-reserv-${name}`, image: 'yinfangchen/hotelreservation:latest', command: [name], ports: [{ containerPort: s.port }], resources: { limits: { cpu: '1', memory: '512Mi' } } }] },
      status: { phase: 'Running', podIP: `10.244.1.${ip++}`, conditions: [{ type: 'Ready', status: 'True' }] },
    });
    services.push({ apiVersion: 'v1', kind: 'Service', metadata: { name, namespace: model.namespace }, spec: { selector: labels, ports: [{ port: s.port, targetPort: s.port }] } });
  }
  return { pods, services };
}

function engineFor(start: number, traces?: TraceStore): SimEngine {
  const clock = { now: () => start };
  const e = new SimEngine({ model: loadModel('hotel-reservation'), clock, seed: 42, ...(traces ? { traces } : {}) });
  const { pods, services } = healthySnapshot();
  e.setSnapshot({ pods, services, configMaps: [], podChaos: [], networkChaos: [], stressChaos: [], httpChaos: [] });
  return e;
}

export async function run(): Promise<Record<string, number | string>> {
  const start = Date.parse('2026-09-15T12:00:00Z');
  const a = throughput(start);
  const b = memory(start);
  gc();
  const c = promql(start);
  return { ...a, ...b, ...c };
}

function throughput(start: number): Record<string, number> {
  // 1. Throughput: 2,000 req/s for 60 s of twin time.
  const e1 = engineFor(start, new TraceStore({ maxTraces: 20_000 }));
  e1.addWorkload({ rate: 2000, dist: 'exp' });
  e1.advanceTo(start + 5_000); // warm-up
  const s0 = e1.spansSimulated;
  const t0 = process.hrtime.bigint();
  e1.advanceTo(start + 65_000);
  const secs = Number(process.hrtime.bigint() - t0) / 1e9;
  const spansPerSec = (e1.spansSimulated - s0) / secs;
  return { spans_simulated_per_sec: Math.round(spansPerSec) };
}

function memory(start: number): Record<string, number> {
  // 2. Memory per 1,000 stored traces (heap difference with 20,000 traces stored).
  gc();
  const before = process.memoryUsage().heapUsed;
  const store = new TraceStore({ maxTraces: 20_000 });
  const e2 = engineFor(start, store);
  e2.addWorkload({ rate: 1000, dist: 'exp' });
  e2.advanceTo(start + 21_000);
  gc();
  const after = process.memoryUsage().heapUsed;
  const spansPerTrace = store.spansAdded / Math.max(1, e2.requestsSimulated);
  const bytesPer1000 = ((after - before) / store.count) * 1000;
  return { spans_per_trace: Number(spansPerTrace.toFixed(1)), heap_bytes_per_1000_traces: Math.round(bytesPer1000), traces_stored: store.count };
}

function promql(start: number): Record<string, number | string> {
  // 3. query_range over 1 hour of data for one service (15 s scrapes).
  const e3 = engineFor(start);
  e3.addWorkload({ rate: 20, dist: 'exp' });
  e3.advanceTo(start + 3_600_000);
  const end = start + 3_600_000;
  const queries = [
    'sum(rate(service_requests_total{service="frontend"}[5m]))',
    'histogram_quantile(0.99, sum by (le) (rate(service_request_duration_seconds_bucket{service="frontend"}[5m])))',
    'sum(rate(service_request_errors_total{service="frontend"}[5m])) / sum(rate(service_requests_total{service="frontend"}[5m]))',
    "container_cpu_usage_seconds_total{namespace='test-hotel-reservation',pod=~'frontend-.*'}",
  ];
  for (const q of queries) rangeQuery(e3.metrics, q, end - 3_600_000, end, 15_000); // warm-up (JIT)
  const lat: number[] = [];
  const perQuery: Record<string, number> = {};
  const samples: number[][] = queries.map(() => []);
  gc();
  for (let rep = 0; rep < 15; rep++) queries.forEach((q, i) => {
    const q0 = process.hrtime.bigint();
    rangeQuery(e3.metrics, q, end - 3_600_000, end, 15_000);
    const ms = Number(process.hrtime.bigint() - q0) / 1e6;
    lat.push(ms);
    samples[i].push(ms);
  });
  samples.forEach((xs, i) => { xs.sort((a, b) => a - b); perQuery[`promql_q${i + 1}_median_ms`] = Number(xs[Math.floor(xs.length / 2)].toFixed(2)); });
  lat.sort((a, b) => a - b);
  return {
    promql_query_range_1h_median_ms: Number(lat[Math.floor(lat.length / 2)].toFixed(2)),
    promql_query_range_1h_p90_ms: Number(lat[Math.floor(lat.length * 0.9)].toFixed(2)),
    promql_query_range_1h_max_ms: Number(lat[lat.length - 1].toFixed(2)),
    ...perQuery,
    promql_queries: queries.map((q, i) => `q${i + 1}: ${q}`).join(' | '),
    metric_series_after_1h: e3.metrics.seriesCount,
  };
}

if (require.main === module) void run().then((r) => console.log(JSON.stringify(r, null, 2)));
