/**
 * The Jaeger query API (the HTTP JSON API the Jaeger UI uses) over a TraceStore: /api/services,
 * /api/services/<s>/operations, /api/operations, /api/traces (service, operation, tags, tag, start, end, lookback,
 * limit, minDuration, maxDuration, traceID), /api/traces/<id>. Also served under the `/jaeger/ui` base path, as the
 * OpenTelemetry demo's Jaeger is.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { SpanRecord, TagValue, TraceRecord, TraceStore } from './trace-store';
import { readParams, sendJson } from './http-util';
import { parseGoDuration } from '../sim/duration';

export interface JaegerApiOptions {
  traces: TraceStore;
  now: () => number;
  beforeQuery?: () => void;
}

/** Jaeger's default number of traces per search. */
export const DEFAULT_TRACE_LIMIT = 100;

function envelope(data: unknown, errors: Array<{ code: number; msg: string }> | null = null): Record<string, unknown> {
  return { data, total: Array.isArray(data) ? data.length : 0, limit: 0, offset: 0, errors };
}

class ApiError extends Error {
  constructor(readonly code: number, message: string) { super(message); }
}

function tagJson([key, value]: [string, TagValue]): { key: string; type: string; value: TagValue } {
  const type = typeof value === 'boolean' ? 'bool' : typeof value === 'number' ? (Number.isInteger(value) ? 'int64' : 'float64') : 'string';
  return { key, type, value };
}

/** A trace in Jaeger's UI JSON model. */
export function traceJson(t: TraceRecord): Record<string, unknown> {
  // One process per service and pod, as a real Jaeger reports one per tracer instance (hostname = the pod's name).
  const processIds = new Map<string, string>();
  const processes: Record<string, unknown> = {};
  const processOf = (s: SpanRecord): string => {
    const key = `${s.service}\u0000${s.pod ?? ''}`;
    let id = processIds.get(key);
    if (!id) {
      id = `p${processIds.size + 1}`;
      processIds.set(key, id);
      processes[id] = { serviceName: s.service, tags: [{ key: 'hostname', type: 'string', value: s.pod ?? s.service }, { key: 'jaeger.version', type: 'string', value: 'Go-2.30.0' }] };
    }
    return id;
  };
  return {
    traceID: t.traceId,
    spans: t.spans.map((s: SpanRecord) => ({
      traceID: t.traceId,
      spanID: s.spanId,
      flags: 1,
      operationName: s.operation,
      references: s.parentSpanId ? [{ refType: 'CHILD_OF', traceID: t.traceId, spanID: s.parentSpanId }] : [],
      startTime: s.startUs,
      duration: s.durationUs,
      tags: [...s.tags.map(tagJson), ...(s.error ? [{ key: 'error', type: 'bool', value: true }] : []), { key: 'internal.span.format', type: 'string', value: 'proto' }],
      logs: [],
      processID: processOf(s),
      warnings: null,
    })),
    processes,
    warnings: null,
  };
}

function duration(params: URLSearchParams, name: string): number | undefined {
  const v = params.get(name);
  if (v === null || v === '') return undefined;
  const ms = parseGoDuration(v);
  if (ms === undefined || /^[0-9.]+$/.test(v)) throw new ApiError(400, `cannot not parse ${name}: time: missing unit in duration "${v}"`);
  return Math.round(ms * 1000);
}

function intParam(params: URLSearchParams, name: string): number | undefined {
  const v = params.get(name);
  if (v === null || v === '') return undefined;
  if (!/^-?\d+$/.test(v)) throw new ApiError(400, `strconv.ParseInt: parsing "${v}": invalid syntax`);
  return Number(v);
}

export function jaegerHandler(opts: JaegerApiOptions): (req: IncomingMessage, res: ServerResponse) => Promise<boolean> {
  return async (req, res) => {
    const parsed = await readParams(req);
    const path = parsed.path.replace(/^\/jaeger\/ui(?=\/api\/)/, '');
    const params = parsed.params;
    if (!path.startsWith('/api/')) return false;
    try {
      opts.beforeQuery?.();
      const traces = opts.traces;
      if (path === '/api/services') { sendJson(res, 200, envelope(traces.services())); return true; }
      let m = /^\/api\/services\/([^/]+)\/operations$/.exec(path);
      if (m) { sendJson(res, 200, envelope(traces.operationsOf(decodeURIComponent(m[1])).map((o) => o.name))); return true; }
      if (path === '/api/operations') {
        const service = params.get('service');
        if (!service) throw new ApiError(400, "parameter 'service' is required");
        const kind = params.get('spanKind');
        sendJson(res, 200, envelope(traces.operationsOf(service).filter((o) => !kind || o.spanKind === kind)));
        return true;
      }
      m = /^\/api\/traces\/([^/]+)$/.exec(path);
      if (m) {
        const t = traces.get(decodeURIComponent(m[1]));
        if (!t) { sendJson(res, 404, envelope(null, [{ code: 404, msg: 'trace not found' }])); return true; }
        sendJson(res, 200, envelope([traceJson(t)]));
        return true;
      }
      if (path === '/api/traces') {
        const ids = params.getAll('traceID');
        if (ids.length) {
          const found = ids.map((id) => traces.get(id)).filter((t): t is TraceRecord => Boolean(t));
          sendJson(res, found.length ? 200 : 404, found.length ? envelope(found.map(traceJson)) : envelope(null, [{ code: 404, msg: 'trace not found' }]));
          return true;
        }
        const service = params.get('service');
        if (!service) throw new ApiError(400, "parameter 'service' is required");
        const endUs = intParam(params, 'end') ?? opts.now() * 1000;
        const lookback = params.get('lookback');
        const lookbackMs = lookback && lookback !== 'custom' ? parseGoDuration(lookback) : undefined;
        if (lookback && lookback !== 'custom' && lookbackMs === undefined) throw new ApiError(400, `cannot not parse lookback: time: invalid duration "${lookback}"`);
        const startUs = intParam(params, 'start') ?? endUs - (lookbackMs ?? 3_600_000) * 1000;
        const tags: Record<string, string> = {};
        const tagsJson = params.get('tags');
        if (tagsJson) {
          let obj: unknown;
          try { obj = JSON.parse(tagsJson); } catch { throw new ApiError(400, `malformed 'tags' parameter, cannot unmarshal JSON: ${tagsJson}`); }
          if (!obj || typeof obj !== 'object' || Array.isArray(obj)) throw new ApiError(400, `malformed 'tags' parameter, cannot unmarshal JSON: ${tagsJson}`);
          for (const [k, v] of Object.entries(obj as Record<string, unknown>)) tags[k] = String(v);
        }
        for (const tag of params.getAll('tag')) {
          const i = tag.indexOf(':');
          if (i < 0) throw new ApiError(400, `malformed 'tag' parameter, expecting key:value, received: ${tag}`);
          tags[tag.slice(0, i)] = tag.slice(i + 1);
        }
        const minDurationUs = duration(params, 'minDuration');
        const maxDurationUs = duration(params, 'maxDuration');
        if (minDurationUs !== undefined && maxDurationUs !== undefined && maxDurationUs < minDurationUs) throw new ApiError(400, 'cannot query for min duration greater than max duration');
        const limit = intParam(params, 'limit') ?? DEFAULT_TRACE_LIMIT;
        const found = traces.find({ service, operation: params.get('operation') ?? undefined, tags, startUs, endUs, minDurationUs, maxDurationUs, limit: limit > 0 ? limit : DEFAULT_TRACE_LIMIT });
        sendJson(res, 200, envelope(found.map(traceJson)));
        return true;
      }
      sendJson(res, 404, envelope(null, [{ code: 404, msg: `404 page not found: ${path}` }]));
      return true;
    } catch (err) {
      const code = err instanceof ApiError ? err.code : 500;
      sendJson(res, code, envelope(null, [{ code, msg: (err as Error).message }]));
      return true;
    }
  };
}
