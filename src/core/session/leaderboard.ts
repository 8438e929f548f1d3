/**
 * The leaderboard of a set of sessions: per agent and task, accuracy with its 95 % interval, pass@k and pass^k over
 * repeated runs, mean and spread of time-to-X, steps, tokens and cost; and the agent × problem matrix of outcomes.
 *
 * Results produced under different conditions are never mixed in one cell: a row (and a matrix column) is one agent
 * at one isolation level (`environment.isolation`: sandbox, policy-only, none) with one version of the package and of
 * the catalog. A session that does not say is filed under `unknown`.
 */
import type { TaskType } from '../tasks/task-type';
import { TASK_TYPES, TIME_METRIC } from '../tasks/task-type';
import type { SessionRecord } from './types';
import { sessionFigures } from './figures';
import { passAtK, passHatK, spread, wilsonInterval, type Interval, type Spread } from './stats';

/** What a result was produced with: results of two variants never share a cell. */
export interface Variant {
  agent: string;
  isolation: string;
  /** The package version and the catalog's fingerprint, e.g. `0.1.0 · catalog 3f2a9c0b1d2e`. */
  version: string;
}

export type Outcome = 'solved' | 'failed' | 'error';

export interface LeaderboardRow extends Variant {
  task: TaskType;
  /** Sessions scored (completed, or out of steps or time). */
  sessions: number;
  solved: number;
  /** Sessions that failed before they could be scored (set-up, model endpoint…); not in the accuracy. */
  errors: number;
  /** solved / sessions, 0..1 (NaN when nothing was scored). */
  accuracy: number;
  /** Wilson 95 % interval of the accuracy, 0..1. */
  ci: Interval;
  /** Distinct problems scored. */
  problems: number;
  /** Runs per problem used for pass@k and pass^k: the fewest scored runs any of the row's problems has. */
  k: number;
  /** Mean over problems of pass@k (at least one of k runs solves it), 0..1. */
  passAtK: number;
  /** Mean over problems of pass^k (all k runs solve it), 0..1. */
  passHatK: number;
  /** The task's time metric (TTD, TTL, TTA, TTM), seconds. */
  ttx: Spread;
  steps: Spread;
  /** Input + output tokens per session. */
  tokens: Spread;
  inputTokens: number;
  outputTokens: number;
  costUsd: Spread;
}

export interface MatrixRun {
  sessionId: string;
  outcome: Outcome;
  /** The session's file name in the results folder. */
  file: string;
  startTime: number;
}

export interface Leaderboard {
  rows: LeaderboardRow[];
  /** The matrix's columns. */
  variants: Variant[];
  /** The matrix's rows, in task order then ID. */
  problems: Array<{ id: string; task: TaskType }>;
  /** variantKey → problem ID → runs, oldest first. */
  matrix: Record<string, Record<string, MatrixRun[]>>;
  /** Sessions the leaderboard was built from (cancelled and running ones are left out). */
  sessions: number;
}

export const UNKNOWN = 'unknown';

export function variantOf(record: SessionRecord): Variant {
  // Sessions saved before isolation was recorded lack it.
  return { agent: record.agent, isolation: record.environment?.isolation ?? UNKNOWN, version: versionLabel(record.versions) };
}

/** The package version and catalog fingerprint a session records, as one label. */
export function versionLabel(versions: Record<string, string> | undefined): string {
  return versions?.aiopslab ? `${versions.aiopslab} · catalog ${versions.catalog ?? UNKNOWN}` : UNKNOWN;
}

export function variantKey(v: Variant): string {
  return `${v.agent}\u0000${v.isolation}\u0000${v.version}`;
}

/** Solved, failed (scored, not solved) or error (not scored); undefined for cancelled or unfinished sessions. */
export function outcomeOf(record: SessionRecord): Outcome | undefined {
  if (record.status === 'completed' || record.status === 'timeout') return record.verdict?.success === true ? 'solved' : 'failed';
  if (record.status === 'error') return 'error';
  return undefined;
}

/** The file name the session store gives a record. */
export function sessionFileName(record: Pick<SessionRecord, 'session_id' | 'start_time'>): string {
  return `${record.session_id}_${record.start_time}.json`;
}

export function buildLeaderboard(records: readonly SessionRecord[]): Leaderboard {
  const counted = records.filter((r) => outcomeOf(r) !== undefined);
  const groups = new Map<string, { variant: Variant; task: TaskType; records: SessionRecord[] }>();
  const matrix: Record<string, Record<string, MatrixRun[]>> = {};
  const variants = new Map<string, Variant>();
  const problems = new Map<string, TaskType>();
  for (const r of counted) {
    const variant = variantOf(r);
    const vk = variantKey(variant);
    variants.set(vk, variant);
    problems.set(r.problem_id, r.task_type);
    const key = `${vk}\u0000${r.task_type}`;
    const group = groups.get(key) ?? { variant, task: r.task_type, records: [] };
    group.records.push(r);
    groups.set(key, group);
    ((matrix[vk] ??= {})[r.problem_id] ??= []).push({ sessionId: r.session_id, outcome: outcomeOf(r)!, file: sessionFileName(r), startTime: r.start_time });
  }
  for (const byProblem of Object.values(matrix)) for (const runs of Object.values(byProblem)) runs.sort((a, b) => a.startTime - b.startTime);
  const rows = [...groups.values()].map((g) => row(g.variant, g.task, g.records));
  const taskOrder = (t: TaskType) => TASK_TYPES.indexOf(t);
  const byVariant = (a: Variant, b: Variant) => a.agent.localeCompare(b.agent) || a.isolation.localeCompare(b.isolation) || a.version.localeCompare(b.version);
  rows.sort((a, b) => byVariant(a, b) || taskOrder(a.task) - taskOrder(b.task));
  return {
    rows,
    variants: [...variants.values()].sort(byVariant),
    problems: [...problems.entries()].map(([id, task]) => ({ id, task })).sort((a, b) => taskOrder(a.task) - taskOrder(b.task) || a.id.localeCompare(b.id)),
    matrix,
    sessions: counted.length,
  };
}

function row(variant: Variant, task: TaskType, group: SessionRecord[]): LeaderboardRow {
  const scored = group.filter((r) => outcomeOf(r) !== 'error');
  const solved = scored.filter((r) => outcomeOf(r) === 'solved').length;
  const perProblem = new Map<string, { n: number; c: number }>();
  for (const r of scored) {
    const p = perProblem.get(r.problem_id) ?? { n: 0, c: 0 };
    p.n++;
    if (outcomeOf(r) === 'solved') p.c++;
    perProblem.set(r.problem_id, p);
  }
  const k = perProblem.size ? Math.min(...[...perProblem.values()].map((p) => p.n)) : 0;
  const meanOver = (f: (p: { n: number; c: number }) => number) => (perProblem.size ? [...perProblem.values()].reduce((a, p) => a + f(p), 0) / perProblem.size : NaN);
  // The figures the transcript, the CLI summary and the CSV show for each session (tokens: the model's usage).
  const figures = new Map(scored.map((r) => [r, sessionFigures(r)]));
  const input = (r: SessionRecord) => figures.get(r)!.tokens.input;
  const output = (r: SessionRecord) => figures.get(r)!.tokens.output;
  const sum = (xs: number[]) => xs.reduce((a, b) => a + (Number.isFinite(b) ? b : 0), 0);
  return {
    ...variant,
    task,
    sessions: scored.length,
    solved,
    errors: group.length - scored.length,
    accuracy: scored.length ? solved / scored.length : NaN,
    ci: wilsonInterval(solved, scored.length),
    problems: perProblem.size,
    k,
    passAtK: k ? meanOver((p) => passAtK(p.n, p.c, k)) : NaN,
    passHatK: k ? meanOver((p) => passHatK(p.n, p.c, k)) : NaN,
    ttx: spread(scored.map((r) => Number(r.results[TIME_METRIC[task]] ?? figures.get(r)!.elapsedSec))),
    steps: spread(scored.map((r) => figures.get(r)!.steps)),
    tokens: spread(scored.map((r) => input(r) + output(r))),
    inputTokens: sum(scored.map(input)),
    outputTokens: sum(scored.map(output)),
    costUsd: spread(scored.map((r) => figures.get(r)!.tokens.costUsd)),
  };
}
