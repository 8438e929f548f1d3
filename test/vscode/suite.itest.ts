/**
 * The Evaluation view in the real extension host: a suite run from the command (agents, filter, parallelism and
 * repeats given as the palette's answers would be) fills the leaderboard live; its numbers are those of the session
 * records in the results folder; a mark of the agent × problem matrix opens that session's transcript. The engine runs
 * on the in-memory cluster (test/support/fake-environment).
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { AiopsLabApi } from '../../src/extension/extension';
import type { SessionRecord } from '../../src/core/session/types';
import { wilsonInterval } from '../../src/core/session/stats';
import { FakeEnvironment } from '../support/fake-environment';
import { until } from './helpers';

describe('Evaluation view (leaderboard)', function () {
  this.timeout(60_000);
  let api: AiopsLabApi;
  let resultsDir: string;
  let saved: AiopsLabApi['host']['engineOptions'];

  before(async () => {
    api = await vscode.extensions.getExtension<AiopsLabApi>('aiopslab.aiopslab')!.activate();
    resultsDir = fs.mkdtempSync(path.join(os.tmpdir(), 'aiopslab-vscode-suite-'));
    saved = api.host.engineOptions;
    // Each action takes a moment, so that the suite is seen running.
    api.host.engineOptions = { environmentFactory: async () => Object.assign(new FakeEnvironment(), { actionDelayMs: 150 }), overrides: { resultsDir, settleSeconds: 0 } };
    api.host.reset();
  });

  after(() => {
    api.evaluation.get()?.panel.dispose();
    api.host.engineOptions = saved;
    api.host.reset();
    fs.rmSync(resultsDir, { recursive: true, force: true });
  });

  it('shows the suite live, with the numbers of the session records, and opens a transcript from a cell', async () => {
    const problems = ['k8s_target_port-misconfig-detection-1', 'noop_detection_hotel_reservation-1'];
    const suite = vscode.commands.executeCommand<Array<{ task: string; sessions: number }>>('aiopslab.runSuite', { pattern: problems.join(','), agents: ['baseline'], parallel: 2, repeat: 2 });
    // While it runs: the view is open and says how far the suite is.
    const panel = await until(() => api.evaluation.get(), 'the Evaluation view');
    const progress = await until(async () => (await panel.queryDom('.progress')).texts.find((t) => /running/.test(t)), 'the progress line in the view');
    assert.match(progress, /\d+\/4 done, \d+ running, \d+ failed \(2 workers\)/);
    const rows = await suite;
    assert.deepEqual(rows.map((r) => [r.task, r.sessions]), [['detection', 4]]);

    // The leaderboard's numbers are those of the records.
    const records = fs.readdirSync(resultsDir).filter((f) => f.endsWith('.json')).map((f) => JSON.parse(fs.readFileSync(path.join(resultsDir, f), 'utf8')) as SessionRecord);
    assert.equal(records.length, 4);
    const solved = records.filter((r) => r.verdict?.success).length;
    const ci = wilsonInterval(solved, 4);
    const accuracy = `${(100 * solved / 4).toFixed(1)} % [${(100 * ci.low).toFixed(1)}–${(100 * ci.high).toFixed(1)}]`;
    const cells = await until(async () => {
      const r = await panel.queryDom('#leaderboard tbody td');
      return r.texts.includes(accuracy) ? r.texts : undefined;
    }, `the accuracy ${accuracy} in the view`);
    assert.ok(cells.includes('baseline') && cells.includes('unknown') && cells.includes('detection'), cells.join(' | '));
    const perProblem = problems.map((p) => records.filter((r) => r.problem_id === p && r.verdict?.success).length);
    assert.ok(cells.includes(`${(100 * perProblem.filter((c) => c > 0).length / 2).toFixed(1)} % (k=2)`), `pass@2 in ${cells.join(' | ')}`);
    assert.equal((await panel.queryDom('#matrix button.run')).count, 4, 'four marks in the matrix');
    assert.equal((await panel.queryDom('.progress')).count, 0, 'no progress line once the suite has ended');

    // A mark opens its session's transcript.
    const first = records.find((r) => r.problem_id === [...problems].sort()[0])!;
    const firstOfProblem = records.filter((r) => r.problem_id === first.problem_id).sort((a, b) => a.start_time - b.start_time)[0];
    panel.click(`#matrix button.run[data-session="${firstOfProblem.session_id}"]`);
    const transcript = await until(() => api.panels.get(firstOfProblem.session_id), 'the transcript of the clicked session');
    transcript.panel.dispose();
  });
});
