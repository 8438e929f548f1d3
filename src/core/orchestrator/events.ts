import type { SessionRecord, SessionTelemetry, StepRecord } from '../session/types';
import type { TaskType } from '../tasks/task-type';
import type { EnvironmentInfo } from '../ports/environment';

/** Events a session emits so that the CLI, the HTTP service and the extension can follow it live. */
export type SessionPhase = 'preflight' | 'deploy' | 'inject' | 'workload' | 'agent' | 'evaluate' | 'recover' | 'cleanup';

export type SessionEvent =
  | { type: 'session-started'; sessionId: string; problemId: string; agent: string; maxSteps: number; task: TaskType; app: string; environment: EnvironmentInfo }
  /** `atMs`: when the phase began (the orchestrator's clock; for 'agent', the start of the agent's episode). */
  | { type: 'phase'; sessionId: string; phase: SessionPhase; detail?: string; atMs?: number }
  | { type: 'step-parsed'; sessionId: string; step: number; reply: string; action?: StepRecord['action']; parseError?: string }
  | { type: 'observation'; sessionId: string; step: StepRecord }
  /** The app's telemetry so far, read now and then while the agent works (live charts); the final one is in the record. */
  | { type: 'telemetry'; sessionId: string; telemetry: SessionTelemetry; injectedAt?: number }
  | { type: 'evaluated'; sessionId: string; record: SessionRecord }
  | { type: 'session-ended'; sessionId: string; record: SessionRecord; file?: string };

export type SessionListener = (event: SessionEvent) => void;

/** A tiny typed event hub (no node 'events' import so core stays platform-free). */
export class EventHub {
  private readonly listeners = new Set<SessionListener>();

  on(listener: SessionListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  emit(event: SessionEvent): void {
    for (const listener of [...this.listeners]) {
      try {
        listener(event);
      } catch {
        // A failing observer must never break the session it observes.
      }
    }
  }
}
