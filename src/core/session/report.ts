/**
 * The leaderboard as a self-contained document — Markdown or HTML (inline CSS, no script, no external resource) — and
 * the cell formats the CLI's table shares.
 */
import type { TaskType } from '../tasks/task-type';
import { TIME_METRIC } from '../tasks/task-type';
import type { Leaderboard, LeaderboardRow, MatrixRun, Outcome, Variant } from './leaderboard';
import { variantKey } from './leaderboard';
import type { Spread } from './stats';

/** Published figures to show beside ours (e.g. a paper's table), per agent and task. */
export interface ReferenceFigures {
  /** Where the figures come from, shown with them. */
  source: string;
  agents: Record<string, Partial<Record<TaskType, ReferenceCell>>>;
}

export interface ReferenceCell {
  /** Percent, 0..100. */
  accuracy?: number;
  /** Seconds. */
  ttx?: number;
  steps?: number;
  tokens?: number;
  costUsd?: number;
}

export interface ReportOptions {
  /** Where the sessions came from (the results folder), said in the heading. */
  source: string;
  generatedAt: Date;
  /** The link of a matrix cell's run (its session file, relative to the report). */
  linkOf: (run: MatrixRun) => string;
  reference?: ReferenceFigures;
}

export const OUTCOME_MARK: Record<Outcome, string> = { solved: '✓', failed: '✗', error: '!' };

export function formatPercent(x: number): string {
  return Number.isFinite(x) ? `${(100 * x).toFixed(1)} %` : '–';
}

/** Accuracy with its interval: `66.7 % [20.8–93.9]`. */
export function formatAccuracy(row: Pick<LeaderboardRow, 'accuracy' | 'ci' | 'sessions'>): string {
  if (!row.sessions) return '–';
  return `${(100 * row.accuracy).toFixed(1)} % [${(100 * row.ci.low).toFixed(1)}–${(100 * row.ci.high).toFixed(1)}]`;
}

/** Mean ± sample standard deviation. */
export function formatSpread(s: Spread, digits = 1): string {
  if (!s.n) return '–';
  return `${s.mean.toFixed(digits)} ± ${s.sd.toFixed(digits)}`;
}

export function variantLabel(v: Variant): string {
  return `${v.agent} (${v.isolation}, ${v.version})`;
}

interface Column {
  header: string;
  cell: (r: LeaderboardRow) => string;
}

const COLUMNS: Column[] = [
  { header: 'Agent', cell: (r) => r.agent },
  { header: 'Isolation', cell: (r) => r.isolation },
  { header: 'Version', cell: (r) => r.version },
  { header: 'Task', cell: (r) => r.task },
  { header: 'Scored', cell: (r) => String(r.sessions) },
  { header: 'Problems', cell: (r) => String(r.problems) },
  { header: 'Accuracy [95 % CI]', cell: formatAccuracy },
  { header: 'pass@k', cell: (r) => (r.k ? `${formatPercent(r.passAtK)} (k=${r.k})` : '–') },
  { header: 'pass^k', cell: (r) => (r.k ? `${formatPercent(r.passHatK)} (k=${r.k})` : '–') },
  { header: 'TTx s', cell: (r) => `${TIME_METRIC[r.task]} ${formatSpread(r.ttx)}` },
  { header: 'Steps', cell: (r) => formatSpread(r.steps) },
  { header: 'Tokens', cell: (r) => formatSpread(r.tokens, 0) },
  { header: 'Cost $', cell: (r) => formatSpread(r.costUsd, 4) },
  { header: 'Errors', cell: (r) => String(r.errors) },
];

/** The agents × tasks table as header + rows of cell text (shared by the CLI table, Markdown and HTML). */
export function leaderboardTable(lb: Leaderboard): { header: string[]; rows: string[][] } {
  return { header: COLUMNS.map((c) => c.header), rows: lb.rows.map((r) => COLUMNS.map((c) => c.cell(r))) };
}

function referenceRows(reference: ReferenceFigures): string[][] {
  const rows: string[][] = [];
  for (const [agent, tasks] of Object.entries(reference.agents)) {
    for (const [task, f] of Object.entries(tasks) as Array<[TaskType, ReferenceCell]>) {
      const n = (x: number | undefined, d: number) => (x === undefined ? '–' : x.toFixed(d));
      rows.push([agent, '–', reference.source, task, '–', '–', f.accuracy === undefined ? '–' : `${f.accuracy.toFixed(1)} %`, '–', '–', `${TIME_METRIC[task]} ${n(f.ttx, 1)}`, n(f.steps, 1), n(f.tokens, 0), n(f.costUsd, 4), '–']);
    }
  }
  return rows;
}

function matrixCell(lb: Leaderboard, v: Variant, problemId: string): MatrixRun[] {
  return lb.matrix[variantKey(v)]?.[problemId] ?? [];
}

function intro(lb: Leaderboard, options: ReportOptions): string {
  return `${lb.sessions} session(s) from ${options.source}, ${options.generatedAt.toISOString().replace('T', ' ').slice(0, 16)} UTC. ` +
    'A row is one agent at one isolation level with one package and catalog version: results produced otherwise are never mixed. ' +
    'Accuracy counts scored sessions (errors apart) with its 95 % Wilson interval; pass@k: at least one of k runs of a problem solves it, pass^k: all k do (mean over problems); ± is the standard deviation over sessions.';
}

export function renderMarkdown(lb: Leaderboard, options: ReportOptions): string {
  const esc = (s: string) => s.replace(/\|/g, '\\|');
  const mdTable = (header: string[], rows: string[][]) => [
    `| ${header.map(esc).join(' | ')} |`,
    `| ${header.map(() => '---').join(' | ')} |`,
    ...rows.map((r) => `| ${r.map(esc).join(' | ')} |`),
  ].join('\n');
  const { header, rows } = leaderboardTable(lb);
  const out = ['# AIOpsLab leaderboard', '', intro(lb, options), '', '## Agents × tasks', '', mdTable(header, rows)];
  if (options.reference) {
    out.push('', `### Reference: ${options.reference.source}`, '', mdTable(header, referenceRows(options.reference)));
  }
  out.push('', '## Per problem', '', `${OUTCOME_MARK.solved} solved · ${OUTCOME_MARK.failed} not solved · ${OUTCOME_MARK.error} error; each mark links to its session.`, '');
  const cols = ['Problem', 'Task', ...lb.variants.map(variantLabel)];
  const matrixRows = lb.problems.map((p) => [p.id, p.task, ...lb.variants.map((v) => matrixCell(lb, v, p.id).map((run) => `[${OUTCOME_MARK[run.outcome]}](${options.linkOf(run)})`).join(' ') || '–')]);
  out.push(mdTable(cols, matrixRows), '');
  return out.join('\n');
}

const CSS = `body{font:14px/1.45 system-ui,-apple-system,Segoe UI,sans-serif;margin:2em;color:#1f2328;background:#fff}
h1{font-size:1.6em}h2{font-size:1.25em;margin-top:2em}table{border-collapse:collapse;margin:.5em 0}
th,td{border:1px solid #d0d7de;padding:.3em .6em;text-align:left;white-space:nowrap}th{background:#f6f8fa}
td.num{text-align:right;font-variant-numeric:tabular-nums}a{text-decoration:none}.solved{color:#1a7f37}.failed{color:#cf222e}.error{color:#9a6700}
.ref td{color:#57606a;font-style:italic}p.note{color:#57606a;max-width:70em}
@media (prefers-color-scheme:dark){body{background:#0d1117;color:#e6edf3}th{background:#161b22}th,td{border-color:#30363d}}`;

export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

export function renderHtml(lb: Leaderboard, options: ReportOptions): string {
  const { header, rows } = leaderboardTable(lb);
  const numeric = new Set([4, 5, 6, 7, 8, 9, 10, 11, 12, 13]);
  const tr = (cells: string[], cls = '') => `<tr${cls ? ` class="${cls}"` : ''}>${cells.map((c, i) => `<td${numeric.has(i) ? ' class="num"' : ''}>${escapeHtml(c)}</td>`).join('')}</tr>`;
  const thead = (cells: string[]) => `<thead><tr>${cells.map((c) => `<th>${escapeHtml(c)}</th>`).join('')}</tr></thead>`;
  const body = [...rows.map((r) => tr(r)), ...(options.reference ? referenceRows(options.reference).map((r) => tr(r, 'ref')) : [])];
  const matrix = lb.problems.map((p) => `<tr><td>${escapeHtml(p.id)}</td><td>${p.task}</td>${lb.variants.map((v) => {
    const runs = matrixCell(lb, v, p.id);
    const marks = runs.map((run) => `<a class="${run.outcome}" href="${escapeHtml(options.linkOf(run))}" title="${escapeHtml(`${run.outcome}: session ${run.sessionId}`)}">${OUTCOME_MARK[run.outcome]}</a>`).join(' ');
    return `<td>${marks || '–'}</td>`;
  }).join('')}</tr>`);
  return `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>AIOpsLab leaderboard</title><style>${CSS}</style></head><body>
<h1>AIOpsLab leaderboard</h1>
<p class="note">${escapeHtml(intro(lb, options))}</p>
<h2>Agents × tasks</h2>
<table id="leaderboard">${thead(header)}<tbody>${body.join('\n')}</tbody></table>
${options.reference ? `<p class="note">Rows in italics: ${escapeHtml(options.reference.source)}.</p>` : ''}
<h2>Per problem</h2>
<p class="note">${OUTCOME_MARK.solved} solved · ${OUTCOME_MARK.failed} not solved · ${OUTCOME_MARK.error} error; each mark links to its session.</p>
<table id="matrix">${thead(['Problem', 'Task', ...lb.variants.map(variantLabel)])}<tbody>${matrix.join('\n')}</tbody></table>
</body></html>
`;
}
