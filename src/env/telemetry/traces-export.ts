/**
 * get_traces as the original does it: GET <base>/api/services, skip jaeger-all-in-one, per service
 * GET <base>/api/traces?service=<s>&lookback=<seconds>s, one CSV `<outDir>/trace_output/traces_<epoch>.csv` with
 * columns trace_id, span_id, parent_span, service_name, operation_name, start_time, duration, has_error, response.
 * Plain HTTP: works against a real Jaeger as well as the twin's.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

export interface ExportTracesOptions {
  /** Jaeger query base URL (for AstronomyShop the original uses `<host>/jaeger/ui`). */
  jaegerUrl: string;
  namespace: string;
  durationMinutes?: number;
  outDir: string;
  now?: Date | number;
  fetch?: typeof fetch;
}

export interface ExportTracesResult {
  text: string;
  file: string;
  rows: number;
}

interface JTag { key: string; value: unknown }
interface JSpan { traceID: string; spanID: string; operationName: string; references?: Array<{ refType: string; spanID: string }>; startTime: number; duration: number; tags?: JTag[]; processID: string }
interface JTrace { traceID: string; spans: JSpan[]; processes: Record<string, { serviceName: string }> }

const COLUMNS = ['trace_id', 'span_id', 'parent_span', 'service_name', 'operation_name', 'start_time', 'duration', 'has_error', 'response'];

function csvField(v: string): string {
  return /[",\n\r]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v;
}

async function getJson<T>(fetchImpl: typeof fetch, url: string): Promise<T> {
  const res = await fetchImpl(url, { headers: { Accept: 'application/json' } });
  if (!res.ok) throw new Error(`Jaeger request failed: ${res.status} ${res.statusText} (${url})`);
  return (await res.json()) as T;
}

export async function exportTraces(opts: ExportTracesOptions): Promise<ExportTracesResult> {
  const fetchImpl = opts.fetch ?? fetch;
  const now = opts.now === undefined ? Date.now() : new Date(opts.now).getTime();
  const base = opts.jaegerUrl.replace(/\/+$/, '');
  const lookback = Math.round((opts.durationMinutes ?? 5) * 60);
  const services = (await getJson<{ data: string[] | null }>(fetchImpl, `${base}/api/services`)).data ?? [];
  const lines: string[] = [COLUMNS.join(',')];
  for (const service of services) {
    if (service === 'jaeger-all-in-one') continue;
    const body = await getJson<{ data: JTrace[] | null }>(fetchImpl, `${base}/api/traces?${new URLSearchParams({ service, lookback: `${lookback}s` })}`);
    for (const trace of body.data ?? []) {
      for (const span of trace.spans) {
        const parent = span.references?.find((r) => r.refType === 'CHILD_OF')?.spanID ?? 'ROOT';
        const tags = span.tags ?? [];
        const hasError = tags.some((t) => t.key === 'error' && (t.value === true || t.value === 'true'));
        const resp = tags.find((t) => t.key === 'http.status_code') ?? tags.find((t) => t.key === 'response_class');
        const serviceName = trace.processes[span.processID]?.serviceName ?? '';
        lines.push([trace.traceID, span.spanID, parent, serviceName, span.operationName, String(span.startTime), String(span.duration), hasError ? 'True' : 'False', resp ? String(resp.value) : 'Unknown'].map(csvField).join(','));
      }
    }
  }
  const dir = path.join(opts.outDir, 'trace_output');
  fs.mkdirSync(dir, { recursive: true });
  const file = path.join(dir, `traces_${Math.floor(now / 1000)}.csv`);
  fs.writeFileSync(file, lines.join('\n') + '\n');
  return { text: `Traces data exported to: ${file}`, file, rows: lines.length - 1 };
}
