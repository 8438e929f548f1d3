/**
 * Prometheus' extrapolation for rate(), increase() and delta() (2.x): the change seen between the first and last sample
 * in the range is stretched towards the range's edges — up to the edge when the gap is at most 1.1 average sample
 * intervals, else by half an interval — and, for a counter, never before the point where it would have been zero.
 * Both the ring-buffer fast path (metric-store) and the general range functions (promql) call this one rule.
 */
export interface SampledChange {
  /** Time (ms) and value of the first sample in the range. */
  firstT: number;
  firstV: number;
  /** Time (ms) of the last sample in the range. */
  lastT: number;
  /** Number of samples in the range (at least 2). */
  count: number;
  /** last − first, plus the value before every counter reset for counters. */
  change: number;
}

export function extrapolate(s: SampledChange, rangeStart: number, rangeEnd: number, rangeMs: number, isCounter: boolean, isRate: boolean): number {
  let durationToStart = (s.firstT - rangeStart) / 1000;
  const durationToEnd = (rangeEnd - s.lastT) / 1000;
  const sampled = (s.lastT - s.firstT) / 1000;
  const avg = sampled / (s.count - 1);
  if (isCounter && s.change > 0 && s.firstV >= 0) {
    const toZero = sampled * (s.firstV / s.change);
    if (toZero < durationToStart) durationToStart = toZero;
  }
  const threshold = avg * 1.1;
  let interval = sampled;
  interval += durationToStart < threshold ? durationToStart : avg / 2;
  interval += durationToEnd < threshold ? durationToEnd : avg / 2;
  const result = s.change * (interval / sampled);
  return isRate ? result / (rangeMs / 1000) : result;
}
