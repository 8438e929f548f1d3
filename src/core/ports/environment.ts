import type { AppDefinition } from '../apps/types';
import type { ProblemDefinition } from '../problems/types';
import type { CleanupLeftover } from '../session/types';

/**
 * The cluster world as the orchestrator needs it. Implemented by src/env/ over any Kubernetes cluster (the
 * embedded twin or a real one); the orchestrator never knows which.
 */
export interface ProblemEnvironment {
  readonly info: EnvironmentInfo;
  /** Makes sure the app's namespace is clean (or cleans it) so a problem never starts on a dirty cluster. */
  preflight(problem: ProblemDefinition, app: AppDefinition, signal?: AbortSignal): Promise<void>;
  /** Deploys the app and waits for it; `onProgress` hears, on a slow cluster, what it is still waiting for. */
  deployApp(app: AppDefinition, signal?: AbortSignal, onProgress?: (detail: string) => void): Promise<void>;
  injectFault(problem: ProblemDefinition, app: AppDefinition): Promise<void>;
  recoverFault(problem: ProblemDefinition, app: AppDefinition): Promise<void>;
  startWorkload(problem: ProblemDefinition, app: AppDefinition): Promise<void>;
  /** Removes the app from the cluster; returns what could not be removed, each with why and how (none: all went). */
  removeApp(app: AppDefinition): Promise<CleanupLeftover[] | void>;
  /** Runs one agent-facing action other than `submit` and returns the observation text. */
  runAction(name: string, args: Record<string, unknown>, context: ActionRunContext): Promise<string>;
  /** Read access for evaluators (mitigation checks). */
  readonly probe: ClusterProbe;
  /**
   * The app's request telemetry from `sinceMs` until now, for the session record (optional). Throws with the reason
   * when there is none to read (no Prometheus, no request metrics for the app). `faultTarget`: the service the fault
   * is aimed at, always charted.
   */
  collectTelemetry?(app: AppDefinition, sinceMs: number, faultTarget?: string): Promise<import('../session/types').SessionTelemetry>;
  dispose(): Promise<void>;
}

export interface EnvironmentInfo {
  kind: 'embedded' | 'kubernetes' | 'fake';
  /** API server URL or context name. */
  cluster: string;
  kubeconfigPath?: string;
  kubernetesVersion?: string;
  /**
   * How the agent's exec_shell is contained: `sandbox` (an OS sandbox behind the guarded policy), `policy-only` (the
   * guarded policy alone: no sandbox can run here, or it is turned off) or `none` (the open policy). Results of
   * different isolation are not comparable.
   */
  isolation?: Isolation;
  /** Why the shell is not sandboxed (policy-only, none). */
  isolationReason?: string;
  /** Whom the agent acts as on a real cluster (its own ServiceAccount, or the user's credentials when configured so). */
  agentIdentity?: string;
}

export type Isolation = 'sandbox' | 'policy-only' | 'none';

export interface ActionRunContext {
  sessionId: string;
  /** Folder the session may write into (exports of metrics and traces, shell redirections). */
  sessionDir: string;
  namespace: string;
  signal?: AbortSignal;
}

/** Raw Kubernetes JSON objects, read through the cluster's API. */
export interface ClusterProbe {
  listPods(namespace: string): Promise<KubeJson[]>;
  getService(namespace: string, name: string): Promise<KubeJson | undefined>;
  getDeployment(namespace: string, name: string): Promise<KubeJson | undefined>;
  /** Optional: needed by the `configmap-not-contains` and `flagd-flag` mitigation checks. */
  getConfigMap?(namespace: string, name: string): Promise<KubeJson | undefined>;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type KubeJson = { metadata?: { name?: string; namespace?: string; [k: string]: any }; spec?: any; status?: any; [k: string]: any };

/** A fault written down before it is applied, so any later start can undo it (also after kill -9). */
export interface JournalEntry {
  id: string;
  problemId: string;
  sessionId: string;
  cluster: string;
  namespace: string;
  fault: ProblemDefinition['fault'];
  appId: string;
  createdAt: string;
  pid?: number;
  /** When that process started (Linux), so a pid reused by another process after a kill -9 is not taken for it. */
  pidStart?: string;
}

export interface RecoveryJournal {
  add(entry: JournalEntry): Promise<void>;
  remove(id: string): Promise<void>;
  list(): Promise<JournalEntry[]>;
}

/** Where sessions are stored (the results folder). */
export interface SessionStore {
  save(record: import('../session/types').SessionRecord): Promise<string>;
  load(sessionId: string): Promise<import('../session/types').SessionRecord | undefined>;
  list(): Promise<import('../session/types').SessionIndexEntry[]>;
  sessionDir(sessionId: string): string;
}

export interface Clock {
  now(): number;
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}
