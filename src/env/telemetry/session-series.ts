/**
 * The app's request telemetry over one episode, for the session record and the transcript's charts: per service the
 * median and 99th-percentile request latency and the share of failed requests, from Prometheus range queries over the
 * request metrics the services export (`service_request_duration_seconds_bucket`, `service_requests_total`,
 * `service_request_errors_total`, labelled `namespace` and `service`; the embedded cluster's request simulation
 * writes exactly these). Plain HTTP, so it works against a real Prometheus as well as the twin's.
 *
 * Kept small: at most `maxPoints` points per series (the step grows with the episode, never below `minStepMs`) and at
 * most `maxServices` services (the most affected: highest peak error rate, then highest peak p99), values rounded to
 * three significant digits.
 */
import type { ServiceSeries, SessionTelemetry } from '../../core/session/types';

export interface SessionSeriesOptions {
  prometheusUrl: string;
  namespace: string;
  startMs: number;
  endMs: number;
  /** Points per series at most (default 120). */
  maxPoints?: number;
  /** Services kept at most (default 20). */
  maxServices?: number;
  /** Smallest spacing of points (default 5 s; Prometheus scrapes every 15 s, so finer adds nothing). */
  minStepMs?: number;
  /** Smallest rate window, seconds (default 30: two scrapes at the usual 15 s interval). */
  minWindowSec?: number;
  /** Per query (default 10 s). */
  timeoutMs?: number;
  fetch?: typeof fetch;
  /**
   * The service the session's fault is aimed at: always kept (never left out for the service cap) and recorded as
   * `faultTarget`, with an empty series when it served no request in the window (a failed pod), so the charts name it.
   */
  faultTarget?: string;
}

interface Matrix {
  metric: Record<string, string>;
  values: Array<[number, string]>;
}

const SERVICE_LABEL = 'service';

/** Rounds to three significant digits (charts need no more; the record stays small). */
function round3(v: number): number {
  if (v === 0 || !Number.isFinite(v)) return v;
  const digits = 2 - Math.floor(Math.log10(Math.abs(v)));
  const f = 10 ** Math.max(0, Math.min(digits, 12));
  return digits > 0 ? Math.round(v * f) / f : Number(v.toPrecision(3));
}

/** Prometheus' quoting of a label value inside a selector. */
function quote(v: string): string {
  return `"${v.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
}

async function queryRange(opts: SessionSeriesOptions, query: string, startS: number, endS: number, stepS: number): Promise<Matrix[]> {
  const fetchImpl = opts.fetch ?? fetch;
  const url = `${opts.prometheusUrl.replace(/\/+$/, '')}/api/v1/query_range?${new URLSearchParams({ query, start: String(startS), end: String(endS), step: String(stepS) })}`;
  let res: Response;
  try {
    res = await fetchImpl(url, { signal: AbortSignal.timeout(opts.timeoutMs ?? 10_000) });
  } catch (error) {
    const e = error as Error & { cause?: { code?: string; message?: string; errors?: Array<{ code?: string }> } };
    const why = e.name === 'TimeoutError' ? `no answer within ${Math.round((opts.timeoutMs ?? 10_000) / 1000)} s` : e.cause?.code ?? e.cause?.errors?.[0]?.code ?? e.cause?.message ?? e.message;
    throw new Error(`Prometheus at ${opts.prometheusUrl} could not be queried (${why}).`);
  }
  let body: { status?: string; error?: string; data?: { resultType?: string; result?: Matrix[] } };
  try {
    body = (await res.json()) as typeof body;
  } catch {
    throw new Error(`Prometheus at ${opts.prometheusUrl} answered HTTP ${res.status} without a JSON body.`);
  }
  if (body.status !== 'success') throw new Error(`Prometheus rejected the query ${query}: ${body.error ?? `HTTP ${res.status}`}`);
  return body.data?.resultType === 'matrix' ? body.data.result ?? [] : [];
}

/** One value per point (null where Prometheus has none, or NaN / ±Inf), scaled. */
function align(series: Matrix | undefined, startS: number, stepS: number, points: number, scale: number): Array<number | null> {
  const out: Array<number | null> = new Array(points).fill(null);
  if (!series) return out;
  for (const [t, raw] of series.values) {
    const i = Math.round((Number(t) - startS) / stepS);
    const v = Number(raw);
    if (i >= 0 && i < points && Number.isFinite(v)) out[i] = round3(v * scale);
  }
  return out;
}

function peak(values: Array<number | null>): number {
  let m = -1;
  for (const v of values) if (v !== null && v > m) m = v;
  return m;
}

/**
 * Reads the series. Throws with a specific reason when Prometheus cannot be queried or has no request metrics for the
 * namespace in the window (the caller records that as a note, never as a failure of the session).
 */
export async function collectSessionSeries(opts: SessionSeriesOptions): Promise<SessionTelemetry> {
  const maxPoints = Math.max(2, opts.maxPoints ?? 120);
  const maxServices = Math.max(1, opts.maxServices ?? 20);
  const startS = Math.floor(opts.startMs / 1000);
  const endS = Math.max(startS + 1, Math.ceil(opts.endMs / 1000));
  const minStepS = Math.max(1, Math.round((opts.minStepMs ?? 5000) / 1000));
  const stepS = Math.max(minStepS, Math.ceil((endS - startS) / (maxPoints - 1)));
  const points = Math.floor((endS - startS) / stepS) + 1;
  const windowS = Math.max(opts.minWindowSec ?? 30, 2 * stepS);
  const sel = `{namespace=${quote(opts.namespace)}}`;
  const by = `sum by (${SERVICE_LABEL}, le) (rate(service_request_duration_seconds_bucket${sel}[${windowS}s]))`;
  const [p50, p99, errors] = await Promise.all([
    queryRange(opts, `histogram_quantile(0.5, ${by})`, startS, endS, stepS),
    queryRange(opts, `histogram_quantile(0.99, ${by})`, startS, endS, stepS),
    queryRange(
      opts,
      `sum by (${SERVICE_LABEL}) (rate(service_request_errors_total${sel}[${windowS}s])) / sum by (${SERVICE_LABEL}) (rate(service_requests_total${sel}[${windowS}s]))`,
      startS,
      endS,
      stepS,
    ),
  ]);
  const byService = (list: Matrix[]) => new Map(list.filter((m) => m.metric[SERVICE_LABEL]).map((m) => [m.metric[SERVICE_LABEL], m]));
  const p50s = byService(p50);
  const p99s = byService(p99);
  const errs = byService(errors);
  const names = [...new Set([...p50s.keys(), ...p99s.keys(), ...errs.keys()])].sort();
  const target = opts.faultTarget;
  const all: ServiceSeries[] = names
    .map((service) => ({
      service,
      p50Ms: align(p50s.get(service), startS, stepS, points, 1000),
      p99Ms: align(p99s.get(service), startS, stepS, points, 1000),
      errorRate: align(errs.get(service), startS, stepS, points, 1),
    }))
    .filter((s) => s.p50Ms.some((v) => v !== null) || s.p99Ms.some((v) => v !== null) || s.errorRate.some((v) => v !== null));
  if (!all.length) {
    throw new Error(
      `Prometheus has no request metrics (service_request_duration_seconds_bucket, service_requests_total) for namespace ${opts.namespace} ` +
        `between ${new Date(startS * 1000).toISOString()} and ${new Date(endS * 1000).toISOString()}` +
        (endS - startS < windowS ? ` (a window of only ${endS - startS} s: a rate needs two scrapes within ${windowS} s)` : '') +
        '.',
    );
  }
  if (target && !all.some((s) => s.service === target)) {
    const none = () => new Array<number | null>(points).fill(null);
    all.push({ service: target, p50Ms: none(), p99Ms: none(), errorRate: none() });
    all.sort((a, b) => a.service.localeCompare(b.service));
  }
  // The fault's target first, then the most affected.
  const ranked = [...all].sort((a, b) => Number(b.service === target) - Number(a.service === target) || peak(b.errorRate) - peak(a.errorRate) || peak(b.p99Ms) - peak(a.p99Ms) || a.service.localeCompare(b.service));
  const kept = new Set(ranked.slice(0, maxServices).map((s) => s.service));
  const services = all.filter((s) => kept.has(s.service));
  const omitted = all.filter((s) => !kept.has(s.service)).map((s) => s.service);
  return {
    source: 'prometheus',
    namespace: opts.namespace,
    startMs: startS * 1000,
    endMs: Math.max(startS * 1000, Math.min(opts.endMs, endS * 1000)),
    stepMs: stepS * 1000,
    windowSec: windowS,
    services,
    ...(target ? { faultTarget: target } : {}),
    ...(omitted.length ? { omittedServices: omitted } : {}),
  };
}
