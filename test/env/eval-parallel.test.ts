/**
 * The evaluation suite's parallelism and the shared per-endpoint back-off, with the real OpenAI SDK against a scripted
 * OpenAI-compatible HTTP server (a delay per call, 429s injected) and the in-memory cluster, so that the model's
 * latency is what the sessions wait for — as with a real model. What parallelism saves in wall time depends on the
 * machine's load: bench/eval.ts measures it (bench/results.json); here the server sees the sessions ask at once.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { createAgent } from '../../src/agents/registry';
import { OpenAICompatibleAgent } from '../../src/agents/openai-client';
import { Engine } from '../../src/engine';
import { planSuite, runSuite } from '../../src/engine/suite';
import { completion, ScriptedServer } from '../agents/scripted-server';
import { FakeEnvironment } from '../support/fake-environment';
import { scriptedModel, sessionsIn, TWELVE_DETECTION } from '../support/scripted-model';

describe('eval suite: parallel sessions and the shared back-off per model endpoint', function () {
  this.timeout(60_000);
  const server = new ScriptedServer();
  const dirs: string[] = [];
  before(() => server.start());
  after(async () => {
    await server.stop();
    for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
  });

  function engineIn(): Engine {
    const cwd = fs.mkdtempSync(path.join(os.tmpdir(), 'aiopslab-eval-parallel-'));
    dirs.push(cwd);
    return Engine.create({ cwd, env: {}, environmentFactory: async () => new FakeEnvironment(), overrides: { settleSeconds: 0 } });
  }
  const agentEnv = () => ({ OPENAI_COMPATIBLE_BASE_URL: server.baseURL, OPENAI_COMPATIBLE_MODEL: 'scripted' });

  it('--parallel 4 has four sessions waiting for the model at once and never more; --parallel 1 one; no session lost or duplicated; every 429 honoured', async () => {
    // Wall-clock ratios are load-dependent: they live in bench/results.json (npm run bench -- eval). This test proves
    // the parallelism itself. The model holds each of the first `parallel` sessions' first request until that many are
    // waiting together, so the run finishes only if that many sessions ask at once (one at a time would never get a
    // first answer, and the test would time out); the server counts the requests it holds unanswered, which can never
    // exceed the sessions running.
    const retryAfterMs = 300;
    const run = async (parallel: number) => {
      const model = scriptedModel({ delayMs: 300, rateLimitEvery: 4, retryAfterMs, together: parallel });
      server.handler = model.reply;
      server.requests.splice(0);
      server.resetInFlight();
      const engine = engineIn();
      const problems = TWELVE_DETECTION.map((id) => engine.problem(id).problem);
      const result = await runSuite(engine, { problems, agents: ['generic'], parallel, createAgent: (name) => createAgent(name, { env: agentEnv() }) });
      return { parallel, result, model, requests: server.requests.splice(0), maxInFlight: server.maxInFlight, engine };
    };
    for (const r of [await run(1), await run(4)]) {
      assert.equal(r.result.plan.workers, r.parallel);
      assert.equal(r.maxInFlight, r.parallel, `--parallel ${r.parallel}: at most ${r.maxInFlight} requests to the model at once`);
      assert.deepEqual(r.result.records.map((x) => x.problem_id), TWELVE_DETECTION, 'one session per problem, in plan order');
      assert.ok(r.result.records.every((x) => x.status === 'completed'), JSON.stringify(r.result.records.map((x) => [x.status, x.error])));
      const saved = sessionsIn(r.engine.config.resultsDir);
      assert.deepEqual(saved.map((x) => x.problem_id).sort(), [...TWELVE_DETECTION].sort(), 'saved once each');
      assert.equal(new Set(saved.map((x) => x.session_id)).size, 12, 'twelve distinct sessions');
      assert.equal((await r.engine.store.list()).length, 12, 'the index lists twelve sessions');
      const limited = r.model.rateLimited(r.requests);
      assert.ok(limited.length >= 3, `${limited.length} 429s`);
      for (const { request, next } of limited) {
        assert.ok(next, 'the session asked again after its 429');
        assert.ok(next.at - request.at >= retryAfterMs, `asked again ${next.at - request.at} ms after a 429 with retry-after-ms ${retryAfterMs}`);
      }
    }
  });

  it('a 429 to one agent pauses every agent of that endpoint until Retry-After has passed', async () => {
    const retryAfterMs = 600;
    let refused = false;
    server.handler = () => {
      if (!refused) {
        refused = true;
        return { status: 429, headers: { 'retry-after-ms': String(retryAfterMs) }, json: { error: { message: 'slow down' } } };
      }
      return { json: completion('```\nsubmit("Yes")\n```') };
    };
    server.requests.splice(0);
    const context = { problemId: 'p', task: 'detection' as const, problemDescription: 'p', instructions: 'i', apis: {}, actions: [] };
    let second: Promise<unknown> | undefined;
    const a = new OpenAICompatibleAgent('generic', {
      env: agentEnv(),
      // The moment the first agent has its 429, a second agent of the same endpoint asks.
      onRetry: () => {
        const b = new OpenAICompatibleAgent('generic', { env: agentEnv() });
        b.initContext(context);
        second = b.getAction('go');
      },
    });
    a.initContext(context);
    await a.getAction('go');
    await second;
    const [limited, ...after] = server.requests;
    assert.equal(after.length, 2, 'the first agent asked again, the second asked once');
    for (const r of after) assert.ok(r.at - limited.at >= retryAfterMs, `a request went out ${r.at - limited.at} ms after the 429`);
  });

  it('runs one session at a time on a real cluster and says why', async () => {
    const cwd = fs.mkdtempSync(path.join(os.tmpdir(), 'aiopslab-eval-real-'));
    dirs.push(cwd);
    const engine = Engine.create({ cwd, env: {}, overrides: { cluster: 'kind-kind' } });
    const plan = await planSuite(engine, { problems: TWELVE_DETECTION.map((id) => engine.problem(id).problem), agents: ['generic'], parallel: 4, repeat: 2 });
    assert.equal(plan.workers, 1);
    assert.equal(plan.jobs.length, 24);
    assert.match(plan.sequentialBecause ?? '', /one at a time on a real cluster \(kind-kind\)/);
  });

  it('stops starting sessions once cancelled and says so', async () => {
    const engine = engineIn();
    const problems = TWELVE_DETECTION.slice(0, 6).map((id) => engine.problem(id).problem);
    server.handler = scriptedModel({ delayMs: 200 }).reply;
    const abort = new AbortController();
    const result = await runSuite(engine, {
      problems, agents: ['generic'], parallel: 2, signal: abort.signal,
      createAgent: (name) => createAgent(name, { env: agentEnv() }),
      onProgress: (p) => { if (p.running === 2) abort.abort(); },
    });
    assert.equal(result.cancelled, true);
    assert.equal(result.records.length, 2, 'the two running sessions were saved, no other started');
    assert.ok(result.records.every((r) => r.status === 'cancelled'));
  });
});
