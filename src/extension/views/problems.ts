import * as vscode from 'vscode';
import type { SessionIndexEntry } from '../../core/session/types';
import type { EngineHost } from '../host';
import { buildProblemTree, problemNodeView, problemsGuidance, type ItemView, type ProblemNode } from '../model/tree-model';

export function toTreeItem(view: ItemView, id: string): vscode.TreeItem {
  const item = new vscode.TreeItem(
    view.label,
    view.collapsible === 'none' ? vscode.TreeItemCollapsibleState.None : view.collapsible === 'expanded' ? vscode.TreeItemCollapsibleState.Expanded : vscode.TreeItemCollapsibleState.Collapsed,
  );
  item.id = id;
  item.description = view.description;
  item.tooltip = view.tooltip;
  item.iconPath = new vscode.ThemeIcon(view.icon, view.color ? new vscode.ThemeColor(view.color) : undefined);
  item.contextValue = view.contextValue;
  return item;
}

/** Problems grouped by app, then task type; each with its fault and the latest result from the sessions index. */
export class ProblemsProvider implements vscode.TreeDataProvider<ProblemNode> {
  private readonly emitter = new vscode.EventEmitter<ProblemNode | undefined>();
  readonly onDidChangeTreeData = this.emitter.event;
  private roots: ProblemNode[] | undefined;
  private readonly parents = new Map<string, ProblemNode>();
  /** Fired after each getChildren (tests wait on it). */
  readonly onDidLoad = new vscode.EventEmitter<ProblemNode[]>();
  /** First-run guidance for the view's message (undefined once a session has been saved). */
  guidance: string | undefined;

  constructor(private readonly host: EngineHost) {}

  refresh(): void {
    this.roots = undefined;
    this.emitter.fire(undefined);
  }

  async getChildren(element?: ProblemNode): Promise<ProblemNode[]> {
    if (element) {
      const children = element.kind === 'problem' ? [] : element.children;
      this.onDidLoad.fire(children);
      return children;
    }
    if (!this.roots) {
      let index: SessionIndexEntry[] = [];
      try {
        index = await this.host.engine.store.list();
      } catch {
        // An unreadable index only loses the "latest result" column.
      }
      this.guidance = problemsGuidance(index);
      const running = new Set(this.host.running().map((s) => s.problemId));
      this.roots = buildProblemTree(this.host.engine.listProblems(), index, running);
      this.parents.clear();
      for (const app of this.roots) {
        if (app.kind !== 'app') continue;
        for (const task of app.children) {
          this.parents.set(task.id, app);
          if (task.kind === 'task') for (const p of task.children) this.parents.set(p.id, task);
        }
      }
    }
    this.onDidLoad.fire(this.roots);
    return this.roots;
  }

  getParent(element: ProblemNode): ProblemNode | undefined {
    return this.parents.get(element.id);
  }

  getTreeItem(element: ProblemNode): vscode.TreeItem {
    const item = toTreeItem(problemNodeView(element), `problem:${element.id}`);
    if (element.kind === 'problem') {
      item.command = { command: 'aiopslab.openDefinition', title: 'Open Definition', arguments: [element] };
    }
    return item;
  }

  dispose(): void {
    this.emitter.dispose();
    this.onDidLoad.dispose();
  }
}
