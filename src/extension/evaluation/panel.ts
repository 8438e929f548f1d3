/**
 * The Evaluation view: the leaderboard of the results folder (the one `aiopslab report` writes) in a webview, updated
 * while a suite runs and whenever sessions are saved; a cell of the agent × problem matrix opens its transcript.
 * One panel per window; strict CSP with a nonce, theme variables only.
 */
import * as vscode from 'vscode';
import { buildLeaderboard } from '../../core/session/leaderboard';
import type { SessionRecord } from '../../core/session/types';
import type { EngineHost } from '../host';
import { DomQueries, webviewHtml } from '../webview-page';
import { evaluationView, isEvaluationPageMessage, type EvaluationHostMessage, type EvaluationView } from './protocol';

export const EVALUATION_VIEW_TYPE = 'aiopslab.evaluation';

export class EvaluationPanel implements vscode.Disposable {
  private static current: EvaluationPanel | undefined;
  private ready = false;
  private queue: EvaluationHostMessage[] = [];
  private readonly disposables: vscode.Disposable[] = [];
  private pending: NodeJS.Timeout | undefined;
  private progress: string | undefined;
  private refreshes = 0;
  private readonly queries = new DomQueries();
  /** The last view posted (tests compare it with the records). */
  view: EvaluationView | undefined;

  static get(): EvaluationPanel | undefined {
    return EvaluationPanel.current;
  }

  /** Opens (or reveals) the panel and shows the results folder's leaderboard. */
  static async show(extensionUri: vscode.Uri, host: EngineHost): Promise<EvaluationPanel> {
    if (EvaluationPanel.current) {
      EvaluationPanel.current.panel.reveal(undefined, true);
      await EvaluationPanel.current.refresh();
      return EvaluationPanel.current;
    }
    const panel = vscode.window.createWebviewPanel(EVALUATION_VIEW_TYPE, 'AIOpsLab Evaluation', { viewColumn: vscode.ViewColumn.Active, preserveFocus: true }, {
      enableScripts: true,
      localResourceRoots: [vscode.Uri.joinPath(extensionUri, 'dist'), vscode.Uri.joinPath(extensionUri, 'media')],
    });
    const p = new EvaluationPanel(panel, extensionUri, host);
    EvaluationPanel.current = p;
    await p.refresh();
    return p;
  }

  private constructor(readonly panel: vscode.WebviewPanel, private readonly extensionUri: vscode.Uri, private readonly host: EngineHost) {
    panel.iconPath = vscode.Uri.joinPath(extensionUri, 'media', 'aiopslab.svg');
    panel.webview.html = this.html(panel.webview);
    this.disposables.push(
      panel.onDidDispose(() => this.dispose()),
      // Shown again: its page may have been rebuilt and will say ready; until then messages wait.
      panel.onDidChangeViewState(() => {
        if (!panel.visible) this.ready = false;
      }),
      panel.webview.onDidReceiveMessage((m: unknown) => this.onMessage(m)),
      // Sessions saved by this window (its suites included); the results-folder watcher covers the rest.
      host.onDidChangeSessions(() => this.refreshSoon()),
    );
  }

  /** A running suite's progress line (undefined once it has ended); the table follows. */
  setProgress(progress: string | undefined): void {
    this.progress = progress;
    this.refreshSoon();
  }

  /** Coalesces bursts (sessions ending in several workers at once) into one reload per 300 ms. */
  refreshSoon(): void {
    if (this.pending) return;
    this.pending = setTimeout(() => {
      this.pending = undefined;
      void this.refresh();
    }, 300);
  }

  async refresh(): Promise<void> {
    // Reloads can overlap (a slow read of many sessions): only the latest one started may show its result.
    const seq = ++this.refreshes;
    const store = this.host.engine.store;
    const records: SessionRecord[] = [];
    for (const e of await store.list()) {
      const r = await store.read(e);
      if (r) records.push(r);
    }
    if (seq !== this.refreshes) return;
    this.view = evaluationView(buildLeaderboard(records), this.host.resultsDir, this.progress);
    this.post({ type: 'view', view: this.view });
  }

  /** The text of the page's elements matching a selector (tests assert on the rendered DOM). */
  queryDom(selector: string): Promise<{ count: number; texts: string[] }> {
    return this.queries.ask((m) => this.post(m), selector);
  }

  /** Clicks the first element matching a selector in the page, as a user would (tests). */
  click(selector: string): void {
    this.post({ type: 'click', selector });
  }

  private post(message: EvaluationHostMessage): void {
    if (!this.ready || !this.panel.visible) {
      // Only the latest view matters while the page loads.
      this.queue = this.queue.filter((m) => !(m.type === 'view' && message.type === 'view'));
      this.queue.push(message);
      return;
    }
    void this.panel.webview.postMessage(message);
  }

  private onMessage(raw: unknown): void {
    if (!isEvaluationPageMessage(raw)) return;
    switch (raw.type) {
      case 'ready':
        // Also after the page was reloaded (a hidden webview is discarded and rebuilt when shown again): it starts
        // empty, so it gets the latest view again.
        this.ready = true;
        this.queue = this.queue.filter((m) => m.type !== 'view');
        if (this.view) void this.panel.webview.postMessage({ type: 'view', view: this.view });
        for (const m of this.queue.splice(0)) void this.panel.webview.postMessage(m);
        break;
      case 'open-session':
        void vscode.commands.executeCommand('aiopslab.openTranscript', raw.sessionId);
        break;
      case 'dom': {
        this.queries.answer(raw);
        break;
      }
    }
  }

  private html(webview: vscode.Webview): string {
    return webviewHtml(webview, this.extensionUri, {
      title: 'AIOpsLab Evaluation',
      script: 'evaluation.js',
      csp: (nonce) => [`style-src 'nonce-${nonce}'`],
      head: (nonce) => `<style nonce="${nonce}">
body{font-family:var(--vscode-font-family);font-size:var(--vscode-font-size);color:var(--vscode-foreground);padding:0 1em}
table{border-collapse:collapse;margin:.5em 0 1.5em}th,td{border:1px solid var(--vscode-panel-border);padding:.2em .5em;text-align:left;white-space:nowrap}
th{background:var(--vscode-editorWidget-background)}.progress{color:var(--vscode-descriptionForeground)}
button.run{background:none;border:none;cursor:pointer;font:inherit;padding:0 .15em}
.solved{color:var(--vscode-testing-iconPassed)}.failed{color:var(--vscode-testing-iconFailed)}.error{color:var(--vscode-editorWarning-foreground)}
</style>`,
      body: '<div id="app"><p>Loading the leaderboard…</p></div>',
    });
  }

  dispose(): void {
    if (EvaluationPanel.current === this) EvaluationPanel.current = undefined;
    if (this.pending) clearTimeout(this.pending);
    for (const d of this.disposables.splice(0)) d.dispose();
    this.queries.cancelAll();
  }
}
