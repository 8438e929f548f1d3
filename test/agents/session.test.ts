import { strict as assert } from 'assert';
import { createAgent } from '../../src/agents/registry';
import { BaselineAgent } from '../../src/agents/baseline';
import { Orchestrator } from '../../src/core/orchestrator/orchestrator';
import { loadCatalog } from '../../src/env/catalog';
import { FakeEnvironment, MemoryJournal, MemoryStore, fastClock } from '../support/fake-environment';
import { completion, ScriptedServer } from './scripted-server';

const catalog = loadCatalog();
let counter = 0;

function setup(problemId: string) {
  const problem = catalog.problems.get(problemId);
  const app = catalog.apps.get(problem.app)!;
  const orchestrator = new Orchestrator({ env: new FakeEnvironment(), journal: new MemoryJournal(), store: new MemoryStore(), clock: fastClock, newId: () => `agents-session-${++counter}` });
  return { problem, app, orchestrator };
}

describe('agents / sessions with the orchestrator (fake environment, scripted model server)', () => {
  const server = new ScriptedServer();
  before(() => server.start());
  after(() => server.stop());
  beforeEach(() => {
    server.requests.length = 0;
  });

  const generic = (extra: Record<string, unknown> = {}) =>
    createAgent('generic', { env: { OPENAI_COMPATIBLE_BASE_URL: server.baseURL, OPENAI_COMPATIBLE_MODEL: 'gpt-4o', OPENAI_COMPATIBLE_API_KEY: 'sk-session-secret-0001' }, maxRetries: 0, timeoutMs: 2_000, ...extra });

  it('the generic client solves a detection problem in the text protocol and the session records tokens and cost', async () => {
    server.setScript([
      { json: completion('Thought: look.\nAction:```\nexec_shell("kubectl get pods -n test-hotel-reservation")\n```', { usage: { prompt_tokens: 900, completion_tokens: 20 } }) },
      { json: completion('Thought: all healthy.\nAction:```\nsubmit("No")\n```', { usage: { prompt_tokens: 1000, completion_tokens: 15 } }) },
    ]);
    const { problem, app, orchestrator } = setup('noop_detection_hotel_reservation-1');
    const record = await orchestrator.run({ problem, app, agent: generic(), maxSteps: 5 });
    assert.equal(record.status, 'completed');
    assert.equal(record.results['Detection Accuracy'], 'Correct');
    assert.deepEqual([record.tokens.input, record.tokens.output, record.tokens.source], [1900, 35, 'api']);
    assert.ok(Math.abs(record.tokens.cost_usd - (1900 * 2.5 + 35 * 10) / 1e6) < 1e-12);
    assert.equal(server.requests.length, 2);
    assert.equal(server.requests[0].body.messages[2].content, 'Please take the next action');
  });

  it('the generic client solves a localization problem by tool calling', async () => {
    server.setScript([
      { json: completion(null, { toolCalls: [{ id: 'call_a', name: 'exec_shell', arguments: '{"command":"kubectl get svc -n test-social-network"}' }] }) },
      { json: completion(null, { toolCalls: [{ id: 'call_b', name: 'submit', arguments: '{"faulty_components":["user-service"]}' }] }) },
    ]);
    const { problem, app, orchestrator } = setup('k8s_target_port-misconfig-localization-1');
    const record = await orchestrator.run({ problem, app, agent: generic({ protocol: 'tools' }), maxSteps: 5 });
    assert.equal(record.status, 'completed');
    assert.equal(record.results.success, true);
    assert.equal(record.tokens.source, 'tokenizer', 'no usage reported → counted locally');
    assert.ok(record.tokens.input > 0);
    const second = server.requests[1].body.messages;
    assert.equal(second[second.length - 1].role, 'tool');
    assert.equal(second[second.length - 1].tool_call_id, 'call_a');
  });

  it('an endpoint failure ends the session with a clear error in the record, never the key', async () => {
    server.setScript([{ status: 401, json: { error: { message: 'Incorrect API key provided: sk-session-secret-0001' } } }]);
    const { problem, app, orchestrator } = setup('noop_detection_hotel_reservation-1');
    const record = await orchestrator.run({ problem, app, agent: generic(), maxSteps: 5 });
    assert.equal(record.status, 'error');
    assert.match(record.error ?? '', /rejected the API key \(HTTP 401\): set OPENAI_COMPATIBLE_API_KEY/);
    assert.ok(!JSON.stringify(record).includes('sk-session-secret-0001'));
  });

  it('the baseline runs a whole session through the orchestrator and submits within its budget', async () => {
    const { problem, app, orchestrator } = setup('noop_detection_hotel_reservation-1');
    const record = await orchestrator.run({ problem, app, agent: new BaselineAgent(), maxSteps: 10 });
    assert.equal(record.status, 'completed');
    assert.ok(record.steps.every((s) => !s.parseError), 'every baseline reply parses');
    assert.equal(record.steps[record.steps.length - 1].action?.name, 'submit');
  });
});
