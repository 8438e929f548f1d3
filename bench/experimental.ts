import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { createAgent } from '../src/agents/registry';
import { buildLeaderboard } from '../src/core/session/leaderboard';
import type { SessionRecord } from '../src/core/session/types';
import { Engine } from '../src/engine';

/**
 * The problems the original defines but does not register (`--experimental`), on the embedded cluster: the baseline
 * agent on each one that has a deployable app (sessions that end in an error are counted, not scored), its accuracy
 * per task, and how many are still not runnable (their app is metadata-only).
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
    errors: errors.length,
    wall_s: Math.round((Date.now() - started) / 1000),
  };
  if (errors.length) out.first_error = errors[0];
  for (const row of buildLeaderboard(records).rows) {
    out[`${row.task}_accuracy_pct`] = Math.round(row.accuracy * 1000) / 10;
    out[`${row.task}_scored`] = row.sessions;
  }
  out.solved = records.filter((r) => r.verdict?.success === true).map((r) => r.problem_id).join(' ') || 'none';
  return out;
}
