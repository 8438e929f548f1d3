/** The quick picks the commands ask with: a problem, an agent, a session. */
import * as vscode from 'vscode';
import { agentChoices, type AgentChoice } from '../agents';
import { problemPickItems, SEPARATOR_KIND } from '../model/problem-picks';
import { resultWord } from '../model/tree-model';
import type { CommandDeps } from './context';

export interface PickOptions<T> {
  title: string;
  placeholder?: string;
  filter?: (value: string) => T[];
  matchOnDescription?: boolean;
  matchOnDetail?: boolean;
}

export interface Pickers {
  showPick<T extends vscode.QuickPickItem>(items: T[], options: PickOptions<T>): Promise<T | undefined>;
  pickProblem(title: string): Promise<string | undefined>;
  pickAgent(): Promise<AgentChoice | undefined>;
  pickSession(title: string, running?: boolean): Promise<string | undefined>;
}

export function createPickers(deps: CommandDeps): Pickers {
  const showPick = <T extends vscode.QuickPickItem>(items: T[], options: PickOptions<T>) => showQuickPick(deps, items, options);
  const { host } = deps;
  return {
    showPick,
    async pickProblem(title) {
      const problems = host.engine.listProblems({ includeExperimental: true });
      const toItems = (query: string) => problemPickItems(problems, query).map((i) => ({ ...i, kind: i.kind === SEPARATOR_KIND ? vscode.QuickPickItemKind.Separator : undefined }));
      const pick = await showPick(toItems(''), { title, placeholder: 'Filter by problem ID, app, task or fault, in any order (e.g. "hotel mitigation")', filter: toItems });
      return pick?.id;
    },
    async pickAgent() {
      const choices = await agentChoices(deps.context.secrets);
      const pick = await showPick(
        choices.map((c) => ({ label: c.label, description: c.description, detail: c.detail, choice: c })),
        { title: 'Agent to run', placeholder: 'OpenAI-compatible agents (keys: AIOpsLab: Set API Key…), VS Code language models, or the baseline', matchOnDescription: true },
      );
      return pick?.choice;
    },
    async pickSession(title, running = false) {
      const entries = running ? host.runningEntries() : await host.engine.store.list();
      if (running && entries.length === 1) return entries[0].session_id;
      const pick = await showPick(
        entries.map((e) => ({ label: e.problem_id, description: `${e.agent} · ${resultWord(e)} · ${e.steps} steps`, detail: `${e.session_id} · ${new Date(e.start_time * 1000).toLocaleString()}`, id: e.session_id })),
        { title, placeholder: running ? 'Running sessions' : 'Sessions in the results folder, newest first', matchOnDescription: true, matchOnDetail: true },
      );
      return pick?.id;
    },
  };
}

/**
 * Shows a quick pick and resolves with the accepted item (undefined when dismissed). With `filter`, the items follow
 * the typed text through it (shown with alwaysShow, so VS Code's own matching does not hide them again).
 */
function showQuickPick<T extends vscode.QuickPickItem>(deps: CommandDeps, items: T[], options: PickOptions<T>): Promise<T | undefined> {
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
