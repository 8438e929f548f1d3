/**
 * The figures of one session — steps, elapsed time, tokens, cost, set-up time — and how they read. Every place that
 * shows them (the CLI summary, the transcript's header and results, the Sessions view, the status bar, the CSV
 * export, the leaderboard) takes them from here, so the same session never shows two different numbers for one name.
 *
 * - Elapsed is the agent's episode: from its first turn to the end of its last (the record's start_time → end_time),
 *   which is also the task's time metric (TTD/TTL/TTA/TTM). Deploying, injecting, scoring and recovering are apart
 *   (set-up and clean-up).
 * - Tokens are what the agent's model used, as its API reported them (or as counted locally when it reports none),
 *   summed over the steps; the cost follows from them. An agent without a model (baseline, human) has none. The
 *   original's in_tokens/out_tokens metrics are something else: the trace's text counted with cl100k_base.
 */
import type { TokenUsage } from '../agents/types';
import type { MetricValue, SessionRecord } from './types';

export interface TokenFigures {
  input: number;
  output: number;
  costUsd: number;
  /** api: the model's API reported them; tokenizer: counted locally; none: the agent uses no model. */
  source: 'api' | 'tokenizer' | 'none';
}

export interface SessionFigures {
  steps: number;
  maxSteps: number;
  /** The agent's episode, seconds. */
  elapsedSec: number;
  tokens: TokenFigures;
  /** Seconds spent outside the agent's episode: preflight, deploy, inject, workload, scoring, recovery, saving. */
  setUpSec?: number;
}

export function sessionFigures(record: Pick<SessionRecord, 'steps' | 'max_steps' | 'start_time' | 'end_time' | 'tokens' | 'framework_overhead'>): SessionFigures {
  return {
    steps: record.steps.length,
    maxSteps: record.max_steps,
    elapsedSec: elapsedSeconds(record),
    tokens: tokenFigures(record.tokens),
    ...(record.framework_overhead !== undefined ? { setUpSec: record.framework_overhead } : {}),
  };
}

/** The agent's episode in seconds (start_time and end_time are epoch seconds; a saved record may hold ms). */
export function elapsedSeconds(record: Pick<SessionRecord, 'start_time' | 'end_time'>): number {
  const toSec = (t: number) => (t > 1e11 ? t / 1000 : t);
  return Math.max(0, toSec(record.end_time) - toSec(record.start_time));
}

export function tokenFigures(tokens: SessionRecord['tokens'] | undefined): TokenFigures {
  if (!tokens) return { input: 0, output: 0, costUsd: 0, source: 'none' };
  return { input: tokens.input, output: tokens.output, costUsd: tokens.cost_usd, source: tokens.source };
}

/** Adds one step's usage to a session's total (the record's, or a live view's). */
export function addTokenUsage(total: SessionRecord['tokens'], usage: TokenUsage | undefined): void {
  if (!usage) return;
  total.input += usage.inputTokens;
  total.output += usage.outputTokens;
  total.cost_usd += usage.costUsd ?? 0;
  // One step counted locally makes the whole total "counted locally".
  if (total.source === 'none' || usage.source === 'tokenizer') total.source = usage.source;
}

/** Token usage summed over steps, as the session record sums it (a session followed live). */
export function sumUsage(usages: ReadonlyArray<TokenUsage | undefined>): TokenFigures {
  const total: SessionRecord['tokens'] = { input: 0, output: 0, cost_usd: 0, source: 'none' };
  for (const u of usages) addTokenUsage(total, u);
  return tokenFigures(total);
}

/** Seconds as every surface writes them: "5.6 s", "2 min 05 s". */
export function formatElapsed(seconds: number): string {
  const s = Math.max(0, seconds);
  if (s < 59.95) return `${s.toFixed(1)} s`;
  const whole = Math.round(s);
  return `${Math.floor(whole / 60)} min ${String(whole % 60).padStart(2, '0')} s`;
}

/** "1,234 in, 56 out · $0.0123 (reported by the API)", or why there are none. */
export function formatTokens(t: TokenFigures): string {
  if (t.source === 'none' && t.input === 0 && t.output === 0) return 'none (the agent uses no model)';
  const n = (x: number) => x.toLocaleString('en-US');
  const how = t.source === 'api' ? 'reported by the API' : t.source === 'tokenizer' ? 'counted locally: the API reported none' : 'source unknown';
  return `${n(t.input)} in, ${n(t.output)} out · $${t.costUsd.toFixed(4)} (${how})`;
}

/** The time metrics of the tasks (seconds from the agent's first turn to its submission). */
const TIME_METRICS = new Set(['TTD', 'TTL', 'TTA', 'TTM']);
/** The original's token metrics: the trace's text, not what a model used. */
const TRACE_TOKEN_METRICS = new Set(['in_tokens', 'out_tokens']);

/** One metric of the results as shown in a table: its key, its value with the unit, and what it means when not obvious. */
export function metricRow(key: string, value: MetricValue): { key: string; value: string; note?: string } {
  if (typeof value === 'number' && TIME_METRICS.has(key)) return { key, value: formatElapsed(value), note: 'the agent\'s episode, as Elapsed' };
  if (typeof value === 'number' && TRACE_TOKEN_METRICS.has(key)) {
    return { key, value: value.toLocaleString('en-US'), note: `cl100k tokens of the trace's ${key === 'in_tokens' ? 'observations' : 'replies'}, as the original counts them (not the model's usage)` };
  }
  return { key, value: typeof value === 'number' ? String(Math.round(value * 1000) / 1000) : String(value) };
}

/** An expected or given answer for people: a list of checks one per item, text as itself, anything else as JSON. */
export function answerLines(v: unknown): string[] {
  if (v === undefined) return ['nothing'];
  if (v === null) return ['None'];
  if (typeof v === 'string') return [v];
  if (Array.isArray(v) && v.length > 0 && v.every((x) => typeof x === 'string')) return v;
  return [JSON.stringify(v)];
}
