import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { runCli } from '../support/cli';
import { failedRows, validateRows } from '../support/validate-rows';


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
    const r = await runCli(['validate', '--json'], { cwd });
    const results = validateRows(r.stdout);
    assert.equal(results.length, 89);
    assert.equal(new Set(results.map((x) => x.problemId)).size, 89);
    assert.deepEqual(failedRows(results), []);
    assert.equal(r.code, 0, r.stderr);
    fs.rmSync(cwd, { recursive: true, force: true });
  });

  it('aiopslab validate --oracle-only: only the oracles run (no do-nothing or wrong-answer sessions), a table and a count', async () => {
    const cwd = fs.mkdtempSync(path.join(os.tmpdir(), 'aiopslab-verify-'));
    // One worker: four problems of one app need one cluster and one deploy (the whole-catalog run above covers workers).
    const r = await runCli(['validate', '--oracle-only', '--parallel', '1', '--problems', 'k8s_target_port-misconfig-*-1'], { cwd });
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /PROBLEM\s+ORACLE\s+TIME/);
    for (const task of ['detection', 'localization', 'analysis', 'mitigation']) assert.match(r.stdout, new RegExp(`k8s_target_port-misconfig-${task}-1\\s+pass\\s+\\d+\\.\\d s`));
    assert.match(r.stdout, /4 of 4 problem\(s\) solved by their oracle in \d+ s/);
    // One session per problem: the oracle's.
    const sessions = fs.readdirSync(path.join(cwd, 'aiopslab-results', 'validate'), { recursive: true }).filter((f) => /^[0-9a-f-]{36}_[\d.]+\.json$/.test(path.basename(String(f))));
    assert.equal(sessions.length, 4, sessions.join(', '));
    fs.rmSync(cwd, { recursive: true, force: true });
  });
});
