/** Go-style durations as Chaos Mesh and Jaeger write them: `10s`, `100ms`, `1m30s`, `1.5h`, `500us`. Returns ms. */
export function parseGoDuration(text: string | undefined | null): number | undefined {
  if (text === undefined || text === null) return undefined;
  const s = String(text).trim();
  if (s === '') return undefined;
  if (/^[0-9.]+$/.test(s)) return Number(s) * 1000;
  const re = /([0-9]*\.?[0-9]+)(ns|us|µs|ms|s|m|h|d|w|y)/gy;
  let total = 0;
  let matched = 0;
  let m: RegExpExecArray | null;
  while ((m = re.exec(s)) !== null) {
    const n = Number(m[1]);
    const unit = { ns: 1e-6, us: 1e-3, 'µs': 1e-3, ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000, y: 31_536_000_000 }[m[2]] as number;
    total += n * unit;
    matched = re.lastIndex;
  }
  if (matched !== s.length) return undefined;
  return total;
}

/**
 * The size of a Chaos Mesh memory stressor (`256MB`, `1GB`, `512Mi`). This is stress-ng's notation, not a Kubernetes
 * quantity: units are case-insensitive, so `m` is megabytes here. Kubernetes quantities (limits, requests) are read by
 * cpuMillis/bytesOf in ../cluster/util. Returns bytes.
 */
export function parseStressSize(text: unknown): number | undefined {
  if (typeof text === 'number') return text;
  if (typeof text !== 'string') return undefined;
  const m = /^([0-9.]+)\s*(B|KB|MB|GB|K|M|G|Ki|Mi|Gi|KiB|MiB|GiB)?$/i.exec(text.trim());
  if (!m) return undefined;
  const unit = (m[2] ?? 'B').toLowerCase();
  const f: Record<string, number> = { b: 1, kb: 1e3, k: 1e3, mb: 1e6, m: 1e6, gb: 1e9, g: 1e9, ki: 1024, kib: 1024, mi: 1048576, mib: 1048576, gi: 1073741824, gib: 1073741824 };
  return Number(m[1]) * (f[unit] ?? 1);
}
