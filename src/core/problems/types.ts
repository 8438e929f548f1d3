import type { TaskType } from '../tasks/task-type';

/**
 * A fault as data: which injector, where, with what parameters. Injectors (src/env/faults/) act on the cluster the
 * way an SRE would on a real one; the twin only reacts to the resulting cluster state.
 */
export interface FaultSpec {
  /** Injector kind, e.g. `k8s-target-port`, `scale-to-zero`, `chaos-pod-failure`, `mongo-revoke-auth`, `flagd`, `noop`. */
  kind: string;
  /** The service the fault is aimed at, if any. */
  target?: string;
  params: Record<string, unknown>;
}

export interface Wrk2Workload {
  kind: 'wrk2';
  rate: number;
  dist: 'exp' | 'norm' | 'fixed' | 'zipf';
  connections: number;
  /** Seconds, as the original's one-shot run. */
  duration: number;
  threads: number;
  /** Lua script name under the app's workload scripts. */
  script: string;
  /** Target: a Service and port in the app namespace plus a path. */
  url: { service: string; port: number; path: string };
}

export type WorkloadSpec = Wrk2Workload | { kind: 'none'; reason?: string } | { kind: 'flwr'; command: string };

/** A check of the live cluster after a mitigation episode. Evaluated by src/core/evaluation over a settle window. */
export type MitigationCheck =
  | { kind: 'all-pods-healthy'; /** strict: a pod without container statuses fails; guarded: it is skipped */ mode: 'strict' | 'guarded' }
  | { kind: 'service-target-port'; service: string; port: number }
  | { kind: 'deployment-replicas'; deployment: string; replicas: number; available: number }
  | { kind: 'pod-exists'; nameContains: string }
  | { kind: 'container-command-contains'; deployment: string; container?: string; value: string }
  | { kind: 'pods-ready-within'; seconds: number }
  /** Ours: no data value of the ConfigMap contains `text` (e.g. `requireTLS` left in Mongo's config). Needs ClusterProbe.getConfigMap. */
  | { kind: 'configmap-not-contains'; configMap: string; text: string }
  /** Ours: flag `flag` in the flagd ConfigMap's `demo.flagd.json` has `defaultVariant` == `variant`. Needs ClusterProbe.getConfigMap. */
  | { kind: 'flagd-flag'; configMap: string; flag: string; variant: string };

export type GroundTruth =
  | { task: 'detection'; expected: 'Yes' | 'No' }
  | { task: 'localization'; services: string[]; aliases: string[] }
  | { task: 'analysis'; system_level: string; fault_type: string }
  | { task: 'mitigation'; checks: MitigationCheck[] };

/** The agent-facing actions an investigation step may call (every action but submit). */
export const INVESTIGATION_ACTIONS = ['exec_shell', 'get_logs', 'get_metrics', 'get_traces', 'read_metrics', 'read_traces'] as const;
export type InvestigationAction = (typeof INVESTIGATION_ACTIONS)[number];

/**
 * One step of a problem's oracle investigation: an agent-facing call an SRE would make, and the evidence its
 * observation must show. In `args`, the text `{exported}` stands for the file the latest get_traces / get_metrics
 * call reported (so `read_traces` can read it).
 */
export interface InvestigationStep {
  action: InvestigationAction;
  args: Array<string | number>;
  /** A regular expression (JavaScript syntax, case-sensitive) the observation must match: the evidence. */
  expect?: string;
  /** A regular expression the observation must not match (evidence of absence, e.g. for no-fault problems). */
  expectNot?: string;
  /**
   * Seconds the symptom may take to show (a crash loop, a log line not yet written): until then the oracle repeats
   * the call every half second, as an SRE looks again; after that a missing evidence fails.
   */
  within?: number;
}

/** One registered problem after its family file's variants have been expanded. */
export interface ProblemDefinition {
  id: string;
  family: string;
  task: TaskType;
  /** App id (`hotel-reservation`, …). */
  app: string;
  /** A one-line human summary of the fault, shown in UIs (never to the agent). */
  summary: string;
  fault: FaultSpec;
  workload: WorkloadSpec;
  groundTruth: GroundTruth;
  /** Defined but not registered in the original: left out of default runs. */
  experimental: boolean;
  /**
   * Localization problems whose answer may name custom resources, not only services (the original's operator
   * problems: the faulty object is a TidbCluster); their task description says so and accepts `None`.
   */
  localizationAnswer?: 'resources';
  /** How an SRE fixes it: shell commands (kubectl …) that an oracle run executes; used to prove mitigation scoring. */
  solution?: string[];
  /**
   * How an SRE finds the fault with the agent-facing APIs (every task of the family; mitigation runs it before
   * `solution`). The oracle replays it, checks each step's evidence, then submits the expected answer.
   */
  investigation?: InvestigationStep[];
  /** The file this problem came from, for error messages and "Open definition". */
  sourceFile: string;
  /** Position of the family in the original registry; lower first. Experimental families come after. */
  order?: number;
}
