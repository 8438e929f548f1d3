import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { agentShellEnv, execShellObservation } from '../../src/env/shell';

function options(extra: Partial<Parameters<typeof execShellObservation>[2]> = {}) {
  const sessionDir = fs.mkdtempSync(path.join(os.tmpdir(), 'aiopslab-shell-'));
  return { policy: 'open' as const, sessionDir, timeoutSec: 30, timeoutCapSec: 60, outputCapChars: 10_000, kubeconfigPath: '/tmp/kc', ...extra };
}

describe('exec_shell', () => {
  it('returns stdout and stderr of a successful command', async () => {
    assert.equal(await execShellObservation('echo hello; echo warn >&2', undefined, options()), 'hello\nwarn\n');
  });

  it('reports a failing command with its exit code and stderr', async () => {
    const text = await execShellObservation('echo partial; echo boom >&2; exit 4', undefined, options());
    assert.match(text, /^partial\n\[ERROR\] Command execution failed \(exit code 4\): boom$/);
  });

  it('stops a command at the agent timeout, capped by the configured maximum', async () => {
    const started = Date.now();
    const text = await execShellObservation('sleep 30', 1, options());
    assert.match(text, /timed out after 1 s/);
    assert.ok(Date.now() - started < 10_000);
    const capped = await execShellObservation('sleep 30', 999, options({ timeoutCapSec: 1 }));
    assert.match(capped, /timed out after 1 s/);
  });

  it('never shows the agent our secrets, and points kubectl at the session cluster', async () => {
    const env = agentShellEnv({ kubeconfigPath: '/tmp/kc', sessionDir: '/tmp/s' }, { PATH: '/usr/bin', OPENAI_API_KEY: 'sk-secret', DEEPSEEK_API_KEY: 'x', HOME: '/root' });
    assert.equal(env.OPENAI_API_KEY, undefined);
    assert.equal(env.DEEPSEEK_API_KEY, undefined);
    assert.equal(env.KUBECONFIG, '/tmp/kc');
    process.env.OPENAI_API_KEY_TEST_CANARY = 'sk-canary';
    try {
      const out = await execShellObservation('env', undefined, options());
      assert.ok(!out.includes('sk-canary'));
      assert.match(out, /KUBECONFIG=\/tmp\/kc/);
    } finally {
      delete process.env.OPENAI_API_KEY_TEST_CANARY;
    }
  });

  it('applies the guarded policy before running anything', async () => {
    const o = options({ policy: 'guarded' });
    const text = await execShellObservation('touch /tmp/should-not-exist-aiopslab', undefined, o);
    assert.match(text, /not an allowed program/);
    assert.equal(fs.existsSync('/tmp/should-not-exist-aiopslab'), false);
  });

  it('caps long output with a notice', async () => {
    const text = await execShellObservation('seq 1 100000', undefined, options({ outputCapChars: 2000 }));
    assert.ok(text.length < 2300);
    assert.match(text, /output truncated/);
  });
});
