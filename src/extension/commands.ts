/** The AIOpsLab commands (palette category "AIOpsLab", tree inline actions and context menus). */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { ProblemDefinition } from '../core/problems/types';
import type { SessionIndexEntry, SessionRecord } from '../core/session/types';
import { TASK_TYPES } from '../core/tasks/task-type';
import { ResponseParsingError, parseResponse } from '../core/parser';
import { summarize } from '../core/session/summary';
import { agentChoices, apiKeyVariables, SECRET_PREFIX, type AgentChoice } from './agents';
import type { EngineHost, LiveSession } from './host';
import { humanTextToTurn, submitCallFromText } from './model/chat-input';
import { definitionLine, resultWord, type ProblemNode } from './model/tree-model';
import { formatAction, snapshotFromRecord } from './model/transcript-model';
import { TranscriptPanel } from './panel/transcript-panel';
import { PROTOCOL_VERSION } from './protocol';

export interface CommandDeps {
  context: vscode.ExtensionContext;
  host: EngineHost;
  log: vscode.OutputChannel;
  refresh(): void;
}

type SessionArg = Pick<SessionIndexEntry, 'session_id'> | string | undefined;
type ProblemArg = ProblemNode | ProblemDefinition | string | undefined;

function sessionIdOf(arg: SessionArg): string | undefined {
  if (!arg) return undefined;
  return typeof arg === 'string' ? arg : arg.session_id;
}

function problemIdOf(arg: ProblemArg): string | undefined {
  if (!arg) return undefined;
  if (typeof arg === 'string') return arg;
  if ('kind' in arg && (arg as ProblemNode).kind) return (arg as ProblemNode).kind === 'problem' ? (arg as { problem: ProblemDefinition }).problem.id : undefined;
  return (arg as ProblemDefinition).id;
}

export function registerCommands(deps: CommandDeps): vscode.Disposable[] {
  const { context, host, log } = deps;
  const secrets = context.secrets;

  async function pickProblem(title: string): Promise<string | undefined> {
    const problems = host.engine.listProblems({ includeExperimental: true });
    const items: Array<vscode.QuickPickItem & { id?: string }> = [];
    let lastApp = '';
    for (const p of [...problems].sort((a, b) => a.app.localeCompare(b.app) || TASK_TYPES.indexOf(a.task) - TASK_TYPES.indexOf(b.task))) {
      if (p.app !== lastApp) {
        items.push({ label: p.app, kind: vscode.QuickPickItemKind.Separator });
        lastApp = p.app;
      }
      items.push({ label: p.id, description: `${p.app} · ${p.task}${p.experimental ? ' · experimental' : ''}`, detail: p.summary, id: p.id });
    }
    const pick = await vscode.window.showQuickPick(items, { title, placeHolder: 'Filter by problem ID, app or task (e.g. "hotel mitigation")', matchOnDescription: true, matchOnDetail: true });
    return pick?.id;
  }

  async function pickAgent(): Promise<AgentChoice | undefined> {
    const choices = await agentChoices(secrets);
    const pick = await vscode.window.showQuickPick(
      choices.map((c) => ({ label: c.label, description: c.description, detail: c.detail, choice: c })),
      { title: 'Agent to run', placeHolder: 'OpenAI-compatible agents (keys: AIOpsLab: Set API Key…), VS Code language models, or the baseline' },
    );
    return pick?.choice;
  }

  async function pickSession(title: string, running = false): Promise<string | undefined> {
    const entries = running ? host.runningEntries() : await host.engine.store.list();
    if (running && entries.length === 1) return entries[0].session_id;
    const pick = await vscode.window.showQuickPick(
      entries.map((e) => ({ label: e.problem_id, description: `${e.agent} · ${resultWord(e)} · ${e.steps} steps`, detail: `${e.session_id} · ${new Date(e.start_time * 1000).toLocaleString()}`, id: e.session_id })),
      { title, placeHolder: running ? 'Running sessions' : 'Sessions in the results folder, newest first' },
    );
    return pick?.id;
  }

  function requireInteractive(): LiveSession {
    const live = host.currentInteractive();
    if (!live) throw new Error('No interactive session is running. Start one with "AIOpsLab: Act as Human Agent" or "@aiopslab /human <problem-id>".');
    return live;
  }

  async function runAgent(arg?: ProblemArg, agentArg?: AgentChoice | string): Promise<string | undefined> {
    const problemId = problemIdOf(arg) ?? (await pickProblem('Run an agent on which problem?'));
    if (!problemId) return undefined;
    host.engine.problem(problemId);
    let choice: AgentChoice | undefined;
    if (typeof agentArg === 'string') choice = (await agentChoices(secrets)).find((c) => c.agentName === agentArg);
    else choice = agentArg ?? (await pickAgent());
    if (!choice) return undefined;
    if (choice.missing) {
      const fix = await vscode.window.showErrorMessage(`AIOpsLab: agent ${choice.agentName} cannot run yet: ${choice.missing}.`, 'Set API Key…');
      if (fix) await vscode.commands.executeCommand('aiopslab.setApiKey');
      return undefined;
    }
    const agent = await choice.create();
    const live = host.startRun({ problemId, agent, agentName: choice.agentName });
    await TranscriptPanel.open(context.extensionUri, host, live.id);
    void vscode.window.withProgress({ location: vscode.ProgressLocation.Window, title: `AIOpsLab: ${problemId} (${choice.agentName})` }, () => live.finished);
    void live.finished.then((record) => notifyEnd(record));
    return live.id;
  }

  function notifyEnd(record: SessionRecord | undefined): void {
    if (!record) return;
    const what = record.verdict ? (record.verdict.success ? 'solved' : 'not solved') : record.status;
    void vscode.window.showInformationMessage(`AIOpsLab: ${record.problem_id} — ${what} by ${record.agent} in ${record.steps.length} step(s).`);
  }

  async function actAsHuman(arg?: ProblemArg): Promise<string | undefined> {
    const problemId = problemIdOf(arg) ?? (await pickProblem('Act as the agent on which problem?'));
    if (!problemId) return undefined;
    host.engine.problem(problemId);
    const live = await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: `AIOpsLab: starting ${problemId} (deploy, inject the fault)…` },
      () => host.startInteractive({ problemId, agentName: 'human' }),
    );
    await TranscriptPanel.open(context.extensionUri, host, live.id);
    return live.id;
  }

  async function exportSession(arg: SessionArg, target?: vscode.Uri): Promise<string | undefined> {
    const id = sessionIdOf(arg) ?? (await pickSession('Export which session?'));
    if (!id) return undefined;
    const record = await host.loadRecord(id);
    if (!record) throw new Error(`Session ${id} is not in the results folder.`);
    const uri = target ?? (await vscode.window.showSaveDialog({ defaultUri: vscode.Uri.file(path.join(host.cwd, `${record.problem_id}_${id.slice(0, 8)}.json`)), filters: { JSON: ['json'] } }));
    if (!uri) return undefined;
    await vscode.workspace.fs.writeFile(uri, Buffer.from(JSON.stringify(record, null, 4) + '\n'));
    if (!target) void vscode.window.showInformationMessage(`Exported session ${id.slice(0, 8)} to ${uri.fsPath}`);
    return uri.fsPath;
  }

  const handlers: Record<string, (...args: never[]) => unknown> = {
    'aiopslab.startProblem': async (arg?: ProblemArg) => {
      const problemId = problemIdOf(arg) ?? (await pickProblem('Start which problem?'));
      if (!problemId) return undefined;
      const how = await vscode.window.showQuickPick(
        [
          { label: '$(play) Run with an agent…', id: 'agent' },
          { label: '$(person) Act as the agent yourself', id: 'human' },
        ],
        { title: problemId },
      );
      if (!how) return undefined;
      return how.id === 'agent' ? runAgent(problemId) : actAsHuman(problemId);
    },
    'aiopslab.runAgent': runAgent,
    'aiopslab.actAsHuman': actAsHuman,
    'aiopslab.sendAction': async (text?: string) => {
      const live = requireInteractive();
      const input = text ?? (await vscode.window.showInputBox({ title: `Action for ${live.problemId}`, prompt: 'An API call such as get_logs("<namespace>", "<service>"), or a shell command', ignoreFocusOut: true }));
      if (!input) return undefined;
      const result = await host.step(live, humanTextToTurn(input));
      if (result.parseError) void vscode.window.showWarningMessage(result.parseError);
      return result;
    },
    'aiopslab.stopSession': async (arg?: SessionArg) => {
      const id = sessionIdOf(arg) ?? (await pickSession('Stop which session?', true));
      const live = id ? host.get(id) : undefined;
      if (!live) {
        if (id) void vscode.window.showInformationMessage('That session is not running in this window.');
        return undefined;
      }
      const record = await host.stop(live);
      return record?.status;
    },
    'aiopslab.submit': async (answer?: string) => {
      const live = requireInteractive();
      const task = live.transcript.header.task;
      const hints: Record<string, string> = {
        detection: 'Yes or No',
        localization: 'faulty services, most likely first, comma-separated (empty: none)',
        analysis: 'system level; fault type — e.g. Application; Misconfiguration',
        mitigation: 'press Enter: the cluster state is checked',
      };
      const input = answer ?? (await vscode.window.showInputBox({ title: `Submit (${task})`, prompt: hints[task], ignoreFocusOut: true }));
      if (input === undefined) return undefined;
      return host.step(live, humanTextToTurn(submitCallFromText(task, input)));
    },
    'aiopslab.openTranscript': async (arg?: SessionArg) => {
      const id = sessionIdOf(arg) ?? (await pickSession('Open the transcript of which session?'));
      if (!id) return undefined;
      const panel = await TranscriptPanel.open(context.extensionUri, host, id);
      return panel.sessionId;
    },
    'aiopslab.replaySession': async (arg?: SessionArg) => {
      const id = sessionIdOf(arg) ?? (await pickSession('Replay which session?'));
      if (!id) return undefined;
      return (await TranscriptPanel.open(context.extensionUri, host, id, { replay: true })).sessionId;
    },
    'aiopslab.reevaluateSession': async (arg?: SessionArg) => {
      const id = sessionIdOf(arg) ?? (await pickSession('Re-evaluate which session?'));
      if (!id) return undefined;
      // The engine scores the saved answer again with the current evaluators and ground truth, and saves the record.
      const record = await vscode.window.withProgress({ location: vscode.ProgressLocation.Window, title: `AIOpsLab: re-evaluating ${id.slice(0, 8)}…` }, () => host.engine.reevaluate(id));
      const panel = TranscriptPanel.get(id);
      if (panel && !panel.replay) panel.post({ type: 'init', version: PROTOCOL_VERSION, snapshot: snapshotFromRecord(record) });
      deps.refresh();
      const what = record.verdict ? `${record.verdict.success ? 'solved' : 'not solved'}: ${record.verdict.explanation}` : record.status;
      void vscode.window.showInformationMessage(`AIOpsLab: re-evaluated ${record.problem_id} (${id.slice(0, 8)}) — ${what}`);
      return record;
    },
    'aiopslab.exportSession': exportSession,
    'aiopslab.deleteSession': async (arg?: SessionArg, options?: { confirm?: boolean }) => {
      const id = sessionIdOf(arg);
      if (!id) return false;
      if (options?.confirm !== false) {
        const ok = await vscode.window.showWarningMessage(`Delete session ${id.slice(0, 8)} and its files from the results folder?`, { modal: true }, 'Delete');
        if (ok !== 'Delete') return false;
      }
      TranscriptPanel.get(id)?.panel.dispose();
      const deleted = await host.engine.store.delete(id);
      deps.refresh();
      return deleted;
    },
    'aiopslab.runSuite': async (options?: { pattern?: string; agent?: string; task?: string }) => {
      const pattern = options?.pattern ?? (await vscode.window.showInputBox({ title: 'Evaluation suite: which problems?', prompt: 'A glob or substring of problem IDs, an app, or a task (empty: all registered problems)', placeHolder: 'e.g. *hotel*detection* or mitigation', ignoreFocusOut: true }));
      if (pattern === undefined) return undefined;
      const byTask = TASK_TYPES.find((t) => t === pattern.trim());
      const byApp = host.engine.apps.has(pattern.trim()) ? pattern.trim() : undefined;
      const problems = host.engine.listProblems(byTask ? { task: byTask } : byApp ? { app: byApp } : { pattern: pattern.trim() || undefined });
      if (!problems.length) throw new Error(`No problems match "${pattern}".`);
      const choice = options?.agent ? (await agentChoices(secrets)).find((c) => c.agentName === options.agent) : await pickAgent();
      if (!choice) return undefined;
      if (choice.missing) throw new Error(`agent ${choice.agentName} cannot run yet: ${choice.missing} (AIOpsLab: Set API Key…).`);
      const records: SessionRecord[] = [];
      await vscode.window.withProgress(
        { location: vscode.ProgressLocation.Notification, title: `AIOpsLab suite (${choice.agentName})`, cancellable: true },
        async (progress, token) => {
          for (const [i, p] of problems.entries()) {
            if (token.isCancellationRequested) break;
            progress.report({ message: `${i + 1}/${problems.length} ${p.id}`, increment: 100 / problems.length });
            const live = host.startRun({ problemId: p.id, agent: await choice.create(), agentName: choice.agentName });
            const sub = token.onCancellationRequested(() => live.abort?.abort());
            const record = await live.finished;
            sub.dispose();
            if (record) records.push(record);
            log.appendLine(`[suite ${i + 1}/${problems.length}] ${p.id}: ${record ? (record.verdict ? (record.verdict.success ? 'solved' : 'not solved') : record.status) : 'failed'}`);
          }
        },
      );
      const rows = summarize(records);
      const text = rows.map((r) => `${r.task}: ${r.solved}/${r.sessions} (${r.accuracy.toFixed(0)}%)`).join(', ');
      void vscode.window.showInformationMessage(`AIOpsLab suite finished: ${records.length} session(s). ${text}`);
      return rows;
    },
    'aiopslab.recover': async () => {
      const result = await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: 'AIOpsLab: recovering leftover faults…' }, () => host.engine.recoverLeftovers());
      const msg = `Recovered ${result.recovered.length} leftover fault(s)${result.failed.length ? `; ${result.failed.length} failed: ${result.failed.map((f) => `${f.entry.problemId}: ${f.error}`).join('; ')}` : ''}.`;
      if (result.failed.length) void vscode.window.showWarningMessage(msg);
      else void vscode.window.showInformationMessage(msg);
      return result;
    },
    'aiopslab.openClusterTerminal': async (arg?: SessionArg) => {
      const id = sessionIdOf(arg) ?? (host.running().length > 1 ? await pickSession('Open a terminal on the cluster of which session?', true) : undefined);
      const live = id ? host.get(id) : host.running()[0];
      if (id && !live) throw new Error(`Session ${id.slice(0, 8)} is not running in this window; its cluster is gone with it.`);
      const { kubeconfig, context: kubeContext } = host.kubeconfigFor(live);
      const env: Record<string, string> = {};
      if (kubeconfig) env.KUBECONFIG = kubeconfig;
      const terminal = vscode.window.createTerminal({ name: `AIOpsLab cluster${live ? ` (${live.problemId})` : ''}`, env, message: kubeContext ? `kubectl context: ${kubeContext} (use --context ${kubeContext})` : `KUBECONFIG=${kubeconfig}` });
      terminal.show();
      return kubeconfig ?? kubeContext;
    },
    'aiopslab.setApiKey': async (name?: string, value?: string) => {
      const variable = name ?? (await vscode.window.showQuickPick(apiKeyVariables(), { title: 'Set the API key for…', placeHolder: 'The key is kept in VS Code SecretStorage and handed to the agent; never written to files, logs or session records' }));
      if (!variable) return false;
      const key = value ?? (await vscode.window.showInputBox({ title: variable, prompt: 'API key (leave empty to remove the stored key)', password: true, ignoreFocusOut: true }));
      if (key === undefined) return false;
      if (key.trim()) await secrets.store(SECRET_PREFIX + variable, key.trim());
      else await secrets.delete(SECRET_PREFIX + variable);
      if (!value) void vscode.window.showInformationMessage(key.trim() ? `Stored ${variable} in SecretStorage.` : `Removed ${variable}.`);
      return true;
    },
    'aiopslab.parseReply': async (text?: string) => {
      let input = text;
      if (input === undefined) {
        const editor = vscode.window.activeTextEditor;
        input = editor && !editor.selection.isEmpty ? editor.document.getText(editor.selection) : await vscode.env.clipboard.readText();
      }
      if (!input?.trim()) throw new Error('Select an agent reply in an editor (or copy one to the clipboard) first.');
      try {
        const parsed = parseResponse(input);
        const call = formatAction({ name: parsed.api_name, args: parsed.args, kwargs: parsed.kwargs });
        log.appendLine(`Parse Agent Reply: ${call}`);
        if (text === undefined) void vscode.window.showInformationMessage(`Parsed call: ${call}`);
        return { ok: true, call, parsed };
      } catch (e) {
        const message = e instanceof ResponseParsingError ? e.message : `Error parsing response: ${(e as Error).message}`;
        log.appendLine(`Parse Agent Reply: ${message}`);
        if (text === undefined) void vscode.window.showWarningMessage(message, { modal: false });
        return { ok: false, error: message };
      }
    },
    'aiopslab.openDefinition': async (arg?: ProblemArg) => {
      const id = problemIdOf(arg) ?? (await pickProblem('Open the definition of which problem?'));
      if (!id) return undefined;
      const { problem } = host.engine.problem(id);
      const file = path.join(host.engine.root, problem.sourceFile);
      const text = fs.readFileSync(file, 'utf8');
      const line = definitionLine(text, problem);
      const doc = await vscode.workspace.openTextDocument(vscode.Uri.file(file));
      const range = new vscode.Range(line, 0, line, 0);
      await vscode.window.showTextDocument(doc, { selection: range, preview: true });
      return { file, line };
    },
    'aiopslab.refresh': () => {
      host.reset();
      deps.refresh();
    },
  };

  return Object.entries(handlers).map(([id, handler]) =>
    vscode.commands.registerCommand(id, async (...args: unknown[]) => {
      try {
        return await (handler as (...a: unknown[]) => unknown)(...args);
      } catch (e) {
        const message = (e as Error).message;
        log.appendLine(`${id}: ${message}`);
        void vscode.window.showErrorMessage(`AIOpsLab: ${message}`);
        return undefined;
      }
    }),
  );
}
