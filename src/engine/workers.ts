import type { ProblemDefinition } from '../core/problems/types';
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
}

/** How many workers a batch gets on this engine's cluster. */
export function workerCount(engine: Engine, parallel: number | undefined, jobs: number): number {
  const embedded = engine.config.cluster === 'embedded';
  return Math.max(1, Math.min(embedded ? parallel ?? DEFAULT_WORKERS : 1, jobs));
}

/**
 * Runs `one` for every job in workers that take the next job from a shared queue: the costliest first, preferring an
 * app the worker has already deployed (its cluster keeps every app it deployed, and a session reuses an app that still
 * matches its manifests). Stops taking jobs once `signal` aborts. Results come in the order of `jobs`; jobs never
 * started (cancelled) have none.
 *
 * On the embedded cluster each worker runs its own twin: most of a session is waiting (for symptoms, settle windows,
 * a model's answer), so workers overlap well even on 2 cores. A real cluster gets one worker: sessions there share one
 * cluster (the load generator in `default`, Chaos Mesh, the nodes).
 */
export async function inWorkers<J, R>(engine: Engine, jobs: readonly J[], options: WorkerOptions<J>, one: (worker: Engine, job: J) => Promise<R>): Promise<Array<R | undefined>> {
  const workers = workerCount(engine, options.parallel, jobs.length);
  const queue = jobs.map((job, index) => ({ job, index })).sort((a, b) => options.cost(b.job) - options.cost(a.job));
  const take = (deployed: Set<string>) => {
    const i = queue.findIndex((q) => deployed.has(options.problemOf(q.job).app));
    return queue.splice(i >= 0 ? i : 0, 1)[0];
  };
  const results: Array<R | undefined> = jobs.map(() => undefined);
  await Promise.all(Array.from({ length: workers }, async (_, i) => {
    const worker = options.engineFor(i, workers);
    const deployed = new Set<string>();
    try {
      for (let next = take(deployed); next && !options.signal?.aborted; next = take(deployed)) {
        deployed.add(options.problemOf(next.job).app);
        results[next.index] = await one(worker, next.job);
      }
    } finally {
      await worker.dispose();
    }
  }));
  return results;
}
