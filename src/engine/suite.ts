import type { Agent } from '../core/agents/types';
import type { SessionEvent } from '../core/orchestrator/events';
import type { ProblemDefinition } from '../core/problems/types';
import { variantOf, versionLabel } from '../core/session/leaderboard';
import type { CleanupLeftover, SessionRecord } from '../core/session/types';
import type { Engine } from './engine';
import { versions } from './versions';
import { inWorkers, workerCount } from './workers';

/** One session of an evaluation suite: an agent on a problem, the n-th time. */
export interface SuiteJob {
  problem: ProblemDefinition;
  agentName: string;
  /** 1-based: which of the `repeat` runs of this problem and agent. */
  run: number;
}

export interface SuiteOptions {
  problems: ProblemDefinition[];
  agents: string[];
  /** Runs of each problem per agent (default 1). */
  repeat?: number;
  /** Sessions at once on the embedded cluster, each worker with its own twin (default DEFAULT_WORKERS). */
  parallel?: number;
  /** Count the finished sessions already in the results folder (same package and catalog version) and run only what is missing. */
  resume?: boolean;
  maxSteps?: number;
  signal?: AbortSignal;
  /** A fresh agent for each session. */
  createAgent: (name: string) => Agent | Promise<Agent>;
  onProgress?: (progress: SuiteProgress) => void;
  /** Every event of every session, with its job (live views). */
  onEvent?: (job: SuiteJob, event: SessionEvent) => void;
}

export interface SuiteProgress {
  total: number;
  /** Sessions finished (any outcome) in this run. */
  done: number;
  running: number;
  /** Sessions that ended in an error (or could not start). */
  failed: number;
  /** Sessions already in the results folder (resume), not run again. */
  skipped: number;
  workers: number;
  /** Seconds left at the pace so far, once a session has finished. */
  etaSeconds?: number;
  /** The session that just finished, when this update is about one. */
  finished?: { job: SuiteJob; record?: SessionRecord; error?: string };
}

export interface SuitePlan {
  jobs: SuiteJob[];
  skipped: number;
  workers: number;
  /** Why sessions run one at a time although more were asked for (a real cluster). */
  sequentialBecause?: string;
}

export interface SuiteResult {
  plan: SuitePlan;
  /** The sessions of this run, in plan order (those never started because of cancellation are left out). */
  records: SessionRecord[];
  /** Jobs that could not even start a session, with why. */
  failures: Array<{ job: SuiteJob; error: string }>;
  cancelled: boolean;
  /** What the end of the batch could not remove from a cluster that outlives it (the apps kept for reuse). */
  leftovers: CleanupLeftover[];
}

/** What runs, after resume has counted what is already there. */
export async function planSuite(engine: Engine, options: Pick<SuiteOptions, 'problems' | 'agents' | 'repeat' | 'parallel' | 'resume'>): Promise<SuitePlan> {
  const repeat = Math.max(1, options.repeat ?? 1);
  const have = options.resume ? await finishedRuns(engine) : new Map<string, number>();
  const jobs: SuiteJob[] = [];
  let skipped = 0;
  for (const agentName of options.agents) {
    for (const problem of options.problems) {
      const already = Math.min(repeat, have.get(pairKey(problem.id, agentName)) ?? 0);
      skipped += already;
      for (let run = already + 1; run <= repeat; run++) jobs.push({ problem, agentName, run });
    }
  }
  const workers = workerCount(engine, options.parallel, jobs.length);
  const asked = options.parallel ?? 1;
  const sequentialBecause = engine.config.cluster !== 'embedded' && asked > 1
    ? `sessions run one at a time on a real cluster (${engine.config.cluster}): they would share its load generator in namespace default, Chaos Mesh and the nodes, so one session's fault could show in another's; --parallel applies to the embedded cluster`
    : undefined;
  return { jobs, skipped, workers, sequentialBecause };
}

/**
 * Runs every agent on every problem `repeat` times, `parallel` sessions at once on the embedded cluster (each worker
 * with its own twin, its sessions one after another, an app reused while it matches its manifests), one at a time on
 * a real cluster. Sessions are saved to the engine's results folder like any other. Aborting `signal` (Ctrl-C)
 * cancels every running session — each recovers its fault and is saved as cancelled — and starts no more.
 */
export async function runSuite(engine: Engine, options: SuiteOptions): Promise<SuiteResult> {
  const plan = await planSuite(engine, options);
  const failures: SuiteResult['failures'] = [];
  const progress: SuiteProgress = { total: plan.jobs.length, done: 0, running: 0, failed: 0, skipped: plan.skipped, workers: plan.workers };
  const started = Date.now();
  const report = (finished?: SuiteProgress['finished']) => {
    const left = progress.total - progress.done;
    const perSession = progress.done ? (Date.now() - started) / 1000 / progress.done : undefined;
    // Finished sessions came `workers` at a time: the rest will too.
    progress.etaSeconds = perSession !== undefined ? Math.round((perSession * left * Math.min(plan.workers, progress.done)) / plan.workers) : undefined;
    options.onProgress?.({ ...progress, ...(finished ? { finished } : {}) });
  };
  report();
  const leftovers: CleanupLeftover[] = [];
  const results = await inWorkers(engine, plan.jobs, {
    parallel: plan.workers,
    signal: options.signal,
    onLeftovers: (l) => leftovers.push(...l),
    problemOf: (job) => job.problem,
    // Mitigation holds its settle window; the rest is the agent's, alike for all.
    cost: (job) => 1 + (job.problem.task === 'mitigation' ? engine.config.settleSeconds : 0),
    // Every worker saves to the one results folder (index, journal), with a cluster of its own for its whole batch.
    engineFor: () => engine.batchWorker(),
  }, async (worker, job) => {
    progress.running++;
    report();
    let record: SessionRecord | undefined;
    let error: string | undefined;
    try {
      record = await worker.run({
        problemId: job.problem.id,
        agent: await options.createAgent(job.agentName),
        agentName: job.agentName,
        maxSteps: options.maxSteps,
        signal: options.signal,
        onEvent: options.onEvent ? (event) => options.onEvent!(job, event) : undefined,
      });
    } catch (e) {
      error = (e as Error).message;
      failures.push({ job, error });
    }
    progress.running--;
    progress.done++;
    if (!record || record.status === 'error') progress.failed++;
    report({ job, record, error });
    return record;
  });
  return { plan, records: results.filter((r): r is SessionRecord => r !== undefined), failures, cancelled: options.signal?.aborted === true, leftovers };
}

function pairKey(problemId: string, agent: string): string {
  return `${problemId}\u0000${agent}`;
}

/** Finished sessions (completed or out of budget) per problem and agent, of this package and catalog version. */
async function finishedRuns(engine: Engine): Promise<Map<string, number>> {
  const current = versionLabel(versions(engine.root));
  const counts = new Map<string, number>();
  for (const e of await engine.store.list()) {
    if (e.status !== 'completed' && e.status !== 'timeout') continue;
    const record = await engine.store.read(e);
    if (!record || variantOf(record).version !== current) continue;
    const key = pairKey(e.problem_id, e.agent);
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return counts;
}

/** The sessions a suite's summary covers: the latest `repeat` finished or failed runs of each problem and agent per variant. */
export async function suiteRecords(engine: Engine, problems: ProblemDefinition[], agents: string[], repeat = 1): Promise<SessionRecord[]> {
  const ids = new Set(problems.map((p) => p.id));
  const taken = new Map<string, number>();
  const out: SessionRecord[] = [];
  for (const e of await engine.store.list()) {
    if (!ids.has(e.problem_id) || !agents.includes(e.agent) || !['completed', 'timeout', 'error'].includes(e.status)) continue;
    const record = await engine.store.read(e);
    if (!record) continue;
    const v = variantOf(record);
    const key = `${pairKey(e.problem_id, e.agent)}\u0000${v.isolation}\u0000${v.version}`;
    const n = taken.get(key) ?? 0;
    if (n >= repeat) continue;
    taken.set(key, n + 1);
    out.push(record);
  }
  return out;
}
