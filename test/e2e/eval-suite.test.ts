/**
 * `aiopslab eval` on the embedded cluster (a twin per worker), driven through the CLI with the real OpenAI SDK against
 * a scripted OpenAI-compatible server: repeated runs with their statistics, the report recomputed from the session
 * records, and Ctrl-C during a parallel run. (How many sessions ask the model at once: test/env/eval-parallel.test.ts; the wall time saved: bench/eval.ts.)
 */
import * as assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { AIOPSLAB_BIN, runCli } from '../support/cli';
import { ScriptedServer } from '../agents/scripted-server';
import { scriptedModel, sessionsIn, TWELVE_DETECTION as TWELVE } from '../support/scripted-model';
import { passAtK, passHatK, wilsonInterval } from '../../src/core/session/stats';


describe('aiopslab eval --parallel / --repeat and aiopslab report (embedded cluster, scripted model)', function () {
  this.timeout(240_000);
  const server = new ScriptedServer();
  let cwd: string;

  before(async () => {
    await server.start();
    cwd = fs.mkdtempSync(path.join(os.tmpdir(), 'aiopslab-eval-suite-'));
  });
  after(async () => {
    await server.stop();
    fs.rmSync(cwd, { recursive: true, force: true });
  });

  const env = () => ({ ...process.env, OPENAI_COMPATIBLE_BASE_URL: server.baseURL, OPENAI_COMPATIBLE_MODEL: 'scripted', OPENAI_COMPATIBLE_API_KEY: '' });

  async function evalJson(results: string, args: string[]): Promise<{ sessions: Array<{ session_id: string; problem_id: string; status: string }>; summary: unknown[] }> {
    const r = await runCli(['--results', results, 'eval', '--agents', 'generic', '--max-steps', '4', '--json', ...args], { cwd, env: env() });
    assert.equal(r.code, 0, r.stderr);
    return JSON.parse(r.stdout) as { sessions: Array<{ session_id: string; problem_id: string; status: string }>; summary: unknown[] };
  }

  it('--repeat 3 runs each problem three times; the summary\'s intervals, pass@k and pass^k agree with the session records', async () => {
    // The model answers "Yes" to the first and third conversation of each problem, "No" to the second: a mix to count.
    const model = scriptedModel({ delayMs: 0, answer: (conversation) => (conversation % 3 === 2 ? 'No' : 'Yes') });
    server.handler = model.reply;
    const results = path.join(cwd, 'repeat');
    const problems = ['k8s_target_port-misconfig-detection-1', 'noop_detection_social_network-1'];
    const run = await evalJson(results, ['--problems', problems.join(','), '--repeat', '3', '--parallel', '2']);
    const records = sessionsIn(results);
    assert.equal(records.length, 6);
    for (const p of problems) assert.equal(records.filter((r) => r.problem_id === p).length, 3, p);
    const solved = records.filter((r) => r.verdict?.success).length;
    assert.ok(solved > 0 && solved < 6, `a mix of outcomes (${solved} of 6 solved)`);
    const [row] = run.summary as Array<{ sessions: number; solved: number; accuracy: number; ci: { low: number; high: number }; k: number; passAtK: number; passHatK: number; steps: { mean: number } }>;
    assert.equal(row.sessions, 6);
    assert.equal(row.solved, solved);
    assert.equal(row.k, 3);
    assert.ok(Math.abs(row.accuracy - solved / 6) < 1e-9);
    const ci = wilsonInterval(solved, 6);
    assert.ok(Math.abs(row.ci.low - ci.low) < 1e-9 && Math.abs(row.ci.high - ci.high) < 1e-9, JSON.stringify(row.ci));
    const perProblem = problems.map((p) => records.filter((r) => r.problem_id === p && r.verdict?.success).length);
    const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
    assert.ok(Math.abs(row.passAtK - mean(perProblem.map((c) => (c > 0 ? 1 : 0)))) < 1e-9, `pass@3 ${row.passAtK}`);
    assert.ok(Math.abs(row.passHatK - mean(perProblem.map((c) => (c === 3 ? 1 : 0)))) < 1e-9, `pass^3 ${row.passHatK}`);
    assert.equal(passAtK(3, 1, 3), 1);
    assert.equal(passHatK(3, 2, 3), 0);
    assert.ok(Math.abs(row.steps.mean - mean(records.map((r) => r.steps.length))) < 1e-9);

    // Resuming the same suite runs nothing more.
    const again = await evalJson(results, ['--problems', problems.join(','), '--repeat', '3', '--parallel', '2', '--resume']);
    assert.equal(again.sessions.length, 0);
    assert.equal(sessionsIn(results).length, 6);
  });

  it('aiopslab report writes HTML and Markdown whose numbers are those of the session records', async () => {
    const results = path.join(cwd, 'repeat');
    const records = sessionsIn(results);
    for (const out of ['report.md', 'report.html']) {
      const r = await runCli(['--results', results, 'report', '--out', out], { cwd });
      assert.equal(r.code, 0, r.stderr);
      const text = fs.readFileSync(path.join(cwd, out), 'utf8');
      const solved = records.filter((x) => x.verdict?.success).length;
      const ci = wilsonInterval(solved, records.length);
      const accuracy = `${((100 * solved) / records.length).toFixed(1)} % [${(100 * ci.low).toFixed(1)}–${(100 * ci.high).toFixed(1)}]`;
      assert.ok(text.includes(accuracy), `${out} shows the accuracy ${accuracy}`);
      const ttd = records.map((x) => Number(x.results.TTD));
      const m = ttd.reduce((a, b) => a + b, 0) / ttd.length;
      const sd = Math.sqrt(ttd.reduce((a, b) => a + (b - m) ** 2, 0) / (ttd.length - 1));
      assert.ok(text.includes(`TTD ${m.toFixed(1)} ± ${sd.toFixed(1)}`), `${out} shows TTD mean ± sd`);
      // Every session is one mark in the matrix, linked to its file, which exists relative to the report.
      for (const x of records) {
        const file = `${x.session_id}_${x.start_time}.json`;
        assert.ok(text.includes(file), `${out} links session ${x.session_id}`);
        assert.ok(fs.existsSync(path.join(results, file)));
      }
      for (const x of records) assert.ok(text.includes(x.environment.isolation ?? 'unknown'), `${out} files session ${x.session_id} under its isolation level`);
      if (out.endsWith('.html')) assert.ok(!/<script|<link|src="http/.test(text), 'self-contained: no script, no external resource');
    }
    const bad = await runCli(['--results', results, 'report', '--out', 'report.pdf'], { cwd });
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /--out must end in \.html or \.md/);
  });

  it('Ctrl-C cancels every running session of a parallel run and recovers each fault', async () => {
    const model = scriptedModel({ delayMs: 30_000 });
    server.handler = model.reply;
    server.requests.splice(0);
    const results = path.join(cwd, 'cancelled');
    const child = spawn(process.execPath, [AIOPSLAB_BIN, '--results', results, 'eval', '--agents', 'generic', '--problems', TWELVE.slice(0, 3).join(','), '--parallel', '3'], { cwd, env: env() });
    let stderr = '';
    child.stderr.on('data', (b) => (stderr += b));
    const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
    // Three sessions are waiting for the model: each has injected its fault.
    const deadline = Date.now() + 60_000;
    while (server.requests.length < 3 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    assert.equal(server.requests.length, 3, `three sessions asked the model (${stderr})`);
    child.kill('SIGINT');
    assert.equal(await exited, 130, stderr);
    const records = sessionsIn(results);
    assert.equal(records.length, 3, stderr);
    for (const r of records) {
      assert.equal(r.status, 'cancelled');
      assert.ok(r.timeline?.recoveredAt, `${r.problem_id}: fault recovered`);
    }
    const journal: unknown = JSON.parse(fs.readFileSync(path.join(results, '.state', 'recovery-journal.json'), 'utf8'));
    assert.deepEqual(journal, [], 'no fault left in the recovery journal');
    server.requests.splice(0);
  });
});
