import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Engine } from '../src/engine';
import { DEFAULT_WORKERS, solveProblems, type RunBrief } from '../src/engine/verify';

/**
 * The catalog on the embedded cluster: setting up each problem, running its oracle and cleaning up (what
 * `aiopslab validate --oracle-only` does). Per problem, one worker at a time so that no other problem competes for the
 * cores (median of set-up + the oracle's steps + clean-up; target < 1 s); the whole catalog in validate's default
 * workers (wall time, evaluation included, so mitigation's settle window too; target < 90 s on 2 cores; the original
 * needs minutes per problem on kind). The settle window is the default configuration's.
 * `AIOPSLAB_BENCH_SKIP_CATALOG=1` leaves it out.
 */
export async function run(): Promise<Record<string, number | string>> {
  if (process.env.AIOPSLAB_BENCH_SKIP_CATALOG) return { skipped: 'AIOPSLAB_BENCH_SKIP_CATALOG is set' };
  const cwd = fs.mkdtempSync(path.join(os.tmpdir(), 'aiopslab-bench-validate-'));
  try {
    const engine = Engine.create({ cwd });
    const problems = engine.listProblems();
    const solved = await solveProblems(engine, problems, undefined, undefined, 1);
    const started = Date.now();
    const parallel = await solveProblems(engine, problems);
    const oracleWall = (Date.now() - started) / 1000;
    const oracle = solved.map((r) => r.oracle);
    const median = (xs: number[]) => {
      const s = [...xs].sort((a, b) => a - b);
      return s.length ? Math.round(s[Math.floor(s.length / 2)] * 1000) / 1000 : 0;
    };
    const p90 = (xs: number[]) => {
      const s = [...xs].sort((a, b) => a - b);
      return s.length ? Math.round(s[Math.min(s.length - 1, Math.floor(s.length * 0.9))] * 1000) / 1000 : 0;
    };
    // Set-up + the oracle's steps + clean-up; the mitigation settle window (evaluation) is reported apart.
    const core = (o: RunBrief) => o.phases.setup + o.phases.agent + o.phases.cleanup;
    const byTask = (task: string) => solved.filter((r) => r.problemId.includes(`-${task}`)).map((r) => core(r.oracle));
    return {
      problems: solved.length,
      solved_by_oracle: solved.filter((r) => r.oracle.success).length,
      solved_by_oracle_in_workers: parallel.filter((r) => r.oracle.success).length,
      oracle_setup_run_cleanup_median_s: median(oracle.map(core)),
      oracle_setup_run_cleanup_p90_s: p90(oracle.map(core)),
      oracle_setup_median_s: median(oracle.map((o) => o.phases.setup)),
      oracle_steps_median_s: median(oracle.map((o) => o.phases.agent)),
      oracle_cleanup_median_s: median(oracle.map((o) => o.phases.cleanup)),
      oracle_evaluate_mitigation_median_s: median(solved.filter((r) => r.problemId.includes('-mitigation')).map((r) => r.oracle.phases.evaluate)),
      median_s_detection: median(byTask('detection')),
      median_s_localization: median(byTask('localization')),
      median_s_analysis: median(byTask('analysis')),
      median_s_mitigation: median(byTask('mitigation')),
      target_median_s: 1,
      catalog_oracle_wall_s: Math.round(oracleWall),
      catalog_target_s: 90,
      catalog_workers: DEFAULT_WORKERS,
      settle_window_s: engine.config.settleSeconds,
    };
  } finally {
    fs.rmSync(cwd, { recursive: true, force: true });
  }
}
