import { greedyCompressLines } from '../src/core/logs/dedup';

/** A pod log with heartbeats (collapsible), request lines (not) and JSON lines, `lines` long. */
function syntheticLog(lines: number): string {
  const out: string[] = [];
  for (let i = 0; i < lines; i++) {
    const s = String(i % 60).padStart(2, '0');
    const ms = String(i % 1000).padStart(3, '0');
    if (i % 50 < 40) out.push(`{"level":"info","time":"2025-09-25T04:36:${s}.${ms}Z","message":"health check ok"}`);
    else if (i % 50 < 48) out.push(`2025-Sep-25 04:36:${s}.${ms} <info>: GET /hotels?inDate=2015-04-0${i % 9} 200 ${i % 97}ms`);
    else out.push(`I0925 04:36:${s} request ${i} handled by geo-${i % 7}`);
  }
  return out.join('\n');
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

function msFor(text: string, maxBlock: number, rounds: number): number {
  const samples: number[] = [];
  for (let r = 0; r < rounds; r++) {
    const t0 = process.hrtime.bigint();
    greedyCompressLines(text, maxBlock);
    samples.push(Number(process.hrtime.bigint() - t0) / 1e6);
  }
  return median(samples);
}

/** Log de-duplication throughput, and time per MB at 10× the size ÷ at 1× (≈1 when linear). */
export async function run(): Promise<Record<string, number | string>> {
  const small = syntheticLog(10_000);
  const large = syntheticLog(100_000);
  msFor(small, 3, 5);
  const mb = (s: string) => s.length / 1e6;
  const smallMs = msFor(small, 3, 9);
  const largeMs = msFor(large, 3, 5);
  const ratio = largeMs / mb(large) / (smallMs / mb(small));
  const collapsed = greedyCompressLines(large, 3);
  return {
    dedup_ms_per_mb_block3: Math.round((largeMs / mb(large)) * 100) / 100,
    dedup_input_mb: Math.round(mb(large) * 100) / 100,
    dedup_output_ratio: Math.round((collapsed.length / large.length) * 1000) / 1000,
    dedup_linearity_ratio_10x: Math.round(ratio * 100) / 100,
  };
}
