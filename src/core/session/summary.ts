import type { SessionRecord } from './types';
import { sessionFigures } from './figures';

/** One flat row per session for CSV/JSONL export. */
export function flattenRecord(r: SessionRecord): Record<string, string | number | boolean | null> {
  const figures = sessionFigures(r);
  const row: Record<string, string | number | boolean | null> = {
    session_id: r.session_id,
    problem_id: r.problem_id,
    task_type: r.task_type,
    app: r.app,
    agent: r.agent,
    status: r.status,
    success: r.verdict ? r.verdict.success : null,
    steps: figures.steps,
    duration_s: Math.round(figures.elapsedSec * 1000) / 1000,
    input_tokens: figures.tokens.input,
    output_tokens: figures.tokens.output,
    cost_usd: figures.tokens.costUsd,
    expected: r.verdict ? JSON.stringify(r.verdict.expected) : null,
    given: r.verdict ? JSON.stringify(r.verdict.given) : null,
    explanation: r.verdict?.explanation ?? null,
    cluster: r.environment.kind,
    start_time: r.start_time,
  };
  for (const [k, v] of Object.entries(r.results)) row[`metric:${k}`] = v;
  return row;
}

export function toCsv(rows: ReadonlyArray<Record<string, string | number | boolean | null>>): string {
  const columns = [...new Set(rows.flatMap((r) => Object.keys(r)))];
  const escape = (v: unknown) => {
    if (v === null || v === undefined) return '';
    const s = String(v);
    return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
  };
  return [columns.join(','), ...rows.map((r) => columns.map((c) => escape(r[c])).join(','))].join('\n') + '\n';
}
