import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Engine } from '../src/engine';
import { solveProblems, validated, validateProblems, type RunBrief } from '../src/engine/verify';

/**
 * The catalog on the embedded cluster. First what the targets name: setting up each problem, running its oracle and
 * cleaning up (`aiopslab validate --oracle-only`): per problem (median of set-up + the oracle's steps + clean-up;
 * target < 1 s) and the whole catalog's wall time in validate's workers (evaluation included, so mitigation's settle
 * window too; target < 90 s on 2 cores; the original needs minutes per problem on kind). Then the full validate
 * (oracle, do-nothing and wrong answer for every problem) for its wall time. The settle window is the default
 * configuration's. `AIOPSLAB_BENCH_SKIP_CATALOG=1` leaves it out.
 */
export async function run(): Promise<Record<string, number | string>> {
  if (process.env.AIOPSLAB_BENCH_SKIP_CATALOG) return { skipped: 'AIOPSLAB_BENCH_SKIP_CATALOG is set' };
  const cwd = fs.mkdtempSync(path.join(os.tmpdir(), 'aiopslab-bench-validate-'));
  try {
    const engine = Engine.create({ cwd });
    const problems = engine.listProblems();
    let started = Date.now();
    const solved = await solveProblems(engine, problems);
    const oracleWall = (Date.now() - started) / 1000;
    started = Date.now();
    const results = await validateProblems(engine, problems);
    const validateWall = (Date.now() - started) / 1000;
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
      validated: results.filter(validated).length,
      catalog_validate_wall_s: Math.round(validateWall),
      settle_window_s: engine.config.settleSeconds,
    };
  } finally {
    fs.rmSync(cwd, { recursive: true, force: true });
  }
}
