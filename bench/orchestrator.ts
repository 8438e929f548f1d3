import type { Agent } from '../src/core/agents/types';
import { Orchestrator } from '../src/core/orchestrator/orchestrator';
import { loadCatalog } from '../src/env/catalog';
import { FakeEnvironment, MemoryJournal, MemoryStore, fastClock } from '../test/support/fake-environment';

/** An agent that answers instantly with the same shell call, so the loop's own cost is all that is measured. */
class InstantAgent implements Agent {
  readonly name = 'instant';
  initContext(): void {}
  async getAction(): Promise<string> {
    return 'Thought: look at the pods.\nAction:\n```\nexec_shell("kubectl get pods -n test-hotel-reservation")\n```';
  }
}

async function runSession(steps: number): Promise<number> {
  const catalog = loadCatalog();
  const problem = catalog.problems.get('noop_detection_hotel_reservation-1');
  const app = catalog.apps.get(problem.app)!;
  const env = new FakeEnvironment();
  env.shell = () => 'NAME READY STATUS\nfrontend-1 1/1 Running\n';
  const orchestrator = new Orchestrator({ env, journal: new MemoryJournal(), store: new MemoryStore(), clock: fastClock, newId: () => 'bench' });
  const start = process.hrtime.bigint();
  await orchestrator.run({ problem, app, agent: new InstantAgent(), maxSteps: steps });
  return Number(process.hrtime.bigint() - start) / 1e6;
}

/** Orchestrator overhead per step, excluding the agent and the action: (T(N+1 steps) − T(1 step)) / N, median of 5. */
export async function run(): Promise<Record<string, number | string>> {
  const n = 2000;
  await runSession(50); // warm-up
  const perStep: number[] = [];
  for (let i = 0; i < 5; i++) {
    const one = await runSession(1);
    const many = await runSession(n + 1);
    perStep.push((many - one) / n);
  }
  perStep.sort((a, b) => a - b);
  const median = perStep[2];
  return { overhead_ms_per_step_median: Math.round(median * 1000) / 1000, target_ms_per_step: 1, steps_per_run: n, meets_target: median < 1 ? 'yes' : 'no' };
}
