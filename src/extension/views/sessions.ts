import * as vscode from 'vscode';
import type { SessionIndexEntry } from '../../core/session/types';
import type { EngineHost } from '../host';
import { sessionItemView, sessionsForView } from '../model/tree-model';
import { toTreeItem } from './problems';

/** Sessions from the results index, newest first; sessions running in this window show live progress. */
export class SessionsProvider implements vscode.TreeDataProvider<SessionIndexEntry> {
  private readonly emitter = new vscode.EventEmitter<SessionIndexEntry | undefined>();
  readonly onDidChangeTreeData = this.emitter.event;
  readonly onDidLoad = new vscode.EventEmitter<SessionIndexEntry[]>();
  private pending: NodeJS.Timeout | undefined;

  constructor(private readonly host: EngineHost) {}

  refresh(): void {
    this.emitter.fire(undefined);
  }

  /** Coalesces bursts (a step every few ms) into one refresh per 300 ms. */
  refreshSoon(): void {
    if (this.pending) return;
    this.pending = setTimeout(() => {
      this.pending = undefined;
      this.refresh();
    }, 300);
  }

  async getChildren(element?: SessionIndexEntry): Promise<SessionIndexEntry[]> {
    if (element) return [];
    let index: SessionIndexEntry[] = [];
    try {
      index = await this.host.engine.store.list();
    } catch {
      // nothing to show
    }
    const rows = sessionsForView(index, this.host.runningEntries());
    this.onDidLoad.fire(rows);
    return rows;
  }

  getTreeItem(entry: SessionIndexEntry): vscode.TreeItem {
    const live = this.host.get(entry.session_id);
    const progress = live && !live.transcript.finished ? { steps: live.transcript.header.steps, maxSteps: live.transcript.header.maxSteps, phase: live.transcript.header.phase } : undefined;
    const item = toTreeItem(sessionItemView(entry, progress), `session:${entry.session_id}`);
    item.command = { command: 'aiopslab.openTranscript', title: 'Open Transcript', arguments: [entry] };
    return item;
  }

  dispose(): void {
    this.emitter.dispose();
    this.onDidLoad.dispose();
    if (this.pending) clearTimeout(this.pending);
  }
}
