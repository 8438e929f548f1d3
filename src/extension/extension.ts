/**
 * AIOpsLab for VS Code: a thin shell over the engine the CLI uses. Activation is on demand (a view, a command,
 * the chat participant, a tool, an agent-reply document) and light: this bundle is ~150 KB (≈ 17 ms to load); the
 * engine and agents (dist/extension-engine.js, ≈ 280 ms to load) come on first use, the cluster only when a problem
 * starts. Leftover faults of a crashed session are offered for recovery once the engine is up.
 */
import * as vscode from 'vscode';
import { AiopsChatParticipant } from './chat/participant';
import { registerCommands } from './commands';
import { registerReplyTools } from './editor/replies';
import { registerStatusBar } from './status-bar';
import { registerEndpointProvider } from './byo/provider';
import { EngineHost } from './host';
import { EvaluationPanel } from './evaluation/panel';
import { heavy } from './load-heavy';
import { isEmbeddedEntry } from './model/recovery-summary';
import { TranscriptPanel, TranscriptSerializer, VIEW_TYPE } from './panel/transcript-panel';
import { registerTools } from './tools';
import { ProblemsProvider } from './views/problems';
import { SessionsProvider } from './views/sessions';

/** Returned by activate(): what the integration tests and the bench drive. */
export interface AiopsLabApi {
  host: EngineHost;
  problems: ProblemsProvider;
  sessions: SessionsProvider;
  chat: AiopsChatParticipant;
  panels: typeof TranscriptPanel;
  /** The Evaluation view (leaderboard), once opened. */
  evaluation: typeof EvaluationPanel;
  /** Fired with the problem IDs of leftover faults when recovery is offered. */
  onDidOfferRecovery: vscode.Event<string[]>;
  /** Restores transcript panels after a reload (VS Code calls it; exposed so tests can exercise it). */
  serializer: TranscriptSerializer;
  /** Fired with each quick pick the commands show (Start Problem…, Run Agent on Problem…): tests drive them through it. */
  onDidShowQuickPick: vscode.Event<vscode.QuickPick<vscode.QuickPickItem>>;
  activationMs: number;
}

export function activate(context: vscode.ExtensionContext): AiopsLabApi {
  const t0 = Date.now();
  const log = vscode.window.createOutputChannel('AIOpsLab');
  const host = new EngineHost(context, log);
  const problems = new ProblemsProvider(host);
  const sessions = new SessionsProvider(host);
  const chat = new AiopsChatParticipant(host, context.extensionUri);
  const serializer = new TranscriptSerializer(context.extensionUri, host);
  const quickPickShown = new vscode.EventEmitter<vscode.QuickPick<vscode.QuickPickItem>>();

  const refresh = () => {
    problems.refresh();
    sessions.refresh();
  };
  const problemsView = vscode.window.createTreeView('aiopslab.problems', { treeDataProvider: problems, showCollapseAll: true });
  const sessionsView = vscode.window.createTreeView('aiopslab.sessions', { treeDataProvider: sessions });
  const showGuidance = problems.onDidLoad.event(() => {
    if (problemsView.message !== problems.guidance) problemsView.message = problems.guidance;
  });

  context.subscriptions.push(
    log,
    host,
    problems,
    sessions,
    problemsView,
    sessionsView,
    showGuidance,
    vscode.window.registerWebviewPanelSerializer(VIEW_TYPE, serializer),
    quickPickShown,
    ...registerCommands({ context, host, log, refresh, quickPickShown }),
    vscode.commands.registerCommand('aiopslab.openEvaluation', async () => (await EvaluationPanel.show(context.extensionUri, host)).view),
    ...registerTools(host),
    ...registerReplyTools(host),
    ...registerStatusBar(host),
    ...registerEndpointProvider(context.secrets),
    chat.register(),
    host.onDidReset(() => {
      watchResults();
      refresh();
    }),
    host.onDidChangeSessions(() => refresh()),
    host.onDidUpdate(() => sessions.refreshSoon()),
  );

  // The views follow the results folder (sessions saved by this window, the CLI or another window).
  let watcher: vscode.Disposable | undefined;
  const watchResults = () => {
    watcher?.dispose();
    watcher = undefined;
    if (!host.hasEngine) return;
    const w = vscode.workspace.createFileSystemWatcher(new vscode.RelativePattern(vscode.Uri.file(host.resultsDir), '*.{jsonl,json}'));
    const changed = () => {
      sessions.refreshSoon();
      problems.refresh();
      EvaluationPanel.get()?.refreshSoon();
    };
    w.onDidCreate(changed);
    w.onDidChange(changed);
    w.onDidDelete(changed);
    watcher = w;
  };
  context.subscriptions.push({ dispose: () => watcher?.dispose() });
  // The watcher starts once a view or command created the engine (views do so when they first render).
  const once = problems.onDidLoad.event(() => {
    once.dispose();
    watchResults();
  });
  const once2 = sessions.onDidLoad.event(() => {
    if (!watcher) watchResults();
    once2.dispose();
  });
  context.subscriptions.push(once, once2);

  // Offer recovery once the engine exists (a view, a command or the chat created it): activation itself never loads it.
  const recoveryOffered = new vscode.EventEmitter<string[]>();
  const onEngine = host.onDidCreateEngine(() => {
    onEngine.dispose();
    void offerRecovery(host, log, (ids) => recoveryOffered.fire(ids));
  });
  context.subscriptions.push(onEngine, recoveryOffered);

  return { host, problems, sessions, chat, panels: TranscriptPanel, evaluation: EvaluationPanel, serializer, onDidOfferRecovery: recoveryOffered.event, onDidShowQuickPick: quickPickShown.event, activationMs: Date.now() - t0 };
}

async function offerRecovery(host: EngineHost, log: vscode.OutputChannel, offered: (problemIds: string[]) => void): Promise<void> {
  if (!vscode.workspace.getConfiguration('aiopslab').get<boolean>('recoverOnActivation', true)) return;
  try {
    const { sessionProcessAlive } = heavy();
    const entries = await host.engine.journal.list();
    // The engine's rule: a session process that is gone (or whose pid now belongs to another process) left them behind.
    const stale = entries.filter((e) => e.pid !== process.pid && !(e.pid && sessionProcessAlive(e.pid, e.pidStart)));
    if (!stale.length) return;
    log.appendLine(`Leftover faults from sessions that did not finish: ${stale.map((e) => `${e.problemId} (${e.cluster})`).join(', ')}`);
    const embedded = stale.filter((e) => isEmbeddedEntry(e)).length;
    const ids = stale.map((e) => e.problemId).join(', ');
    const onlyEmbedded = embedded === stale.length;
    const action = onlyEmbedded ? 'Clear' : 'Recover now';
    const question = onlyEmbedded
      ? vscode.window.showInformationMessage(`AIOpsLab: the recovery journal still lists ${stale.length} fault(s) of a session that did not finish (${ids}), on an embedded cluster that ended with it: nothing is left to undo. Clear the entries?`, action, 'Later')
      : vscode.window.showWarningMessage(`AIOpsLab: ${stale.length - embedded} fault(s) from a session that did not finish may still be in a cluster (${ids}). Undo them now?`, action, 'Later');
    offered(stale.map((e) => e.problemId));
    const pick = await question;
    if (pick === action) await vscode.commands.executeCommand('aiopslab.recover');
  } catch (e) {
    log.appendLine(`Could not read the recovery journal: ${(e as Error).message}`);
  }
}

export function deactivate(): void {
  // Subscriptions (host.dispose stops running sessions, which recovers their faults) are disposed by VS Code.
}
