import type { ProblemDefinition } from '../core/problems/types';
import type { CleanupLeftover } from '../core/session/types';
import type { Engine } from './engine';

/** Workers on the embedded cluster unless asked otherwise (each runs its own twin process). */
export const DEFAULT_WORKERS = 4;

export interface WorkerOptions<J> {
  /** Workers wanted; the embedded cluster gets them (default DEFAULT_WORKERS), a real cluster always gets one. */
  parallel?: number;
  /** The job's problem: a worker prefers problems of an app it has already deployed. */
  problemOf: (job: J) => ProblemDefinition;
  /** An estimate in seconds: the costliest jobs go first, so no worker is left with a long one at the end. */
  cost: (job: J) => number;
  /** The engine of worker `index` (of `workers`), with its own cluster for its whole batch (`shareCluster`). */
  engineFor: (index: number, workers: number) => Engine;
  signal?: AbortSignal;
  /** What a worker's clean-up at the end of its batch could not remove from a cluster that outlives the batch. */
  onLeftovers?: (leftovers: CleanupLeftover[]) => void;
}

/** How many workers a batch gets on this engine's cluster. */
export function workerCount(engine: Engine, parallel: number | undefined, jobs: number): number {
  const embedded = engine.config.cluster === 'embedded';
  return Math.max(1, Math.min(embedded ? parallel ?? DEFAULT_WORKERS : 1, jobs));
}

/**
 * Runs `one` for every job in workers that take the next job from a shared queue: the costliest first, preferring an
 * app the worker has already deployed (its cluster keeps every app it deployed, and a session reuses an app that still
 * matches its manifests), else an app few other workers have (nextJobIndex). Stops taking jobs once `signal` aborts.
 * Results come in the order of `jobs`; jobs never started (cancelled) have none.
 *
 * On the embedded cluster each worker runs its own twin: most of a session is waiting (for symptoms, settle windows,
 * a model's answer), so workers overlap well even on 2 cores. A real cluster gets one worker: sessions there share one
 * cluster (the load generator in `default`, Chaos Mesh, the nodes).
 */
export async function inWorkers<J, R>(engine: Engine, jobs: readonly J[], options: WorkerOptions<J>, one: (worker: Engine, job: J) => Promise<R>): Promise<Array<R | undefined>> {
  const workers = workerCount(engine, options.parallel, jobs.length);
  const queue = jobs.map((job, index) => ({ job, index, app: options.problemOf(job).app })).sort((a, b) => options.cost(b.job) - options.cost(a.job));
  const deployedBy = Array.from({ length: workers }, () => new Set<string>());
  const take = (i: number) => {
    const q = queue.splice(nextJobIndex(queue, deployedBy[i], deployedBy), 1)[0];
    if (q) deployedBy[i].add(q.app);
    return q;
  };
  const results: Array<R | undefined> = jobs.map(() => undefined);
  await Promise.all(Array.from({ length: workers }, async (_, i) => {
    const worker = options.engineFor(i, workers);
    try {
      for (let next = take(i); next && !options.signal?.aborted; next = take(i)) {
        results[next.index] = await one(worker, next.job);
      }
    } finally {
      const leftovers = await worker.dispose();
      if (leftovers.length) options.onLeftovers?.(leftovers);
    }
  }));
  return results;
}

/**
 * Which queued job (costliest first) a worker takes next: one of an app it has deployed; otherwise one of the app with
 * the most queued jobs per worker that has it already, so that workers spread over the apps instead of each deploying
 * every app (a deploy is most of the CPU a session's set-up costs, and workers start theirs all at once).
 */
export function nextJobIndex(queue: ReadonlyArray<{ app: string }>, mine: ReadonlySet<string>, everyWorker: ReadonlyArray<ReadonlySet<string>>): number {
  const own = queue.findIndex((q) => mine.has(q.app));
  if (own >= 0 || queue.length === 0) return own >= 0 ? own : 0;
  const left = new Map<string, number>();
  for (const q of queue) left.set(q.app, (left.get(q.app) ?? 0) + 1);
  const share = (app: string) => left.get(app)! / (1 + everyWorker.filter((d) => d.has(app)).length);
  let best = 0;
  for (let i = 1; i < queue.length; i++) if (share(queue[i].app) > share(queue[best].app)) best = i;
  return best;
}
