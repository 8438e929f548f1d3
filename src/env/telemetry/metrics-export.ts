/**
 * get_metrics as the original does it: Prometheus range queries `<metric>{namespace='<ns>'}` with a 15 s
 * step over the last `durationMinutes`, in chunks of at most 2 h, one CSV per metric with columns
 * timestamp,cmdb_id,kpi_name,value under `<outDir>/metrics_output/metric_<YYYYMMDD_HHMMSS>/container/`, an empty
 * `istio/` folder, and the original's reply text. Plain HTTP: works against a real Prometheus as well as the twin's.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

/** The original's metric list, as coded — including the fused name caused by a missing comma. */
export const ORIGINAL_METRICS = [
  'container_cpu_usage_seconds_total', 'container_cpu_user_seconds_total', 'container_cpu_system_seconds_total',
  'container_cpu_cfs_throttled_seconds_total', 'container_cpu_cfs_throttled_periods_total', 'container_cpu_cfs_periods_total',
  'container_cpu_load_average_10s',
  'container_memory_cache', 'container_memory_usage_bytes', 'container_memory_working_set_bytes', 'container_memory_rss',
  'container_memory_mapped_file',
  'container_spec_cpu_period', 'container_spec_cpu_quota', 'container_spec_memory_limit_bytes', 'container_spec_cpu_shares',
  'container_threads',
  'container_threads_maxcontainer_network_receive_errors_total',
  'container_network_receive_packets_dropped_total', 'container_network_receive_packets_total',
  'container_network_receive_bytes_total', 'container_network_transmit_bytes_total', 'container_network_transmit_errors_total',
  'container_network_transmit_packets_dropped_total', 'container_network_transmit_packets_total',
];

/** The two real names the fused entry was meant to be. */
export const FUSED_NAME_PARTS = ['container_threads_max', 'container_network_receive_errors_total'];

const STEP_SECONDS = 15;
const CHUNK_SECONDS = 2 * 3600;
const EXCLUDED_POD_PREFIXES = ['loadgenerator-', 'redis-cart'];

export interface ExportMetricsOptions {
  prometheusUrl: string;
  namespace: string;
  durationMinutes?: number;
  /** Folder under which metrics_output/ is created (the original uses the process's cwd). */
  outDir: string;
  /** End of the window (default: now). */
  now?: Date | number;
  /**
   * Pods of the namespace (the original lists them through the Kubernetes API); rows for other pods are dropped.
   * Without it every pod in the namespace's series is kept. Names starting `loadgenerator-` or `redis-cart` are
   * always excluded, as in the original.
   */
  pods?: string[];
  /**
   * Also query the two real metric names hidden by the original's fused entry (default true). The fused name itself
   * is still queried (it matches nothing on any Prometheus, so it writes no file), keeping the original's list intact.
   */
  queryFusedNameParts?: boolean;
  fetch?: typeof fetch;
}

export interface ExportMetricsResult {
  /** The reply text the agent sees. */
  text: string;
  dir: string;
  files: string[];
}

function stamp(d: Date): string {
  const p = (n: number): string => String(n).padStart(2, '0');
  return `${d.getFullYear()}${p(d.getMonth() + 1)}${p(d.getDate())}_${p(d.getHours())}${p(d.getMinutes())}${p(d.getSeconds())}`;
}

/** pandas writes floats with at least one decimal (`12.0`) and a shortest round-trip repr otherwise. */
export function pandasFloat(v: number): string {
  if (Number.isNaN(v)) return '';
  if (Number.isInteger(v) && Math.abs(v) < 1e16) return `${v}.0`;
  return String(v);
}

function round3(v: number): number {
  return Math.round(v * 1000) / 1000;
}

interface Row { timestamp: number; cmdb: string; kpi: string; value: number }

async function queryRange(fetchImpl: typeof fetch, base: string, query: string, start: number, end: number): Promise<Array<{ metric: Record<string, string>; values: Array<[number, string]> }>> {
  const url = `${base.replace(/\/+$/, '')}/api/v1/query_range?${new URLSearchParams({ query, start: String(start), end: String(end), step: String(STEP_SECONDS) })}`;
  const res = await fetchImpl(url);
  const body = (await res.json()) as { status: string; data?: { result?: Array<{ metric: Record<string, string>; values: Array<[number, string]> }> }; error?: string };
  if (body.status !== 'success') throw new Error(`Prometheus query failed: ${body.error ?? res.statusText}`);
  return body.data?.result ?? [];
}

export function directoryTree(dir: string): string {
  const lines: string[] = [];
  const walk = (d: string, level: number): void => {
    lines.push(`${' '.repeat(4 * level)}${path.basename(d)}/`);
    const entries = fs.readdirSync(d, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name));
    for (const f of entries.filter((e) => e.isFile())) lines.push(`${' '.repeat(4 * (level + 1))}${f.name}`);
    for (const sub of entries.filter((e) => e.isDirectory())) walk(path.join(d, sub.name), level + 1);
  };
  walk(dir, 0);
  return lines.join('\n');
}

export async function exportMetrics(opts: ExportMetricsOptions): Promise<ExportMetricsResult> {
  const fetchImpl = opts.fetch ?? fetch;
  const now = opts.now === undefined ? new Date() : new Date(opts.now);
  const endS = Math.floor(now.getTime() / 1000);
  const startS = endS - Math.round((opts.durationMinutes ?? 5) * 60);
  const dir = path.join(opts.outDir, 'metrics_output', `metric_${stamp(now)}`);
  const containerDir = path.join(dir, 'container');
  fs.mkdirSync(containerDir, { recursive: true });
  fs.mkdirSync(path.join(dir, 'istio'), { recursive: true });
  const podSet = opts.pods ? new Set(opts.pods) : undefined;
  const keep = (pod: string | undefined): pod is string => Boolean(pod) && !EXCLUDED_POD_PREFIXES.some((p) => pod!.startsWith(p)) && (!podSet || podSet.has(pod!));
  const metrics = [...ORIGINAL_METRICS, ...(opts.queryFusedNameParts === false ? [] : FUSED_NAME_PARTS)];
  const files: string[] = [];
  for (let chunkStart = startS; chunkStart < endS; chunkStart += CHUNK_SECONDS) {
    const chunkEnd = Math.min(chunkStart + CHUNK_SECONDS, endS);
    for (const metric of metrics) {
      const result = await queryRange(fetchImpl, opts.prometheusUrl, `${metric}{namespace='${opts.namespace}'}`, chunkStart, chunkEnd);
      const rows: Row[] = [];
      for (const series of result) {
        const pod = series.metric.pod;
        if (!keep(pod)) continue;
        const cmdb = `${series.metric.instance ?? ''}.${pod}`;
        const kpi = metric.includes('network') && series.metric.interface ? `${metric}.${series.metric.interface}` : metric;
        for (const [t, v] of series.values) rows.push({ timestamp: Math.floor(Number(t)), cmdb, kpi, value: round3(Number(v)) });
      }
      if (!rows.length) continue;
      rows.sort((a, b) => a.timestamp - b.timestamp);
      const file = path.join(containerDir, `kpi_${metric}.csv`);
      const exists = fs.existsSync(file);
      const body = rows.map((r) => `${r.timestamp},${r.cmdb},${r.kpi},${pandasFloat(r.value)}`).join('\n') + '\n';
      fs.appendFileSync(file, (exists ? '' : 'timestamp,cmdb_id,kpi_name,value\n') + body);
      if (!exists) files.push(file);
    }
  }
  const text = `Metrics data exported to directory: ${dir}\n\nDirectory structure:\n${directoryTree(dir)}`;
  return { text, dir, files };
}
