/**
 * Where the sandbox cannot run, sessions still run with the guarded policy and say so: the run summary, and
 * `aiopslab doctor`, which names the fix. (The session record's `environment.isolation` is checked with real sessions
 * in escape.test.ts.)
 */
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { renderSummary } from '../../src/cli/commands/run';
import type { SessionRecord } from '../../src/core/session/types';
import { runCli } from '../support/cli';

const record = (environment: SessionRecord['environment']) => ({
  problem_id: 'p', task_type: 'detection', app: 'a', agent: 'gpt', session_id: 's', status: 'completed', steps: [], max_steps: 3, start_time: 0, end_time: 1, results: {}, environment,
}) as unknown as SessionRecord;

describe('isolation reporting', function () {
  this.timeout(120_000);

  it('puts the isolation in the run summary, with the reason when the shell is not sandboxed', () => {
    assert.match(renderSummary(record({ kind: 'embedded', cluster: 'x', isolation: 'sandbox' })), /^Shell: {4}sandbox$/m);
    assert.match(renderSummary(record({ kind: 'embedded', cluster: 'x', isolation: 'policy-only', isolationReason: 'bubblewrap is not installed' })), /^Shell: {4}policy-only \(bubblewrap is not installed\)$/m);
  });

  it('doctor warns when bubblewrap is missing or the sandbox is turned off, and names the fix', async () => {
    const cwd = fs.mkdtempSync(path.join(os.tmpdir(), 'aiopslab-doctor-'));
    // A PATH without bwrap and socat, as on a machine where they are not installed.
    const bin = path.join(cwd, 'bin');
    fs.mkdirSync(bin);
    fs.symlinkSync(process.execPath, path.join(bin, 'node'));
    const [missing, forcedOff] = await Promise.all([
      runCli(['doctor'], { cwd, env: { ...process.env, PATH: bin } }),
      runCli(['doctor'], { cwd, env: { ...process.env, AIOPSLAB_SANDBOX: 'off' } }),
    ]);
    fs.rmSync(cwd, { recursive: true, force: true });
    if (process.platform === 'linux') {
      assert.match(missing.stdout, /WARN {2}shell sandbox: no sandbox: bubblewrap and socat are not installed; sessions run with the guarded policy alone \(isolation: policy-only\)/);
      assert.match(missing.stdout, /fix: apt-get install bubblewrap socat/);
    }
    assert.match(forcedOff.stdout, /WARN {2}shell sandbox: no sandbox: turned off/);
    assert.match(forcedOff.stdout, /fix: Remove `sandbox: off`/);
    // A warning does not fail doctor by itself.
    if (!/^FAIL/m.test(forcedOff.stdout)) assert.equal(forcedOff.code, 0, forcedOff.stdout + forcedOff.stderr);
  });
});
