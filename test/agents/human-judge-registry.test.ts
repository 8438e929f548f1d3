import { strict as assert } from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { HumanAgent, wrapHumanInput } from '../../src/agents/human';
import { LlmJudge, parseJudgeScore, renderTrace } from '../../src/agents/judge';
import { checkReachable, createAgent, listAgents } from '../../src/agents/registry';
import { AgentError } from '../../src/agents/errors';
import { completion, ScriptedServer } from './scripted-server';
import { makeContext } from './fixtures';

describe('agents / human', () => {
  it('wraps a typed line the way the original CLI does', () => {
    assert.equal(wrapHumanInput('exec_shell("kubectl get pods")'), 'Action:```\nexec_shell("kubectl get pods")\n```');
    assert.equal(wrapHumanInput('submit("Yes")'), 'Action:```\nsubmit("Yes")\n```');
  });

  it('passes a reply that already has a fenced block as is', () => {
    const typed = 'Thought: check\n```\nsubmit(["geo"])\n```';
    assert.equal(wrapHumanInput(typed), typed);
  });

  it('can turn a bare command into exec_shell when asked', () => {
    assert.equal(wrapHumanInput('kubectl get pods -n "x"', { shellFallback: true }), 'Action:```\nexec_shell("kubectl get pods -n \\"x\\"")\n```');
    assert.equal(wrapHumanInput('get_logs("ns", "geo")', { shellFallback: true }), 'Action:```\nget_logs("ns", "geo")\n```');
  });

  it('awaits the injected ask function with the observation and step', async () => {
    const seen: Array<[string, number]> = [];
    const agent = new HumanAgent(async (obs, info) => {
      seen.push([obs, info.step]);
      return 'submit("No")';
    });
    agent.initContext(makeContext());
    assert.equal(await agent.getAction('Please take the next action'), 'Action:```\nsubmit("No")\n```');
    await agent.getAction('second');
    assert.deepEqual(seen, [['Please take the next action', 1], ['second', 2]]);
    assert.equal(agent.name, 'human');
  });
});

describe('agents / LLM judge', () => {
  const server = new ScriptedServer();
  before(() => server.start());
  after(() => server.stop());

  it('renders the trace as the original does', () => {
    assert.equal(renderTrace([{ role: 'assistant', content: 'a' }, { role: 'env', content: 'b' }]), '###assistant:\na\n\n###env:\nb\n\n');
  });

  it('parses [[N]], then [N], else -1', () => {
    assert.equal(parseJudgeScore('Good work. Rating: [[8]]'), 8);
    assert.equal(parseJudgeScore('Rating [7] and later [[3]]'), 3);
    assert.equal(parseJudgeScore('Rating: [6]'), 6);
    assert.equal(parseJudgeScore('[[7.5]]'), 7.5);
    assert.equal(parseJudgeScore('no score'), -1);
  });

  it('asks the model once, then serves the same trace from the cache file', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'judge-'));
    const cacheFile = path.join(dir, 'sub', 'judge-cache.json');
    server.setScript([{ json: completion('Purposeful investigation, correct fix. [[8]]') }]);
    const trace = [
      { role: 'assistant' as const, content: '```\nexec_shell("kubectl get pods")\n```' },
      { role: 'env' as const, content: 'geo CrashLoopBackOff' },
    ];
    const judge = new LlmJudge({ baseURL: server.baseURL, apiKey: 'k-judge-123', env: {}, cacheFile, maxRetries: 0 });
    const first = await judge.judge(trace);
    assert.deepEqual(first, { reasoning_score: 8, reasoning_judgement: 'Purposeful investigation, correct fix. [[8]]' });
    assert.equal(server.requests.length, 1);
    const req = server.requests[0].body;
    assert.equal(req.model, 'gpt-4-turbo-2024-04-09');
    assert.equal(req.temperature, 0);
    assert.match(req.messages[0].content, /\[\[N\]\]/);
    assert.ok(req.messages[1].content.includes('###env:\ngeo CrashLoopBackOff\n\n'));

    const again = await new LlmJudge({ baseURL: server.baseURL, apiKey: 'k-judge-123', env: {}, cacheFile }).judge(trace);
    assert.deepEqual(again, first);
    assert.equal(server.requests.length, 1, 'the second call made no request');
    assert.ok(!fs.readFileSync(cacheFile, 'utf8').includes('k-judge-123'));

    server.setScript([{ json: completion('Different model says [[4]]') }]);
    const other = await new LlmJudge({ baseURL: server.baseURL, apiKey: 'k', env: {}, cacheFile, model: 'other-model' }).judge(trace);
    assert.equal(other.reasoning_score, 4, 'the cache is keyed by model too');
    assert.equal(server.requests.length, 2);
  });

  it('reads the original judge variable OPENAI_KEY', async () => {
    server.setScript([{ json: completion('[[5]]') }]);
    const res = await new LlmJudge({ baseURL: server.baseURL, env: { OPENAI_KEY: 'k-original' } }).judge([{ role: 'env', content: 'x' }]);
    assert.equal(res.reasoning_score, 5);
    assert.equal(server.requests[server.requests.length - 1].headers.authorization, 'Bearer k-original');
  });
});

describe('agents / registry', () => {
  it('lists every agent with its model, endpoint and what is missing', () => {
    const agents = listAgents({ OPENAI_API_KEY: 'x', OPENROUTER_MODEL: 'meta/llama' });
    assert.deepEqual(agents.map((a) => a.name), ['gpt', 'deepseek', 'qwen', 'vllm', 'openrouter', 'groq', 'generic', 'baseline', 'human']);
    const by = Object.fromEntries(agents.map((a) => [a.name, a]));
    assert.deepEqual(
      { c: by.gpt.configured, m: by.gpt.model, u: by.gpt.baseURL },
      { c: true, m: 'gpt-4o', u: 'https://api.openai.com/v1' },
    );
    assert.equal(by.deepseek.configured, false);
    assert.equal(by.deepseek.missing, 'DEEPSEEK_API_KEY not set');
    assert.equal(by.deepseek.model, 'deepseek-reasoner');
    assert.equal(by.qwen.model, 'qwq-32b');
    assert.equal(by.vllm.configured, true, 'a local vLLM needs no key');
    assert.equal(by.vllm.baseURL, 'http://localhost:8000/v1');
    assert.equal(by.openrouter.model, 'meta/llama');
    assert.equal(by.groq.model, 'llama-3.1-8b-instant');
    assert.equal(by.generic.configured, false);
    assert.equal(by.generic.missing, 'OPENAI_COMPATIBLE_BASE_URL not set');
    assert.equal(by.baseline.kind, 'baseline');
    assert.equal(by.human.kind, 'human');
    const generic = listAgents({ OPENAI_COMPATIBLE_BASE_URL: 'http://127.0.0.1:9/v1', OPENAI_COMPATIBLE_MODEL: 'm' }).find((a) => a.name === 'generic');
    assert.deepEqual([generic?.configured, generic?.model, generic?.baseURL], [true, 'm', 'http://127.0.0.1:9/v1']);
    assert.ok(!JSON.stringify(agents).includes('"x"'), 'no key values in the listing');
  });

  it('creates agents by name and rejects unknown names clearly', () => {
    assert.equal(createAgent('baseline').name, 'baseline');
    assert.equal(createAgent('generic', { baseURL: 'http://127.0.0.1:9/v1', env: {} }).name, 'generic');
    assert.equal(createAgent('human', { ask: async () => 'x' }).name, 'human');
    assert.throws(() => createAgent('gpt5'), /^UnknownAgentError: Agent gpt5 not registered\. Available agents: gpt, deepseek, qwen, vllm, openrouter, groq, generic, baseline, human$/);
    assert.throws(() => createAgent('human'), /needs an input function/);
  });

  it('checks whether an endpoint is reachable', async () => {
    const server = new ScriptedServer();
    await server.start();
    server.setScript([{ json: { object: 'list', data: [] } }]);
    const up = await checkReachable('generic', { baseURL: server.baseURL, env: {} });
    assert.equal(up.reachable, true);
    assert.equal(up.status, 200);
    const url = server.baseURL;
    await server.stop();
    const down = await checkReachable('generic', { baseURL: url, env: {}, timeoutMs: 1000 });
    assert.equal(down.reachable, false);
    assert.match(down.message, /connection refused|connection failed/);
    assert.deepEqual(await checkReachable('baseline'), { reachable: true, message: 'local agent' });
  });

  it('a generic agent without a base URL fails with a clear error at the first action', async () => {
    const a = createAgent('generic', { env: {} });
    await a.initContext(makeContext());
    await assert.rejects(Promise.resolve(a.getAction('go')), (e: unknown) => e instanceof AgentError && /set OPENAI_COMPATIBLE_BASE_URL/.test(e.message));
  });
});
