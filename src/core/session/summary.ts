import type { SessionRecord } from './types';
import type { TaskType } from '../tasks/task-type';
import { TIME_METRIC } from '../tasks/task-type';

export interface SummaryRow {
  agent: string;
  task: TaskType;
  sessions: number;
  solved: number;
  /** Percentage of sessions scored success. */
  accuracy: number;
  meanSeconds: number;
  meanSteps: number;
  inputTokens: number;
  outputTokens: number;
  costUsd: number;
}

/** Accuracy per agent and task type, with mean time, steps and tokens: the eval table. */
export function summarize(records: readonly SessionRecord[]): SummaryRow[] {
  const groups = new Map<string, SessionRecord[]>();
  for (const r of records) {
    const key = `${r.agent}\u0000${r.task_type}`;
    groups.set(key, [...(groups.get(key) ?? []), r]);
  }
  const rows: SummaryRow[] = [];
  for (const [key, group] of groups) {
    const [agent, task] = key.split('\u0000') as [string, TaskType];
    const solved = group.filter((r) => r.verdict?.success === true).length;
    const seconds = group.map((r) => Number(r.results[TIME_METRIC[task]] ?? r.end_time - r.start_time));
    rows.push({
      agent,
      task,
      sessions: group.length,
      solved,
      accuracy: (100 * solved) / group.length,
      meanSeconds: mean(seconds),
      meanSteps: mean(group.map((r) => r.steps.length)),
      inputTokens: sum(group.map((r) => Number(r.results.in_tokens ?? r.tokens.input))),
      outputTokens: sum(group.map((r) => Number(r.results.out_tokens ?? r.tokens.output))),
      costUsd: sum(group.map((r) => r.tokens.cost_usd)),
    });
  }
  const order: TaskType[] = ['detection', 'localization', 'analysis', 'mitigation'];
  return rows.sort((a, b) => a.agent.localeCompare(b.agent) || order.indexOf(a.task) - order.indexOf(b.task));
}

/** One flat row per session for CSV/JSONL export. */
export function flattenRecord(r: SessionRecord): Record<string, string | number | boolean | null> {
  const row: Record<string, string | number | boolean | null> = {
    session_id: r.session_id,
    problem_id: r.problem_id,
    task_type: r.task_type,
    app: r.app,
    agent: r.agent,
    status: r.status,
    success: r.verdict ? r.verdict.success : null,
    steps: r.steps.length,
    duration_s: Math.round((r.end_time - r.start_time) * 1000) / 1000,
    input_tokens: r.tokens.input,
    output_tokens: r.tokens.output,
    cost_usd: r.tokens.cost_usd,
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

function mean(values: number[]): number {
  return values.length ? sum(values) / values.length : 0;
}

function sum(values: number[]): number {
  return values.reduce((a, b) => a + (Number.isFinite(b) ? b : 0), 0);
}
