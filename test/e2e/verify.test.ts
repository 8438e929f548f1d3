import { strict as assert } from 'node:assert';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

const root = path.resolve(__dirname, '..', '..', '..');
const bin = path.join(root, 'bin', 'aiopslab.js');

/**
 * Scores that can be trusted (issue: a do-nothing mitigation scored as success in the original): on the embedded
 * cluster, for every registered problem, the oracle (investigation with its evidence, the solution, the right answer)
 * must pass, doing nothing must fail, and a wrong answer must fail.
 */
describe('every registered problem is solvable and tells the right answer from doing nothing or a wrong one (embedded cluster)', function () {
  this.timeout(1_200_000);

  it('aiopslab validate --json: 89 problems, oracle success, do-nothing and wrong answer failures', async () => {
    const cwd = fs.mkdtempSync(path.join(os.tmpdir(), 'aiopslab-verify-'));
    // A shorter settle window than the default 10 s keeps this test at a few minutes; restarts still count.
    fs.writeFileSync(path.join(cwd, 'aiopslab.config.yaml'), 'settleSeconds: 4\n');
    const r = await new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
      const child = spawn(process.execPath, [bin, 'validate', '--json'], { cwd });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (b) => (stdout += b));
      child.stderr.on('data', (b) => (stderr += b));
      child.on('close', (code) => resolve({ code, stdout, stderr }));
      child.stdin.end();
    });
    type Brief = { explanation?: string; error?: string; status: string };
    const results = JSON.parse(r.stdout) as Array<{ problemId: string; solvable: boolean; discriminating: boolean; rejectsWrong: boolean; oracle: Brief; idle: Brief; wrong?: Brief }>;
    assert.equal(results.length, 89);
    assert.equal(new Set(results.map((x) => x.problemId)).size, 89);
    const why = (b: Brief | undefined) => b?.error ?? b?.explanation ?? b?.status;
    const bad = results
      .filter((x) => !x.solvable || !x.discriminating || !x.rejectsWrong)
      .map((x) => `${x.problemId}:${!x.solvable ? ` oracle failed (${why(x.oracle)})` : ''}${!x.discriminating ? ` do-nothing passed (${why(x.idle)})` : ''}${!x.rejectsWrong ? ` wrong answer passed (${why(x.wrong)})` : ''}`);
    assert.deepEqual(bad, []);
    assert.equal(r.code, 0, r.stderr);
    fs.rmSync(cwd, { recursive: true, force: true });
  });
});
