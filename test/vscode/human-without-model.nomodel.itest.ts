/**
 * A profile with no language model at all (no Copilot, no endpoint, no fake model): VS Code refuses chat requests
 * when no model is selectable, so the extension's own "AIOpsLab (no model)" entry must let `@aiopslab /human` work.
 * Then what a person acting as the agent needs: the task in the transcript panel, the transcript surviving a tab
 * switch, and one set of numbers (elapsed) across the panel header, the Sessions view's tooltip and a reopened
 * transcript. Runs in its own extension host (tools/vscode-harness/test.sh, AIOPSLAB_ITEST_SUITE=no-model).
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { AiopsLabApi } from '../../src/extension/extension';
import { FakeEnvironment } from '../support/fake-environment';
import { elapsedSeconds, formatElapsed, formatTokens, tokenFigures } from '../../src/core/session/figures';
import { chat, until, waitFor } from './helpers';

describe('@aiopslab in a profile without any language model', () => {
  let api: AiopsLabApi;
  let resultsDir: string;
  let problemId: string;
  let sessionId: string;

  before(async () => {
    api = await vscode.extensions.getExtension<AiopsLabApi>('aiopslab.aiopslab')!.activate();
    resultsDir = fs.mkdtempSync(path.join(os.tmpdir(), 'aiopslab-nomodel-'));
    api.host.engineOptions = { environmentFactory: async () => new FakeEnvironment(), overrides: { resultsDir, settleSeconds: 0 } };
    api.host.reset();
    problemId = api.host.engine.listProblems({ task: 'detection' }).find((p) => p.groundTruth.task === 'detection' && p.groundTruth.expected === 'Yes' && p.fault.kind !== 'noop')!.id;
  });
  after(() => fs.rmSync(resultsDir, { recursive: true, force: true }));

  it('offers only its own entry as a model, and /human starts a session through it', async () => {
    const models = await vscode.lm.selectChatModels();
    assert.deepEqual(models.map((m) => `${m.vendor}/${m.id}`), ['aiopslab/no-model'], 'no other model in this profile');
    const started = await chat(api, `@aiopslab /human ${problemId}`, 'human');
    assert.equal(started.result.errorDetails, undefined, started.markdown);
    sessionId = (started.result.metadata as { sessionId: string }).sessionId;
    assert.ok(api.host.get(sessionId)?.interactive, 'a human session runs');
    assert.match(started.markdown, /You are the agent/);
  });

  it('shows the task to the human in the transcript panel, and keeps the transcript across a tab switch', async () => {
    const step = await chat(api, '@aiopslab kubectl get pods -n test-hotel-reservation', undefined);
    assert.match(step.markdown, /\*\*Step 1\*\* `exec_shell\("kubectl get pods -n test-hotel-reservation"\)`/);
    await vscode.commands.executeCommand('aiopslab.openTranscript', sessionId);
    const panel = await until(() => api.panels.get(sessionId), 'the transcript panel');
    await until(async () => ((await panel.queryDom('.turn')).count === 1 ? true : undefined), 'the first turn');
    const ctx = api.host.get(sessionId)!.interactive!.context!;
    const description = await panel.queryDom('details.task[open] .task-description');
    assert.equal(description.texts[0], ctx.problemDescription.trim(), 'the problem statement, open for the human');
    assert.match((await panel.queryDom('.task-apis')).texts[0], /get_logs.*submit/);

    // Another editor in the same group hides the page (it is not kept alive); back on the tab, all of it is there.
    const doc = await vscode.workspace.openTextDocument({ content: 'elsewhere' });
    await vscode.window.showTextDocument(doc, { viewColumn: panel.panel.viewColumn, preview: false });
    await until(() => (!panel.panel.visible ? true : undefined), 'the panel to be hidden');
    const rendered = waitFor(api.panels.onDidReceiveMessage, (m) => m.panel === panel && m.message.type === 'rendered', 'the page to render again');
    panel.panel.reveal();
    await rendered;
    assert.equal((await panel.queryDom('h1.problem')).texts[0], problemId, 'the header is back');
    assert.deepEqual((await panel.queryDom('.turn .action-call')).texts, ['exec_shell("kubectl get pods -n test-hotel-reservation")']);
    assert.equal((await panel.queryDom('.task-description')).count, 1, 'the task is back');
    await vscode.window.showTextDocument(doc);
    await vscode.commands.executeCommand('workbench.action.revertAndCloseActiveEditor');
  });

  it('/submit scores the session; elapsed and tokens agree in the header, the results, the Sessions tooltip and the reopened transcript', async () => {
    const submitted = await chat(api, '@aiopslab /submit Yes', 'submit');
    assert.match(submitted.markdown, /Solved/);
    const panel = api.panels.get(sessionId)!;
    await until(async () => ((await panel.queryDom('.verdict')).count === 1 ? true : undefined), 'the verdict in the panel');
    const headerElapsed = (await panel.queryDom('.elapsed .badge-value')).texts[0];
    const record = (await api.host.loadRecord(sessionId))!;
    const elapsed = formatElapsed(elapsedSeconds(record));
    const tokens = formatTokens(tokenFigures(record.tokens));
    assert.equal(headerElapsed, elapsed);
    assert.equal((await panel.queryDom('.tokens .badge-value')).texts[0], tokens, 'a human uses no model: the header says so');
    assert.equal((await panel.queryDom('p.tokens')).texts[0], `Model tokens: ${tokens}`);
    assert.match((await panel.queryDom('p.overhead')).texts[0], new RegExp(`^Elapsed: ${elapsed.replace('.', '\\.')} `));
    api.sessions.refresh();
    const row = await until(async () => (await api.sessions.getChildren()).find((r) => r.session_id === sessionId && r.status === 'completed'), 'the saved session row');
    const tip = api.sessions.getTreeItem(row).tooltip;
    const tipText = typeof tip === 'string' ? tip : tip?.value ?? '';
    assert.ok(tipText.split('\n').includes(`Elapsed: ${elapsed}`), tipText);
    assert.ok(tipText.split('\n').includes(`Tokens: ${tokens}`), tipText);
    panel.panel.dispose();
    await vscode.commands.executeCommand('aiopslab.openTranscript', sessionId);
    const reopened = await until(() => api.panels.get(sessionId), 'the reopened panel');
    await until(async () => ((await reopened.queryDom('.elapsed .badge-value')).texts[0] === headerElapsed ? true : undefined), 'the same elapsed when reopened');
    reopened.panel.dispose();
  });
});
