/**
 * Conversation context for chat agents: the system message and the first user message are kept
 * whole; each observation has repeated log lines collapsed and is capped in size; when the
 * conversation grows past a token budget the oldest observations are replaced by a visible notice.
 * Every cut leaves a notice saying what was cut, so the model (and the session record) can see it.
 */
import { greedyCompressLines } from '../core/logs/dedup';
import { countTokens as defaultCountTokens, MESSAGE_OVERHEAD_TOKENS } from './tokens';

export interface ContextOptions {
  /** Whole-conversation budget in tokens (default 100,000). */
  budgetTokens?: number;
  /** Cap for one observation in tokens (default 16,000). */
  maxObservationTokens?: number;
  /** Collapse consecutive repeated log lines / blocks (default true). */
  dedupLogs?: boolean;
  /** Token counter (default: cl100k_base). */
  countTokens?: (text: string) => number;
}

export const DEFAULT_CONTEXT_BUDGET_TOKENS = 100_000;
export const DEFAULT_MAX_OBSERVATION_TOKENS = 16_000;

export interface ContextMessage {
  role: 'system' | 'user' | 'assistant' | 'tool';
  content: string | null;
  tool_calls?: Array<{ id: string; type: 'function'; function: { name: string; arguments: string } }>;
  tool_call_id?: string;
  /** DeepSeek-style reasoning text of an assistant turn (kept out of the request). */
  reasoning?: string;
}

interface Entry {
  message: ContextMessage;
  kind: 'system' | 'first' | 'assistant' | 'observation';
  step?: number;
  tokens: number;
  trimmed?: boolean;
}

export function formatInt(n: number): string {
  return n.toLocaleString('en-US');
}

/** Maximum block size (in lines) for collapsing repeated log blocks. */
export const DEDUP_MAX_BLOCK = 4;

/**
 * Collapse consecutive lines / blocks of up to `maxBlock` lines that differ only in timestamps, keeping the
 * latest, with a visible notice (the core's version of the original's greedy_compress_lines).
 */
export function dedupRepeatedLines(text: string, maxBlock = DEDUP_MAX_BLOCK): string {
  return greedyCompressLines(text, maxBlock, { notice: true });
}

// ---------------------------------------------------------------------------------------------

/** Keep the head and tail of an over-long text, cutting whole lines, with a notice in between. */
export function capText(text: string, maxTokens: number, count: (s: string) => number, label: string, knownTotal?: number): string {
  const total = knownTotal ?? count(text);
  if (total <= maxTokens) return text;
  const charsPerToken = text.length / Math.max(1, total);
  const keepChars = Math.max(0, Math.floor(maxTokens * charsPerToken * 0.95));
  const headChars = Math.floor(keepChars * 0.7);
  const tailChars = keepChars - headChars;
  let head = text.slice(0, headChars);
  const nl = head.lastIndexOf('\n');
  if (nl > headChars * 0.5) head = head.slice(0, nl);
  let tail = tailChars > 0 ? text.slice(text.length - tailChars) : '';
  const tnl = tail.indexOf('\n');
  if (tnl >= 0 && tnl < tail.length * 0.5) tail = tail.slice(tnl + 1);
  const omitted = total - count(head) - count(tail);
  const notice = `[… ${label} cut: ${formatInt(Math.max(0, omitted))} of ${formatInt(total)} tokens omitted in the middle (cap ${formatInt(maxTokens)} tokens per observation) …]`;
  return `${head}\n${notice}\n${tail}`;
}

export class ChatContext {
  private entries: Entry[] = [];
  readonly budgetTokens: number;
  readonly maxObservationTokens: number;
  readonly dedupLogs: boolean;
  private readonly count: (text: string) => number;

  constructor(options: ContextOptions = {}) {
    this.budgetTokens = options.budgetTokens ?? DEFAULT_CONTEXT_BUDGET_TOKENS;
    this.maxObservationTokens = options.maxObservationTokens ?? DEFAULT_MAX_OBSERVATION_TOKENS;
    this.dedupLogs = options.dedupLogs ?? true;
    this.count = options.countTokens ?? defaultCountTokens;
  }

  /** Start over with the system message and the first user message (the instructions). */
  reset(system: string, firstUser: string): void {
    this.entries = [
      { message: { role: 'system', content: system }, kind: 'system', tokens: this.count(system) },
      { message: { role: 'user', content: firstUser }, kind: 'first', tokens: this.count(firstUser) },
    ];
  }

  /**
   * Add an observation (a user message, or a tool result when `toolCallId` is given) after
   * de-duplication and capping. Returns the text as the model will see it.
   */
  addObservation(text: string, step: number, toolCallId?: string): string {
    let content = text;
    if (this.dedupLogs) content = dedupRepeatedLines(content);
    let tokens = this.count(content);
    if (tokens > this.maxObservationTokens) {
      content = capText(content, this.maxObservationTokens, this.count, `observation of step ${step}`, tokens);
      tokens = this.count(content);
    }
    const message: ContextMessage = toolCallId
      ? { role: 'tool', content, tool_call_id: toolCallId }
      : { role: 'user', content };
    this.entries.push({ message, kind: 'observation', step, tokens });
    this.trimToBudget();
    return content;
  }

  addAssistant(message: ContextMessage): void {
    this.entries.push({ message, kind: 'assistant', tokens: this.count(message.content ?? '') + this.count(JSON.stringify(message.tool_calls ?? '')) });
    this.trimToBudget();
  }

  totalTokens(): number {
    return this.entries.reduce((sum, e) => sum + e.tokens + MESSAGE_OVERHEAD_TOKENS, 3);
  }

  /** Replace the oldest observations (never the newest one) by a notice until within budget. */
  private trimToBudget(): void {
    let lastObservation = -1;
    for (let i = this.entries.length - 1; i >= 0; i--) {
      if (this.entries[i].kind === 'observation') {
        lastObservation = i;
        break;
      }
    }
    for (let i = 0; i < this.entries.length && this.totalTokens() > this.budgetTokens; i++) {
      const e = this.entries[i];
      if (e.kind !== 'observation' || e.trimmed || i === lastObservation) continue;
      const notice = `[… observation of step ${e.step} trimmed: ${formatInt(e.tokens)} tokens (context budget ${formatInt(this.budgetTokens)} tokens) …]`;
      e.message = { ...e.message, content: notice };
      e.tokens = this.count(notice);
      e.trimmed = true;
    }
  }

  /** The messages to send, in order. */
  messages(): ContextMessage[] {
    return this.entries.map((e) => e.message);
  }

  /** The most recent assistant message, if any. */
  lastAssistant(): ContextMessage | undefined {
    for (let i = this.entries.length - 1; i >= 0; i--) if (this.entries[i].kind === 'assistant') return this.entries[i].message;
    return undefined;
  }
}
