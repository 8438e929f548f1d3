/**
 * Messages between the extension host and the Evaluation page (webview/evaluation.ts), and the view model the page
 * renders: the leaderboard's cells as text, built on the host from the same leaderboard `aiopslab report` renders.
 * Imported by both sides; the page only uses its types.
 */
import type { Leaderboard, Outcome } from '../../core/session/leaderboard';
import { variantKey } from '../../core/session/leaderboard';
import { leaderboardTable, OUTCOME_MARK, variantLabel } from '../../core/session/report';

export interface MatrixRunView {
  sessionId: string;
  outcome: Outcome;
  mark: string;
}

export interface EvaluationView {
  /** "N session(s) from <folder>". */
  summary: string;
  /** A running suite's progress line, when one runs. */
  progress?: string;
  table: { header: string[]; rows: string[][] };
  matrix: { columns: string[]; rows: Array<{ problemId: string; task: string; cells: MatrixRunView[][] }> };
}

export type EvaluationHostMessage =
  | { type: 'view'; view: EvaluationView }
  | { type: 'query-dom'; id: number; selector: string }
  | { type: 'click'; selector: string };

export type EvaluationPageMessage =
  | { type: 'ready' }
  | { type: 'open-session'; sessionId: string }
  | { type: 'dom'; id: number; count: number; texts: string[] };

export function isEvaluationPageMessage(m: unknown): m is EvaluationPageMessage {
  if (!m || typeof m !== 'object') return false;
  const x = m as Record<string, unknown>;
  switch (x.type) {
    case 'ready':
      return true;
    case 'open-session':
      return typeof x.sessionId === 'string' && /^[0-9a-zA-Z-]{1,80}$/.test(x.sessionId);
    case 'dom':
      return typeof x.id === 'number' && typeof x.count === 'number' && Array.isArray(x.texts);
    default:
      return false;
  }
}

export function evaluationView(lb: Leaderboard, source: string, progress?: string): EvaluationView {
  return {
    summary: `${lb.sessions} session(s) from ${source}. A row is one agent at one isolation level with one package and catalog version; accuracy with its 95 % interval; pass@k / pass^k over repeated runs; mean ± sd.`,
    progress,
    table: leaderboardTable(lb),
    matrix: {
      columns: lb.variants.map(variantLabel),
      rows: lb.problems.map((p) => ({
        problemId: p.id,
        task: p.task,
        cells: lb.variants.map((v) => (lb.matrix[variantKey(v)]?.[p.id] ?? []).map((run) => ({ sessionId: run.sessionId, outcome: run.outcome, mark: OUTCOME_MARK[run.outcome] }))),
      })),
    },
  };
}
