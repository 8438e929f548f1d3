import { strict as assert } from 'assert';
import { AgentError } from '../../src/agents/errors';
import { OpenAICompatibleAgent, parseRetryAfter, type OpenAIAgentOptions } from '../../src/agents/openai-client';
import { completion, ScriptedServer } from './scripted-server';
import { makeContext } from './fixtures';

const SECRET = 'sk-test-secret-key-123456789';

describe('agents / OpenAI-compatible client against a scripted server', () => {
  const server = new ScriptedServer();
  before(() => server.start());
  after(() => server.stop());
  beforeEach(() => {
    server.requests.length = 0;
  });

  function agent(options: OpenAIAgentOptions = {}, profile = 'generic'): OpenAICompatibleAgent {
    const a = new OpenAICompatibleAgent(profile, {
      baseURL: server.baseURL,
      apiKey: SECRET,
      env: {},
      timeoutMs: 2_000,
      maxRetries: 2,
      backoffBaseMs: 5,
      maxBackoffMs: 20,
      ...options,
    });
    a.initContext(makeContext());
    return a;
  }

  async function failure(p: Promise<unknown>): Promise<AgentError> {
    try {
      await p;
    } catch (e) {
      assert.ok(e instanceof AgentError, `expected AgentError, got ${String(e)}`);
      return e;
    }
    assert.fail('expected the call to fail');
  }

  it('text protocol: sends system template, instructions, then the observation; returns the reply text', async () => {
    const reply = 'Thought: look at pods\nAction:```\nexec_shell("kubectl get pods -n test-social-network")\n```';
    server.setScript([{ json: completion(reply, { usage: { prompt_tokens: 1200, completion_tokens: 30 } }) }]);
    const a = agent({ model: 'gpt-4o' });
    const turn = (await a.getAction('Please take the next action'));
    assert.equal(turn.text, reply);
    assert.equal(turn.toolCall, undefined);
    assert.deepEqual({ input: turn.usage?.inputTokens, output: turn.usage?.outputTokens, source: turn.usage?.source }, { input: 1200, output: 30, source: 'api' });
    // gpt-4o: $2.50 / $10 per 1M tokens.
    assert.ok(Math.abs((turn.usage?.costUsd ?? 0) - (1200 * 2.5 + 30 * 10) / 1e6) < 1e-12);

    assert.equal(server.requests.length, 1);
    const req = server.requests[0];
    assert.equal(req.path, '/v1/chat/completions');
    assert.equal(req.headers.authorization, `Bearer ${SECRET}`);
    assert.equal(req.body.model, 'gpt-4o');
    assert.equal(req.body.temperature, 0.5);
    assert.equal(req.body.top_p, 0.95);
    assert.equal(req.body.max_tokens, 16000, 'generic defaults to 16000 max tokens');
    assert.equal(req.body.tools, undefined);
    assert.deepEqual(req.body.messages.map((m: { role: string }) => m.role), ['system', 'user', 'user']);
    const system: string = req.body.messages[0].content;
    assert.match(system, /Namespace: test-social-network/);
    assert.match(system, /exec_shell\nExecute any shell command/);
    assert.match(system, /submit\nSubmit if anomalies/);
    assert.doesNotMatch(system, /get_logs/, 'shell-only by default, like the original');
    assert.equal(req.body.messages[1].content, 'Respond with one API call in a markdown code block.');
    assert.equal(req.body.messages[2].content, 'Please take the next action');

    server.setScript([{ json: completion('```\nsubmit("Yes")\n```') }]);
    await a.getAction('NAME READY STATUS');
    const roles = server.requests[1].body.messages.map((m: { role: string }) => m.role);
    assert.deepEqual(roles, ['system', 'user', 'user', 'assistant', 'user']);
    assert.equal(server.requests[1].body.messages[3].content, reply);
    assert.equal(server.requests[1].body.messages[4].content, 'NAME READY STATUS');
  });

  it('shows the telemetry APIs when asked to', async () => {
    server.setScript([{ json: completion('x') }]);
    const a = agent({ showAllApis: true });
    await a.getAction('go');
    const system: string = server.requests[0].body.messages[0].content;
    assert.match(system, /get_logs\nCollects relevant log data/);
    assert.match(system, /Thought:/);
  });

  it('counts tokens with the tokenizer when the server reports no usage', async () => {
    server.setScript([{ json: completion('hello world') }]);
    const turn = (await agent().getAction('observation text'));
    assert.equal(turn.usage?.source, 'tokenizer');
    assert.ok((turn.usage?.inputTokens ?? 0) > 50);
    assert.equal(turn.usage?.outputTokens, 2);
  });

  it('tool calling: offers the actions as tools, returns the call, answers it with a tool message', async () => {
    server.setScript([
      { json: completion(null, { toolCalls: [{ id: 'call_1', name: 'exec_shell', arguments: '{"command":"kubectl get pods -n test-social-network"}' }] }) },
    ]);
    const a = agent({ protocol: 'tools' });
    const turn = (await a.getAction('Please take the next action'));
    assert.deepEqual(turn.toolCall, { name: 'exec_shell', arguments: { command: 'kubectl get pods -n test-social-network' } });
    const tools = server.requests[0].body.tools;
    assert.deepEqual(tools.map((t: { function: { name: string } }) => t.function.name), ['exec_shell', 'submit']);
    assert.deepEqual(tools[0].function.parameters, {
      type: 'object',
      properties: { command: { type: 'string', description: 'The command to execute.' }, timeout: { type: 'integer', default: 30 } },
      required: ['command'],
      additionalProperties: false,
    });
    assert.deepEqual(tools[1].function.parameters.properties.has_anomaly.enum, ['Yes', 'No']);

    server.setScript([{ json: completion('No tool this time, here is text') }]);
    const second = (await a.getAction('pod list …'));
    assert.equal(second.toolCall, undefined);
    assert.equal(second.text, 'No tool this time, here is text');
    const msgs = server.requests[1].body.messages;
    assert.deepEqual(msgs.slice(-2).map((m: { role: string }) => m.role), ['assistant', 'tool']);
    assert.equal(msgs[msgs.length - 1].tool_call_id, 'call_1');
    assert.equal(msgs[msgs.length - 1].content, 'pod list …');
    assert.equal(msgs[msgs.length - 2].tool_calls[0].id, 'call_1');
  });

  it('tool calling: malformed tool arguments come back as text the parser will reject, not a crash', async () => {
    server.setScript([{ json: completion(null, { toolCalls: [{ id: 'c', name: 'submit', arguments: '{"has_anomaly": ' }] }) }]);
    const turn = (await agent({ protocol: 'tools' }).getAction('go'));
    assert.equal(turn.toolCall, undefined);
    assert.match(turn.text, /Invalid tool call: the arguments of submit are not a JSON object/);
  });

  it('retries a 429 honouring Retry-After (capped) and then succeeds', async () => {
    server.setScript([{ status: 429, headers: { 'retry-after': '30' }, json: { error: { message: 'slow down' } } }, { json: completion('ok') }]);
    const waits: number[] = [];
    const turn = (await agent({ onRetry: (i) => waits.push(i.waitMs) }).getAction('go'));
    assert.equal(turn.text, 'ok');
    assert.equal(server.requests.length, 2);
    assert.deepEqual(waits, [20], 'Retry-After of 30 s is capped at maxBackoffMs');
  });

  it('retries a 500 and then succeeds', async () => {
    server.setScript([{ status: 500, json: { error: { message: 'boom' } } }, { json: completion('fine') }]);
    const turn = (await agent().getAction('go'));
    assert.equal(turn.text, 'fine');
    assert.equal(server.requests.length, 2);
  });

  it('gives up on persistent 5xx with a clear, retryable error naming the endpoint', async () => {
    server.setScript([{ status: 503, json: { error: { message: 'overloaded' } } }]);
    const err = await failure(agent({ maxRetries: 2 }).getAction('go'));
    assert.equal(server.requests.length, 3);
    assert.equal(err.kind, 'server');
    assert.equal(err.retryable, true);
    assert.equal(err.status, 503);
    assert.ok(err.message.includes(`${server.baseURL}/chat/completions`));
    assert.match(err.message, /HTTP 503\) after 3 attempts/);
  });

  it('a hanging server ends in a timeout error, not a hang', async () => {
    server.setScript([{ hang: true }]);
    const err = await failure(agent({ timeoutMs: 150, maxRetries: 1 }).getAction('go'));
    assert.equal(err.kind, 'timeout');
    assert.equal(server.requests.length, 2, 'a timeout is retried once');
    assert.ok(err.message.includes(server.baseURL));
    assert.match(err.message, /did not answer within 150 ms/);
  });

  it('malformed JSON is a clear non-retryable error', async () => {
    server.setScript([{ raw: '{"choices": [ {"message": ' }]);
    const err = await failure(agent().getAction('go'));
    assert.equal(err.kind, 'malformed-response');
    assert.equal(err.retryable, false);
    assert.equal(server.requests.length, 1);
    assert.ok(err.message.includes(server.baseURL));
  });

  it('a non-JSON body (e.g. an HTML page) is a malformed response', async () => {
    server.setScript([{ raw: '<html>gateway</html>', contentType: 'text/html' }]);
    const err = await failure(agent().getAction('go'));
    assert.equal(err.kind, 'malformed-response');
    assert.match(err.message, /OpenAI-compatible API/);
  });

  it('an empty choices list is a clear error', async () => {
    server.setScript([{ json: { id: 'x', object: 'chat.completion', choices: [] } }]);
    const err = await failure(agent().getAction('go'));
    assert.equal(err.kind, 'empty-response');
    assert.match(err.message, /returned no choices/);
  });

  it('401 tells the user which variable to set and never shows the key', async () => {
    server.setScript([{ status: 401, json: { error: { message: `Incorrect API key provided: ${SECRET}` } } }]);
    const err = await failure(agent({}, 'gpt').getAction('go'));
    assert.equal(err.kind, 'auth');
    assert.equal(err.retryable, false);
    assert.equal(server.requests.length, 1, '401 is not retried');
    assert.match(err.message, /set OPENAI_API_KEY or run "AIOpsLab: Set API Key…"/);
    assert.ok(err.message.includes(server.baseURL));
    assert.ok(!err.message.includes(SECRET));
    assert.ok(!JSON.stringify(err).includes(SECRET));
  });

  it('404 says the model was not found', async () => {
    server.setScript([{ status: 404, json: { error: { message: 'The model `nope` does not exist' } } }]);
    const err = await failure(agent({ model: 'nope' }).getAction('go'));
    assert.equal(err.kind, 'model-not-found');
    assert.match(err.message, /model "nope" was not found/);
  });

  it('an unreachable host is a clear error naming the endpoint', async () => {
    const dead = new ScriptedServer();
    await dead.start();
    const url = dead.baseURL;
    await dead.stop();
    const a = new OpenAICompatibleAgent('generic', { baseURL: url, env: {}, maxRetries: 0, timeoutMs: 2_000 });
    a.initContext(makeContext());
    const err = await failure(a.getAction('go'));
    assert.equal(err.kind, 'unreachable');
    assert.ok(err.message.includes(url));
    assert.match(err.message, /connection refused/);
  });

  it('a required key that is missing fails before any request', async () => {
    const a = new OpenAICompatibleAgent('gpt', { baseURL: server.baseURL, env: {} });
    a.initContext(makeContext());
    const err = await failure(a.getAction('go'));
    assert.equal(err.kind, 'not-configured');
    assert.match(err.message, /set OPENAI_API_KEY/);
    assert.equal(server.requests.length, 0);
  });

  it('takes the key from an injected secret getter', async () => {
    server.setScript([{ json: completion('ok') }]);
    const a = new OpenAICompatibleAgent('gpt', { baseURL: server.baseURL, env: {}, getSecret: (n) => (n === 'OPENAI_API_KEY' ? 'from-secret-store' : undefined) });
    a.initContext(makeContext());
    await a.getAction('go');
    assert.equal(server.requests[0].headers.authorization, 'Bearer from-secret-store');
    assert.ok(!JSON.stringify(a).includes('from-secret-store'), 'the key is not part of the serialised agent');
    assert.ok(!JSON.stringify(a.settings).includes('from-secret-store'));
  });

  it('streams when the profile needs it (DashScope) and assembles text and usage', async () => {
    server.setScript([
      {
        sse: [
          { id: 's', object: 'chat.completion.chunk', created: 1, model: 'qwq-32b', choices: [{ index: 0, delta: { role: 'assistant', content: 'Action:```\n' } }] },
          { id: 's', object: 'chat.completion.chunk', created: 1, model: 'qwq-32b', choices: [{ index: 0, delta: { content: 'submit("No")\n```' } }] },
          { id: 's', object: 'chat.completion.chunk', created: 1, model: 'qwq-32b', choices: [], usage: { prompt_tokens: 10, completion_tokens: 5, total_tokens: 15 } },
        ],
      },
    ]);
    const turn = (await agent({}, 'qwen').getAction('go'));
    assert.equal(turn.text, 'Action:```\nsubmit("No")\n```');
    assert.equal(server.requests[0].body.stream, true);
    assert.equal(server.requests[0].body.model, 'qwq-32b');
    assert.deepEqual([turn.usage?.inputTokens, turn.usage?.outputTokens, turn.usage?.source], [10, 5, 'api']);
  });

  it('trims old observations to the context budget with a visible notice', async () => {
    server.setScript([{ json: completion('ok') }]);
    const a = agent({ contextBudgetTokens: 1_500, maxObservationTokens: 100_000 });
    const big = Array.from({ length: 300 }, (_, i) => `pod-${i} Running`).join('\n');
    await a.getAction(big);
    await a.getAction(big);
    const last = server.requests[server.requests.length - 1].body.messages;
    assert.match(last[2].content, /^\[… observation of step 1 trimmed: [\d,]+ tokens/);
    assert.equal(last[last.length - 1].content, big, 'the newest observation is kept whole');
  });

  it('a context-length 400 says to lower the context budget', async () => {
    server.setScript([{ status: 400, json: { error: { message: "This model's maximum context length is 8192 tokens. However, your messages resulted in 9000 tokens.", code: 'context_length_exceeded' } } }]);
    const err = await failure(agent({ contextBudgetTokens: 50_000 }).getAction('go'));
    assert.equal(err.kind, 'bad-request');
    assert.match(err.message, /longer than the context window .*contextBudgetTokens, now 50000 tokens/);
  });

  it('can send max_completion_tokens and leave out sampling settings for reasoning models', async () => {
    server.setScript([{ json: completion('ok') }]);
    await agent({ maxTokensParam: 'max_completion_tokens', sendSampling: false, maxTokens: 2048 }).getAction('go');
    const body = server.requests[0].body;
    assert.equal(body.max_completion_tokens, 2048);
    assert.equal(body.max_tokens, undefined);
    assert.equal(body.temperature, undefined);
    assert.equal(body.top_p, undefined);
  });

  it('parses Retry-After as seconds or an HTTP date', () => {
    const h = (v: Record<string, string>) => ({ get: (n: string) => v[n] ?? null });
    assert.equal(parseRetryAfter(h({ 'retry-after': '3' })), 3000);
    assert.equal(parseRetryAfter(h({ 'retry-after-ms': '250' })), 250);
    const now = Date.parse('2026-01-01T00:00:00Z');
    assert.equal(parseRetryAfter(h({ 'retry-after': 'Thu, 01 Jan 2026 00:00:10 GMT' }), now), 10_000);
    assert.equal(parseRetryAfter(h({ 'retry-after': 'soon' })), undefined);
    assert.equal(parseRetryAfter(h({})), undefined);
  });
});
