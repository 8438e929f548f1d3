import * as path from 'path';
import { countTokens, evaluate } from '../src/core/evaluation';
import { loadCatalog } from '../src/env/catalog';

/** Catalog load time, evaluation time per session (non-mitigation) and token counting speed. */
export async function run(): Promise<Record<string, number | string>> {
  const root = path.resolve(__dirname, '..', '..');
  let t = process.hrtime.bigint();
  let catalog = loadCatalog(root);
  const firstLoadMs = Number(process.hrtime.bigint() - t) / 1e6;
  const loads = 20;
  t = process.hrtime.bigint();
  for (let i = 0; i < loads; i++) catalog = loadCatalog(root);
  const loadMs = Number(process.hrtime.bigint() - t) / 1e6 / loads;

  const text = 'NAME                        READY   STATUS             RESTARTS   AGE\ngeo-6b4b6f9c7d-x2k9p   0/1     CrashLoopBackOff   5          4m\n'.repeat(50);
  countTokens('warm up');
  t = process.hrtime.bigint();
  const n = countTokens(text);
  const tokenMs = Number(process.hrtime.bigint() - t) / 1e6;

  const problem = catalog.problems.get('revoke_auth_mongodb-localization-1');
  const trace = [
    { role: 'assistant' as const, content: '```\nexec_shell("kubectl get pods -n test-hotel-reservation")\n```' },
    { role: 'env' as const, content: text },
    { role: 'assistant' as const, content: '```\nsubmit(["geo"])\n```' },
  ];
  const clock = { now: () => Date.now(), sleep: async () => undefined };
  const probe = { listPods: async () => [], getService: async () => undefined, getDeployment: async () => undefined };
  const runs = 50;
  t = process.hrtime.bigint();
  for (let i = 0; i < runs; i++) {
    await evaluate({ problem, solution: ['geo'], submitted: true, trace, durationSec: 1, probe, clock, namespace: 'test-hotel-reservation' });
  }
  const evalMs = Number(process.hrtime.bigint() - t) / 1e6 / runs;
  return {
    problems_with_experimental: catalog.problems.all({ includeExperimental: true }).length,
    catalog_first_load_ms: Math.round(firstLoadMs * 10) / 10,
    catalog_load_ms: Math.round(loadMs * 10) / 10,
    tokens_per_ms: Math.round(n / tokenMs),
    evaluate_localization_ms: Math.round(evalMs * 100) / 100,
  };
}
