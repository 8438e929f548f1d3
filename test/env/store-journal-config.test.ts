import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { FileSessionStore, INDEX_FILE } from '../../src/env/session-store';
import { FileJournal } from '../../src/env/journal';
import { ConfigError, loadConfig, loadDotEnv } from '../../src/env/config';
import type { SessionRecord } from '../../src/core/session/types';

function tmp(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'aiopslab-test-'));
}

export function sampleRecord(id: string, start: number, success = true): SessionRecord {
  return {
    agent: 'baseline', session_id: id, problem_id: 'noop_detection_hotel_reservation-1', start_time: start, end_time: start + 2,
    trace: [{ role: 'assistant', content: '```\nsubmit("No")\n```' }, { role: 'env', content: 'ok' }],
    results: { 'Detection Accuracy': success ? 'Correct' : 'Incorrect', TTD: 2, steps: 1, in_tokens: 3, out_tokens: 5 },
    task_type: 'detection', app: 'hotel-reservation', status: 'completed',
    verdict: { success, expected: 'No', given: success ? 'No' : 'Yes', explanation: 'x' },
    steps: [{ step: 0, reply: 'r', observation: 'o', agentMs: 1, actionMs: 1, startedAt: start * 1000 }],
    max_steps: 30, tokens: { input: 0, output: 0, cost_usd: 0, source: 'none' },
    environment: { kind: 'fake', cluster: 'fake' }, workload_mode: 'steady', shell_policy: 'guarded', versions: {},
  };
}

describe('session store', () => {
  it('saves a session as <id>_<start>.json with the original keys first and lists newest first', async () => {
    const dir = tmp();
    const store = new FileSessionStore(dir);
    const file = await store.save(sampleRecord('aaa', 100));
    await store.save(sampleRecord('bbb', 200, false));
    assert.equal(path.basename(file), 'aaa_100.json');
    const saved = JSON.parse(fs.readFileSync(file, 'utf8'));
    assert.deepEqual(Object.keys(saved).slice(0, 7), ['agent', 'session_id', 'problem_id', 'start_time', 'end_time', 'trace', 'results']);
    const list = await store.list();
    assert.deepEqual(list.map((e) => e.session_id), ['bbb', 'aaa']);
    assert.equal(list[0].success, false);
    assert.equal((await store.load('aa'))?.session_id, 'aaa', 'an ID prefix is enough');
  });

  it('deletes with a tombstone and survives a torn index line', async () => {
    const dir = tmp();
    const store = new FileSessionStore(dir);
    await store.save(sampleRecord('aaa', 100));
    await store.save(sampleRecord('bbb', 200));
    fs.appendFileSync(path.join(dir, INDEX_FILE), '{"session_id": "torn');
    assert.equal(await store.delete('aaa'), true);
    assert.deepEqual((await store.list()).map((e) => e.session_id), ['bbb']);
    assert.equal(fs.existsSync(path.join(dir, 'aaa_100.json')), false);
  });
});

describe('recovery journal', () => {
  it('keeps entries across instances (a new process sees what a killed one wrote)', async () => {
    const file = path.join(tmp(), 'state', 'journal.json');
    const entry = { id: 's1', problemId: 'p', sessionId: 's1', cluster: 'kind-kind', namespace: 'ns', fault: { kind: 'noop', params: {} }, appId: 'a', createdAt: 'now' };
    await new FileJournal(file).add(entry);
    const again = new FileJournal(file);
    assert.equal((await again.list())[0].id, 's1');
    assert.equal((await again.list())[0].pid, process.pid);
    await again.remove('s1');
    assert.deepEqual(await new FileJournal(file).list(), []);
  });

  it('names the file when it is unreadable', async () => {
    const file = path.join(tmp(), 'journal.json');
    fs.writeFileSync(file, '{not json');
    await assert.rejects(new FileJournal(file).list(), (e: Error) => e.message.includes(file));
  });
});

describe('configuration', () => {
  it('has defaults without a file and resolves the results folder against the working folder', () => {
    const cwd = tmp();
    const config = loadConfig({ cwd, env: {} });
    assert.equal(config.resultsDir, path.join(cwd, 'aiopslab-results'));
    assert.equal(config.shellPolicy, 'guarded');
    assert.equal(config.cluster, 'embedded');
    assert.equal(config.serve.port, 1818);
  });

  it('reads the YAML file, then environment, then explicit overrides', () => {
    const cwd = tmp();
    fs.writeFileSync(path.join(cwd, 'aiopslab.config.yaml'), 'maxSteps: 12\nshellPolicy: open\nserve:\n  port: 9000\n');
    const config = loadConfig({ cwd, env: { LOG_TRIM: '5', AIOPSLAB_MAX_STEPS: '15' }, overrides: { shellPolicy: 'guarded' } });
    assert.equal(config.maxSteps, 15);
    assert.equal(config.logDedup, 5);
    assert.equal(config.shellPolicy, 'guarded');
    assert.equal(config.serve.port, 9000);
  });

  it('names the file and the field of a bad setting', () => {
    const cwd = tmp();
    fs.writeFileSync(path.join(cwd, 'aiopslab.config.yaml'), 'shellPolicy: yolo\n');
    assert.throws(() => loadConfig({ cwd, env: {} }), (e: Error) => e instanceof ConfigError && e.message.includes('aiopslab.config.yaml') && e.message.includes('shellPolicy'));
    fs.writeFileSync(path.join(cwd, 'aiopslab.config.yaml'), 'maxStep: 3\n');
    assert.throws(() => loadConfig({ cwd, env: {} }), (e: Error) => e instanceof ConfigError && /maxStep/.test(e.message));
  });

  it('loads .env without overriding variables already set', () => {
    const cwd = tmp();
    fs.writeFileSync(path.join(cwd, '.env'), 'OPENAI_API_KEY=from-file\nOTHER=1\n');
    const env: NodeJS.ProcessEnv = { OPENAI_API_KEY: 'from-env' };
    loadDotEnv(cwd, env);
    assert.equal(env.OPENAI_API_KEY, 'from-env');
    assert.equal(env.OTHER, '1');
  });
});
