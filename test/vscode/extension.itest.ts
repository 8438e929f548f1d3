/**
 * Integration tests in the real VS Code extension host (code-server 1.139 + headless Chromium; see
 * tools/vscode-harness). The engine runs with an in-memory cluster (test/support/fake-environment) so the tests do
 * not depend on the embedded cluster's start-up; everything else — commands, views, the webview DOM, the chat
 * participant, the language-model tools and a fake language model from a fixture extension — is the real thing.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { AiopsLabApi } from '../../src/extension/extension';
import { FileSessionStore } from '../../src/env/session-store';
import type { SessionRecord } from '../../src/core/session/types';
import { FakeEnvironment } from '../support/fake-environment';
import { ScriptedServer } from '../agents/scripted-server';
import { fillRequestMetrics, startFakePrometheus } from '../support/fake-prometheus';
import { collectSessionSeries } from '../../src/env/telemetry/session-series';
import { elapsedSeconds, formatElapsed, formatTokens, tokenFigures } from '../../src/core/session/figures';
import { chat, until, waitFor } from './helpers';

const EXT_ID = 'aiopslab.aiopslab';

/** The quick picks the extension's commands show, in order (modal UI: the tests drive them through the API). */
function quickPicks(api: AiopsLabApi): { next(what: string): Promise<vscode.QuickPick<vscode.QuickPickItem>>; dispose(): void } {
  const shown: Array<vscode.QuickPick<vscode.QuickPickItem>> = [];
  const sub = api.onDidShowQuickPick((qp) => shown.push(qp));
  return { next: (what) => until(() => shown.shift(), what), dispose: () => sub.dispose() };
}

/** Makes an item active in a shown quick pick and accepts it, as a click (or arrow keys and Enter) does. */
async function accept(qp: vscode.QuickPick<vscode.QuickPickItem>, which: (item: vscode.QuickPickItem) => boolean): Promise<void> {
  const item = qp.items.find(which);
  assert.ok(item, `an item to pick among ${qp.items.map((i) => i.label).join(', ')}`);
  // The workbench echoes the new active item once it has it; accept only then.
  const echoed = new Promise<void>((resolve) => {
    const timer = setTimeout(() => resolve(), 2000);
    const s = qp.onDidChangeActive((items) => {
      if (items[0] === item) {
        clearTimeout(timer);
        s.dispose();
        resolve();
      }
    });
  });
  qp.activeItems = [item];
  await echoed;
  await vscode.commands.executeCommand('workbench.action.acceptSelectedQuickOpenItem');
}

describe('AIOpsLab extension in the real VS Code extension host', () => {
  let api: AiopsLabApi;
  let resultsDir: string;
  let detectionId: string;
  let recoveryOffer: Promise<string[]>;
  let prometheus: Awaited<ReturnType<typeof startFakePrometheus>>;

  before(async () => {
    const ext = vscode.extensions.getExtension<AiopsLabApi>(EXT_ID);
    assert.ok(ext, `extension ${EXT_ID} is installed`);
    // Activated already by activation.itest.ts (which measures it), unless a grep left that test out.
    api = await ext.activate();
    resultsDir = fs.mkdtempSync(path.join(os.tmpdir(), 'aiopslab-vscode-results-'));
    // A fault left behind by a crashed session, to be offered for recovery when the engine first comes up.
    fs.mkdirSync(path.join(resultsDir, '.state'));
    fs.writeFileSync(path.join(resultsDir, '.state', 'recovery-journal.json'), JSON.stringify([{ id: 'j0', problemId: 'crashed_problem-detection-1', sessionId: 'crashed', cluster: 'http://127.0.0.1:9', namespace: 'ns', fault: { kind: 'noop', params: {} }, appId: 'hotel-reservation', createdAt: new Date().toISOString(), pid: 2 ** 22 + 3 }]));
    recoveryOffer = new Promise((resolve) => api.onDidOfferRecovery(resolve));
    // The in-memory cluster's telemetry: request metrics of the app's services in a Prometheus (the twin's API), one
    // service failing from the first session on; sessions chart the 5 minutes before their deploy plus the episode.
    const now = Date.now();
    prometheus = await startFakePrometheus({ namespace: 'none', services: [], fromMs: now, toMs: now });
    const filled = new Set<string>();
    api.host.engineOptions = {
      environmentFactory: async (app) => {
        if (!filled.has(app.namespace)) {
          filled.add(app.namespace);
          fillRequestMetrics(prometheus.metrics, { namespace: app.namespace, services: ['frontend', 'geo', 'profile', 'search'], fromMs: Date.now() - 900_000, toMs: Date.now() + 3_600_000, faulty: 'geo', faultAtMs: Date.now() });
        }
        const env = new FakeEnvironment();
        env.collectTelemetry = (a, sinceMs) => collectSessionSeries({ prometheusUrl: prometheus.url, namespace: a.namespace, startMs: sinceMs - 300_000, endMs: Date.now() });
        return env;
      },
      overrides: { resultsDir, settleSeconds: 0 },
    };
    api.host.reset();
    const e0 = Date.now();
    const engine = api.host.engine;
    console.log(`engine first use (load the engine bundle + the catalog): ${Date.now() - e0} ms`);
    const p = engine
      .listProblems({ task: 'detection' })
      .find((x) => x.groundTruth.task === 'detection' && x.groundTruth.expected === 'Yes' && x.fault.kind !== 'noop');
    assert.ok(p, 'a detection problem with a fault');
    detectionId = p.id;
  });

  after(async () => {
    fs.rmSync(resultsDir, { recursive: true, force: true });
    await prometheus?.close();
  });

  it('offers to recover leftover faults of a crashed session once the engine is up', async () => {
    const offered = await Promise.race([recoveryOffer, new Promise<string[]>((_, reject) => setTimeout(() => reject(new Error('no recovery offer')), 10_000))]);
    assert.deepEqual(offered, ['crashed_problem-detection-1']);
  });

  it('registers every contributed command', async () => {
    const all = new Set(await vscode.commands.getCommands(true));
    const manifest = vscode.extensions.getExtension(EXT_ID)!.packageJSON as { contributes: { commands: Array<{ command: string }> } };
    const missing = manifest.contributes.commands.map((c) => c.command).filter((c) => !all.has(c));
    assert.deepEqual(missing, []);
    assert.ok(manifest.contributes.commands.length >= 15);
  });

  it('lists the catalog in the Problems view, grouped by app then task', async () => {
    const loaded = waitFor(api.problems.onDidLoad.event, (nodes) => nodes.some((n) => n.kind === 'app'), 'the Problems view to load');
    api.problems.refresh();
    await vscode.commands.executeCommand('workbench.view.extension.aiopslab');
    const roots = await loaded;
    const apps = roots.map((n) => n.id);
    assert.ok(apps.includes('hotel-reservation'), `apps: ${apps.join(', ')}`);
    const total = (roots).reduce((n, a) => n + (a.kind === 'app' ? a.count : 0), 0);
    assert.equal(total, api.host.engine.listProblems().length);
    const hotel = roots.find((n) => n.id === 'hotel-reservation')!;
    const tasks = await api.problems.getChildren(hotel);
    assert.deepEqual(tasks.map((t) => (t.kind === 'task' ? t.task : '')).filter(Boolean).slice(0, 1), ['detection']);
    const leaf = (await api.problems.getChildren(tasks[0]))[0];
    const item = api.problems.getTreeItem(leaf);
    assert.equal(item.contextValue, 'problem');
    assert.ok(String(item.description).length > 0, 'shows the fault summary');
  });

  it('opens a problem definition at its line', async () => {
    const r = (await vscode.commands.executeCommand<{ file: string; line: number }>('aiopslab.openDefinition', detectionId));
    assert.ok(r.file.endsWith('.yaml'));
    const editor = await until(() => vscode.window.activeTextEditor, 'the YAML editor');
    assert.equal(editor.document.uri.fsPath, r.file);
    assert.equal(editor.selection.active.line, r.line);
  });

  it('parses an agent reply (the command behind "Parse Agent Reply")', async () => {
    const ok = (await vscode.commands.executeCommand<{ ok: boolean; call: string }>('aiopslab.parseReply', 'Thought: look\nAction:\n```\nget_logs("test-hotel-reservation", "geo")\n```'));
    assert.equal(ok.ok, true);
    assert.equal(ok.call, 'get_logs("test-hotel-reservation", "geo")');
    const bad = (await vscode.commands.executeCommand<{ ok: boolean; error: string }>('aiopslab.parseReply', 'I would check the logs'));
    assert.equal(bad.ok, false);
    assert.match(bad.error, /^Error parsing response/);
  });

  let humanSessionId: string;
  let chatSolvedSessionId: string | undefined;

  it('runs a human session from the command, with the transcript panel updating live', async () => {
    humanSessionId = (await vscode.commands.executeCommand<string>('aiopslab.actAsHuman', detectionId));
    assert.ok(humanSessionId, 'a session id');
    const panel = await until(() => api.panels.get(humanSessionId), 'the transcript panel');
    await until(async () => ((await panel.queryDom('h1.problem')).texts[0] === detectionId ? true : undefined), 'the header to render');
    assert.equal((await panel.queryDom('.turn')).count, 0);
    assert.equal((await panel.queryDom('.action-input.hidden')).count, 0, 'the action box is shown for a human session');

    const rows = await api.sessions.getChildren();
    const running = rows.find((r) => r.session_id === humanSessionId);
    assert.ok(running, 'the running session is listed before its record exists');
    assert.equal(api.sessions.getTreeItem(running).contextValue, 'session.running');

    await vscode.commands.executeCommand('aiopslab.sendAction', 'kubectl get pods -n test-hotel-reservation');
    await until(async () => ((await panel.queryDom('.turn')).count === 1 ? true : undefined), 'the first turn to appear live');
    assert.match(String(api.sessions.getTreeItem(running).description), /step 1\/30/);
    const call = await panel.queryDom('.turn .action-call');
    assert.equal(call.texts[0], 'exec_shell("kubectl get pods -n test-hotel-reservation")');
  });

  it('invokes the language-model tools on the running session', async () => {
    const names = vscode.lm.tools.map((t) => t.name).filter((n) => n.startsWith('aiopslab_')).sort();
    assert.deepEqual(names, ['aiopslab_exec_shell', 'aiopslab_get_logs', 'aiopslab_get_metrics', 'aiopslab_get_traces', 'aiopslab_read_metrics', 'aiopslab_read_traces', 'aiopslab_status', 'aiopslab_submit']);
    const text = (r: vscode.LanguageModelToolResult) => r.content.map((p) => (p instanceof vscode.LanguageModelTextPart ? p.value : '')).join('');
    const status = await vscode.lm.invokeTool('aiopslab_status', { input: {}, toolInvocationToken: undefined });
    assert.match(text(status), new RegExp(detectionId));
    const logs = await vscode.lm.invokeTool('aiopslab_get_logs', { input: { namespace: 'test-hotel-reservation', service: 'geo' }, toolInvocationToken: undefined });
    assert.match(text(logs), /get_logs/);
    const wrong = await vscode.lm.invokeTool('aiopslab_submit', { input: { faulty_components: ['geo'] }, toolInvocationToken: undefined });
    assert.match(text(wrong), /detection task/);
    assert.equal(api.host.get(humanSessionId)?.transcript.header.steps, 2, 'the wrong submit spent no step');
  });

  it('submits, scores, saves, and shows the result in the panel and the Sessions view', async () => {
    const panel = api.panels.get(humanSessionId)!;
    const loaded = waitFor(api.sessions.onDidLoad.event, (rows) => rows.some((r) => r.session_id === humanSessionId && r.status === 'completed'), 'the saved session in the Sessions view');
    await vscode.commands.executeCommand('aiopslab.submit', 'Yes');
    await until(async () => ((await panel.queryDom('.verdict.ok')).count === 1 ? true : undefined), 'the verdict in the panel');
    const expected = await panel.queryDom('.expected-given .expected');
    assert.equal(expected.texts[0], 'Yes');
    assert.ok((await panel.queryDom('table.metrics tbody tr')).count > 0, 'metrics are listed');
    await vscode.commands.executeCommand('workbench.view.extension.aiopslab');
    api.sessions.refresh();
    await loaded;
    const index = fs.readFileSync(path.join(resultsDir, 'index.jsonl'), 'utf8');
    assert.match(index, new RegExp(humanSessionId));
  });

  it('opens a saved transcript from the results folder and round-trips messages with the page', async () => {
    api.panels.get(humanSessionId)?.panel.dispose();
    const ready = waitFor(api.panels.onDidReceiveMessage, (m) => m.message.type === 'rendered' && m.panel.sessionId === humanSessionId, 'the page to render');
    await vscode.commands.executeCommand('aiopslab.openTranscript', humanSessionId);
    const rendered = await ready;
    assert.equal(rendered.message.type === 'rendered' && rendered.message.steps, 3);
    const panel = api.panels.get(humanSessionId)!;
    const turns = await panel.queryDom('.turn .step-no');
    assert.deepEqual(turns.texts, ['Step 1', 'Step 2', 'Step 3']);
    assert.equal((await panel.queryDom('.charts svg.chart')).count, 3, 'the session recorded telemetry');
  });

  it('opens a past reply from a transcript as an aiopslab-reply document, and runs it again in the current session', async () => {
    const panel = api.panels.get(humanSessionId)!;
    const record = (await api.host.loadRecord(humanSessionId))!;
    const opened = waitFor(vscode.workspace.onDidOpenTextDocument, (d) => d.languageId === 'aiopslab-reply', 'the reply document');
    panel.post({ type: 'click', selector: '.turn[data-step="0"] [data-reply-act="open"]' });
    const doc = await opened;
    await until(() => (doc.getText() === record.steps[0].reply ? true : undefined), 'the reply in the document');
    assert.match(doc.uri.path, new RegExp(`${humanSessionId.slice(0, 8)}-step-1\\.aiops-reply$`), 'named after its session and step, not its first line');
    const lenses = await until(async () => {
      const l = await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', doc.uri);
      return l?.length ? l : undefined;
    }, 'CodeLens on the reply');
    assert.ok(lenses.some((l) => l.command?.title.includes('exec_shell("kubectl get pods -n test-hotel-reservation")')), JSON.stringify(lenses.map((l) => l.command?.title)));

    // "Run in current session" is there only while a session takes actions; then the same reply runs there.
    assert.equal((await panel.queryDom('body.acting [data-reply-act="rerun"]')).count, 0, 'no session to run it in: no button');
    const id = (await vscode.commands.executeCommand<string>('aiopslab.actAsHuman', detectionId));
    try {
      await until(async () => ((await panel.queryDom('body.acting [data-reply-act="rerun"]')).count > 0 ? true : undefined), 'the button once a session takes actions');
      panel.post({ type: 'click', selector: '.turn[data-step="0"] [data-reply-act="rerun"]' });
      await until(() => api.host.get(id)?.transcript.header.steps === 1, 'the reply to run as a step of the new session');
      assert.equal(api.host.get(id)!.transcript.snapshot().steps[0].action?.name, 'exec_shell');
    } finally {
      await vscode.commands.executeCommand('aiopslab.stopSession', id);
      api.panels.get(id)?.panel.dispose();
      // The reply document is untitled: close it without the save dialog.
      await vscode.window.showTextDocument(doc);
      await vscode.commands.executeCommand('workbench.action.revertAndCloseActiveEditor');
    }
  });

  it('restores a transcript panel from its saved state after a reload (serializer)', async () => {
    api.panels.get(humanSessionId)?.panel.dispose();
    const panel = vscode.window.createWebviewPanel('aiopslab.transcript', 'restored', vscode.ViewColumn.Active, { enableScripts: true });
    const rendered = waitFor(api.panels.onDidReceiveMessage, (m) => m.message.type === 'rendered' && m.panel.sessionId === humanSessionId, 'the restored page to render');
    await api.serializer.deserializeWebviewPanel(panel, { sessionId: humanSessionId });
    await rendered;
    const restored = api.panels.get(humanSessionId)!;
    assert.equal(restored.panel, panel);
    assert.equal((await restored.queryDom('.turn')).count, 3);
    restored.panel.dispose();
  });

  it('replays a saved session step by step', async () => {
    const saved = (await api.host.loadRecord(humanSessionId))!;
    await vscode.commands.executeCommand('aiopslab.replaySession', humanSessionId);
    const panel = await until(() => (api.panels.get(humanSessionId)?.replay ? api.panels.get(humanSessionId) : undefined), 'the replay panel');
    await until(async () => ((await panel.queryDom('.badge-value')).texts.includes('replay') ? true : undefined), 'the replay header');
    let last = '';
    await until(async () => {
      const turns = (await panel.queryDom('.turn')).count;
      const verdict = (await panel.queryDom('.verdict')).count;
      last = `turns=${turns} verdict=${verdict} body=${(await panel.queryDom('.turns')).texts.join('|').slice(0, 200)}`;
      return turns === saved.steps.length && verdict === 1 ? true : undefined;
    }, 'all steps and the verdict').catch((e) => {
      throw new Error(`${(e as Error).message}: ${last}`);
    });
    panel.panel.dispose();
  });

  it('refreshes the Sessions view when another process writes to the results folder', async () => {
    const other = { ...JSON.parse(fs.readFileSync(path.join(resultsDir, 'index.jsonl'), 'utf8').trim().split('\n')[0]), session_id: 'from-the-cli', start_time: Date.now() / 1000 };
    const seen = waitFor(api.sessions.onDidLoad.event, (rows) => rows.some((r) => r.session_id === 'from-the-cli'), 'the watcher to refresh the view', 20_000);
    fs.appendFileSync(path.join(resultsDir, 'index.jsonl'), JSON.stringify(other) + '\n');
    await seen;
  });

  it('exports a session as JSON', async () => {
    const target = vscode.Uri.file(path.join(resultsDir, 'export.json'));
    const file = (await vscode.commands.executeCommand<string>('aiopslab.exportSession', humanSessionId, target));
    const record = JSON.parse(fs.readFileSync(file, 'utf8'));
    assert.equal(record.session_id, humanSessionId);
    assert.equal(record.verdict.success, true);
  });

  it('re-evaluates a saved session from the Sessions view with the engine (scored again and saved)', async () => {
    const menu = (vscode.extensions.getExtension(EXT_ID)!.packageJSON.contributes.menus['view/item/context'] as Array<{ command: string; when: string }>).find((m) => m.command === 'aiopslab.reevaluateSession');
    assert.equal(menu?.when, 'view == aiopslab.sessions && viewItem == session');
    // A record whose score is stale: the engine scores its submitted answer again.
    const saved = (await api.host.loadRecord(humanSessionId))!;
    await new FileSessionStore(resultsDir).save({ ...saved, results: {}, verdict: { success: false, expected: null, given: null, explanation: 'stale' } });
    api.panels.get(humanSessionId)?.panel.dispose();
    await vscode.commands.executeCommand('aiopslab.openTranscript', humanSessionId);
    const panel = await until(() => api.panels.get(humanSessionId), 'the transcript panel');
    await until(async () => ((await panel.queryDom('.verdict.bad')).count === 1 ? true : undefined), 'the stale verdict');
    const record = (await vscode.commands.executeCommand<SessionRecord>('aiopslab.reevaluateSession', { session_id: humanSessionId }));
    assert.equal(record.verdict?.success, true, record.verdict?.explanation);
    assert.equal(record.results['Detection Accuracy'], 'Correct');
    assert.equal((await api.host.loadRecord(humanSessionId))?.verdict?.success, true, 'saved');
    await until(async () => ((await panel.queryDom('.verdict.ok')).count === 1 ? true : undefined), 'the open transcript to show the new verdict');
    panel.panel.dispose();
  });

  it('runs a VS Code language model as the agent from "Run Agent on Problem"', async () => {
    const [model] = await vscode.lm.selectChatModels({ vendor: 'fake-lm' });
    assert.ok(model, 'the fake model from the fixture extension');
    const id = (await vscode.commands.executeCommand<string>('aiopslab.runAgent', detectionId, `vscode-lm:${model.vendor}/${model.id}`));
    assert.ok(id);
    const live = api.host.get(id);
    const record = live ? await live.finished : await api.host.loadRecord(id);
    assert.ok(record);
    assert.equal(record.status, 'completed');
    assert.equal(record.verdict?.success, true);
    assert.equal(record.steps[0].action?.name, 'exec_shell');
    assert.equal(record.steps[0].action?.structured, true);

    // The model's tokens and the episode's time read the same in the panel's header and results and the Sessions tooltip.
    const tokens = formatTokens(tokenFigures(record.tokens));
    const elapsed = formatElapsed(elapsedSeconds(record));
    assert.ok(record.tokens.input > 0 && record.tokens.source !== 'none', 'the model\'s usage was recorded');
    await vscode.commands.executeCommand('aiopslab.openTranscript', id);
    const panel = await until(() => api.panels.get(id), 'the transcript panel');
    await until(async () => ((await panel.queryDom('.verdict')).count === 1 ? true : undefined), 'the results in the panel');
    assert.equal((await panel.queryDom('.tokens .badge-value')).texts[0], tokens);
    assert.equal((await panel.queryDom('p.tokens')).texts[0], `Model tokens: ${tokens}`);
    assert.equal((await panel.queryDom('.elapsed .badge-value')).texts[0], elapsed);
    api.sessions.refresh();
    const row = await until(async () => (await api.sessions.getChildren()).find((r) => r.session_id === id && r.status === 'completed'), 'the saved session row');
    const tip = api.sessions.getTreeItem(row).tooltip;
    const lines = (typeof tip === 'string' ? tip : tip?.value ?? '').split('\n');
    assert.ok(lines.includes(`Tokens: ${tokens}`) && lines.includes(`Elapsed: ${elapsed}`), lines.join(' | '));
    panel.panel.dispose();
  });

  it('Run Agent on Problem…: the problem pick lists the catalog and filters by app and task; the agent pick offers the OpenAI-compatible agents, VS Code language models and the baseline', async () => {
    const picks = quickPicks(api);
    try {
      const run = vscode.commands.executeCommand<string | undefined>('aiopslab.runAgent');
      const problemPick = await picks.next('the problem pick');
      const all = api.host.engine.listProblems({ includeExperimental: true });
      const problemItems = () => problemPick.items.filter((i) => i.kind !== vscode.QuickPickItemKind.Separator);
      assert.deepEqual(problemItems().map((i) => i.label).sort(), all.map((p) => p.id).sort());
      assert.deepEqual(problemPick.items.filter((i) => i.kind === vscode.QuickPickItemKind.Separator).map((i) => i.label), [...new Set(all.map((p) => p.app))].sort((a, b) => a.localeCompare(b)));
      // Typing "<app> <task>" (two words, in the quick pick's input) leaves that app's problems of that task.
      const { problem } = api.host.engine.problem(detectionId);
      problemPick.value = `${problem.task} ${problem.app}`;
      const expected = all.filter((p) => p.app === problem.app && p.task === problem.task).map((p) => p.id).sort();
      await until(() => JSON.stringify(problemItems().map((i) => i.label).sort()) === JSON.stringify(expected), `the problem pick filtered to ${problem.app} ${problem.task}`);
      await accept(problemPick, (i) => i.label === detectionId);

      const agentPick = await picks.next('the agent pick');
      const labels = agentPick.items.map((i) => i.label);
      for (const name of ['gpt', 'deepseek', 'qwen', 'vllm', 'openrouter', 'groq', 'generic', 'baseline']) assert.ok(labels.includes(name), `${name} in ${labels.join(', ')}`);
      assert.ok(!labels.includes('human'), 'the human agent has its own command');
      const lm = agentPick.items.find((i) => i.description === 'VS Code language model · fake-lm/scripted');
      assert.ok(lm, `the fake language model in ${JSON.stringify(agentPick.items.map((i) => [i.label, i.description]))}`);
      // An endpoint that cannot run yet says what it lacks (no key for OpenAI's endpoint in the tests' environment).
      if (!process.env.OPENAI_API_KEY) assert.match(agentPick.items.find((i) => i.label === 'gpt')!.description ?? '', /OPENAI_API_KEY not set/, JSON.stringify(agentPick.items.map((i) => [i.label, i.description])));
      await accept(agentPick, (i) => i === lm);

      const id = await run;
      assert.ok(id, 'a session id');
      const live = api.host.get(id);
      const record = live ? await live.finished : await api.host.loadRecord(id);
      assert.equal(record?.problem_id, detectionId);
      assert.equal(record?.agent, 'vscode-lm:fake-lm/scripted');
      assert.equal(record?.verdict?.success, true);
      api.panels.get(id)?.panel.dispose();
    } finally {
      picks.dispose();
    }
  });

  it('Start Problem…: pick the problem, then act as the agent yourself; Escape cancels', async () => {
    const picks = quickPicks(api);
    try {
      const start = vscode.commands.executeCommand<string | undefined>('aiopslab.startProblem');
      const problemPick = await picks.next('the problem pick');
      problemPick.value = detectionId;
      await until(() => problemPick.items.some((i) => i.label === detectionId) && problemPick.items.every((i) => i.kind === vscode.QuickPickItemKind.Separator || i.label.includes(detectionId)), 'the problem pick filtered by ID');
      await accept(problemPick, (i) => i.label === detectionId);
      const how = await picks.next('the "how" pick');
      assert.equal(how.title, detectionId);
      assert.deepEqual(how.items.map((i) => i.label), ['$(play) Run with an agent…', '$(person) Act as the agent yourself']);
      await accept(how, (i) => i.label.includes('yourself'));
      const id = await start;
      assert.ok(id && api.host.get(id)?.interactive, 'an interactive session runs');
      assert.equal(await vscode.commands.executeCommand('aiopslab.stopSession', id), 'cancelled');
      api.panels.get(id)?.panel.dispose();

      // Dismissing the pick (Escape) ends the command without starting anything.
      const cancelled = vscode.commands.executeCommand<string | undefined>('aiopslab.startProblem');
      const again = await picks.next('the problem pick again');
      again.hide();
      assert.equal(await cancelled, undefined);
      assert.equal(api.host.running().length, 0);
    } finally {
      picks.dispose();
    }
  });

  it('runs a VS Code language model with the text protocol (fenced calls parsed like any agent)', async () => {
    const config = vscode.workspace.getConfiguration('aiopslab');
    await config.update('languageModel.protocol', 'text', vscode.ConfigurationTarget.Global);
    try {
      const id = (await vscode.commands.executeCommand<string>('aiopslab.runAgent', detectionId, 'vscode-lm:fake-lm/scripted'));
      const live = api.host.get(id);
      const record = live ? await live.finished : await api.host.loadRecord(id);
      assert.ok(record);
      assert.equal(record.verdict?.success, true, JSON.stringify(record.steps.map((x) => x.parseError ?? x.action)));
      assert.deepEqual(record.steps.map((x) => x.action?.name), ['exec_shell', 'submit']);
      assert.equal(record.steps[0].action?.structured, undefined);
      assert.ok((record.steps[0].usage?.outputTokens ?? 0) > 0, 'token usage from the model');
    } finally {
      await config.update('languageModel.protocol', undefined, vscode.ConfigurationTarget.Global);
    }
  });

  it('@aiopslab /start then /agent: the chat model solves the problem through the tools', async () => {
    assert.ok((await vscode.lm.selectChatModels({ vendor: 'fake-lm' })).length, 'the fake model is registered');
    await vscode.commands.executeCommand('workbench.action.chat.open');
    const s = await chat(api, `@aiopslab /start ${detectionId}`, 'start');
    assert.equal(s.result.errorDetails, undefined, s.markdown);
    assert.match(s.markdown, /started/);
    const sessionId = (s.result.metadata as { sessionId: string }).sessionId;
    const a = await chat(api, '@aiopslab /agent', 'agent');
    assert.equal(a.result.errorDetails, undefined, a.markdown);
    assert.match(a.markdown, /Solved/, a.markdown);
    const record = await api.host.loadRecord(sessionId);
    chatSolvedSessionId = sessionId;
    assert.equal(record?.steps.length, 2);
    assert.deepEqual(record?.steps.map((x) => x.action?.name), ['exec_shell', 'submit']);
  });

  it('@aiopslab /human: typed actions run as steps, /submit ends the session', async () => {
    const s = await chat(api, `@aiopslab /human ${detectionId}`, 'human');
    assert.equal(s.result.errorDetails, undefined, s.markdown);
    const st = await chat(api, '@aiopslab kubectl get pods -n test-hotel-reservation', undefined);
    assert.match(st.markdown, /Step 1/);
    assert.match(st.markdown, /ran: kubectl get pods/);
    const sub = await chat(api, '@aiopslab /submit Yes', 'submit');
    assert.match(sub.markdown, /Solved/, sub.markdown);
  });

  it('renders a 1,000-step transcript (incrementally) in the panel', async () => {
    const steps = Array.from({ length: 1000 }, (_, i) => ({
      step: i, reply: `Thought: check ${i}\nAction:\n\`\`\`\nexec_shell("kubectl get pods -n ns")\n\`\`\``, action: { name: 'exec_shell', args: ['kubectl get pods -n ns'], kwargs: {} },
      observation: `NAME READY STATUS\n${'pod-x 1/1 Running\n'.repeat(i % 7 === 0 ? 400 : 5)}`, agentMs: 3, actionMs: 4, startedAt: 1_700_000_000_000 + i,
    }));
    const record = {
      agent: 'bench', session_id: 'big-1000-steps', problem_id: detectionId, start_time: 1_700_000_000, end_time: 1_700_000_600, trace: [], results: { TTD: 600, steps: 1000 },
      task_type: 'detection', app: 'hotel-reservation', status: 'completed', verdict: { success: false, expected: 'Yes', given: null, explanation: 'The step budget ran out before a submission.' },
      steps, max_steps: 1000, tokens: { input: 1, output: 1, cost_usd: 0, source: 'none' }, environment: { kind: 'fake', cluster: 'x' }, workload_mode: 'steady', shell_policy: 'guarded', versions: {},
    } as unknown as SessionRecord;
    await new FileSessionStore(resultsDir).save(record);
    const rendered = waitFor(api.panels.onDidReceiveMessage, (m) => m.message.type === 'rendered' && m.panel.sessionId === 'big-1000-steps', 'the 1,000 steps to render');
    const t0 = Date.now();
    await vscode.commands.executeCommand('aiopslab.openTranscript', 'big-1000-steps');
    const r = await rendered;
    const ms = r.message.type === 'rendered' ? r.message.ms : -1;
    console.log(`1,000-step transcript: page render ${ms} ms; command to fully rendered ${Date.now() - t0} ms`);
    const panel = api.panels.get('big-1000-steps')!;
    assert.equal((await panel.queryDom('.turn')).count, 1000);
    // Long observations are not built until expanded.
    assert.equal((await panel.queryDom('.observation-text')).count, (await panel.queryDom('details.observation[open]')).count);
    panel.panel.dispose();
  });

  it('runs a problem on the embedded cluster from the command (baseline agent)', async function () {
    this.timeout(120_000);
    const saved = api.host.engineOptions;
    api.host.engineOptions = { overrides: { resultsDir } };
    api.host.reset();
    try {
      const id = (await vscode.commands.executeCommand<string>('aiopslab.runAgent', 'noop_detection_hotel_reservation-1', 'baseline'));
      assert.ok(id, 'a session id');
      const record = await api.host.get(id)!.finished;
      assert.ok(record, 'a record');
      assert.equal(record.environment.kind, 'embedded', JSON.stringify(record.environment));
      assert.equal(record.status, 'completed', record.error);
      assert.ok(record.steps.length > 0);
      const panel = api.panels.get(id)!;
      await until(async () => ((await panel.queryDom('.verdict')).count === 1 ? true : undefined), 'the verdict in the live panel');
      assert.equal((await panel.queryDom('.turn')).count, record.steps.length);
    } finally {
      api.host.engineOptions = saved;
      api.host.reset();
    }
  });

  it('runs an evaluation suite with progress and a summary', async () => {
    const rows = (await vscode.commands.executeCommand<Array<{ task: string; sessions: number }>>('aiopslab.runSuite', { pattern: detectionId, agent: 'baseline' }));
    assert.ok(Array.isArray(rows), 'summary rows');
    assert.deepEqual(rows.map((r) => [r.task, r.sessions]), [['detection', 1]]);
  });

  it('stops a running session (the fault is recovered, the session saved as cancelled)', async () => {
    const id = (await vscode.commands.executeCommand<string>('aiopslab.actAsHuman', detectionId));
    const status = await vscode.commands.executeCommand('aiopslab.stopSession', id);
    assert.equal(status, 'cancelled');
    assert.equal(api.host.get(id), undefined);
    api.panels.get(id)?.panel.dispose();
  });

  it('recovers leftover faults recorded in the journal and says what it did; Forget drops one it cannot undo', async function () {
    this.timeout(60_000);
    const journal = path.join(resultsDir, '.state', 'recovery-journal.json');
    fs.mkdirSync(path.dirname(journal), { recursive: true });
    // One fault of a crashed session on an embedded cluster (gone with its process: nothing to undo, the entry is
    // cleared) and one on a real cluster that refuses connections (cannot be undone: it stays, the report says why).
    const kubeconfig = path.join(resultsDir, 'kubeconfig');
    fs.writeFileSync(kubeconfig, ['apiVersion: v1', 'kind: Config', 'clusters: [{name: c, cluster: {server: "http://127.0.0.1:1"}}]', 'users: [{name: u, user: {token: x}}]', 'contexts: [{name: gone, context: {cluster: c, user: u}}]', 'current-context: gone', ''].join('\n'));
    fs.writeFileSync(journal, JSON.stringify([
      { id: 'j1', problemId: detectionId, sessionId: 'crashed', cluster: 'http://127.0.0.1:9', namespace: 'test-hotel-reservation', fault: { kind: 'noop', params: {} }, appId: 'hotel-reservation', createdAt: new Date().toISOString(), pid: 2 ** 22 + 1 },
      { id: 'j2-unreachable', problemId: 'k8s_target_port-misconfig-detection-1', sessionId: 'crashed2', cluster: 'gone', namespace: 'test-social-network', fault: { kind: 'k8s-target-port', target: 'user-service', params: { service: 'user-service', from: 9090, to: 9999 } }, appId: 'social-network', createdAt: new Date().toISOString(), pid: 2 ** 22 + 2 },
    ]));
    const saved = process.env.KUBECONFIG;
    process.env.KUBECONFIG = kubeconfig;
    try {
      const result = (await vscode.commands.executeCommand<{ recovered: unknown[]; failed: unknown[]; message: string; report: string }>('aiopslab.recover'));
      assert.equal(result.recovered.length, 1);
      assert.equal(result.failed.length, 1);
      assert.match(result.message, /could not undo 1 fault \(k8s_target_port-misconfig-detection-1 on gone: cannot reach the cluster's API server at http:\/\/127\.0\.0\.1:1\); it stays in the journal/);
      assert.match(result.message, /^Cleared 1 journal entry of .*: its embedded cluster ended with the session, so nothing was left to undo/);
      // The full report (the one `aiopslab recover` prints) names the extension's ways out, not the CLI's.
      assert.match(result.report, /✗ k8s-target-port: Service user-service: targetPort 9090 → 9999/);
      assert.match(result.report, /"Forget Entry…" in the notification of "AIOpsLab: Recover Leftover Faults" \(entry j2-unrea\)/);
      assert.doesNotMatch(result.report, /aiopslab recover --forget/);
      assert.deepEqual(JSON.parse(fs.readFileSync(journal, 'utf8')).map((e: { id: string }) => e.id), ['j2-unreachable']);
    } finally {
      if (saved === undefined) delete process.env.KUBECONFIG;
      else process.env.KUBECONFIG = saved;
    }
    const forgot = (await vscode.commands.executeCommand<{ forgotten: string }>('aiopslab.recover', { forget: 'j2' }));
    assert.equal(forgot.forgotten, 'j2-unreachable');
    assert.deepEqual(JSON.parse(fs.readFileSync(journal, 'utf8')), []);
    const nothing = (await vscode.commands.executeCommand<{ message: string }>('aiopslab.recover'));
    assert.match(nothing.message, /^Nothing to recover/);
  });

  it('opens a terminal on the running session\'s embedded cluster', async function () {
    this.timeout(120_000);
    const saved = api.host.engineOptions;
    api.host.engineOptions = { overrides: { resultsDir } };
    api.host.reset();
    try {
      const id = (await vscode.commands.executeCommand<string>('aiopslab.actAsHuman', 'noop_detection_hotel_reservation-1'));
      assert.ok(id);
      const kubeconfig = (await vscode.commands.executeCommand<string>('aiopslab.openClusterTerminal', id));
      assert.ok(kubeconfig && fs.existsSync(kubeconfig), `kubeconfig ${kubeconfig}`);
      assert.equal(kubeconfig, api.host.get(id)?.environment?.kubeconfigPath, "the session's own cluster (from its environment)");
      const terminal = vscode.window.terminals.find((t) => t.name.startsWith('AIOpsLab cluster'));
      assert.ok(terminal, 'the terminal');
      assert.equal((terminal.creationOptions as vscode.TerminalOptions).env?.KUBECONFIG, kubeconfig);
      terminal.dispose();
      await vscode.commands.executeCommand('aiopslab.stopSession', id);
      api.panels.get(id)?.panel.dispose();
    } finally {
      api.host.engineOptions = saved;
      api.host.reset();
    }
  });

  it('shows CodeLens, diagnostics and hovers on an aiopslab-reply document', async () => {
    const content = 'Action:\n```\nget_logs("test-hotel-reservation", "geo")\n```\n\n```\nexec_shell(kubectl get pods)\n```\n';
    const doc = await vscode.workspace.openTextDocument({ language: 'aiopslab-reply', content });
    await vscode.window.showTextDocument(doc);
    const diags = await until(() => {
      const d = vscode.languages.getDiagnostics(doc.uri);
      return d.length ? d : undefined;
    }, 'diagnostics');
    assert.equal(diags.length, 1);
    assert.match(diags[0].message, /^Error parsing response/);
    assert.equal(diags[0].range.start.line, 6, 'on the exec_shell line');
    const lenses = (await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', doc.uri));
    const titles = lenses.map((l) => l.command?.title ?? '');
    assert.ok(titles.some((t) => t.includes('get_logs("test-hotel-reservation", "geo")')), titles.join(' | '));
    assert.ok(titles.some((t) => t.includes('unquoted-command')), titles.join(' | '));
    const hovers = (await vscode.commands.executeCommand<vscode.Hover[]>('vscode.executeHoverProvider', doc.uri, new vscode.Position(2, 3)));
    const text = hovers.flatMap((h) => h.contents.map((c) => (typeof c === 'string' ? c : 'value' in c ? c.value : ''))).join('\n');
    assert.match(text, /arg 1: `"geo"`/);
    await vscode.commands.executeCommand('workbench.action.revertAndCloseActiveEditor');
  });

  it('offers configured OpenAI-compatible endpoints as VS Code language models (bring your own model)', async () => {
    const server = new ScriptedServer();
    await server.start();
    server.setScript([{ json: { id: 'c1', object: 'chat.completion', created: 0, model: 'scripted-model', choices: [{ index: 0, finish_reason: 'stop', message: { role: 'assistant', content: 'pong from endpoint' } }], usage: { prompt_tokens: 3, completion_tokens: 3, total_tokens: 6 } } }]);
    process.env.OPENAI_COMPATIBLE_BASE_URL = server.baseURL;
    process.env.OPENAI_COMPATIBLE_MODEL = 'scripted-model';
    const config = vscode.workspace.getConfiguration('aiopslab');
    await config.update('languageModels.endpoints', ['generic'], vscode.ConfigurationTarget.Global);
    try {
      const [model] = await until(async () => {
        // Beside the endpoints, the vendor always offers its 'no-model' entry (chat without Copilot).
        const models = (await vscode.lm.selectChatModels({ vendor: 'aiopslab' })).filter((m) => m.id !== 'no-model');
        return models.length ? models : undefined;
      }, 'the endpoint in the model list');
      assert.equal(model.id, 'generic');
      assert.match(model.name, /generic · scripted-model/);
      const response = await model.sendRequest([vscode.LanguageModelChatMessage.User('ping')], {});
      let text = '';
      for await (const chunk of response.text) text += chunk;
      assert.equal(text, 'pong from endpoint');
      assert.equal(server.requests.at(-1)?.body.model, 'scripted-model');
      assert.deepEqual(server.requests.at(-1)?.body.messages, [{ role: 'user', content: 'ping' }]);
    } finally {
      await config.update('languageModels.endpoints', undefined, vscode.ConfigurationTarget.Global);
      delete process.env.OPENAI_COMPATIBLE_BASE_URL;
      delete process.env.OPENAI_COMPATIBLE_MODEL;
      await server.stop();
    }
  });

  it('keeps API keys in SecretStorage and hands them to the endpoints', async () => {
    const config = vscode.workspace.getConfiguration('aiopslab');
    const saved = process.env.OPENAI_API_KEY;
    delete process.env.OPENAI_API_KEY;
    await config.update('languageModels.endpoints', ['gpt'], vscode.ConfigurationTarget.Global);
    try {
      // The endpoints only: the vendor's 'no-model' entry (chat without Copilot) is always there.
      const ids = async () => (await vscode.lm.selectChatModels({ vendor: 'aiopslab' })).map((m) => m.id).filter((id) => id !== 'no-model');
      assert.deepEqual(await ids(), [], 'no key, no model');
      assert.equal(await vscode.commands.executeCommand('aiopslab.setApiKey', 'OPENAI_API_KEY', 'sk-test-not-a-real-key'), true);
      await until(async () => ((await ids()).includes('gpt') ? true : undefined), 'the gpt endpoint once its key is stored');
      assert.equal(await vscode.commands.executeCommand('aiopslab.setApiKey', 'OPENAI_API_KEY', ' '), true);
      await until(async () => ((await ids()).length === 0 ? true : undefined), 'the endpoint to go away with its key');
      // The key never reaches the settings or the results folder.
      assert.ok(!JSON.stringify(vscode.workspace.getConfiguration('aiopslab')).includes('sk-test'));
      for (const f of fs.readdirSync(resultsDir)) if (f.endsWith('.json') || f.endsWith('.jsonl')) assert.ok(!fs.readFileSync(path.join(resultsDir, f), 'utf8').includes('sk-test'), f);
    } finally {
      await config.update('languageModels.endpoints', undefined, vscode.ConfigurationTarget.Global);
      if (saved !== undefined) process.env.OPENAI_API_KEY = saved;
    }
  });

  it('deletes a session from the results folder', async () => {
    const deleted = await vscode.commands.executeCommand('aiopslab.deleteSession', humanSessionId, { confirm: false });
    assert.equal(deleted, true);
    const rows = await api.host.engine.store.list();
    assert.ok(!rows.some((r) => r.session_id === humanSessionId));
  });

  it('leaves the transcript of the session the chat model solved open (screenshot artifact)', async function () {
    if (!chatSolvedSessionId) this.skip();
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    const rendered = waitFor(api.panels.onDidReceiveMessage, (m) => m.message.type === 'rendered' && m.panel.sessionId === chatSolvedSessionId, 'the solved transcript');
    await vscode.commands.executeCommand('aiopslab.openTranscript', chatSolvedSessionId);
    await rendered;
    // The screenshot is taken after the extension host exits (the views are empty then): the panel gets the window.
    await vscode.commands.executeCommand('workbench.action.closeSidebar');
    await vscode.commands.executeCommand('workbench.action.closeAuxiliaryBar');
    await vscode.commands.executeCommand('workbench.action.closePanel');
    const panel = api.panels.get(chatSolvedSessionId)!;
    assert.equal((await panel.queryDom('.verdict.ok')).count, 1);
    // The telemetry charts: p50, p99 and error rate, a line per service, the fault injection marked on each.
    const record = await api.host.loadRecord(chatSolvedSessionId);
    const services = record?.telemetry?.services.map((s) => s.service) ?? [];
    assert.ok(services.length >= 3, `telemetry recorded: ${JSON.stringify(record?.notes)}`);
    assert.deepEqual((await panel.queryDom('.charts figcaption')).texts, ['Request latency p50', 'Request latency p99', 'Error rate']);
    assert.equal((await panel.queryDom('.charts svg.chart')).count, 3);
    assert.deepEqual((await panel.queryDom('.charts .legend-item')).texts, services);
    assert.equal((await panel.queryDom('.charts svg.chart path.series')).count, 3 * services.length);
    assert.equal((await panel.queryDom('.charts .marker-inject')).count, 3);
    // Its only shell command was a read (kubectl get pods): no write-action marker.
    assert.equal((await panel.queryDom('.charts .marker-write')).count, 0);
    // The screenshot taken when the tests end (out/vscode-artifacts/transcript.png) shows the verdict and the charts.
    panel.post({ type: 'reveal', selector: '.results' });
    await panel.queryDom('.results');
  });
});
