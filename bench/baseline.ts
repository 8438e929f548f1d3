import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { createAgent } from '../src/agents/registry';
import { buildLeaderboard } from '../src/core/session/leaderboard';
import type { SessionRecord } from '../src/core/session/types';
import { Engine } from '../src/engine';

/**
 * The baseline agent over the whole registered catalog on the embedded cluster: accuracy per task (the floor any
 * model must beat; target ≥ 46 % on detection and localization, no false alarm on the no-fault problems), and the
 * problems it does not solve. It sees what any agent sees: no fault machinery (no Chaos Mesh objects or events).
 * Takes several minutes; `AIOPSLAB_BENCH_SKIP_CATALOG=1` leaves it out.
 */
export async function run(): Promise<Record<string, number | string>> {
  if (process.env.AIOPSLAB_BENCH_SKIP_CATALOG) return { skipped: 'AIOPSLAB_BENCH_SKIP_CATALOG is set' };
  const cwd = fs.mkdtempSync(path.join(os.tmpdir(), 'aiopslab-bench-baseline-'));
  // One embedded cluster for the whole catalog, each app reused while it matches its manifests (as validate does).
  const engine = Engine.create({ cwd, shareCluster: true });
  const records: SessionRecord[] = [];
  const started = Date.now();
  let errors = 0;
  try {
    for (const problem of engine.listProblems()) {
      const record = await engine.run({ problemId: problem.id, agent: createAgent('baseline', {}), agentName: 'baseline' });
      if (record.status === 'error') errors++;
      else records.push(record);
    }
  } finally {
    await engine.dispose();
  }
  const out: Record<string, number | string> = { problems: engine.listProblems().length, errors, catalog_wall_s: Math.round((Date.now() - started) / 1000) };
  for (const row of buildLeaderboard(records).rows) {
    out[`${row.task}_accuracy_pct`] = Math.round(row.accuracy * 1000) / 10;
    out[`${row.task}_scored`] = row.sessions;
    out[`${row.task}_mean_steps`] = Math.round(row.steps.mean * 10) / 10;
  }
  // Where it fails, by name: the floor is only honest with its holes shown.
  out.unsolved = records.filter((r) => r.verdict?.success !== true).map((r) => r.problem_id).sort().join(', ');
  const noop = records.filter((r) => r.problem_id.startsWith('noop_detection'));
  out.false_alarms_on_no_fault_problems = noop.filter((r) => r.verdict?.success !== true).length;
  return out;
}
