import { strict as assert } from 'node:assert';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

const root = path.resolve(__dirname, '..', '..', '..');
const bin = path.join(root, 'bin', 'aiopslab.js');

/**
 * Scores that can be trusted (issue: a do-nothing mitigation scored as success in the original): on the embedded
 * cluster, every mitigation problem's own solution must pass and doing nothing must fail. (Detection, localization
 * and analysis answers are checked against every problem's ground truth in test/core without a cluster.)
 */
describe('every mitigation problem is solvable and tells a fix from doing nothing (embedded cluster)', function () {
  this.timeout(900_000);

  it('aiopslab validate --task mitigation: solution passes, do-nothing fails, for all 14', async () => {
    const cwd = fs.mkdtempSync(path.join(os.tmpdir(), 'aiopslab-verify-'));
    // A shorter settle window than the default 10 s keeps this test at a few minutes; restarts still count.
    fs.writeFileSync(path.join(cwd, 'aiopslab.config.yaml'), 'settleSeconds: 4\n');
    const r = await new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
      const child = spawn(process.execPath, [bin, 'verify', '--task', 'mitigation', '--json'], { cwd });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (b) => (stdout += b));
      child.stderr.on('data', (b) => (stderr += b));
      child.on('close', (code) => resolve({ code, stdout, stderr }));
      child.stdin.end();
    });
    const results = JSON.parse(r.stdout) as Array<{ problemId: string; solvable: boolean; discriminating: boolean; oracle: { explanation?: string; error?: string }; idle: { explanation?: string; error?: string } }>;
    assert.equal(results.length, 14);
    const bad = results.filter((x) => !x.solvable || !x.discriminating).map((x) => `${x.problemId}: ${!x.solvable ? `solution failed (${x.oracle.error ?? x.oracle.explanation})` : ''} ${!x.discriminating ? `do-nothing passed (${x.idle.error ?? x.idle.explanation})` : ''}`);
    assert.deepEqual(bad, []);
    assert.equal(r.code, 0, r.stderr);
  });
});
