import assert from 'node:assert/strict';
import { diagnoseReply, plainMessage } from '../../src/core/replies/diagnostics';

const block = (call: string) => '```\n' + call + '\n```';
const codes = (reply: string, task?: 'detection' | 'localization' | 'analysis' | 'mitigation') => diagnoseReply(reply, { task }).map((d) => d.code);

describe('reply diagnostics (the editor and aiopslab parse)', () => {
  it('accepts what the orchestrator runs, including Python\'s forgiving forms', () => {
    for (const call of ['get_logs("ns", "svc")', 'exec_shell("kubectl get pods", timeout=60)', 'get_metrics("ns", duration=5)', 'submit("Yes")', 'get_logs(namespace="ns", service="svc")']) {
      assert.deepEqual(diagnoseReply(block(call)), [], call);
    }
  });

  it('marks extra, unexpected and mistyped arguments where they are', () => {
    const extra = diagnoseReply(block('get_logs("ns", "svc", "more")'))[0];
    assert.equal(extra.code, 'extra-argument');
    assert.equal(block('get_logs("ns", "svc", "more")').slice(extra.start, extra.end), '"more"');
    const kw = diagnoseReply(block('get_logs("ns", svc="x")'))[0];
    assert.equal(kw.code, 'unexpected-keyword');
    assert.equal(block('get_logs("ns", svc="x")').slice(kw.start, kw.end), 'svc="x"');
    const typed = diagnoseReply(block('get_metrics("ns", duration="soon")'))[0];
    assert.equal(typed.code, 'argument-type');
    assert.equal(block('get_metrics("ns", duration="soon")').slice(typed.start, typed.end), 'duration="soon"');
  });

  it('checks submit against the task when it is known, else against any task', () => {
    assert.deepEqual(codes(block('submit(["geo"])'), 'localization'), []);
    assert.deepEqual(codes(block('submit(["geo"])'), 'detection'), ['argument-type']);
    assert.deepEqual(codes(block('submit()'), 'localization'), ['missing-argument']);
    assert.deepEqual(codes(block('submit("Yes", "No")')), ['extra-argument']);
  });

  it('offers no rename for a name nothing resembles', () => {
    const [d] = diagnoseReply(block('restart_everything("ns")'));
    assert.equal(d.code, 'unknown-api');
    assert.equal(d.fix, undefined);
  });

  it('shows the agent-facing examples as indented text instead of Markdown fences', () => {
    assert.equal(plainMessage('Write it as:\n```\nexec_shell("ls")\n```'), 'Write it as:\n    exec_shell("ls")');
  });
});
