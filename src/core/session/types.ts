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
  file: string;
  deleted?: boolean;
}
