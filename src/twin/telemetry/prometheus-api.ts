/**
 * The Prometheus HTTP API (v1) over a MetricStore: /api/v1/query, /api/v1/query_range, /api/v1/series,
 * /api/v1/labels, /api/v1/label/<name>/values, plus /-/ready and /-/healthy. Response JSON as Prometheus writes it.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { MetricStore, compileMatcher, labelsKey } from './metric-store';
import { PromQLError, Value, instantQuery, parsePromQL, rangeQuery } from './promql';
import { readParams, sendJson, sendText } from './http-util';

export interface PrometheusApiOptions {
  metrics: MetricStore;
  /** Current time (ms) for queries without `time`. */
  now: () => number;
  /** Called before each query (the twin brings the simulation up to date here). */
  beforeQuery?: () => void;
}

/** Prometheus' float formatting (strconv 'f', -1): no exponent, NaN, +Inf, -Inf. */
export function formatValue(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (v === Infinity) return '+Inf';
  if (v === -Infinity) return '-Inf';
  const s = String(v);
  if (!/e/i.test(s)) return s;
  if (Math.abs(v) >= 1) return BigInt(Math.round(v)).toString();
  return v.toFixed(20).replace(/0+$/, '');
}

function ts(ms: number): number {
  return ms / 1000;
}

class BadData extends Error {}

function parseTime(text: string | null, name: string, dflt?: number): number {
  if (text === null || text === '') {
    if (dflt !== undefined) return dflt;
    throw new BadData(`invalid parameter "${name}": cannot parse "" to a valid timestamp`);
  }
  if (/^[+-]?\d+(\.\d+)?$/.test(text)) return Math.round(Number(text) * 1000);
  const t = Date.parse(text);
  if (Number.isNaN(t)) throw new BadData(`invalid parameter "${name}": cannot parse "${text}" to a valid timestamp`);
  return t;
}

function parseStep(text: string | null): number {
  if (text === null || text === '') throw new BadData('invalid parameter "step": cannot parse "" to a valid duration');
  if (/^\d+(\.\d+)?$/.test(text)) return Math.round(Number(text) * 1000);
  const m = /^((\d+)(ms|s|m|h|d|w|y))+$/.exec(text);
  if (!m) throw new BadData(`invalid parameter "step": cannot parse "${text}" to a valid duration`);
  let total = 0;
  for (const part of text.matchAll(/(\d+)(ms|s|m|h|d|w|y)/g)) total += Number(part[1]) * ({ ms: 1, s: 1e3, m: 6e4, h: 3.6e6, d: 8.64e7, w: 6.048e8, y: 3.1536e10 }[part[2]] as number);
  return total;
}

function valueJson(v: Value, t: number): { resultType: string; result: unknown } {
  switch (v.type) {
    case 'scalar': return { resultType: 'scalar', result: [ts(t), formatValue(v.v)] };
    case 'string': return { resultType: 'string', result: [ts(t), v.v] };
    case 'vector': return { resultType: 'vector', result: v.samples.map((s) => ({ metric: s.labels, value: [ts(t), formatValue(s.v)] })) };
    case 'matrix': return { resultType: 'matrix', result: v.series.map((s) => ({ metric: s.labels, values: s.points.map(([pt, pv]) => [ts(pt), formatValue(pv)]) })) };
  }
}

function error(res: ServerResponse, status: number, errorType: string, message: string): void {
  sendJson(res, status, { status: 'error', errorType, error: message });
}

/** A request handler for node's http server; answers false when the path is not a Prometheus API path. */
export function prometheusHandler(opts: PrometheusApiOptions): (req: IncomingMessage, res: ServerResponse) => Promise<boolean> {
  return async (req, res) => {
    const { path, params } = await readParams(req);
    if (path === '/-/ready' || path === '/-/healthy') { sendText(res, 200, path === '/-/ready' ? 'Prometheus Server is Ready.\n' : 'Prometheus Server is Healthy.\n'); return true; }
    if (!path.startsWith('/api/v1/')) return false;
    try {
      opts.beforeQuery?.();
      const now = opts.now();
      if (path === '/api/v1/query') {
        const q = params.get('query');
        if (!q) throw new BadData('invalid parameter "query": unknown position: parse error: no expression found in input');
        const t = parseTime(params.get('time'), 'time', now);
        sendJson(res, 200, { status: 'success', data: valueJson(instantQuery(opts.metrics, q, t), t) });
        return true;
      }
      if (path === '/api/v1/query_range') {
        const start = parseTime(params.get('start'), 'start');
        const end = parseTime(params.get('end'), 'end');
        if (end < start) throw new BadData('end timestamp must not be before start time');
        const step = parseStep(params.get('step'));
        if (step <= 0) throw new BadData('zero or negative query resolution step widths are not accepted. Try a positive integer');
        if ((end - start) / step > 11000) throw new BadData('exceeded maximum resolution of 11,000 points per timeseries. Try decreasing the query resolution (?step=XX)');
        const q = params.get('query') ?? '';
        if (!q) throw new BadData('invalid parameter "query": 1:1: parse error: no expression found in input');
        const v = rangeQuery(opts.metrics, q, start, end, step);
        sendJson(res, 200, { status: 'success', data: valueJson(v, end) });
        return true;
      }
      const selected = (): Array<Record<string, string>> | undefined => {
        const matches = params.getAll('match[]');
        if (!matches.length) return undefined;
        const start = parseTime(params.get('start'), 'start', -Infinity);
        const end = parseTime(params.get('end'), 'end', Infinity);
        const out = new Map<string, Record<string, string>>();
        for (const m of matches) {
          const expr = parsePromQL(m);
          if (expr.t !== 'sel') throw new BadData(`invalid parameter "match[]": 1:1: parse error: expected vector selector, got ${expr.t}`);
          for (const s of opts.metrics.select(expr.matchers.map(compileMatcher))) {
            if (s.lastTime < start || s.time(0) > end) continue;
            out.set(labelsKey(s.labels), s.labels);
          }
        }
        return [...out.values()];
      };
      if (path === '/api/v1/series') {
        const list = selected();
        if (!list) throw new BadData('no match[] parameter provided');
        sendJson(res, 200, { status: 'success', data: list });
        return true;
      }
      if (path === '/api/v1/labels') {
        const list = selected() ?? opts.metrics.all().map((s) => s.labels);
        const names = new Set<string>();
        for (const l of list) for (const k of Object.keys(l)) names.add(k);
        sendJson(res, 200, { status: 'success', data: [...names].sort() });
        return true;
      }
      const lv = /^\/api\/v1\/label\/([^/]+)\/values$/.exec(path);
      if (lv) {
        const name = decodeURIComponent(lv[1]);
        const list = selected() ?? opts.metrics.all().map((s) => s.labels);
        const values = new Set<string>();
        for (const l of list) if (l[name] !== undefined && l[name] !== '') values.add(l[name]);
        sendJson(res, 200, { status: 'success', data: [...values].sort() });
        return true;
      }
      if (path === '/api/v1/status/buildinfo') {
        sendJson(res, 200, { status: 'success', data: { version: '2.47.2', revision: 'twin', branch: 'HEAD', buildUser: 'aiopslab', buildDate: '20231009-00:00:00', goVersion: 'go1.21.1' } });
        return true;
      }
      sendText(res, 404, '404 page not found\n');
      return true;
    } catch (err) {
      if (err instanceof BadData) error(res, 400, 'bad_data', err.message);
      else if (err instanceof PromQLError) error(res, err.errorType === 'bad_data' ? 400 : 422, err.errorType, err.errorType === 'bad_data' && !err.message.startsWith('invalid parameter') ? `invalid parameter "query": ${err.message}` : err.message);
      else error(res, 500, 'internal', (err as Error).message);
      return true;
    }
  };
}
