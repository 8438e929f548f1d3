/**
 * Parallel batches (eval --parallel, validate): which problem each worker takes next. A worker keeps every app it has
 * deployed, so the order decides how many times an app is deployed — the bulk of the CPU a batch spends on set-up,
 * and what workers compete for when they all start at once.
 */
import * as assert from 'node:assert/strict';
import type { Engine } from '../../src/engine';
import { inWorkers, nextJobIndex } from '../../src/engine/workers';
import type { ProblemDefinition } from '../../src/core/problems/types';

interface Job { id: string; app: string; cost: number }

function jobs(counts: Record<string, number>, cost = (_i: number) => 1): Job[] {
  return Object.entries(counts).flatMap(([app, n]) => Array.from({ length: n }, (_, i) => ({ id: `${app}-${i}`, app, cost: cost(i) })));
}

async function runBatch(list: Job[], parallel: number): Promise<{ deploys: Set<string>; ran: string[] }> {
  const engine = { config: { cluster: 'embedded' } } as unknown as Engine;
  const deploys = new Set<string>();
  const ran: string[] = [];
  await inWorkers(engine, list, {
    parallel,
    cost: (j) => j.cost,
    problemOf: (j) => ({ app: j.app }) as ProblemDefinition,
    engineFor: (i) => ({ index: i, dispose: async () => [] }) as unknown as Engine,
  }, async (worker, job) => {
    deploys.add(`${(worker as unknown as { index: number }).index}:${job.app}`);
    ran.push(job.id);
    await new Promise((r) => setTimeout(r, 5));
  });
  return { deploys, ran };
}

describe('parallel workers: which problem a worker takes next', () => {
  it('spreads workers over the apps: 12 problems of three apps on 4 workers deploy 4 to 6 apps, not every app in every worker', async () => {
    // The order of the evaluation benchmark: the four problems of one app first.
    const list = [...jobs({ social: 4 }), ...jobs({ hotel: 7 }), ...jobs({ astro: 1 })];
    const { deploys, ran } = await runBatch(list, 4);
    assert.deepEqual([...ran].sort(), list.map((j) => j.id).sort(), 'every problem once');
    assert.ok(deploys.size <= 6, `${deploys.size} deploys: ${[...deploys].join(', ')}`);
    // Each app is deployed somewhere, and the app with most problems by more than one worker.
    for (const app of ['social', 'hotel', 'astro']) assert.ok([...deploys].some((d) => d.endsWith(`:${app}`)), app);
    assert.ok([...deploys].filter((d) => d.endsWith(':hotel')).length >= 2, 'hotel shared by workers');
  });

  it('a worker stays with an app it has deployed, costliest problem first; a new one goes to the app with most problems per worker', () => {
    const queue = [{ app: 'a', cost: 9 }, { app: 'b', cost: 5 }, { app: 'b', cost: 4 }, { app: 'b', cost: 1 }, { app: 'a', cost: 1 }];
    assert.equal(nextJobIndex(queue, new Set(['b']), [new Set(['b'])]), 1);
    // Nothing deployed: b has three problems and no worker, a two.
    assert.equal(nextJobIndex(queue, new Set(), [new Set(), new Set()]), 1);
    // b already has two workers (3/3 = 1 per worker), a none (2/1): a, its costliest.
    assert.equal(nextJobIndex(queue, new Set(), [new Set(), new Set(['b']), new Set(['b'])]), 0);
    assert.equal(nextJobIndex([], new Set(), []), 0);
  });
});
