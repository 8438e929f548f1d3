/** The AIOpsLab commands (palette category "AIOpsLab", tree inline actions and context menus). */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { ProblemDefinition } from '../core/problems/types';
import type { SessionIndexEntry, SessionRecord } from '../core/session/types';
import { ResponseParsingError, parseResponse } from '../core/parser';
import { agentChoices, apiKeyVariables, SECRET_PREFIX, type AgentChoice } from './agents';
import type { EngineHost, LiveSession } from './host';
import { humanTextToTurn, submitCallFromText } from './model/chat-input';
import { problemPickItems, SEPARATOR_KIND } from './model/problem-picks';
import { recoverySummary } from './model/recovery-summary';
import { heavy } from './load-heavy';
import { definitionLine, resultWord, type ProblemNode } from './model/tree-model';
import { formatAction, snapshotFromRecord } from './model/transcript-model';
import { TranscriptPanel } from './panel/transcript-panel';
import { PROTOCOL_VERSION } from './protocol';
import { runSuiteCommand, type SuiteCommandOptions } from './evaluation/suite-command';

export interface CommandDeps {
  context: vscode.ExtensionContext;
  host: EngineHost;
  log: vscode.OutputChannel;
  refresh(): void;
  /** Fired with each quick pick the commands show (the integration tests drive them through it). */
  quickPickShown?: vscode.EventEmitter<vscode.QuickPick<vscode.QuickPickItem>>;
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
  if ('kind' in arg && (arg).kind) return (arg).kind === 'problem' ? (arg as { problem: ProblemDefinition }).problem.id : undefined;
  return (arg).id;
}

/** How the recovery report names the ways out, in the extension's words. */
const EXTENSION_RECOVERY_COMMANDS = {
  recover: '"AIOpsLab: Recover Leftover Faults"',
  forget: (id: string) => `"Forget Entry…" in the notification of "AIOpsLab: Recover Leftover Faults" (entry ${id})`,
  stop: 'stop it with "AIOpsLab: Stop Session" in the window that runs it, or Ctrl-C in a terminal',
};

// Still to be split (issue #16: commands per feature, the chaos reconcile per action, the mongo shell's commands as
// a table); it was being changed in parallel work when the length bound came in.
// eslint-disable-next-line max-lines-per-function
export function registerCommands(deps: CommandDeps): vscode.Disposable[] {
  const { context, host, log } = deps;
  const secrets = context.secrets;

  /**
   * Shows a quick pick and resolves with the accepted item (undefined when dismissed). With `filter`, the items follow
   * the typed text through it (shown with alwaysShow, so VS Code's own matching does not hide them again).
   */
  function showPick<T extends vscode.QuickPickItem>(items: T[], options: { title: string; placeholder?: string; filter?: (value: string) => T[]; matchOnDescription?: boolean; matchOnDetail?: boolean }): Promise<T | undefined> {
    const qp = vscode.window.createQuickPick<T>();
    qp.title = options.title;
    qp.placeholder = options.placeholder;
    qp.matchOnDescription = options.matchOnDescription ?? false;
    qp.matchOnDetail = options.matchOnDetail ?? false;
    qp.ignoreFocusOut = false;
    qp.items = items;
    return new Promise((resolve) => {
      let settled = false;
      const subs: vscode.Disposable[] = [
        qp.onDidAccept(() => {
          const [picked] = qp.selectedItems.length ? qp.selectedItems : qp.activeItems;
          if (!picked) return;
          settled = true;
          resolve(picked);
          qp.hide();
        }),
        qp.onDidHide(() => {
          if (!settled) resolve(undefined);
          settled = true;
          for (const d of subs) d.dispose();
          qp.dispose();
        }),
      ];
      const filter = options.filter;
      if (filter) subs.push(qp.onDidChangeValue((value) => (qp.items = filter(value))));
      qp.show();
      deps.quickPickShown?.fire(qp);
    });
  }

  async function pickProblem(title: string): Promise<string | undefined> {
    const problems = host.engine.listProblems({ includeExperimental: true });
    const toItems = (query: string) => problemPickItems(problems, query).map((i) => ({ ...i, kind: i.kind === SEPARATOR_KIND ? vscode.QuickPickItemKind.Separator : undefined }));
    const pick = await showPick(toItems(''), { title, placeholder: 'Filter by problem ID, app, task or fault, in any order (e.g. "hotel mitigation")', filter: toItems });
    return pick?.id;
  }

  async function pickAgent(): Promise<AgentChoice | undefined> {
    const choices = await agentChoices(secrets);
    const pick = await showPick(
      choices.map((c) => ({ label: c.label, description: c.description, detail: c.detail, choice: c })),
      { title: 'Agent to run', placeholder: 'OpenAI-compatible agents (keys: AIOpsLab: Set API Key…), VS Code language models, or the baseline', matchOnDescription: true },
    );
    return pick?.choice;
  }

  async function pickSession(title: string, running = false): Promise<string | undefined> {
    const entries = running ? host.runningEntries() : await host.engine.store.list();
    if (running && entries.length === 1) return entries[0].session_id;
    const pick = await showPick(
      entries.map((e) => ({ label: e.problem_id, description: `${e.agent} · ${resultWord(e)} · ${e.steps} steps`, detail: `${e.session_id} · ${new Date(e.start_time * 1000).toLocaleString()}`, id: e.session_id })),
      { title, placeholder: running ? 'Running sessions' : 'Sessions in the results folder, newest first', matchOnDescription: true, matchOnDetail: true },
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

  /**
   * Undoes leftover faults with the engine (as `aiopslab recover` does), compares each recovered app with its
   * manifests, writes the CLI's full report to the output channel and says in a notification what was undone,
   * cleared, not undone (with the way out: Forget Entry…) or left alone.
   */
  async function recover(): Promise<{ recovered: unknown[]; failed: unknown[]; skipped: unknown[]; message: string; report: string }> {
    const engine = host.engine;
    const { checkRecoveredApps, formatRecoveryReport, appManifestsDir } = heavy();
    const { report, checks } = await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: 'AIOpsLab: recovering leftover faults…' }, async (progress) => {
      const r = await engine.recoverLeftovers();
      if (r.recovered.length) progress.report({ message: 'comparing the apps with their manifests…' });
      return { report: r, checks: await checkRecoveredApps(engine, r.recovered).catch(() => undefined) };
    });
    const manifestsDirOf = (entry: { appId: string }) => {
      const app = engine.apps.get(entry.appId);
      const dir = app && !app.metadataOnly ? appManifestsDir(engine.root, app) : undefined;
      return dir && fs.existsSync(dir) ? dir : undefined;
    };
    const text = formatRecoveryReport(report, { journalFile: engine.journal.file, checks, manifestsDirOf, commands: EXTENSION_RECOVERY_COMMANDS });
    log.appendLine(`Recover Leftover Faults (${new Date().toLocaleString()}):`);
    log.appendLine(text);
    const summary = recoverySummary(report);
    const actions = [...(report.failed.length ? ['Forget Entry…', 'Retry'] : []), ...(summary.undone.length || summary.cleared.length || report.failed.length || report.skipped.length ? ['Show Report'] : [])];
    const shown = summary.severity === 'warning' ? vscode.window.showWarningMessage(`AIOpsLab: ${summary.message}`, ...actions) : vscode.window.showInformationMessage(`AIOpsLab: ${summary.message}`, ...actions);
    void shown.then(async (action) => {
      if (action === 'Show Report') log.show(true);
      else if (action === 'Retry') await vscode.commands.executeCommand('aiopslab.recover');
      else if (action === 'Forget Entry…') {
        const pick = await vscode.window.showQuickPick(
          report.failed.map(({ entry, error }) => ({ label: entry.problemId, description: `${entry.fault.kind} · ${entry.namespace} · ${entry.cluster}`, detail: error.split('\n')[0], id: entry.id })),
          { title: 'Forget which journal entry? (it is dropped without being undone)' },
        );
        if (pick) await vscode.commands.executeCommand('aiopslab.recover', { forget: pick.id });
      }
    });
    deps.refresh();
    return { ...report, message: summary.message, report: text };
  }

  /** Drops one journal entry without undoing it (`aiopslab recover --forget`): undone by hand, or its cluster is gone. */
  async function forgetEntry(idPrefix: string): Promise<{ forgotten: string } | undefined> {
    const engine = host.engine;
    const prefix = idPrefix.trim();
    const matches = prefix ? (await engine.journal.list()).filter((e) => e.id.startsWith(prefix)) : [];
    if (matches.length !== 1) throw new Error(matches.length ? `"${prefix}" matches ${matches.length} journal entries.` : `No entry "${prefix}" in the recovery journal (${engine.journal.file}).`);
    const [entry] = matches;
    await engine.journal.remove(entry.id);
    const message = `Forgot ${entry.fault.kind} of ${entry.problemId} in ${entry.namespace} (${entry.cluster}); it was not undone.`;
    log.appendLine(message);
    void vscode.window.showInformationMessage(`AIOpsLab: ${message}`);
    return { forgotten: entry.id };
  }

  const handlers: Record<string, (...args: never[]) => unknown> = {
    'aiopslab.startProblem': async (arg?: ProblemArg) => {
      const problemId = problemIdOf(arg) ?? (await pickProblem('Start which problem?'));
      if (!problemId) return undefined;
      const how = await showPick(
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
      let record: SessionRecord;
      try {
        record = await vscode.window.withProgress({ location: vscode.ProgressLocation.Window, title: `AIOpsLab: re-evaluating ${id.slice(0, 8)}…` }, () => host.engine.reevaluate(id));
      } catch (error) {
        // Why it cannot be scored again (a mitigation, a cancelled session): said once, not left as a command failure.
        void vscode.window.showWarningMessage(`AIOpsLab: ${id.slice(0, 8)} cannot be re-evaluated. ${(error as Error).message}`);
        return undefined;
      }
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
    'aiopslab.runSuite': (options?: SuiteCommandOptions) => runSuiteCommand(context, host, log, options),
    'aiopslab.recover': async (options?: { forget?: string }) => (options?.forget !== undefined ? forgetEntry(options.forget) : recover()),
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
