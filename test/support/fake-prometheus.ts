/**
 * A Prometheus to query in tests: the twin's Prometheus HTTP API (src/twin/telemetry) over a metric store filled with
 * synthetic request metrics of a few services, one scrape every `intervalMs`. After `faultAtMs` the `faulty` service
 * answers slowly and half its requests fail.
 */
import { MetricStore } from '../../src/twin/telemetry/metric-store';
import { prometheusHandler } from '../../src/twin/telemetry/prometheus-api';
import { serveHandler, type Endpoint } from '../../src/twin/telemetry/servers';

const LE = ['0.005', '0.01', '0.025', '0.05', '0.1', '0.25', '0.5', '1', '2.5', '+Inf'];

export interface FakePrometheusOptions {
  namespace: string;
  services: string[];
  fromMs: number;
  toMs: number;
  intervalMs?: number;
  faulty?: string;
  faultAtMs?: number;
  /** Requests per second per service. */
  rps?: number;
}

export function fillRequestMetrics(store: MetricStore, o: FakePrometheusOptions): void {
  const interval = o.intervalMs ?? 15_000;
  const rps = o.rps ?? 10;
  for (const service of o.services) {
    const labels = { namespace: o.namespace, service, operation: 'op', job: 'fake' };
    let requests = 0;
    let errors = 0;
    let sum = 0;
    const buckets = new Array<number>(LE.length).fill(0);
    for (let t = Math.ceil(o.fromMs / interval) * interval; t <= o.toMs; t += interval) {
      const n = Math.round((rps * interval) / 1000);
      const broken = service === o.faulty && o.faultAtMs !== undefined && t > o.faultAtMs;
      // Healthy: 80 % of requests within 10 ms, the rest within 50 ms. Broken: all between 1 s and 2.5 s.
      const fast = broken ? 0 : Math.round(n * 0.8);
      requests += n;
      errors += broken ? Math.round(n / 2) : 0;
      sum += broken ? n * 1.5 : fast * 0.008 + (n - fast) * 0.03;
      for (let b = 0; b < LE.length; b++) {
        const le = LE[b] === '+Inf' ? Infinity : Number(LE[b]);
        if (broken) buckets[b] += le >= 2.5 ? n : 0;
        else buckets[b] += le >= 0.05 ? n : le >= 0.01 ? fast : 0;
      }
      store.add({ __name__: 'service_requests_total', ...labels }, t, requests);
      store.add({ __name__: 'service_request_errors_total', ...labels }, t, errors);
      store.add({ __name__: 'service_request_duration_seconds_sum', ...labels }, t, sum);
      store.add({ __name__: 'service_request_duration_seconds_count', ...labels }, t, requests);
      LE.forEach((le, b) => store.add({ __name__: 'service_request_duration_seconds_bucket', ...labels, le }, t, buckets[b]));
    }
  }
}

export async function startFakePrometheus(o: FakePrometheusOptions): Promise<Endpoint & { metrics: MetricStore }> {
  const metrics = new MetricStore({ retentionMs: 24 * 3_600_000, intervalMs: o.intervalMs ?? 15_000 });
  fillRequestMetrics(metrics, o);
  const endpoint = await serveHandler(prometheusHandler({ metrics, now: () => o.toMs }));
  return { ...endpoint, metrics };
}
