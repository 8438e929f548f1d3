import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { runCli } from '../test/support/cli';

/**
 * The catalog's proofs under load, as a user meets it: two `aiopslab validate --json` started at once on this machine
 * (each with its own results directory and its own embedded clusters, validate's default workers), competing for the
 * cores. Each must prove all 89 registered problems (oracle solves, doing nothing fails, a wrong answer fails); a
 * session error or a problem proved in one run and not in the other is a race the catalog must not have.
 * Records both runs' counts, the problems that failed with why, the wall time and the load average around it.
 * `AIOPSLAB_BENCH_SKIP_CATALOG=1` leaves it out.
 */
interface Brief { status: string; error?: string; explanation?: string }
interface Proof { problemId: string; solvable: boolean; discriminating: boolean; rejectsWrong: boolean; oracle: Brief; idle: Brief; wrong?: Brief }

const why = (b: Brief | undefined) => (b?.error ?? b?.explanation ?? b?.status ?? '?').slice(0, 300);

function failures(proofs: Proof[]): string[] {
  return proofs
    .filter((p) => !p.solvable || !p.discriminating || !p.rejectsWrong)
    .map((p) => `${p.problemId}:${!p.solvable ? ` oracle failed (${why(p.oracle)})` : ''}${!p.discriminating ? ` do-nothing passed (${why(p.idle)})` : ''}${!p.rejectsWrong ? ` wrong answer passed (${why(p.wrong)})` : ''}`);
}

async function validateOnce(label: string): Promise<{ proofs: Proof[]; error?: string; seconds: number }> {
  const cwd = fs.mkdtempSync(path.join(os.tmpdir(), `aiopslab-bench-concurrent-${label}-`));
  const started = Date.now();
  try {
    const r = await runCli(['validate', '--json'], { cwd });
    const seconds = Math.round((Date.now() - started) / 1000);
    try {
      return { proofs: JSON.parse(r.stdout) as Proof[], seconds, error: r.code === 0 ? undefined : `exit ${r.code}` };
    } catch {
      return { proofs: [], seconds, error: `exit ${r.code}, no JSON: ${r.stderr.slice(0, 300)}` };
    }
  } finally {
    fs.rmSync(cwd, { recursive: true, force: true, maxRetries: 3 });
  }
}

export async function run(): Promise<Record<string, number | string>> {
  if (process.env.AIOPSLAB_BENCH_SKIP_CATALOG) return { skipped: 'AIOPSLAB_BENCH_SKIP_CATALOG is set' };
  const loadBefore = os.loadavg()[0];
  const started = Date.now();
  const [a, b] = await Promise.all([validateOnce('a'), validateOnce('b')]);
  const out: Record<string, number | string> = {
    problems: 89,
    run_a_proved: a.proofs.length - failures(a.proofs).length,
    run_b_proved: b.proofs.length - failures(b.proofs).length,
    run_a_wall_s: a.seconds,
    run_b_wall_s: b.seconds,
    wall_s: Math.round((Date.now() - started) / 1000),
    cpus: os.cpus().length,
    load_1m_before: Math.round(loadBefore * 10) / 10,
    load_1m_after: Math.round(os.loadavg()[0] * 10) / 10,
  };
  const failed = [...failures(a.proofs).map((f) => `a ${f}`), ...failures(b.proofs).map((f) => `b ${f}`)];
  if (a.error) failed.push(`a: ${a.error}`);
  if (b.error) failed.push(`b: ${b.error}`);
  out.failed = failed.length ? failed.join(' | ') : 'none';
  return out;
}
