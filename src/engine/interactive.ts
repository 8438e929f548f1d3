import { PushAgent } from '../core/agents/push-agent';
import type { AgentContext, AgentTurn } from '../core/agents/types';
import type { SessionEvent } from '../core/orchestrator/events';
import type { SessionRecord, StepRecord } from '../core/session/types';
import type { EnvironmentInfo } from '../core/ports/environment';

export interface StepResult {
  step: number;
  observation: string;
  /** The parsed action, or the parse error the agent was told. */
  action?: StepRecord['action'];
  parseError?: string;
  done: boolean;
  record?: SessionRecord;
}

export class SessionNotReadyError extends Error {}

/**
 * A session driven one action at a time from outside. It runs the ordinary orchestrator loop with a PushAgent, so
 * budgets, parsing, recording, evaluation and recovery are exactly those of autonomous runs.
 */
export class InteractiveSession {
  readonly agent: PushAgent;
  readonly abort = new AbortController();
  record: SessionRecord | undefined;
  error: string | undefined;
  /** The cluster the session runs on (with its kubeconfig), known once the session has started. */
  environment: EnvironmentInfo | undefined;
  private run: Promise<SessionRecord> | undefined;
  private lastStep: StepRecord | undefined;
  private busy = false;

  constructor(readonly id: string, agentName: string) {
    this.agent = new PushAgent(agentName);
  }

  get done(): boolean {
    return this.record !== undefined || this.error !== undefined;
  }

  get context(): AgentContext | undefined {
    return this.agent.context;
  }

  attach(run: Promise<SessionRecord>): void {
    this.run = run.then(
      (record) => {
        this.record = record;
        return record;
      },
      (error: Error) => {
        this.error = error.message;
        throw error;
      },
    );
    this.run.catch(() => undefined);
  }

  onEvent(event: SessionEvent): void {
    if (event.type === 'session-started') this.environment = event.environment;
    if (event.type === 'observation') this.lastStep = event.step;
  }

  /** Resolves once the app is deployed, the fault injected and the loop waits for the first action. */
  async ready(): Promise<AgentContext> {
    const ended = this.run!.then((record) => {
      throw new Error(record.error ?? `The session ended (${record.status}) before it was ready.`);
    });
    await Promise.race([this.agent.whenAsked(), ended]);
    return this.agent.context!;
  }

  async step(turn: AgentTurn): Promise<StepResult> {
    if (this.done) throw new SessionNotReadyError('This session has ended; start a new one.');
    if (this.busy || !this.agent.isWaiting) throw new SessionNotReadyError('The previous action is still running; wait for its observation.');
    this.busy = true;
    try {
      const before = this.lastStep;
      this.agent.reply(turn);
      // Registered after reply(): the loop is no longer waiting, so this waits for its next question.
      const next = this.agent.whenAsked().then(() => false);
      const ended = this.run!.then(() => true, () => true);
      const done = await Promise.race([next, ended]);
      const step = this.lastStep !== before ? this.lastStep : undefined;
      const observation = step?.observation ?? (this.record?.error ? `Error: ${this.record.error}` : '');
      if (done) await this.run!.catch(() => undefined);
      return { step: step?.step ?? -1, observation, action: step?.action, parseError: step?.parseError, done, record: done ? this.record : undefined };
    } finally {
      this.busy = false;
    }
  }

  /** Stops the session: the loop ends as cancelled, the fault is recovered and the app removed. */
  async stop(): Promise<SessionRecord | undefined> {
    this.abort.abort();
    this.agent.close();
    try {
      return await this.run;
    } catch {
      return undefined;
    }
  }

  async finished(): Promise<SessionRecord | undefined> {
    try {
      return await this.run;
    } catch {
      return undefined;
    }
  }
}
