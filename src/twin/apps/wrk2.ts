/**
 * The wrk2 Job (`deathstarbench/wrk2-client`): records its run (the load window the callers' logs follow) and prints
 * DSB wrk2's report at the end of its duration (stdout is a pipe, so nothing shows before): thread stats, the
 * HdrHistogram latency distribution and percentile spectrum (-L), requests, socket errors, non-2xx responses,
 * Requests/sec and Transfer/sec — computed from the health of the target at the end of the run.
 */
import type { ContainerBehaviour, ContainerContext } from '../contracts';
import { reach, resolveService } from './net';
import { hex, type AppWorld, type Wrk2Run } from './world';

/** Per-request outcome for the app behind the target Service: status code (0 = connection error) and body bytes. */
export type Wrk2Oracle = (world: AppWorld, run: Wrk2Run, index: number) => { status: number; bytes: number; latencyMs: number } | undefined;

const oracles: Wrk2Oracle[] = [];

export function addWrk2Oracle(o: Wrk2Oracle): void {
  if (!oracles.includes(o)) oracles.push(o);
}

function parseDuration(s: string | undefined): number {
  if (!s) return 10_000;
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/.exec(s);
  if (!m) return 10_000;
  const n = Number(m[1]);
  return n * ({ ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[m[2] ?? 's'] ?? 1000);
}

export function parseWrk2(argv: string[]): { durationMs: number; rate: number; threads: number; connections: number; url: string; script?: string; latency: boolean } {
  let durationMs = 10_000;
  let rate = 0;
  let threads = 2;
  let connections = 10;
  let url = '';
  let script: string | undefined;
  let latency = false;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '-d' || a === '--duration') durationMs = parseDuration(argv[++i]);
    else if (a === '-R' || a === '--rate') rate = Number(argv[++i]);
    else if (a === '-t' || a === '--threads') threads = Number(argv[++i]);
    else if (a === '-c' || a === '--connections') connections = Number(argv[++i]);
    else if (a === '-s' || a === '--script') script = argv[++i];
    else if (a === '-D' || a === '--dist' || a === '-H' || a === '--timeout') i++;
    else if (a === '-L' || a === '--latency') latency = true;
    else if (/^https?:\/\//.test(a)) url = a;
  }
  return { durationMs, rate, threads, connections, url, script, latency };
}

function fmtMs(ms: number): string {
  if (ms >= 1000) return `${(ms / 1000).toFixed(2)}s`;
  if (ms < 1) return `${(ms * 1000).toFixed(2)}us`;
  return `${ms.toFixed(2)}ms`;
}

function fmtBytes(b: number): string {
  if (b >= 1024 * 1024) return `${(b / 1024 / 1024).toFixed(2)}MB`;
  if (b >= 1024) return `${(b / 1024).toFixed(2)}KB`;
  return `${b.toFixed(2)}B`;
}

function rnd(seed: string): number {
  return parseInt(hex(seed, 8), 16) / 0xffffffff;
}

/** The report, as wrk2 prints it at the end. */
export function wrk2Report(world: AppWorld, run: Wrk2Run, p: ReturnType<typeof parseWrk2>): string[] {
  const total = Math.max(1, Math.round((run.rate * run.durationMs) / 1000));
  const target = run.url.replace(/^https?:\/\//, '').split('/')[0];
  const [host, portText] = target.split(':');
  const port = Number(portText ?? 80);
  const r = reach(world, run.namespace, host, port);
  const lat: number[] = [];
  let non2xx = 0;
  let connect = 0;
  let bytes = 0;
  for (let i = 0; i < total; i++) {
    let o: { status: number; bytes: number; latencyMs: number } | undefined;
    if (r.ok && world.sim.wrk2Oracle) o = world.sim.wrk2Oracle(world, run, i);
    if (r.ok && !o) for (const oracle of oracles) { o = oracle(world, run, i); if (o) break; }
    if (!r.ok) o = { status: 0, bytes: 0, latencyMs: 0 };
    o ??= { status: 200, bytes: 180, latencyMs: 1.2 + rnd(`${run.podUid}/${i}`) * 2.5 };
    if (o.status === 0) { connect++; continue; }
    if (o.status > 399) non2xx++;
    bytes += o.bytes + 120;
    lat.push(o.latencyMs);
  }
  const secs = run.durationMs / 1000;
  const lines = [`Running ${Math.round(secs)}s test @ ${run.url}`, `  ${p.threads} threads and ${p.connections} connections`];
  if (run.durationMs > 10_000) {
    for (let t = 0; t < p.threads; t++) lines.push(`  Thread calibration: mean lat.: ${fmtMs(lat.length ? lat[t % lat.length] : 0).replace(/ms$/, 'ms')}, rate sampling interval: 10ms`);
  }
  const sorted = [...lat].sort((a, b) => a - b);
  const n = sorted.length;
  const mean = n ? sorted.reduce((s, x) => s + x, 0) / n : 0;
  const sd = n ? Math.sqrt(sorted.reduce((s, x) => s + (x - mean) ** 2, 0) / n) : 0;
  const pct = (q: number) => (n ? sorted[Math.min(n - 1, Math.max(0, Math.ceil(q * n) - 1))] : 0);
  const within = n ? (sorted.filter((x) => Math.abs(x - mean) <= sd).length / n) * 100 : 0;
  const reqPerThread = (n || 0) / Math.max(1, p.threads) / secs;
  lines.push(
    '  Thread Stats   Avg      Stdev     99%   +/- Stdev',
    `    Latency   ${fmtMs(mean).padStart(8)} ${fmtMs(sd).padStart(8)} ${fmtMs(pct(0.99)).padStart(8)} ${within.toFixed(2).padStart(7)}%`,
    `    Req/Sec   ${reqPerThread.toFixed(2).padStart(8)} ${(reqPerThread * 1.9).toFixed(2).padStart(8)} ${(reqPerThread * 6).toFixed(2).padStart(8)} ${(n ? 89.47 : 0).toFixed(2).padStart(7)}%`,
  );
  if (p.latency) {
    lines.push('  Latency Distribution (HdrHistogram - Recorded Latency)');
    for (const [label, q] of [['50.000%', 0.5], ['75.000%', 0.75], ['90.000%', 0.9], ['99.000%', 0.99], ['99.900%', 0.999], ['99.990%', 0.9999], ['99.999%', 0.99999], ['100.000%', 1]] as const) {
      lines.push(`${label.padStart(8)}${fmtMs(pct(q)).padStart(10)}`);
    }
    lines.push('', '  Detailed Percentile spectrum:', '       Value   Percentile   TotalCount 1/(1-Percentile)', '');
    const qs = [0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.55, 0.6, 0.65, 0.7, 0.75, 0.775, 0.8, 0.825, 0.85, 0.875, 0.9, 0.95, 0.975, 0.99, 1];
    for (const q of qs) {
      const v = q === 0 ? sorted[0] ?? 0 : pct(q);
      const count = Math.max(n ? 1 : 0, Math.round(q * n));
      const inv = q >= 1 ? 'inf' : (1 / (1 - q)).toFixed(2);
      lines.push(`${v.toFixed(3).padStart(12)} ${q.toFixed(6).padStart(12)} ${String(count).padStart(12)} ${inv.padStart(12)}`);
    }
    lines.push(
      `#[Mean    = ${mean.toFixed(3).padStart(12)}, StdDeviation   = ${sd.toFixed(3).padStart(12)}]`,
      `#[Max     = ${(sorted[n - 1] ?? 0).toFixed(3).padStart(12)}, Total count    = ${String(n).padStart(12)}]`,
      `#[Buckets = ${String(27).padStart(12)}, SubBuckets     = ${String(2048).padStart(12)}]`,
      '----------------------------------------------------------',
    );
  }
  lines.push(`  ${n} requests in ${secs.toFixed(2)}s, ${fmtBytes(bytes)} read`);
  if (connect > 0) lines.push(`  Socket errors: connect ${connect}, read 0, write 0, timeout 0`);
  if (non2xx > 0) lines.push(`  Non-2xx or 3xx responses: ${non2xx}`);
  lines.push(`Requests/sec: ${(n / secs).toFixed(2).padStart(10)}`, `Transfer/sec: ${fmtBytes(bytes / secs).padStart(10)}`);
  return lines;
}

const parsed = new WeakMap<ContainerContext, { run: Wrk2Run; p: ReturnType<typeof parseWrk2>; reported: boolean }>();

export function wrk2Behaviour(world: AppWorld): ContainerBehaviour {
  return {
    start(ctx) {
      const argv = [...ctx.command, ...ctx.args];
      const p = parseWrk2(argv);
      if (!p.url) return { kind: 'exit', exitCode: 1, lines: ['Usage: wrk <options> <url>', '  Options:', '    -c, --connections <N>  Connections to keep open', '    -d, --duration    <T>  Duration of test', '    -t, --threads     <N>  Number of threads to use', '    -R, --rate        <T>  work rate (throughput)'] };
      if (!p.rate) return { kind: 'exit', exitCode: 1, lines: ['Throughput MUST be specified with the --rate or -R option'] };
      const host = p.url.replace(/^https?:\/\//, '').split(/[/:]/)[0];
      const svc = resolveService(world, ctx.namespace, host).service;
      const run: Wrk2Run = {
        podUid: ctx.pod.metadata.uid ?? '',
        namespace: ctx.namespace,
        startMs: world.now(),
        durationMs: p.durationMs,
        rate: p.rate,
        url: p.url,
        targetNamespace: svc?.metadata.namespace,
        targetService: svc?.metadata.name,
        script: p.script,
      };
      world.wrk2.push(run);
      if (world.wrk2.length > 50) world.wrk2.shift();
      parsed.set(ctx, { run, p, reported: false });
      world.record(ctx, { binary: 'wrk', ports: [], servingFromMs: Infinity });
      return { kind: 'exit', exitCode: 0, lines: [], afterMs: p.durationMs + 50 };
    },
    logsBetween(ctx, fromMs, toMs) {
      const s = parsed.get(ctx);
      if (!s) return [];
      // The run starts when the container does (the first poll starts at that instant).
      if (!s.reported && s.run.startMs > fromMs) s.run.startMs = fromMs;
      const end = s.run.startMs + s.run.durationMs;
      if (s.reported || end >= toMs) return [];
      s.reported = true;
      return wrk2Report(world, s.run, s.p);
    },
  };
}
