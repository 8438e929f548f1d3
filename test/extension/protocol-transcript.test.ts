import * as assert from 'node:assert/strict';
import type { SessionEvent } from '../../src/core/orchestrator/events';
import type { SessionRecord, StepRecord } from '../../src/core/session/types';
import { isHostMessage, isWebviewMessage } from '../../src/extension/protocol';
import { formatAction, snapshotFromRecord, toMs, Transcript, truncateForView } from '../../src/extension/model/transcript-model';

function step(n: number, over: Partial<StepRecord> = {}): StepRecord {
  return { step: n, reply: `Action:\n\`\`\`\nexec_shell("kubectl get pods")\n\`\`\``, action: { name: 'exec_shell', args: ['kubectl get pods'], kwargs: {} }, observation: `out ${n}`, agentMs: 5, actionMs: 7, startedAt: 1000 + n, ...over };
}

function record(steps: StepRecord[]): SessionRecord {
  return {
    agent: 'baseline', session_id: 'S1', problem_id: 'p-detection-1', start_time: 1_700_000_000.5, end_time: 1_700_000_010.5, trace: [], results: { TTD: 1.25, steps: steps.length, success: true },
    task_type: 'detection', app: 'hotel-reservation', status: 'completed', verdict: { success: true, expected: 'Yes', given: 'Yes', explanation: 'right answer' }, steps, max_steps: 30,
    tokens: { input: 100, output: 20, cost_usd: 0.001, source: 'tokenizer' }, environment: { kind: 'fake', cluster: 'x' }, workload_mode: 'steady', shell_policy: 'guarded', versions: {},
  };
}

describe('extension message protocol', () => {
  it('accepts the messages each side sends and rejects malformed ones', () => {
    assert.ok(isWebviewMessage({ type: 'ready' }));
    assert.ok(isWebviewMessage({ type: 'send-action', text: 'get_logs("a", "b")' }));
    assert.ok(isWebviewMessage({ type: 'dom', id: 1, count: 2, texts: ['a'] }));
    assert.ok(!isWebviewMessage({ type: 'send-action', text: 42 }));
    assert.ok(!isWebviewMessage({ type: 'send-action', text: 'x'.repeat(100_001) }));
    assert.ok(!isWebviewMessage({ type: 'eval', code: 'x' }));
    assert.ok(!isWebviewMessage(null));
    assert.ok(!isWebviewMessage(['ready']));
    const snap = snapshotFromRecord(record([step(0)]));
    assert.ok(isHostMessage({ type: 'init', version: 1, snapshot: snap }));
    assert.ok(isHostMessage({ type: 'step', step: snap.steps[0] }));
    assert.ok(!isHostMessage({ type: 'init', snapshot: {} }));
    assert.ok(!isHostMessage({ type: 'step', step: { reply: 'x' } }));
  });

  it('survives structured cloning (what postMessage does) unchanged', () => {
    const snap = snapshotFromRecord(record([step(0), step(1, { action: undefined, parseError: 'Error parsing response: no call' })]));
    assert.deepEqual(structuredClone({ type: 'init', version: 1, snapshot: snap }), { type: 'init', version: 1, snapshot: snap });
  });
});

describe('extension transcript model', () => {
  it('builds a snapshot from a saved record: header in ms, steps, verdict, metrics, tokens', () => {
    const snap = snapshotFromRecord(record([step(0), step(1)]), { replay: true });
    assert.equal(snap.header.startTime, 1_700_000_000_500);
    assert.equal(snap.header.endTime, 1_700_000_010_500);
    assert.equal(snap.header.replay, true);
    assert.equal(snap.header.steps, 2);
    assert.equal(snap.steps[1].observation, 'out 1');
    assert.deepEqual(snap.results?.verdict?.expected, 'Yes');
    assert.deepEqual(snap.results?.metrics[0], ['TTD', 1.25]);
    assert.deepEqual(snap.results?.tokens, { input: 100, output: 20, costUsd: 0.001, source: 'tokenizer' });
  });

  it('follows a live session: header, parsed step, observation, results', () => {
    const t = new Transcript({ problemId: 'p-detection-1', task: 'detection', app: 'hotel-reservation', agent: 'baseline', maxSteps: 10 });
    const events: SessionEvent[] = [
      { type: 'session-started', sessionId: 'S1', problemId: 'p-detection-1', agent: 'baseline', maxSteps: 10, task: 'detection', app: 'hotel-reservation', environment: { kind: 'fake', cluster: 'fake' } },
      { type: 'phase', sessionId: 'S1', phase: 'deploy' },
      { type: 'step-parsed', sessionId: 'S1', step: 0, reply: 'r', action: { name: 'exec_shell', args: ['ls'], kwargs: {} } },
    ];
    const messages = events.flatMap((e) => t.apply(e));
    assert.deepEqual(messages.map((m) => m.type), ['header', 'header', 'step']);
    assert.equal(t.header.sessionId, 'S1');
    assert.equal(t.header.phase, 'deploy');
    assert.equal(t.steps[0].observation, undefined, 'parsed, action still running');
    const obs = t.apply({ type: 'observation', sessionId: 'S1', step: step(0) });
    assert.deepEqual(obs.map((m) => m.type), ['step', 'header']);
    assert.equal(t.steps.length, 1);
    assert.equal(t.steps[0].observation, 'out 0');
    assert.equal(t.header.steps, 1);
    assert.equal(t.finished, false);
    const end = t.apply({ type: 'session-ended', sessionId: 'S1', record: record([step(0)]) });
    assert.equal(end[0].type, 'results');
    assert.equal(t.finished, true);
    assert.equal(t.header.live, false);
    assert.equal(t.header.status, 'completed');
  });

  it('counts elapsed from the agent\'s start, not the set-up, and adds up the tokens as the session record does', () => {
    const t = new Transcript({ problemId: 'p', task: 'detection', app: 'a', agent: 'x', maxSteps: 5 });
    t.apply({ type: 'phase', sessionId: 'S1', phase: 'deploy', atMs: 1_000 });
    assert.equal(t.header.startTime, undefined, 'no elapsed time while the app is deployed');
    t.apply({ type: 'phase', sessionId: 'S1', phase: 'agent', atMs: 1_700_000_000_500 });
    assert.equal(t.header.startTime, 1_700_000_000_500);
    const steps = [
      step(0, { usage: { inputTokens: 60, outputTokens: 5, costUsd: 0.0004, source: 'api' } }),
      step(1, { usage: { inputTokens: 40, outputTokens: 15, costUsd: 0.0006, source: 'tokenizer' } }),
    ];
    for (const s of steps) t.apply({ type: 'observation', sessionId: 'S1', step: s });
    assert.deepEqual(t.header.tokens, { input: 100, output: 20, costUsd: 0.001, source: 'tokenizer' }, 'the live total');
    t.apply({ type: 'session-ended', sessionId: 'S1', record: record(steps) });
    assert.deepEqual(t.header.tokens, t.results?.tokens, 'header and results show the record\'s figures');
    assert.deepEqual(t.header.tokens, { input: 100, output: 20, costUsd: 0.001, source: 'tokenizer' }, 'the record agrees with the live total');
    assert.equal(((t.header.endTime ?? 0) - (t.header.startTime ?? 0)) / 1000, 10, 'elapsed: the record\'s episode');
  });

  it('keeps steps in order when events arrive out of order', () => {
    const t = new Transcript({ problemId: 'p', task: 'detection', app: 'a', agent: 'x', maxSteps: 5 });
    t.apply({ type: 'observation', sessionId: 'S', step: step(1) });
    t.apply({ type: 'observation', sessionId: 'S', step: step(0) });
    assert.deepEqual(t.steps.map((s) => s.step), [0, 1]);
  });

  it('keeps every step of a 1,000-step transcript', () => {
    const t = new Transcript({ problemId: 'p', task: 'detection', app: 'a', agent: 'x', maxSteps: 1000 });
    for (let i = 0; i < 1000; i++) t.apply({ type: 'observation', sessionId: 'S', step: step(i, { observation: 'x'.repeat(10_000) }) });
    assert.equal(t.snapshot().steps.length, 1000);
  });

  it('formats calls as the agent writes them and truncates long observations', () => {
    assert.equal(formatAction({ name: 'submit', args: [{ system_level: 'Application', fault_type: 'Misconfiguration' }], kwargs: {} }), 'submit({"system_level": "Application", "fault_type": "Misconfiguration"})');
    assert.equal(formatAction({ name: 'exec_shell', args: ['ls'], kwargs: { timeout: 60 } }), 'exec_shell("ls", timeout=60)');
    assert.equal(formatAction({ name: 'f', args: [true, null, ['a']], kwargs: {} }), 'f(True, None, ["a"])');
    assert.deepEqual(truncateForView('abcdef', 4), { head: 'abcd', truncated: 2 });
    assert.deepEqual(truncateForView('abc', 4), { head: 'abc', truncated: 0 });
    assert.equal(toMs(1_700_000_000), 1_700_000_000_000);
    assert.equal(toMs(1_700_000_000_000), 1_700_000_000_000);
  });
});
