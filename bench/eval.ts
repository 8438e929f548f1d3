import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { createAgent } from '../src/agents/registry';
import { Engine } from '../src/engine';
import { runSuite } from '../src/engine/suite';
import { FakeEnvironment } from '../test/support/fake-environment';
import { ScriptedServer } from '../test/agents/scripted-server';
import { scriptedModel, TWELVE_DETECTION } from '../test/support/scripted-model';

/**
 * `aiopslab eval --parallel 4` against one session at a time, over twelve detection problems, with a scripted
 * OpenAI-compatible model (the real OpenAI SDK over HTTP) that answers after a delay and refuses every fourth
 * follow-up with a 429 (Retry-After 300 ms):
 * - on the embedded cluster (a twin per worker) with a model-like 1.5 s per call — what a user sees (target < 0.4);
 * - on the in-memory cluster with 300 ms per call — the configuration of test/env/eval-parallel.test.ts.
 * `AIOPSLAB_BENCH_SKIP_CATALOG=1` leaves out the embedded-cluster half (about two minutes).
 */
export async function run(): Promise<Record<string, number | string>> {
  const server = new ScriptedServer();
  await server.start();
  const dirs: string[] = [];
  try {
    const measure = async (parallel: number, delayMs: number, inMemory: boolean) => {
      const cwd = fs.mkdtempSync(path.join(os.tmpdir(), 'aiopslab-bench-eval-'));
      dirs.push(cwd);
      server.handler = scriptedModel({ delayMs, rateLimitEvery: 4, retryAfterMs: 300 }).reply;
      const engine = Engine.create({ cwd, env: {}, ...(inMemory ? { environmentFactory: async () => new FakeEnvironment(), overrides: { settleSeconds: 0 } } : {}) });
      const problems = TWELVE_DETECTION.map((id) => engine.problem(id).problem);
      const env = { OPENAI_COMPATIBLE_BASE_URL: server.baseURL, OPENAI_COMPATIBLE_MODEL: 'scripted' };
      const started = Date.now();
      const result = await runSuite(engine, { problems, agents: ['generic'], parallel, createAgent: (name) => createAgent(name, { env }) });
      const seconds = (Date.now() - started) / 1000;
      const completed = result.records.filter((r) => r.status === 'completed').length;
      if (completed !== problems.length) throw new Error(`only ${completed} of ${problems.length} sessions completed (parallel ${parallel}): ${result.records.map((r) => r.error).filter(Boolean).join('; ')}`);
      return seconds;
    };
    const round = (x: number) => Math.round(x * 100) / 100;
    const out: Record<string, number | string> = { problems: TWELVE_DETECTION.length, workers: 4 };
    const memSequential = await measure(1, 300, true);
    const memParallel = await measure(4, 300, true);
    Object.assign(out, { in_memory_model_call_ms: 300, in_memory_sequential_s: round(memSequential), in_memory_parallel4_s: round(memParallel), in_memory_parallel4_ratio: round(memParallel / memSequential) });
    if (!process.env.AIOPSLAB_BENCH_SKIP_CATALOG) {
      const sequential = await measure(1, 1500, false);
      const parallel = await measure(4, 1500, false);
      Object.assign(out, { embedded_model_call_ms: 1500, embedded_sequential_s: round(sequential), embedded_parallel4_s: round(parallel), embedded_parallel4_ratio: round(parallel / sequential), target_ratio: 0.4 });
    }
    return out;
  } finally {
    await server.stop();
    for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
  }
}
