/**
 * The extension's one handle on the engine: creates it lazily (nothing heavy at activation), re-creates it when the
 * settings change, and keeps the sessions this window runs (autonomous or interactive) with their live transcripts.
 * Views, the panel, the chat participant and the tools all go through it.
 */
import { randomUUID } from 'node:crypto';
import * as fs from 'node:fs';
import * as vscode from 'vscode';
import type { Agent, AgentTurn } from '../core/agents/types';
import type { SessionEvent } from '../core/orchestrator/events';
import type { EnvironmentInfo } from '../core/ports/environment';
import type { SessionIndexEntry, SessionRecord } from '../core/session/types';
import type { Engine, EngineOptions, InteractiveSession, StepResult } from '../engine';
import type { HostMessage } from './protocol';
import { heavy } from './load-heavy';
import { overridesFromSettings } from './model/settings';
import { SESSION_CONTEXT_KEY } from './model/tool-schemas';
import { Transcript } from './model/transcript-model';

/** The cluster of each session, from its session-started event (which may come before the LiveSession exists). */
const environments = new WeakMap<Transcript, EnvironmentInfo>();

export interface LiveSession {
  /** Known from the start for autonomous runs; for interactive ones once the engine assigned it. */
  id: string;
  problemId: string;
  agentName: string;
  transcript: Transcript;
  interactive?: InteractiveSession;
  abort?: AbortController;
  /** Resolves with the saved record (undefined if the session failed before a record existed). */
  finished: Promise<SessionRecord | undefined>;
  startedAt: number;
  /** The session's cluster (API server, kubeconfig), known once the engine started the session. */
  environment?: EnvironmentInfo;
}

export interface LiveUpdate {
  session: LiveSession;
  messages: HostMessage[];
  event?: SessionEvent;
}

export class EngineHost implements vscode.Disposable {
  private engineInstance: Engine | undefined;
  private readonly sessions = new Map<string, LiveSession>();
  private readonly onDidUpdateEmitter = new vscode.EventEmitter<LiveUpdate>();
  private readonly onDidChangeSessionsEmitter = new vscode.EventEmitter<void>();
  private readonly onDidResetEmitter = new vscode.EventEmitter<void>();
  private readonly onDidCreateEngineEmitter = new vscode.EventEmitter<Engine>();
  /** The engine was created (first use, or after a reset). */
  readonly onDidCreateEngine = this.onDidCreateEngineEmitter.event;
  /** Every live event with the panel messages it produced. */
  readonly onDidUpdate = this.onDidUpdateEmitter.event;
  /** A session started or ended in this window. */
  readonly onDidChangeSessions = this.onDidChangeSessionsEmitter.event;
  /** The engine was re-created (settings changed): views reload. */
  readonly onDidReset = this.onDidResetEmitter.event;
  private readonly disposables: vscode.Disposable[] = [];
  /** Extra engine options (tests plug an in-memory environment here through the extension's test API). */
  engineOptions: Partial<EngineOptions> = {};

  constructor(private readonly context: vscode.ExtensionContext, private readonly log: vscode.OutputChannel) {
    this.disposables.push(
      vscode.workspace.onDidChangeConfiguration((e) => {
        if (e.affectsConfiguration('aiopslab')) this.reset();
      }),
    );
  }

  /** The working folder the engine resolves the results folder and aiopslab.config.yaml against. */
  get cwd(): string {
    const folder = vscode.workspace.workspaceFolders?.[0];
    if (folder && folder.uri.scheme === 'file') return folder.uri.fsPath;
    const dir = this.context.globalStorageUri.fsPath;
    fs.mkdirSync(dir, { recursive: true });
    return dir;
  }

  /** The engine, created on first use (loads the catalog and configuration: tens of milliseconds). */
  get engine(): Engine {
    if (!this.engineInstance) {
      // Loaded here, not at module load, so activation stays light.
      const { Engine } = heavy();
      const settings = vscode.workspace.getConfiguration('aiopslab');
      const kubectl = settings.get<string>('kubectlPath', '').trim();
      if (kubectl) process.env.AIOPSLAB_KUBECTL = kubectl;
      this.engineInstance = Engine.create({ cwd: this.cwd, ...this.engineOptions, overrides: { ...overridesFromSettings((k) => settings.get(k)), ...this.engineOptions.overrides } });
      this.log.appendLine(`Engine ready: ${this.engineInstance.listProblems().length} problems, results in ${this.engineInstance.config.resultsDir}, cluster ${this.engineInstance.config.cluster}`);
      const created = this.engineInstance;
      setTimeout(() => this.onDidCreateEngineEmitter.fire(created), 0);
    }
    return this.engineInstance;
  }

  get hasEngine(): boolean {
    return this.engineInstance !== undefined;
  }

  reset(): void {
    if (this.sessions.size) {
      this.log.appendLine('Settings changed: they apply to sessions started from now on.');
    }
    this.engineInstance = undefined;
    this.onDidResetEmitter.fire();
  }

  get resultsDir(): string {
    return this.engine.config.resultsDir;
  }

  running(): LiveSession[] {
    return [...this.sessions.values()];
  }

  get(sessionId: string): LiveSession | undefined {
    return this.sessions.get(sessionId) ?? [...this.sessions.values()].find((s) => s.transcript.header.sessionId === sessionId);
  }

  /** The most recently started interactive session that still runs (what tools, chat and "Send Action" act on). */
  currentInteractive(): LiveSession | undefined {
    return this.running()
      .filter((s) => s.interactive && !s.interactive.done)
      .sort((a, b) => b.startedAt - a.startedAt)[0];
  }

  /** Running sessions as index entries, so the Sessions view shows them before their record is written. */
  runningEntries(): SessionIndexEntry[] {
    return this.running().map((s) => ({
      session_id: s.transcript.header.sessionId || s.id,
      problem_id: s.problemId,
      task_type: s.transcript.header.task as SessionIndexEntry['task_type'],
      agent: s.agentName,
      status: 'running',
      success: null,
      start_time: s.startedAt / 1000,
      end_time: 0,
      steps: s.transcript.steps.filter((x) => x.observation !== undefined).length,
      file: '',
    }));
  }

  private newTranscript(problemId: string, agentName: string, maxSteps: number | undefined, interactive: boolean, sessionId?: string): Transcript {
    const { problem, app } = this.engine.problem(problemId);
    return new Transcript({ sessionId, problemId, task: problem.task, app: app.id, agent: agentName, maxSteps: maxSteps ?? this.engine.config.maxSteps, interactive });
  }

  private listener(live: () => LiveSession | undefined, transcript: Transcript): (event: SessionEvent) => void {
    return (event) => {
      const messages = transcript.apply(event);
      const session = live();
      if (event.type === 'session-started') {
        environments.set(transcript, event.environment);
        if (session) session.environment = event.environment;
      }
      if (session) this.onDidUpdateEmitter.fire({ session, messages, event });
    };
  }

  private async track(session: LiveSession): Promise<void> {
    this.sessions.set(session.id, session);
    // Awaited: the tools' `when` clause must hold before a caller invokes them.
    await this.updateContext();
    this.onDidChangeSessionsEmitter.fire();
    void session.finished.finally(() => {
      this.sessions.delete(session.id);
      void this.updateContext();
      this.onDidChangeSessionsEmitter.fire();
    });
  }

  private async updateContext(): Promise<void> {
    await vscode.commands.executeCommand('setContext', SESSION_CONTEXT_KEY, this.running().length > 0);
  }

  /** Runs an agent on a problem in the background; returns at once with the live session. */
  startRun(options: { problemId: string; agent: Agent; agentName: string; maxSteps?: number }): LiveSession {
    const id = randomUUID();
    const transcript = this.newTranscript(options.problemId, options.agentName, options.maxSteps, false, id);
    const abort = new AbortController();
    let session: LiveSession | undefined;
    const finished = this.engine
      .run({ problemId: options.problemId, agent: options.agent, agentName: options.agentName, maxSteps: options.maxSteps, signal: abort.signal, sessionId: id, onEvent: this.listener(() => session, transcript) })
      .then(
        (record) => {
          this.log.appendLine(`Session ${record.session_id} (${record.problem_id}, ${record.agent}) ended: ${record.status}${record.verdict ? `, ${record.verdict.success ? 'solved' : 'not solved'}` : ''}`);
          return record;
        },
        (error: Error) => {
          this.log.appendLine(`Session ${id} (${options.problemId}) failed: ${error.message}`);
          transcript.header.status = 'error';
          transcript.header.live = false;
          transcript.results = { metrics: [], error: error.message };
          if (session) this.onDidUpdateEmitter.fire({ session, messages: [{ type: 'results', results: transcript.results, header: { ...transcript.header } }] });
          return undefined;
        },
      );
    session = { id, problemId: options.problemId, agentName: options.agentName, transcript, abort, finished, startedAt: Date.now(), environment: environments.get(transcript) };
    void this.track(session);
    return session;
  }

  /** Starts a session driven from outside (human, chat, tools); resolves once it waits for the first action. */
  async startInteractive(options: { problemId: string; agentName: string; maxSteps?: number }): Promise<LiveSession> {
    const transcript = this.newTranscript(options.problemId, options.agentName, options.maxSteps, true);
    let session: LiveSession | undefined;
    const interactive = await this.engine.startInteractive({ ...options, onEvent: this.listener(() => session, transcript) });
    transcript.header.sessionId = interactive.id;
    session = { id: interactive.id, problemId: options.problemId, agentName: options.agentName, transcript, interactive, finished: interactive.finished(), startedAt: Date.now(), environment: interactive.environment ?? environments.get(transcript) };
    await this.track(session);
    return session;
  }

  async step(session: LiveSession, turn: AgentTurn): Promise<StepResult> {
    if (!session.interactive) throw new Error('This session is run by an agent; it does not take actions from outside.');
    return session.interactive.step(turn);
  }

  async stop(session: LiveSession): Promise<SessionRecord | undefined> {
    if (session.interactive) return session.interactive.stop();
    session.abort?.abort();
    return session.finished;
  }

  async stopAll(): Promise<void> {
    await Promise.all(this.running().map((s) => this.stop(s).catch(() => undefined)));
  }

  async loadRecord(sessionId: string): Promise<SessionRecord | undefined> {
    return this.engine.store.load(sessionId);
  }

  /**
   * How to reach a running session's cluster from a terminal: the kubeconfig the session's environment reports (the
   * embedded cluster's, as the agent sees it), or the kube context of a real cluster.
   */
  kubeconfigFor(session: LiveSession | undefined): { kubeconfig?: string; context?: string } {
    if (!session) throw new Error('No session is running; start a problem first (the terminal opens on its cluster).');
    const environment = session.environment ?? session.interactive?.environment;
    if (!environment) throw new Error(`Session ${session.id.slice(0, 8)} has not reached its cluster yet; try again in a moment.`);
    if (environment.kubeconfigPath) return { kubeconfig: environment.kubeconfigPath };
    if (environment.kind === 'kubernetes') return { context: this.engine.config.cluster };
    throw new Error(`Session ${session.id.slice(0, 8)} runs on a ${environment.kind} cluster (${environment.cluster}) that has no kubeconfig to open a terminal with.`);
  }

  dispose(): void {
    void this.stopAll();
    this.onDidUpdateEmitter.dispose();
    this.onDidChangeSessionsEmitter.dispose();
    this.onDidResetEmitter.dispose();
    this.onDidCreateEngineEmitter.dispose();
    for (const d of this.disposables) d.dispose();
  }
}
