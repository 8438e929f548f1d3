/**
 * When load runs: the wrk2 Jobs (recorded by the wrk2 behaviour when they start) give, per app namespace, the request
 * arrivals that callers' logs follow. Arrivals are evenly spaced at the Job's rate, so lines are deterministic and an
 * interval's lines do not depend on how the log is polled.
 */
import type { AppWorld } from './world';

/** Arrival instants in [fromMs, toMs) of requests into `ns` (optionally only those entering at `service`), at `share` of the rate. */
export function loadArrivals(world: AppWorld, ns: string, service: string | undefined, fromMs: number, toMs: number, share = 1, cap = 2000): number[] {
  const out: number[] = [];
  for (const run of world.wrk2) {
    if (run.targetNamespace !== ns) continue;
    if (service && run.targetService && run.targetService !== service) continue;
    const rate = run.rate * share;
    if (rate <= 0) continue;
    const step = 1000 / rate;
    const end = run.startMs + run.durationMs;
    const a = Math.max(fromMs, run.startMs);
    const b = Math.min(toMs, end);
    if (b <= a) continue;
    let k = Math.ceil((a - run.startMs) / step);
    for (let t = run.startMs + k * step; t < b && out.length < cap; k++, t = run.startMs + k * step) out.push(t);
  }
  return out.sort((x, y) => x - y);
}

/** Is load running into `ns` at `ms`? */
export function loadRunning(world: AppWorld, ns: string, ms: number): boolean {
  return world.wrk2.some((r) => r.targetNamespace === ns && ms >= r.startMs && ms < r.startMs + r.durationMs);
}
