import type { Agent, AgentContext, AgentTurn } from '../agents/types';
import { toAgentTurn } from '../agents/types';
import type { AppDefinition } from '../apps/types';
import type { ProblemDefinition } from '../problems/types';
import type { Clock, JournalEntry, ProblemEnvironment, RecoveryJournal, SessionStore } from '../ports/environment';
import type { Results, SessionRecord, SessionStatus, StepRecord, Verdict } from '../session/types';
import type { ShellPolicy } from '../shell/policy';
import { actionsForTask, apisForAgents, bindArguments, isWriteAction } from '../actions';
import { getTask } from '../tasks';
import { evaluate } from '../evaluation';
import { parseResponse, ResponseParsingError } from '../parser';
import { EventHub, type SessionPhase } from './events';
import { addTokenUsage } from '../session/figures';

/** The first observation and the suffix of every later one, as in the original. */
export const NEXT_ACTION = 'Please take the next action';
export const VALID_SUBMISSION = 'Submission received. The episode ends here; your answer will be evaluated.';

export interface OrchestratorDeps {
  env: ProblemEnvironment;
  journal: RecoveryJournal;
  store: SessionStore;
  clock: Clock;
  newId: () => string;
  versions?: Record<string, string>;
}

export interface SessionOptions {
  problem: ProblemDefinition;
  app: AppDefinition;
  agent: Agent;
  /** Name recorded in the session (defaults to agent.name). */
  agentName?: string;
  maxSteps: number;
  /** Wall-clock budget for the agent loop; 0 = none. */
  wallClockMs?: number;
  signal?: AbortSignal;
  shellPolicy?: ShellPolicy;
  workloadMode?: SessionRecord['workload_mode'];
  /** Settle window for mitigation checks. */
  settle?: { windowMs: number; intervalMs: number };
  /** Keep the app deployed after the session (the fault is always recovered). */
  keepApp?: boolean;
  /** Known session id (for interactive sessions created before they start). */
  sessionId?: string;
  /**
   * The original's onboarding assessment: a submission ends the episode only when it scores success; otherwise the
   * agent is told why and goes on.
   */
  untilSolved?: boolean;
  /** While the agent works, read the app's telemetry this often for live charts (default 20 s; 0 = only at the end). */
  liveTelemetryMs?: number;
}

class Cancelled extends Error {}

function throwIfCancelled(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw new Cancelled('cancelled');
}

/** What one run accumulates as it goes: the record, and the bookkeeping that the phases hand on to each other. */
interface Episode {
  options: SessionOptions;
  sessionId: string;
  sessionDir: string;
  record: SessionRecord;
  executionStart: number;
  /** Set once the fault is written down: cleanup recovers it. */
  journalEntry?: JournalEntry;
  deployStart?: number;
  solution: unknown;
  submitted: boolean;
  loopStart: number;
  loopEnd: number;
}

/**
 * Runs one problem with one agent: init (preflight, deploy, journal, inject, workload) → agent loop → evaluate →
 * cleanup (recover, remove the app, clear the journal). Recovery runs on every exit path: success, step budget,
 * wall-clock budget, cancellation and errors.
 */
export class Orchestrator {
  readonly events = new EventHub();

  constructor(private readonly deps: OrchestratorDeps) {}

  async run(options: SessionOptions): Promise<SessionRecord> {
    const episode = this.begin(options);
    const { record } = episode;
    const signal = options.signal;
    let stopLiveTelemetry = (): void => undefined;
    try {
      await this.setUp(episode);
      stopLiveTelemetry = await this.startAgent(episode);
      await this.agentLoop(episode);
      episode.loopEnd = this.deps.clock.now();
      if (record.status === 'running') record.status = 'completed';
    } catch (error) {
      stopLiveTelemetry();
      episode.loopEnd = this.deps.clock.now();
      if (error instanceof Cancelled || signal?.aborted) {
        record.status = 'cancelled';
        record.error = 'The session was cancelled before it finished.';
      } else {
        record.status = 'error';
        record.error = errorMessage(error);
      }
    }
    stopLiveTelemetry();
    record.end_time = episode.loopEnd / 1000;
    await this.evaluateEpisode(episode);
    await this.recordTelemetry(episode);
    await this.cleanup(options.problem, options.app, episode.journalEntry, record, options.keepApp === true);
    return this.finish(episode);
  }

  /** The session record as it starts, announced to listeners. */
  private begin(options: SessionOptions): Episode {
    const { env, store, clock } = this.deps;
    const { problem, app, agent } = options;
    const sessionId = options.sessionId ?? this.deps.newId();
    const executionStart = clock.now();
    const record: SessionRecord = {
      agent: options.agentName ?? agent.name,
      session_id: sessionId,
      problem_id: problem.id,
      start_time: executionStart / 1000,
      end_time: executionStart / 1000,
      trace: [],
      results: {},
      task_type: problem.task,
      app: app.id,
      status: 'running',
      steps: [],
      max_steps: options.maxSteps,
      tokens: { input: 0, output: 0, cost_usd: 0, source: 'none' },
      environment: env.info,
      workload_mode: options.workloadMode ?? 'steady',
      shell_policy: options.shellPolicy ?? 'guarded',
      versions: this.deps.versions ?? {},
      timeline: {},
    };
    this.events.emit({ type: 'session-started', sessionId, problemId: problem.id, agent: record.agent, maxSteps: options.maxSteps, task: problem.task, app: app.id, environment: env.info });
    return {
      options, sessionId, record, executionStart,
      sessionDir: store.sessionDir(sessionId),
      solution: undefined, submitted: false, loopStart: executionStart, loopEnd: executionStart,
    };
  }

  private emitPhase(episode: Episode, phase: SessionPhase, detail?: string, atMs = this.deps.clock.now()): void {
    this.events.emit({ type: 'phase', sessionId: episode.sessionId, phase, detail, atMs });
  }

  /** Preflight, deploy, journal, inject, workload. The fault is written down before it is applied. */
  private async setUp(episode: Episode): Promise<void> {
    const { env, journal, clock } = this.deps;
    const { problem, app, signal } = episode.options;
    throwIfCancelled(signal);
    this.emitPhase(episode, 'preflight');
    await env.preflight(problem, app, signal);
    throwIfCancelled(signal);
    this.emitPhase(episode, 'deploy', app.name);
    episode.deployStart = clock.now();
    await env.deployApp(app, signal, (detail) => this.emitPhase(episode, 'deploy', detail));
    throwIfCancelled(signal);
    episode.journalEntry = {
      id: episode.sessionId,
      problemId: problem.id,
      sessionId: episode.sessionId,
      cluster: env.info.cluster,
      namespace: app.namespace,
      fault: problem.fault,
      appId: app.id,
      createdAt: new Date(clock.now()).toISOString(),
    };
    // Written down before it is applied: a crash between these two lines still leaves a record to undo.
    await journal.add(episode.journalEntry);
    this.emitPhase(episode, 'inject', problem.fault.kind);
    await env.injectFault(problem, app);
    episode.record.timeline!.injectedAt = clock.now();
    throwIfCancelled(signal);
    this.emitPhase(episode, 'workload');
    await env.startWorkload(problem, app);
  }

  /** Gives the agent its task and starts the live telemetry; returns the telemetry's stopper. */
  private async startAgent(episode: Episode): Promise<() => void> {
    const { problem, app, agent } = episode.options;
    const task = getTask(problem.task);
    const context: AgentContext = {
      problemId: problem.id,
      task: problem.task,
      problemDescription: task.describe(app, problem),
      instructions: task.instructions,
      apis: apisForAgents(problem.task),
      actions: actionsForTask(problem.task),
    };
    await agent.initContext(context);
    episode.loopStart = this.deps.clock.now();
    episode.record.start_time = episode.loopStart / 1000;
    // The agent's episode (Elapsed, TTx) starts now: the phase says when, so a live view counts from the same instant.
    this.emitPhase(episode, 'agent', undefined, episode.loopStart);
    return this.liveTelemetry(episode.sessionId, app, episode.deployStart!, episode.record.timeline!.injectedAt, episode.options.liveTelemetryMs ?? LIVE_TELEMETRY_MS, problem.fault.target);
  }

  /** Turns until a submission is accepted, the step budget or the wall-clock budget runs out. */
  private async agentLoop(episode: Episode): Promise<void> {
    const { clock } = this.deps;
    const { options, record } = episode;
    const deadline = options.wallClockMs ? episode.loopStart + options.wallClockMs : Infinity;
    let observation = NEXT_ACTION;
    for (let step = 0; step < options.maxSteps; step++) {
      throwIfCancelled(options.signal);
      if (clock.now() >= deadline) {
        record.status = 'timeout';
        break;
      }
      const outcome = await this.step(episode, step, observation, deadline);
      if (outcome.accepted) {
        episode.solution = outcome.solution;
        episode.submitted = true;
        break;
      }
      observation = outcome.observation + '\n' + NEXT_ACTION;
    }
  }

  /** One turn: ask the agent, perform what it asked, record the step. */
  private async step(episode: Episode, step: number, observation: string, deadline: number): Promise<TurnOutcome & { accepted: boolean }> {
    const { clock, env } = this.deps;
    const { options, record, sessionId } = episode;
    const { problem, app, agent, signal } = options;
    const stepStart = clock.now();
    const turn = await this.askAgent(agent, observation, signal, deadline);
    const agentMs = clock.now() - stepStart;
    record.trace.push({ role: 'assistant', content: turn.text || (turn.toolCall ? `${turn.toolCall.name}(${JSON.stringify(turn.toolCall.arguments)})` : '') });
    addTokenUsage(record.tokens, turn.usage);
    const stepRecord: StepRecord = { step, reply: turn.text, observation: '', agentMs, actionMs: 0, startedAt: stepStart, usage: turn.usage };
    if (turn.toolCall) stepRecord.toolCall = turn.toolCall;
    const actionStart = clock.now();
    const outcome = await this.performTurn(turn, problem, app, sessionId, episode.sessionDir, signal);
    let accepted = outcome.submitted === true;
    if (accepted && options.untilSolved) {
      const { verdict } = await evaluate({
        problem, solution: outcome.solution, submitted: true, trace: record.trace, durationSec: (clock.now() - episode.loopStart) / 1000,
        probe: env.probe, clock, namespace: app.namespace, settle: options.settle,
      });
      if (!verdict.success) {
        accepted = false;
        outcome.observation = `Submission not accepted: ${verdict.explanation} Keep investigating and submit again.`;
      }
    }
    stepRecord.actionMs = clock.now() - actionStart;
    if (outcome.action) stepRecord.action = outcome.action;
    if (outcome.parseError) stepRecord.parseError = outcome.parseError;
    stepRecord.write = outcome.write;
    stepRecord.observation = outcome.observation;
    this.events.emit({ type: 'step-parsed', sessionId, step, reply: turn.text, action: outcome.action, parseError: outcome.parseError });
    record.trace.push({ role: 'env', content: outcome.observation });
    record.steps.push(stepRecord);
    this.events.emit({ type: 'observation', sessionId, step: stepRecord });
    return { ...outcome, accepted };
  }

  /** Scores the episode while the cluster still shows the agent's end state (mitigation is judged on it). */
  private async evaluateEpisode(episode: Episode): Promise<void> {
    const { env, clock } = this.deps;
    const { record, options } = episode;
    if (record.status === 'completed' || record.status === 'timeout') {
      this.emitPhase(episode, 'evaluate');
      try {
        const { results, verdict } = await evaluate({
          problem: options.problem,
          solution: episode.solution,
          submitted: episode.submitted,
          trace: record.trace,
          durationSec: (episode.loopEnd - episode.loopStart) / 1000,
          probe: env.probe,
          clock,
          namespace: options.app.namespace,
          settle: options.settle,
        });
        record.results = results;
        record.verdict = verdict;
      } catch (error) {
        record.status = 'error';
        record.error = `Evaluation failed: ${errorMessage(error)}`;
      }
    }
    if (record.status !== 'completed' && !record.verdict) {
      record.verdict = notEvaluated(record.status, episode.submitted, episode.solution);
    }
    this.events.emit({ type: 'evaluated', sessionId: episode.sessionId, record });
  }

  /** The app's telemetry over the episode, for the transcript's charts; read while the app still runs. Never fails the session. */
  private async recordTelemetry(episode: Episode): Promise<void> {
    const { env } = this.deps;
    const { record, deployStart } = episode;
    if (deployStart === undefined || record.timeline?.injectedAt === undefined || !env.collectTelemetry) return;
    try {
      record.telemetry = await withTimeout(env.collectTelemetry(episode.options.app, deployStart, episode.options.problem.fault.target), TELEMETRY_TIMEOUT_MS, 'Reading the telemetry took too long');
    } catch (error) {
      (record.notes ??= []).push(`No telemetry recorded: ${errorMessage(error)}`);
    }
  }

  /** Overhead figure, the agent closed, the record saved and announced. */
  private async finish(episode: Episode): Promise<SessionRecord> {
    const { record } = episode;
    record.framework_overhead = (this.deps.clock.now() - episode.executionStart) / 1000 - (episode.loopEnd - episode.loopStart) / 1000;
    try {
      await episode.options.agent.dispose?.();
    } catch {
      // An agent that fails to close does not change the outcome.
    }
    let file: string | undefined;
    try {
      file = await this.deps.store.save(record);
    } catch (error) {
      record.error = (record.error ? record.error + ' ' : '') + `Saving the session failed: ${errorMessage(error)}`;
    }
    this.events.emit({ type: 'session-ended', sessionId: episode.sessionId, record, file });
    return record;
  }

  /**
   * Reads the app's telemetry every `everyMs` while the agent works and emits it (live charts). At most one read at a
   * time; failures are ignored (the final read at the end of the episode records the reason). Returns the stopper.
   */
  private liveTelemetry(sessionId: string, app: AppDefinition, sinceMs: number, injectedAt: number | undefined, everyMs: number, faultTarget: string | undefined): () => void {
    const env = this.deps.env;
    if (!env.collectTelemetry || !(everyMs > 0)) return () => undefined;
    let busy = false;
    let stopped = false;
    const timer = setInterval(() => {
      if (busy || stopped) return;
      busy = true;
      withTimeout(env.collectTelemetry!(app, sinceMs, faultTarget), TELEMETRY_TIMEOUT_MS, 'Reading the telemetry took too long')
        .then((telemetry) => {
          if (!stopped) this.events.emit({ type: 'telemetry', sessionId, telemetry, injectedAt });
        })
        .catch(() => undefined)
        .finally(() => {
          busy = false;
        });
    }, everyMs);
    (timer as { unref?: () => void }).unref?.();
    return () => {
      stopped = true;
      clearInterval(timer);
    };
  }

  private async cleanup(problem: ProblemDefinition, app: AppDefinition, entry: JournalEntry | undefined, record: SessionRecord, keepApp: boolean): Promise<void> {
    const { env, journal, clock } = this.deps;
    if (entry) {
      this.events.emit({ type: 'phase', sessionId: record.session_id, phase: 'recover' });
      try {
        await env.recoverFault(problem, app);
        record.timeline!.recoveredAt = clock.now();
        await journal.remove(entry.id);
      } catch (error) {
        // The journal entry stays, so the next start or `aiopslab recover` undoes it.
        record.error = (record.error ? record.error + ' ' : '') + `Recovering the fault failed (it stays in the recovery journal): ${errorMessage(error)}`;
      }
    }
    if (!keepApp) {
      this.events.emit({ type: 'phase', sessionId: record.session_id, phase: 'cleanup' });
      try {
        const leftovers = await env.removeApp(app);
        if (leftovers && leftovers.length) record.leftovers = leftovers;
      } catch (error) {
        record.error = (record.error ? record.error + ' ' : '') + `Removing the app failed: ${errorMessage(error)}`;
      }
    }
  }

  private async askAgent(agent: Agent, observation: string, signal: AbortSignal | undefined, deadline: number): Promise<AgentTurn> {
    const pending = agent.getAction(observation, signal).then(toAgentTurn);
    const waits: Array<Promise<AgentTurn>> = [pending];
    let timer: ReturnType<typeof setTimeout> | undefined;
    let onAbort: (() => void) | undefined;
    if (signal) {
      waits.push(new Promise<AgentTurn>((_, reject) => {
        onAbort = () => reject(new Cancelled('cancelled'));
        if (signal.aborted) onAbort();
        else signal.addEventListener('abort', onAbort, { once: true });
      }));
    }
    if (Number.isFinite(deadline)) {
      const remaining = Math.max(0, deadline - this.deps.clock.now());
      waits.push(new Promise<AgentTurn>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`The agent did not answer within the session's wall-clock budget.`)), remaining);
      }));
    }
    try {
      return await Promise.race(waits);
    } finally {
      if (timer) clearTimeout(timer);
      if (onAbort && signal) signal.removeEventListener('abort', onAbort);
      pending.catch(() => undefined);
    }
  }

  /** Turns one agent turn into an action and its observation. Never throws for agent mistakes: they become observations. */
  private async performTurn(
    turn: AgentTurn,
    problem: ProblemDefinition,
    app: AppDefinition,
    sessionId: string,
    sessionDir: string,
    signal: AbortSignal | undefined,
  ): Promise<TurnOutcome> {
    let name: string;
    let args: unknown[];
    let kwargs: Record<string, unknown>;
    let structured = false;
    if (turn.toolCall) {
      name = turn.toolCall.name;
      args = [];
      kwargs = turn.toolCall.arguments ?? {};
      structured = true;
    } else {
      try {
        const actions = actionsForTask(problem.task);
        const submit = actions.find((a) => a.name === 'submit');
        const parsed = parseResponse(turn.text, {
          knownApis: actions.map((a) => a.name),
          ...(submit?.usage ? { examples: { submit: submit.usage } } : {}),
        });
        name = parsed.api_name;
        args = parsed.args;
        kwargs = parsed.kwargs;
      } catch (error) {
        if (error instanceof ResponseParsingError) return { observation: error.message, parseError: error.message, write: false };
        throw error;
      }
    }
    const action = { name, args, kwargs, ...(structured ? { structured } : {}) };
    const definition = actionsForTask(problem.task).find((a) => a.name === name);
    if (!definition) {
      const known = actionsForTask(problem.task).map((a) => a.name).join(', ');
      return { action, observation: `Invalid action: ${name}. Available actions: ${known}.`, write: false };
    }
    const bound = bindArguments(definition, args, kwargs);
    if (!bound.ok) return { action, observation: bound.error, write: false };
    if (name === 'submit') {
      const values = Object.values(bound.values);
      const solution = values.length === 1 ? values[0] : values.length === 0 ? undefined : values;
      return { action, observation: VALID_SUBMISSION, submitted: true, solution, write: problem.task === 'mitigation' };
    }
    const write = isWriteAction(name, problem.task);
    try {
      const observation = await this.deps.env.runAction(name, bound.values, { sessionId, sessionDir, namespace: app.namespace, signal });
      return { action, observation, write };
    } catch (error) {
      if (signal?.aborted) throw new Cancelled('cancelled');
      return { action, observation: `Error: ${errorMessage(error)}`, write };
    }
  }
}

interface TurnOutcome {
  observation: string;
  action?: StepRecord['action'];
  parseError?: string;
  submitted?: boolean;
  solution?: unknown;
  write: boolean;
}

const TELEMETRY_TIMEOUT_MS = 20_000;
const LIVE_TELEMETRY_MS = 20_000;

function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} (over ${Math.round(ms / 1000)} s).`)), ms);
  });
  promise.catch(() => undefined);
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

function notEvaluated(status: SessionStatus, submitted: boolean, solution: unknown): Verdict {
  const why = status === 'cancelled' ? 'the session was cancelled' : status === 'error' ? 'the session ended with an error' : `the session ended as ${status}`;
  return { success: false, expected: null, given: submitted ? solution : null, explanation: `Not evaluated: ${why}.` };
}

export function errorMessage(error: unknown): string {
  if (error instanceof Error) return error.message;
  return String(error);
}

export type { Results };
