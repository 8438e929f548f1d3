import { randomUUID } from 'node:crypto';
import * as path from 'node:path';
import type { Agent } from '../core/agents/types';
import type { AppDefinition } from '../core/apps/types';
import type { ProblemDefinition } from '../core/problems/types';
import type { Clock, JournalEntry, ProblemEnvironment } from '../core/ports/environment';
import type { CleanupLeftover, SessionRecord } from '../core/session/types';
import type { TaskType } from '../core/tasks/task-type';
import { Orchestrator } from '../core/orchestrator/orchestrator';
import { actionsForTask, bindArguments } from '../core/actions';
import { evaluate } from '../core/evaluation';
import type { SessionListener } from '../core/orchestrator/events';
import type { ProblemRegistry } from '../core/problems/registry';
import { loadCatalog, projectRoot } from '../env/catalog';
import { loadConfig, loadDotEnv, type AiopsConfig } from '../env/config';
import { FileJournal, isEmbeddedClusterEntry, sessionProcessAlive } from '../env/journal';
import { KubeEnvironment } from '../env/kube-environment';

import { FileSessionStore } from '../env/session-store';
import { openCluster, type ClusterHandle } from './cluster';
import { InteractiveSession } from './interactive';
import { versions } from './versions';

export interface EngineOptions {
  cwd?: string;
  configFile?: string;
  overrides?: Partial<AiopsConfig>;
  /** Folder with problems/ and apps/ (defaults to the package's own). */
  root?: string;
  env?: NodeJS.ProcessEnv;
  /**
   * Replaces the cluster for every session. Only tests use it (with an in-memory fake of the environment port);
   * everything shipped runs on a real or embedded cluster.
   */
  environmentFactory?: (app: AppDefinition) => Promise<ProblemEnvironment>;
  /**
   * Keeps one cluster open for every session of this engine and leaves each app deployed between sessions: the next
   * session of the same app checks it against its manifests and reuses it when it is clean (redeploys when not).
   * Batch runs (validate, benchmarks) use it; call dispose() at the end.
   */
  shareCluster?: boolean;
}

/** What `recoverLeftovers` found in the recovery journal and did about it. */
export interface LeftoverReport {
  recovered: JournalEntry[];
  failed: Array<{ entry: JournalEntry; error: string }>;
  skipped: Array<{ entry: JournalEntry; reason: string }>;
}

export interface RunOptions {
  problemId: string;
  agent: Agent;
  agentName?: string;
  maxSteps?: number;
  signal?: AbortSignal;
  onEvent?: SessionListener;
  keepApp?: boolean;
  sessionId?: string;
  untilSolved?: boolean;
  /**
   * Start the agent right after the fault is applied, without the problem's settle time (the original's sleep that
   * lets symptoms develop). For runs whose score cannot depend on it: validate's do-nothing and wrong answers of
   * tasks scored on the answer alone, and oracles that wait for their evidence (`within`) themselves.
   */
  skipInjectSettle?: boolean;
}

/**
 * Sessions running in this process, whichever engine runs them: the workers of a parallel evaluation are engines of
 * their own over one results folder, and one's start must not take another's journal entry for a leftover.
 */
const runningHere = new Set<string>();

export const realClock: Clock = {
  now: () => Date.now(),
  sleep: (ms, signal) =>
    new Promise<void>((resolve, reject) => {
      if (signal?.aborted) return reject(new Error('cancelled'));
      const timer = setTimeout(resolve, ms);
      signal?.addEventListener('abort', () => { clearTimeout(timer); reject(new Error('cancelled')); }, { once: true });
    }),
};

/**
 * The one engine every surface drives (CLI, HTTP service, VS Code extension): catalog, configuration, results,
 * recovery journal, clusters and sessions.
 */
export class Engine {
  readonly store: FileSessionStore;
  readonly journal: FileJournal;
  private readonly interactive = new Map<string, InteractiveSession>();
  private sharedCluster?: Promise<ClusterHandle>;
  /** The apps sessions of this batch deployed on the shared cluster (kept between sessions for reuse). */
  private readonly appsOnSharedCluster = new Map<string, AppDefinition>();

  private constructor(
    readonly config: AiopsConfig,
    readonly root: string,
    readonly problems: ProblemRegistry,
    readonly apps: Map<string, AppDefinition>,
    private readonly environmentFactory?: (app: AppDefinition) => Promise<ProblemEnvironment>,
    readonly shareCluster = false,
  ) {
    this.store = new FileSessionStore(config.resultsDir);
    this.journal = new FileJournal(path.join(config.resultsDir, '.state', 'recovery-journal.json'));
  }

  static create(options: EngineOptions = {}): Engine {
    const cwd = options.cwd ?? process.cwd();
    loadDotEnv(cwd, options.env ?? process.env);
    const config = loadConfig({ cwd, file: options.configFile, env: options.env, overrides: options.overrides });
    const root = options.root ?? projectRoot();
    const catalog = loadCatalog(root);
    return new Engine(config, root, catalog.problems, catalog.apps, options.environmentFactory, options.shareCluster ?? false);
  }

  /**
   * An engine for one worker of a batch (validate, eval --parallel): the same catalog, configuration (with
   * `overrides`) and environment, with a cluster of its own kept for the worker's whole batch (`shareCluster`).
   */
  batchWorker(overrides: Partial<AiopsConfig> = {}): Engine {
    return new Engine({ ...this.config, ...overrides }, this.root, this.problems, this.apps, this.environmentFactory, true);
  }

  get stateDir(): string {
    return path.join(this.config.resultsDir, '.state');
  }

  listProblems(filter: { task?: TaskType; app?: string; pattern?: string; includeExperimental?: boolean } = {}): ProblemDefinition[] {
    return this.problems.filter(filter);
  }

  problem(id: string): { problem: ProblemDefinition; app: AppDefinition } {
    const problem = this.problems.get(id);
    const app = this.apps.get(problem.app);
    if (!app) throw new Error(`Problem ${id} refers to app "${problem.app}", which is not in apps/.`);
    return { problem, app };
  }

  /** Runs one problem to the end (or to cancellation) and saves the session. */
  async run(options: RunOptions): Promise<SessionRecord> {
    const { problem, app } = this.problem(options.problemId);
    const sessionId = options.sessionId ?? randomUUID();
    runningHere.add(sessionId);
    try {
      return await this.runSession(problem, app, { ...options, sessionId });
    } finally {
      runningHere.delete(sessionId);
    }
  }

  private async runSession(problem: ProblemDefinition, app: AppDefinition, options: RunOptions & { sessionId: string }): Promise<SessionRecord> {
    await this.recoverLeftovers();
    const env = this.environmentFactory ? await this.environmentFactory(app) : await this.openEnvironment(app, options.skipInjectSettle ? 0 : undefined);
    const orchestrator = new Orchestrator({ env, journal: this.journal, store: this.store, clock: realClock, newId: randomUUID, versions: versions(this.root) });
    const unsubscribe = options.onEvent ? orchestrator.events.on(options.onEvent) : undefined;
    try {
      return await orchestrator.run({
        problem,
        app,
        agent: options.agent,
        agentName: options.agentName,
        maxSteps: options.maxSteps ?? this.config.maxSteps,
        wallClockMs: this.config.wallClockMinutes * 60_000,
        signal: options.signal,
        shellPolicy: this.config.shellPolicy,
        workloadMode: this.config.workload,
        settle: { windowMs: this.config.settleSeconds * 1000, intervalMs: 2000 },
        keepApp: options.keepApp,
        sessionId: options.sessionId,
        untilSolved: options.untilSolved,
      });
    } finally {
      unsubscribe?.();
      await env.dispose();
    }
  }

  /** Starts a session whose agent acts from outside (HTTP step API, human, chat); returns once it is ready for a first action. */
  async startInteractive(options: { problemId: string; agentName: string; maxSteps?: number; onEvent?: SessionListener }): Promise<InteractiveSession> {
    const session = new InteractiveSession(randomUUID(), options.agentName);
    this.interactive.set(session.id, session);
    const run = this.run({
      problemId: options.problemId,
      agent: session.agent,
      agentName: options.agentName,
      maxSteps: options.maxSteps,
      signal: session.abort.signal,
      sessionId: session.id,
      onEvent: (event) => {
        session.onEvent(event);
        options.onEvent?.(event);
      },
    });
    session.attach(run);
    await session.ready();
    return session;
  }

  interactiveSession(id: string): InteractiveSession | undefined {
    return this.interactive.get(id);
  }

  /**
   * Scores a saved session again with the current evaluators and ground truth (detection, localization, analysis).
   * Mitigation is judged on the live cluster at the end of its episode, so it cannot be re-scored afterwards.
   */
  async reevaluate(sessionId: string): Promise<SessionRecord> {
    const record = await this.store.load(sessionId);
    if (!record) throw new Error(`No session ${sessionId} in ${this.config.resultsDir}.`);
    if (record.task_type === 'mitigation') throw new Error('A mitigation session is judged on the live cluster at the end of its episode; it cannot be re-evaluated afterwards.');
    if (record.status !== 'completed' && record.status !== 'timeout') throw new Error(`Session ${record.session_id} ended as ${record.status}; there is nothing to evaluate.`);
    const { problem } = this.problem(record.problem_id);
    const submitStep = [...record.steps].reverse().find((s) => s.action?.name === 'submit' && !s.parseError);
    let solution: unknown = undefined;
    if (submitStep?.action) {
      const definition = actionsForTask(problem.task).find((a) => a.name === 'submit')!;
      const bound = bindArguments(definition, submitStep.action.args, submitStep.action.kwargs);
      if (bound.ok) {
        const values = Object.values(bound.values);
        solution = values.length === 1 ? values[0] : values.length ? values : undefined;
      }
    }
    const noCluster = { listPods: async () => [], getService: async () => undefined, getDeployment: async () => undefined };
    const { results, verdict } = await evaluate({
      problem, solution, submitted: submitStep !== undefined, trace: record.trace, durationSec: record.end_time - record.start_time,
      probe: noCluster, clock: realClock, namespace: this.apps.get(problem.app)?.namespace ?? '',
    });
    const updated: SessionRecord = { ...record, results, verdict };
    await this.store.save(updated);
    return updated;
  }

  /**
   * Undoes faults left behind by sessions that never finished (crash, kill -9, Ctrl-C during inject). Entries of
   * sessions that are still running (in another process or in this one) are left alone and listed as skipped.
   */
  async recoverLeftovers(): Promise<LeftoverReport> {
    const recovered: JournalEntry[] = [];
    const failed: Array<{ entry: JournalEntry; error: string }> = [];
    const skipped: Array<{ entry: JournalEntry; reason: string }> = [];
    for (const entry of await this.journal.list()) {
      if (entry.pid && entry.pid !== process.pid && sessionProcessAlive(entry.pid, entry.pidStart)) {
        skipped.push({ entry, reason: `its session is still running in process ${entry.pid}` });
        continue;
      }
      if (entry.pid === process.pid && (runningHere.has(entry.sessionId) || [...this.interactive.values()].some((s) => s.id === entry.sessionId && !s.done))) {
        skipped.push({ entry, reason: 'its session is still running here' });
        continue;
      }
      try {
        const shared = this.sharedCluster ? await this.sharedCluster.catch(() => undefined) : undefined;
        if (shared && entry.cluster === shared.info.cluster) {
          // A fault whose recovery failed in an earlier session on this engine's shared cluster: undo it there.
          await this.recoverEntry(entry, { ...shared, release: async () => undefined }, true);
        } else if (isEmbeddedClusterEntry(entry)) {
          // An embedded cluster lives only as long as its process: its faults are gone with it.
        } else {
          await this.recoverEntry(entry, await openCluster({ ...this.config, cluster: entry.cluster }, this.stateDir), false);
        }
        await this.journal.remove(entry.id);
        recovered.push(entry);
      } catch (error) {
        failed.push({ entry, error: (error as Error).message });
      }
    }
    return { recovered, failed, skipped };
  }

  /** Whether another journal entry on this cluster belongs to a session that is still running. */
  private async sessionRunningOn(cluster: string, exceptId: string): Promise<boolean> {
    return (await this.journal.list()).some((e) => e.id !== exceptId && e.cluster === cluster && (
      (e.pid !== undefined && e.pid !== process.pid && sessionProcessAlive(e.pid, e.pidStart)) ||
      (e.pid === process.pid && (runningHere.has(e.sessionId) || [...this.interactive.values()].some((s) => s.id === e.sessionId && !s.done)))));
  }

  private async recoverEntry(entry: JournalEntry, cluster: ClusterHandle, reuseApp: boolean): Promise<void> {
    const app = this.apps.get(entry.appId);
    const problem = this.problems.all({ includeExperimental: true }).find((p) => p.id === entry.problemId);
    if (!app || !problem) {
      await cluster.release();
      throw new Error(`unknown problem ${entry.problemId} or app ${entry.appId}`);
    }
    const env = this.environmentFor(cluster, app, reuseApp);
    try {
      await env.recoverFault({ ...problem, fault: entry.fault }, app);
      // Also the killed session's load generator, which would keep hammering the app (unless the cluster is in use).
      if (!(await this.sessionRunningOn(entry.cluster, entry.id))) await env.stopWorkload();
    } finally {
      await env.dispose();
    }
  }

  /**
   * Lets go of the shared cluster (engines created with shareCluster; a no-op otherwise). A cluster that outlives the
   * batch (a real one, a detached embedded one) gets back what the batch left on it for reuse: every app the batch
   * deployed is removed as a single session's clean-up would, and what could not be removed is returned, so that
   * nothing stays behind silently. A worker's own embedded cluster goes away with everything on it.
   */
  async dispose(): Promise<CleanupLeftover[]> {
    const shared = this.sharedCluster;
    this.sharedCluster = undefined;
    const cluster = shared ? await shared.catch(() => undefined) : undefined;
    if (!cluster) return [];
    const leftovers: CleanupLeftover[] = [];
    try {
      if (cluster.info.kind !== 'embedded') {
        for (const app of this.appsOnSharedCluster.values()) {
          const env = this.environmentFor({ ...cluster, release: async () => undefined }, app);
          leftovers.push(...(await env.removeApp(app).catch((error: Error) => [{ object: `namespace ${app.namespace}`, reason: `the clean-up failed: ${error.message}`, command: `kubectl delete namespace ${app.namespace}${cluster.context ? ` --context ${cluster.context}` : ''}` }])));
        }
      }
    } finally {
      this.appsOnSharedCluster.clear();
      await cluster.release();
    }
    return leftovers;
  }

  private async openEnvironment(app: AppDefinition, maxInjectSettleSeconds?: number): Promise<KubeEnvironment> {
    if (!this.shareCluster) return this.environmentFor(await openCluster(this.config, this.stateDir), app, false, maxInjectSettleSeconds);
    if (!this.sharedCluster) {
      this.sharedCluster = openCluster(this.config, this.stateDir);
      this.sharedCluster.catch(() => { this.sharedCluster = undefined; });
    }
    const cluster = await this.sharedCluster;
    this.appsOnSharedCluster.set(app.id, app);
    return this.environmentFor({ ...cluster, release: async () => undefined }, app, true, maxInjectSettleSeconds);
  }

  private environmentFor(cluster: ClusterHandle, app: AppDefinition, reuseApp = false, maxInjectSettleSeconds?: number): KubeEnvironment {
    const env = new KubeEnvironment({
      info: cluster.info,
      kubeconfigPath: cluster.kubeconfigPath,
      agentKubeconfigPath: cluster.agentKubeconfigPath,
      context: cluster.context,
      kubeCacheDir: cluster.kubeCacheDir,
      kubectl: cluster.kubectl,
      dockerShim: cluster.dockerShim,
      agentToolPaths: cluster.agentToolPaths,
      telemetry: cluster.telemetry,
      projectRoot: this.root,
      shellPolicy: this.config.shellPolicy,
      sandbox: this.config.sandbox,
      execTimeoutSec: this.config.execTimeoutSec,
      execTimeoutCapSec: this.config.execTimeoutCapSec,
      outputCapChars: this.config.outputCapChars,
      logDedup: this.config.logDedup,
      workloadMode: this.config.workload,
      // The embedded cluster brings an app up in seconds; a real one may need minutes to pull images.
      readyTimeoutMs: (this.config.readyTimeoutSeconds ?? (cluster.info.kind === 'embedded' ? 60 : 600)) * 1000,
      // Its pods change within tens of milliseconds and a look costs ~2 ms there: waits end sooner when polled often.
      pollMs: cluster.info.kind === 'embedded' ? 50 : 200,
      maxInjectSettleSeconds: maxInjectSettleSeconds ?? (cluster.info.kind === 'embedded' ? 10 : undefined),
      steadyWorkloadSeconds: Math.max(600, this.config.wallClockMinutes * 60 + 300),
      reuseApp,
      agentNamespaceBinding: cluster.agentNamespaceBinding,
      onDispose: () => cluster.release(),
    });
    for (const a of this.apps.values()) env.registerApp(a);
    env.registerApp(app);
    return env;
  }
}

