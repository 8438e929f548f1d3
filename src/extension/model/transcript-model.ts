/**
 * The transcript as the panel shows it, built from a saved SessionRecord or followed live from session events.
 * Pure (no `vscode`): the host keeps one Transcript per open or running session and forwards the messages that
 * `apply` returns to the webview.
 */
import type { SessionEvent } from '../../core/orchestrator/events';
import type { SessionRecord, StepRecord } from '../../core/session/types';
import type { TokenUsage } from '../../core/agents/types';
import { sumUsage, tokenFigures } from '../../core/session/figures';
import type { HeaderView, HostMessage, LiveTelemetryView, ResultsView, StepView, TranscriptSnapshot } from '../protocol';

export function stepView(s: StepRecord): StepView {
  return {
    step: s.step,
    reply: s.reply,
    action: s.action ? { name: s.action.name, args: s.action.args, kwargs: s.action.kwargs, structured: s.action.structured } : undefined,
    parseError: s.parseError,
    observation: s.observation,
    write: s.write,
    agentMs: s.agentMs,
    actionMs: s.actionMs,
    startedAt: s.startedAt,
    tokens: s.usage ? { input: s.usage.inputTokens, output: s.usage.outputTokens } : undefined,
  };
}

export function resultsView(record: SessionRecord): ResultsView {
  return {
    verdict: record.verdict,
    metrics: Object.entries(record.results ?? {}),
    tokens: tokenFigures(record.tokens),
    error: record.error,
    frameworkOverheadSec: record.framework_overhead,
    telemetry: record.telemetry,
    timeline: record.timeline,
    notes: record.notes,
  };
}

export function headerFromRecord(record: SessionRecord, flags: { live?: boolean; replay?: boolean; interactive?: boolean } = {}): HeaderView {
  return {
    sessionId: record.session_id,
    problemId: record.problem_id,
    task: record.task_type,
    app: record.app,
    agent: record.agent,
    status: record.status,
    steps: record.steps.length,
    maxSteps: record.max_steps,
    startTime: record.start_time,
    endTime: record.status === 'running' ? undefined : record.end_time,
    tokens: tokenFigures(record.tokens),
    live: flags.live ?? false,
    replay: flags.replay ?? false,
    interactive: flags.interactive ?? false,
  };
}

/** A saved session as a snapshot (timestamps in the record are seconds or ms; the header keeps ms). */
export function snapshotFromRecord(record: SessionRecord, flags: { replay?: boolean } = {}): TranscriptSnapshot {
  const header = headerFromRecord(record, flags);
  header.startTime = toMs(record.start_time);
  header.endTime = header.endTime !== undefined ? toMs(header.endTime) : undefined;
  return { header, steps: record.steps.map(stepView), results: record.status === 'running' ? undefined : resultsView(record) };
}

/** The original stores epoch seconds; we accept both. */
export function toMs(t: number): number {
  return t > 0 && t < 1e11 ? Math.round(t * 1000) : t;
}

/** A live transcript: starts from what is known when a session is launched and follows its events. */
export class Transcript {
  readonly steps: StepView[] = [];
  results: ResultsView | undefined;
  header: HeaderView;
  /** The latest telemetry read while the session runs. */
  liveTelemetry: LiveTelemetryView | undefined;
  /** Each step's model usage, for the running total in the header. */
  private readonly usage = new Map<number, TokenUsage | undefined>();

  constructor(init: { sessionId?: string; problemId: string; task: string; app: string; agent: string; maxSteps: number; interactive?: boolean }) {
    this.header = {
      sessionId: init.sessionId ?? '',
      problemId: init.problemId,
      task: init.task,
      app: init.app,
      agent: init.agent,
      status: 'starting',
      steps: 0,
      maxSteps: init.maxSteps,
      live: true,
      replay: false,
      interactive: init.interactive ?? false,
    };
  }

  static fromRecord(record: SessionRecord): Transcript {
    const snap = snapshotFromRecord(record);
    const t = new Transcript({ sessionId: record.session_id, problemId: record.problem_id, task: record.task_type, app: record.app, agent: record.agent, maxSteps: record.max_steps });
    t.header = { ...snap.header };
    t.steps.push(...snap.steps);
    t.results = snap.results;
    return t;
  }

  snapshot(flags: { replay?: boolean } = {}): TranscriptSnapshot {
    return { header: { ...this.header, replay: flags.replay ?? this.header.replay }, steps: this.steps, results: this.results, ...(this.liveTelemetry ? { liveTelemetry: this.liveTelemetry } : {}) };
  }

  get finished(): boolean {
    return this.results !== undefined || ['completed', 'cancelled', 'error', 'timeout'].includes(this.header.status);
  }

  /** Applies one engine event and returns the messages that bring an open panel up to date. */
  apply(event: SessionEvent): HostMessage[] {
    const h = this.header;
    switch (event.type) {
      case 'session-started':
        h.sessionId = event.sessionId;
        h.problemId = event.problemId;
        h.agent = event.agent;
        h.maxSteps = event.maxSteps;
        h.status = 'running';
        return [{ type: 'header', header: { ...h } }];
      case 'phase':
        if (!h.sessionId) h.sessionId = event.sessionId;
        // Elapsed is the agent's episode, as the record keeps it: it starts with the agent's phase, not with the set-up.
        if (event.phase === 'agent') h.startTime = event.atMs ?? Date.now();
        h.phase = event.phase;
        h.phaseDetail = event.detail;
        if (h.status === 'starting') h.status = 'running';
        return [{ type: 'header', header: { ...h } }];
      case 'step-parsed': {
        const view: StepView = { step: event.step, reply: event.reply, action: event.action, parseError: event.parseError };
        this.put(view);
        return [{ type: 'step', step: view }];
      }
      case 'observation': {
        const view = stepView(event.step);
        this.put(view);
        h.steps = this.steps.length;
        this.usage.set(event.step.step, event.step.usage);
        h.tokens = sumUsage([...this.usage.values()]);
        return [{ type: 'step', step: view }, { type: 'header', header: { ...h } }];
      }
      case 'telemetry':
        this.liveTelemetry = { telemetry: event.telemetry, injectedAt: event.injectedAt };
        return [{ type: 'telemetry', ...this.liveTelemetry }];
      case 'evaluated':
      case 'session-ended': {
        const record = event.record;
        this.results = resultsView(record);
        h.status = record.status;
        h.steps = record.steps.length;
        h.tokens = this.results.tokens;
        // Elapsed is the record's episode (start_time → end_time), as the Sessions view and a reopened transcript show it.
        h.startTime = toMs(record.start_time) || h.startTime;
        h.endTime = toMs(record.end_time) || Date.now();
        if (event.type === 'session-ended') {
          h.live = false;
          h.interactive = false;
          h.phase = undefined;
          // The record is the truth: align any step we only saw parsed.
          for (const s of record.steps) this.put(stepView(s));
        }
        return [{ type: 'results', results: this.results, header: { ...h } }];
      }
      default:
        return [];
    }
  }

  private put(view: StepView): void {
    const i = this.steps.findIndex((s) => s.step === view.step);
    if (i >= 0) this.steps[i] = { ...this.steps[i], ...stripUndefined(view) };
    else {
      this.steps.push(view);
      if (this.steps.length > 1 && this.steps[this.steps.length - 2].step > view.step) this.steps.sort((a, b) => a.step - b.step);
    }
  }
}

function stripUndefined<T extends object>(v: T): Partial<T> {
  return Object.fromEntries(Object.entries(v).filter(([, x]) => x !== undefined)) as Partial<T>;
}

/** Long observations are cut for the first view; the panel offers the rest on demand. */
export function truncateForView(text: string, limit = 4000): { head: string; truncated: number } {
  if (text.length <= limit) return { head: text, truncated: 0 };
  return { head: text.slice(0, limit), truncated: text.length - limit };
}

/** The call as text, e.g. `get_logs("ns", "svc")` — Python-ish literals as the agent writes them. */
export function formatAction(action: { name: string; args: unknown[]; kwargs: Record<string, unknown> }): string {
  const lit = (v: unknown): string => {
    if (v === null || v === undefined) return 'None';
    if (v === true) return 'True';
    if (v === false) return 'False';
    if (Array.isArray(v)) return `[${v.map(lit).join(', ')}]`;
    if (typeof v === 'object') return `{${Object.entries(v as Record<string, unknown>).map(([k, x]) => `${JSON.stringify(k)}: ${lit(x)}`).join(', ')}}`;
    return typeof v === 'string' ? JSON.stringify(v) : String(v);
  };
  const parts = [...action.args.map(lit), ...Object.entries(action.kwargs ?? {}).map(([k, v]) => `${k}=${lit(v)}`)];
  return `${action.name}(${parts.join(', ')})`;
}
