/**
 * The items of the "Start Problem…" / "Run Agent on Problem…" quick pick, grouped by app, filtered by what the user
 * types. VS Code's own quick pick filter matches the whole typed text as one piece (fuzzy prefix, camel case or
 * contiguous substring of the label or description), so "hotel mitigation" would match nothing; here every word
 * must appear in the problem ID, its app, its task or its summary, in any order, and the commands show the result
 * with `alwaysShow` so VS Code does not filter it again. No vscode import: unit-tested in Node.
 */
import type { ProblemDefinition } from '../../core/problems/types';
import { TASK_TYPES } from '../../core/tasks/task-type';

/** vscode.QuickPickItemKind.Separator (the value is part of VS Code's API). */
export const SEPARATOR_KIND = -1;

export interface ProblemPickItem {
  label: string;
  kind?: typeof SEPARATOR_KIND;
  description?: string;
  detail?: string;
  /** The problem ID (absent on separators). */
  id?: string;
  alwaysShow?: boolean;
}

type PickableProblem = Pick<ProblemDefinition, 'id' | 'app' | 'task' | 'summary' | 'experimental'>;

/** Whether every whitespace-separated word of `query` appears (case-insensitively) in the problem's ID, app, task or summary. */
export function matchesProblemQuery(problem: PickableProblem, query: string): boolean {
  const words = query.toLowerCase().split(/\s+/).filter(Boolean);
  if (!words.length) return true;
  const haystack = [problem.id, problem.app, problem.task, problem.summary].join('\n').toLowerCase();
  return words.every((w) => haystack.includes(w));
}

/** The quick pick's items for `query`: problems sorted by app, then task (detection … mitigation; catalog order within), one separator per app. */
export function problemPickItems(problems: readonly PickableProblem[], query = ''): ProblemPickItem[] {
  const items: ProblemPickItem[] = [];
  let lastApp = '';
  const sorted = problems
    .filter((p) => matchesProblemQuery(p, query))
    .sort((a, b) => a.app.localeCompare(b.app) || TASK_TYPES.indexOf(a.task) - TASK_TYPES.indexOf(b.task));
  for (const p of sorted) {
    if (p.app !== lastApp) {
      items.push({ label: p.app, kind: SEPARATOR_KIND });
      lastApp = p.app;
    }
    items.push({ label: p.id, description: `${p.app} · ${p.task}${p.experimental ? ' · experimental' : ''}`, detail: p.summary, id: p.id, alwaysShow: true });
  }
  return items;
}
