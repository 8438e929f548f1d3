/**
 * Messages between the extension host and the transcript webview. This one file is imported by both sides
 * (src/extension/panel and webview/main.ts), so a change to a message is a type error on whichever side lags.
 * It imports nothing at runtime (types only), so the webview bundle stays small.
 */
import type { MetricValue, SessionRecord, SessionStatus, SessionTelemetry, Verdict } from '../core/session/types';
import type { TokenFigures } from '../core/session/figures';

export const PROTOCOL_VERSION = 1;

export interface ActionView {
  name: string;
  args: unknown[];
  kwargs: Record<string, unknown>;
  structured?: boolean;
}

export interface StepView {
  step: number;
  reply: string;
  action?: ActionView;
  parseError?: string;
  /** Undefined while the action runs (the reply is parsed, the observation not back yet). */
  observation?: string;
  write?: boolean;
  agentMs?: number;
  actionMs?: number;
  startedAt?: number;
  tokens?: { input: number; output: number };
}

export interface HeaderView {
  sessionId: string;
  problemId: string;
  task: string;
  app: string;
  agent: string;
  status: SessionStatus | 'starting';
  phase?: string;
  phaseDetail?: string;
  steps: number;
  maxSteps: number;
  /** When the agent's episode started (ms; Elapsed counts from here); undefined while the session is still being set up. */
  startTime?: number;
  endTime?: number;
  /** The model's token usage and cost so far (the session record's at the end). */
  tokens?: TokenFigures;
  live: boolean;
  replay: boolean;
  /** The panel may send actions (a human or chat session of this window). */
  interactive: boolean;
}

export interface ResultsView {
  verdict?: Verdict;
  metrics: Array<[string, MetricValue]>;
  tokens?: TokenFigures;
  error?: string;
  /** Set-up and clean-up outside the agent's episode, seconds (the record's framework_overhead). */
  frameworkOverheadSec?: number;
  /** The app's request telemetry over the episode (charts), when the session recorded it. */
  telemetry?: SessionTelemetry;
  /** When the fault was injected and recovered (chart markers). */
  timeline?: SessionRecord['timeline'];
  /** Why there is no telemetry, and other remarks that did not change the outcome. */
  notes?: string[];
}

/** The app's telemetry read while the session runs (the charts before the results hold the final one). */
export interface LiveTelemetryView {
  telemetry: SessionTelemetry;
  injectedAt?: number;
}

/** What the agent is told: the problem statement, the instructions and the APIs it may call (shown to a human). */
export interface TaskView {
  description: string;
  instructions: string;
  apis: string[];
}

export interface TranscriptSnapshot {
  header: HeaderView;
  /** Known while the session runs in this window (interactive sessions). */
  task?: TaskView;
  steps: StepView[];
  results?: ResultsView;
  liveTelemetry?: LiveTelemetryView;
}

/** Host → webview. */
export type HostMessage =
  | { type: 'init'; version: number; snapshot: TranscriptSnapshot }
  | { type: 'header'; header: HeaderView }
  | { type: 'step'; step: StepView }
  | { type: 'results'; results: ResultsView; header: HeaderView }
  | ({ type: 'telemetry' } & LiveTelemetryView)
  | { type: 'action-result'; ok: boolean; message: string }
  /** The session the user acts in now in this window (a human or chat session), if any: past replies can run there. */
  | { type: 'acting'; session?: { id: string; problemId: string } }
  | { type: 'replay'; delayMs: number }
  | { type: 'pong'; id: number }
  /** Test/diagnostic hook: the page answers with `dom` for the selector. */
  | { type: 'query-dom'; id: number; selector: string }
  /** Scrolls the first element matching the selector to the top (e.g. the results and charts, for a screenshot). */
  | { type: 'reveal'; selector: string }
  /** Test hook: clicks the first element matching the selector, as a user would. */
  | { type: 'click'; selector: string };

/** Webview → host. */
export type WebviewMessage =
  | { type: 'ready' }
  | { type: 'ping'; id: number }
  | { type: 'send-action'; text: string }
  /** A past reply of the transcript (step 0-based), to open as an aiopslab-reply document (CodeLens, diagnostics, Run in session). */
  | { type: 'open-reply'; text: string; step?: number }
  /** A past reply of the transcript, to run again in the session the user is acting in now. */
  | { type: 'rerun-reply'; text: string }
  | { type: 'stop' }
  | { type: 'export-json' }
  | { type: 'rendered'; steps: number; ms: number }
  | { type: 'dom'; id: number; count: number; texts: string[] };

const HOST_TYPES = new Set<HostMessage['type']>(['init', 'header', 'step', 'results', 'action-result', 'acting', 'replay', 'pong', 'query-dom', 'reveal', 'click', 'telemetry']);
const WEBVIEW_TYPES = new Set<WebviewMessage['type']>(['ready', 'ping', 'send-action', 'open-reply', 'rerun-reply', 'stop', 'export-json', 'rendered', 'dom']);

function isObj(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Validates a message received from the webview (the page is untrusted input for the host). */
export function isWebviewMessage(v: unknown): v is WebviewMessage {
  if (!isObj(v) || typeof v.type !== 'string' || !WEBVIEW_TYPES.has(v.type as WebviewMessage['type'])) return false;
  switch (v.type) {
    case 'ping':
      return typeof v.id === 'number';
    case 'open-reply':
      return typeof v.text === 'string' && v.text.length <= 100_000 && (v.step === undefined || (Number.isInteger(v.step) && (v.step as number) >= 0));
    case 'send-action':
    case 'rerun-reply':
      return typeof v.text === 'string' && v.text.length <= 100_000;
    case 'rendered':
      return typeof v.steps === 'number' && typeof v.ms === 'number';
    case 'dom':
      return typeof v.id === 'number' && typeof v.count === 'number' && Array.isArray(v.texts);
    default:
      return true;
  }
}

export function isHostMessage(v: unknown): v is HostMessage {
  if (!isObj(v) || typeof v.type !== 'string' || !HOST_TYPES.has(v.type as HostMessage['type'])) return false;
  switch (v.type) {
    case 'init':
      return isObj(v.snapshot) && isObj((v.snapshot).header) && Array.isArray((v.snapshot).steps);
    case 'step':
      return isObj(v.step) && typeof (v.step).step === 'number';
    case 'header':
      return isObj(v.header);
    case 'results':
      return isObj(v.results) && isObj(v.header);
    default:
      return true;
  }
}

/** State the webview keeps with `setState` and the serializer hands back after a reload. */
export interface PanelState {
  sessionId: string;
  replay?: boolean;
}
