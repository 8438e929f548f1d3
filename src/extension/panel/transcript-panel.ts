/**
 * The transcript panel: a webview (strict CSP, nonce, theme variables) fed with typed messages (../protocol.ts).
 * One panel per session; a saved session is loaded from the results folder, a running one follows the engine's
 * events live. The serializer restores panels after a window reload from the state the page keeps.
 *
 * The page is not kept alive while its tab is hidden (retaining every transcript's DOM would cost memory for each
 * open session), so each time it loads — first open, back from another tab, after a reload — it says `ready` and
 * gets a fresh `init` with the whole transcript as it is now; updates that arrive while it is away are not queued
 * (the next snapshot contains them).
 */
import * as vscode from 'vscode';
import type { EngineHost, LiveSession } from '../host';
import { DomQueries, webviewHtml } from '../webview-page';
import { openReplyDocument } from '../editor/replies';
import { humanTextToTurn } from '../model/chat-input';
import { snapshotFromRecord } from '../model/transcript-model';
import { isWebviewMessage, PROTOCOL_VERSION, type HostMessage, type PanelState, type TranscriptSnapshot, type WebviewMessage } from '../protocol';

/** Messages that carry transcript state: a fresh `init` on the page's next `ready` replaces any of them. */
const STATE_MESSAGES = new Set<HostMessage['type']>(['init', 'header', 'step', 'results', 'telemetry', 'acting']);

export const VIEW_TYPE = 'aiopslab.transcript';

export class TranscriptPanel implements vscode.Disposable {
  private static readonly panels = new Map<string, TranscriptPanel>();
  private static readonly messageEmitter = new vscode.EventEmitter<{ panel: TranscriptPanel; message: WebviewMessage }>();
  /** Every valid message any panel sent (tests and the bench listen). */
  static readonly onDidReceiveMessage = TranscriptPanel.messageEmitter.event;

  private ready = false;
  private readonly queue: HostMessage[] = [];
  private readonly disposables: vscode.Disposable[] = [];
  private readonly queries = new DomQueries();

  static all(): TranscriptPanel[] {
    return [...TranscriptPanel.panels.values()];
  }

  static get(sessionId: string): TranscriptPanel | undefined {
    return TranscriptPanel.panels.get(sessionId);
  }

  /** Opens (or reveals) the panel of a session: live when it runs in this window, else from its saved record. */
  static async open(extensionUri: vscode.Uri, host: EngineHost, sessionId: string, options: { replay?: boolean } = {}): Promise<TranscriptPanel> {
    const existing = TranscriptPanel.panels.get(sessionId);
    if (existing && !options.replay) {
      existing.panel.reveal();
      return existing;
    }
    existing?.panel.dispose();
    const panel = vscode.window.createWebviewPanel(VIEW_TYPE, 'AIOpsLab transcript', vscode.ViewColumn.Active, TranscriptPanel.webviewOptions(extensionUri));
    return TranscriptPanel.attach(panel, extensionUri, host, sessionId, options);
  }

  static webviewOptions(extensionUri: vscode.Uri): vscode.WebviewPanelOptions & vscode.WebviewOptions {
    return { enableScripts: true, retainContextWhenHidden: false, localResourceRoots: [vscode.Uri.joinPath(extensionUri, 'dist'), vscode.Uri.joinPath(extensionUri, 'media')] };
  }

  static async attach(panel: vscode.WebviewPanel, extensionUri: vscode.Uri, host: EngineHost, sessionId: string, options: { replay?: boolean } = {}): Promise<TranscriptPanel> {
    const live = host.get(sessionId);
    let snapshot: TranscriptSnapshot;
    if (live && !options.replay) {
      snapshot = live.transcript.snapshot();
    } else {
      const record = await host.loadRecord(sessionId);
      if (!record) {
        panel.dispose();
        throw new Error(`Session ${sessionId} is not in the results folder ${host.resultsDir} (deleted, or started in another folder?).`);
      }
      snapshot = snapshotFromRecord(record, { replay: options.replay });
    }
    return new TranscriptPanel(panel, extensionUri, host, snapshot.header.sessionId || sessionId, options.replay ?? false);
  }

  private constructor(
    readonly panel: vscode.WebviewPanel,
    private readonly extensionUri: vscode.Uri,
    private readonly host: EngineHost,
    readonly sessionId: string,
    readonly replay: boolean,
  ) {
    TranscriptPanel.panels.set(sessionId, this);
    panel.title = `AIOpsLab: ${sessionId.slice(0, 8)}${replay ? ' (replay)' : ''}`;
    panel.iconPath = vscode.Uri.joinPath(extensionUri, 'media', 'aiopslab.svg');
    panel.webview.html = this.html(panel.webview, { sessionId, replay });
    this.disposables.push(
      panel.webview.onDidReceiveMessage((m: unknown) => this.onMessage(m)),
      panel.onDidDispose(() => this.dispose()),
      // A hidden page is torn down; until it loads again and says `ready`, nothing can reach it.
      panel.onDidChangeViewState(() => { if (!panel.visible) this.ready = false; }),
      host.onDidChangeSessions(() => this.post(this.actingMessage())),
      host.onDidUpdate((u) => {
        if (this.replay) return;
        if ((u.session.transcript.header.sessionId || u.session.id) !== this.sessionId) return;
        for (const m of u.messages) this.post(m);
      }),
    );
  }

  /** Sent when the page is there; otherwise state messages are dropped (the next `init` has them) and the rest wait. */
  post(message: HostMessage): void {
    if (!this.ready) {
      if (!STATE_MESSAGES.has(message.type)) this.queue.push(message);
      return;
    }
    void this.panel.webview.postMessage(message);
  }

  /** The whole transcript as it is now: the running session's, or the saved record's. */
  private async currentSnapshot(): Promise<TranscriptSnapshot | undefined> {
    const live = this.host.get(this.sessionId);
    if (live && !this.replay) {
      const ctx = live.interactive?.context;
      const task = ctx ? { description: ctx.problemDescription.trim(), instructions: ctx.instructions.trim(), apis: Object.keys(ctx.apis) } : undefined;
      return { ...live.transcript.snapshot(), ...(task ? { task } : {}) };
    }
    const record = await this.host.loadRecord(this.sessionId);
    return record ? snapshotFromRecord(record, { replay: this.replay }) : undefined;
  }

  /** Each load of the page (first open, tab shown again, reload) gets the full transcript, then what waited. */
  private async onReady(): Promise<void> {
    const snapshot = await this.currentSnapshot();
    if (!snapshot) {
      this.panel.dispose();
      void vscode.window.showWarningMessage(`Session ${this.sessionId} is no longer in the results folder ${this.host.resultsDir}.`);
      return;
    }
    this.ready = true;
    void this.panel.webview.postMessage({ type: 'init', version: PROTOCOL_VERSION, snapshot } satisfies HostMessage);
    void this.panel.webview.postMessage(this.actingMessage());
    if (this.replay) void this.panel.webview.postMessage({ type: 'replay', delayMs: 400 } satisfies HostMessage);
    for (const q of this.queue.splice(0)) void this.panel.webview.postMessage(q);
  }

  /** Which session "Run in current session" would run a past reply in (none: the page hides the button). */
  private actingMessage(): HostMessage {
    const live = this.host.currentInteractive();
    return { type: 'acting', ...(live ? { session: { id: live.transcript.header.sessionId || live.id, problemId: live.problemId } } : {}) };
  }

  /** Asks the page for the text of the elements matching a selector (tests assert on the rendered DOM). */
  queryDom(selector: string): Promise<{ count: number; texts: string[] }> {
    return this.queries.ask((m) => this.post(m), selector);
  }

  private onMessage(raw: unknown): void {
    if (!isWebviewMessage(raw)) return;
    const m = raw;
    switch (m.type) {
      case 'ready':
        void this.onReady();
        break;
      case 'ping':
        this.post({ type: 'pong', id: m.id });
        break;
      case 'send-action':
        void this.sendAction(m.text);
        break;
      case 'stop': {
        const live = this.host.get(this.sessionId);
        if (live) void this.host.stop(live);
        break;
      }
      case 'export-json':
        void vscode.commands.executeCommand('aiopslab.exportSession', { session_id: this.sessionId });
        break;
      case 'open-reply':
        void openReplyDocument(m.text, `${this.sessionId.slice(0, 8)}-step-${(m.step ?? 0) + 1}`);
        break;
      case 'rerun-reply':
        // The session the user acts in now (this one, or another one started since); errors come as notifications.
        void vscode.commands.executeCommand('aiopslab.sendAction', m.text);
        break;
      case 'dom': {
        this.queries.answer(m);
        break;
      }
      default:
        break;
    }
    TranscriptPanel.messageEmitter.fire({ panel: this, message: m });
  }

  private async sendAction(text: string): Promise<void> {
    const live: LiveSession | undefined = this.host.get(this.sessionId);
    if (!live?.interactive) {
      this.post({ type: 'action-result', ok: false, message: 'This session does not take actions from here (it is run by an agent, or it has ended).' });
      return;
    }
    try {
      const result = await this.host.step(live, humanTextToTurn(text));
      this.post({ type: 'action-result', ok: !result.parseError, message: result.parseError ?? (result.done ? 'The session has ended.' : 'Done.') });
    } catch (e) {
      this.post({ type: 'action-result', ok: false, message: (e as Error).message });
    }
  }

  private html(webview: vscode.Webview, state: PanelState): string {
    const css = webview.asWebviewUri(vscode.Uri.joinPath(this.extensionUri, 'media', 'transcript.css'));
    const initial = JSON.stringify(state).replace(/</g, '\\u003c');
    return webviewHtml(webview, this.extensionUri, {
      title: 'AIOpsLab transcript',
      script: 'webview.js',
      csp: () => [`img-src ${webview.cspSource} data:`, `style-src ${webview.cspSource}`, `font-src ${webview.cspSource}`],
      head: () => `<link rel="stylesheet" href="${css.toString()}">`,
      body: `<div id="app" data-state='${initial.replace(/'/g, '&#39;')}'><p class="loading">Loading transcript…</p></div>`,
    });
  }

  dispose(): void {
    if (TranscriptPanel.panels.get(this.sessionId) === this) TranscriptPanel.panels.delete(this.sessionId);
    for (const d of this.disposables.splice(0)) d.dispose();
    this.queries.cancelAll();
  }
}

/** Restores transcript panels after a reload, from the `{sessionId, replay}` the page saved with setState. */
export class TranscriptSerializer implements vscode.WebviewPanelSerializer<PanelState> {
  constructor(private readonly extensionUri: vscode.Uri, private readonly host: EngineHost) {}

  async deserializeWebviewPanel(panel: vscode.WebviewPanel, state: PanelState | undefined): Promise<void> {
    if (!state?.sessionId) {
      panel.dispose();
      return;
    }
    panel.webview.options = TranscriptPanel.webviewOptions(this.extensionUri);
    try {
      await TranscriptPanel.attach(panel, this.extensionUri, this.host, state.sessionId, { replay: state.replay });
    } catch {
      // The session was deleted meanwhile; attach() closed the panel.
    }
  }
}
