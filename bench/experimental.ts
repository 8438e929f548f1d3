import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { createAgent } from '../src/agents/registry';
import { buildLeaderboard } from '../src/core/session/leaderboard';
import type { SessionRecord } from '../src/core/session/types';
import { Engine } from '../src/engine';

/**
 * The problems the original defines but does not register (`--experimental`: TiDB operator ×10, kernel_fault ×2,
 * disk_woreout ×2, redeploy_without_PV-localization-1), on the embedded cluster: the baseline agent on each one
 * (every session must complete; one that ends in an error is counted and named, not scored), its accuracy per task
 * and the problems it solved. An app that is metadata-only would leave its problems not runnable (none is now).
 * `AIOPSLAB_BENCH_SKIP_CATALOG=1` leaves it out.
 */
export async function run(): Promise<Record<string, number | string>> {
  if (process.env.AIOPSLAB_BENCH_SKIP_CATALOG) return { skipped: 'AIOPSLAB_BENCH_SKIP_CATALOG is set' };
  const cwd = fs.mkdtempSync(path.join(os.tmpdir(), 'aiopslab-bench-experimental-'));
  const engine = Engine.create({ cwd, shareCluster: true });
  const experimental = engine.listProblems({ includeExperimental: true }).filter((p) => p.experimental);
  const runnable = experimental.filter((p) => !engine.problem(p.id).app.metadataOnly);
  const records: SessionRecord[] = [];
  const errors: string[] = [];
  const started = Date.now();
  try {
    for (const problem of runnable) {
      const record = await engine.run({ problemId: problem.id, agent: createAgent('baseline', {}), agentName: 'baseline' });
      if (record.status === 'error') errors.push(`${problem.id}: ${record.error}`);
      else records.push(record);
    }
  } finally {
    await engine.dispose();
    fs.rmSync(cwd, { recursive: true, force: true, maxRetries: 3 });
  }
  const out: Record<string, number | string> = {
    experimental_problems: experimental.length,
    runnable: runnable.length,
    not_runnable_metadata_only_app: experimental.length - runnable.length,
    completed: records.length,
    errors: errors.length,
    wall_s: Math.round((Date.now() - started) / 1000),
  };
  if (errors.length) out.error_sessions = errors.join(' | ');
  for (const row of buildLeaderboard(records).rows) {
    out[`${row.task}_accuracy_pct`] = Math.round(row.accuracy * 1000) / 10;
    out[`${row.task}_scored`] = row.sessions;
  }
  out.load_1m_after = Math.round(os.loadavg()[0] * 10) / 10;
  out.solved = records.filter((r) => r.verdict?.success === true).map((r) => r.problem_id).join(' ') || 'none';
  out.not_solved = records.filter((r) => r.verdict?.success !== true).map((r) => r.problem_id).join(' ') || 'none';
  return out;
}
