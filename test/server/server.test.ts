import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Engine } from '../../src/engine';
import { startServer, type RunningServer } from '../../src/server/server';
import { FakeEnvironment } from '../support/fake-environment';

async function call(server: RunningServer, method: string, url: string, body?: unknown, headers: Record<string, string> = {}): Promise<{ status: number; json: any }> { // eslint-disable-line @typescript-eslint/no-explicit-any
  const res = await fetch(server.url + url, {
    method,
    headers: { 'content-type': 'application/json', ...headers },
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, json: text ? JSON.parse(text) : undefined };
}

describe('HTTP service', function () {
  let server: RunningServer;
  let engine: Engine;
  const envs: FakeEnvironment[] = [];

  before(async () => {
    const cwd = fs.mkdtempSync(path.join(os.tmpdir(), 'aiopslab-serve-'));
    engine = Engine.create({ cwd, env: {}, environmentFactory: async () => { const e = new FakeEnvironment(); envs.push(e); return e; }, overrides: { settleSeconds: 0 } });
    server = await startServer(engine, { host: '127.0.0.1', port: 0 });
  });
  after(async () => server.close());

  it('answers the original endpoints', async () => {
    assert.deepEqual((await call(server, 'GET', '/health')).json, { status: 'healthy', service: 'AIOpsLab' });
    const problems = await call(server, 'GET', '/problems');
    assert.equal(problems.status, 200);
    assert.equal(problems.json.length, 89);
    assert.equal(problems.json[0], 'k8s_target_port-misconfig-detection-1');
    const agents = await call(server, 'GET', '/agents');
    assert.ok(agents.json.includes('generic') && agents.json.includes('baseline'));
  });

  it('plays a whole interactive session: text replies and structured actions', async () => {
    const created = await call(server, 'POST', '/sessions', { problem_id: 'scale_pod_zero_social_net-localization-1', max_steps: 5 });
    assert.equal(created.status, 201);
    const id = created.json.session_id;
    assert.match(created.json.problem_description, /test-social-network/);
    assert.ok(created.json.actions.find((a: { name: string }) => a.name === 'get_logs').parameters.properties.service);
    assert.equal(created.json.first_observation, 'Please take the next action');

    const bad = await call(server, 'POST', `/sessions/${id}/step`, { reply: 'no call here' });
    assert.equal(bad.status, 200);
    assert.equal(bad.json.done, false);
    assert.ok(bad.json.parse_error);

    const shell = await call(server, 'POST', `/sessions/${id}/step`, { reply: '```\nexec_shell("kubectl get deploy -n test-social-network")\n```' });
    assert.equal(shell.json.observation, 'ran: kubectl get deploy -n test-social-network\n');
    assert.equal(shell.json.action.name, 'exec_shell');

    const running = await call(server, 'GET', `/sessions/${id}`);
    assert.equal(running.json.status, 'running');

    const submit = await call(server, 'POST', `/sessions/${id}/step`, { action: { name: 'submit', arguments: { faulty_components: ['user-service'] } } });
    assert.equal(submit.json.done, true);
    assert.equal(submit.json.results.success, true);

    const record = await call(server, 'GET', `/sessions/${id}`);
    assert.equal(record.json.session_id, id);
    assert.equal(record.json.status, 'completed');
    assert.equal(record.json.steps.length, 3);
    const late = await call(server, 'POST', `/sessions/${id}/step`, { reply: '```\nsubmit([])\n```' });
    assert.equal(late.status, 409);
  });

  it('stops a session on DELETE and recovers its fault', async () => {
    const created = await call(server, 'POST', '/sessions', { problem_id: 'scale_pod_zero_social_net-detection-1' });
    const id = created.json.session_id;
    const env = envs[envs.length - 1];
    const deleted = await call(server, 'DELETE', `/sessions/${id}`);
    assert.equal(deleted.status, 200);
    assert.equal(deleted.json.status, 'cancelled');
    assert.ok(env.calls.includes('recover:scale-to-zero'));
    assert.equal((await call(server, 'DELETE', `/sessions/${id}`)).status, 404);
  });

  it('runs /simulate with the original response keys', async () => {
    const res = await call(server, 'POST', '/simulate', { problem_id: 'noop_detection_hotel_reservation-1', agent_name: 'baseline', max_steps: 12 });
    assert.equal(res.status, 200, JSON.stringify(res.json));
    for (const key of ['agent', 'session_id', 'problem_id', 'start_time', 'end_time', 'trace', 'results']) assert.ok(key in res.json, key);
    assert.equal(res.json.agent, 'baseline-agent');
  });

  it('rejects bad input with 4xx and a clear message', async () => {
    const unknownProblem = await call(server, 'POST', '/simulate', { problem_id: 'nope-detection-1' });
    assert.equal(unknownProblem.status, 404);
    assert.match(unknownProblem.json.detail, /^Problem nope-detection-1 not found\. Available problems: \[/);
    const unknownAgent = await call(server, 'POST', '/simulate', { problem_id: 'noop_detection_hotel_reservation-1', agent_name: 'Qwen/Qwen2.5-Coder-0.5B-Instruct' });
    assert.equal(unknownAgent.status, 404);
    assert.match(unknownAgent.json.detail, /^Agent Qwen\/Qwen2\.5-Coder-0\.5B-Instruct not registered\. Available agents: \[/);
    const malformed = await call(server, 'POST', '/sessions', '{"problem_id": ');
    assert.equal(malformed.status, 400);
    assert.match(malformed.json.detail, /Malformed JSON/);
    assert.equal((await call(server, 'POST', '/sessions', [1, 2])).status, 422);
    assert.equal((await call(server, 'POST', '/sessions', {})).status, 422);
    assert.equal((await call(server, 'POST', '/sessions', { problem_id: 'x', max_steps: -1 })).status, 404);
    assert.equal((await call(server, 'POST', '/sessions/unknown/step', { reply: 'x' })).status, 404);
    assert.equal((await call(server, 'GET', '/nowhere')).status, 404);
    assert.equal((await call(server, 'PUT', '/health')).status, 405);
    const big = await call(server, 'POST', '/sessions', JSON.stringify({ problem_id: 'x'.repeat(2 * 1024 * 1024) }));
    assert.equal(big.status, 413);
  });

  it('requires a token when bound beyond loopback, and checks it', async () => {
    await assert.rejects(startServer(engine, { host: '0.0.0.0', port: 0 }), /without a token/);
    const guarded = await startServer(engine, { host: '127.0.0.1', port: 0, token: 's3cret' });
    try {
      assert.equal((await call(guarded, 'GET', '/health')).status, 401);
      assert.equal((await call(guarded, 'GET', '/health', undefined, { authorization: 'Bearer wrong' })).status, 401);
      assert.equal((await call(guarded, 'GET', '/health', undefined, { authorization: 'Bearer s3cret' })).status, 200);
    } finally {
      await guarded.close();
    }
  });
});
