import type { TaskType } from '../tasks/task-type';
import type { TokenUsage, ToolCall } from '../agents/types';
import type { EnvironmentInfo } from '../ports/environment';

/** The original's trace item: roles are `assistant` (agent replies) and `env` (observations). */
export interface TraceItem {
  role: 'assistant' | 'env' | 'system' | 'user';
  content: string;
}

/** Our per-step detail, beside the original trace. */
export interface StepRecord {
  step: number;
  reply: string;
  /** The parsed action, or the parse error the agent was told. */
  action?: { name: string; args: unknown[]; kwargs: Record<string, unknown>; structured?: boolean };
  toolCall?: ToolCall;
  parseError?: string;
  observation: string;
  /** Whether the action may change the cluster (exec_shell, submit of mitigation…). */
  write?: boolean;
  agentMs: number;
  actionMs: number;
  startedAt: number;
  usage?: TokenUsage;
}

export type SessionStatus = 'running' | 'completed' | 'cancelled' | 'error' | 'timeout';

export type MetricValue = string | number | boolean | null;

/** The evaluation result: the original's metric keys plus ours. */
export type Results = Record<string, MetricValue>;

export interface Verdict {
  success: boolean;
  expected: unknown;
  given: unknown;
  /** Why it scored as it did, in one or two sentences. */
  explanation: string;
}

export interface SessionRecord {
  // The original's keys, in its order.
  agent: string;
  session_id: string;
  problem_id: string;
  start_time: number;
  end_time: number;
  trace: TraceItem[];
  results: Results;
  // Ours.
  task_type: TaskType;
  app: string;
  status: SessionStatus;
  error?: string;
  verdict?: Verdict;
  steps: StepRecord[];
  max_steps: number;
  tokens: { input: number; output: number; cost_usd: number; source: TokenUsage['source'] };
  environment: EnvironmentInfo;
  workload_mode: 'steady' | 'original' | 'none';
  shell_policy: 'open' | 'guarded';
  versions: Record<string, string>;
  /** Wall-clock seconds spent outside the agent loop (deploy, inject, evaluate, cleanup). */
  framework_overhead?: number;
  /** Timestamps (epoch ms) of the fault injection and recovery, for charts. */
  timeline?: { injectedAt?: number; recoveredAt?: number };
  /** The app's request telemetry over the episode (for the transcript's charts); absent when none could be read. */
  telemetry?: SessionTelemetry;
  /** Things worth knowing that did not change the outcome (e.g. why no telemetry was recorded). */
  notes?: string[];
  /** What the clean-up could not remove from the cluster (absent when everything went). */
  leftovers?: CleanupLeftover[];
}

/** An object the clean-up left on the cluster: which, why, and the command that removes it. */
export interface CleanupLeftover {
  object: string;
  reason: string;
  command: string;
}

/**
 * Request telemetry of the app's services over an episode, from the cluster's Prometheus: point i of every series is
 * at `startMs + i * stepMs`; each value summarises the `windowSec` before it. Values are null where a service had no
 * requests in that window.
 */
export interface SessionTelemetry {
  source: 'prometheus';
  namespace: string;
  startMs: number;
  /** End of the window read (the last point is at or before it). */
  endMs: number;
  stepMs: number;
  windowSec: number;
  services: ServiceSeries[];
  /** The service the fault is aimed at (always among `services`, with empty series when it served nothing). */
  faultTarget?: string;
  /** Services left out to keep the record small (those with the lowest peak error rate and p99 latency). */
  omittedServices?: string[];
}

export interface ServiceSeries {
  service: string;
  /** Median and 99th-percentile request latency, milliseconds. */
  p50Ms: Array<number | null>;
  p99Ms: Array<number | null>;
  /** Share of requests that failed, 0..1. */
  errorRate: Array<number | null>;
}

/** One line of the append-only results index. */
export interface SessionIndexEntry {
  session_id: string;
  problem_id: string;
  task_type: TaskType;
  agent: string;
  status: SessionStatus;
  success: boolean | null;
  start_time: number;
  end_time: number;
  steps: number;
  /** The model's token usage and cost (absent in lines written before it was kept here). */
  tokens?: SessionRecord['tokens'];
  file: string;
  deleted?: boolean;
}
