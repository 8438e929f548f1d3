/**
 * The statistics of a leaderboard: a confidence interval for an accuracy, pass@k and pass^k for repeated runs, and
 * mean with spread.
 */

export interface Interval {
  low: number;
  high: number;
}

/** z for a two-sided 95 % interval. */
const Z95 = 1.959963984540054;

/**
 * The Wilson score interval (95 %) for `successes` out of `n`, as fractions 0..1. Unlike the normal approximation it
 * stays inside 0..1 and is not zero-width at 0 % or 100 % — which small evaluations hit all the time.
 */
export function wilsonInterval(successes: number, n: number, z = Z95): Interval {
  if (n <= 0) return { low: 0, high: 1 };
  const p = successes / n;
  const z2 = z * z;
  const centre = (p + z2 / (2 * n)) / (1 + z2 / n);
  const half = (z / (1 + z2 / n)) * Math.sqrt((p * (1 - p)) / n + z2 / (4 * n * n));
  return { low: Math.max(0, centre - half), high: Math.min(1, centre + half) };
}

/**
 * pass@k of one problem: the chance that at least one of k runs drawn from the n recorded (c of them solved) solves
 * it — the unbiased estimator 1 − C(n−c, k) / C(n, k). With n = k it is 1 when any run solved the problem.
 */
export function passAtK(n: number, c: number, k: number): number {
  if (k > n) throw new RangeError(`pass@${k} needs at least ${k} runs (got ${n}).`);
  if (n - c < k) return 1;
  return 1 - ratioOfChoose(n - c, n, k);
}

/**
 * pass^k of one problem: the chance that all of k runs drawn from the n recorded solve it — C(c, k) / C(n, k). With
 * n = k it is 1 only when every run solved the problem: how reliably an agent solves it, not whether it can.
 */
export function passHatK(n: number, c: number, k: number): number {
  if (k > n) throw new RangeError(`pass^${k} needs at least ${k} runs (got ${n}).`);
  if (c < k) return 0;
  return ratioOfChoose(c, n, k);
}

/** C(a, k) / C(b, k) for a ≤ b, as a product (no factorials, no overflow). */
function ratioOfChoose(a: number, b: number, k: number): number {
  let r = 1;
  for (let i = 0; i < k; i++) r *= (a - i) / (b - i);
  return r;
}

export interface Spread {
  n: number;
  mean: number;
  /** Sample standard deviation (n − 1); 0 for a single value. */
  sd: number;
  min: number;
  max: number;
}

/** Mean and spread of the finite values given (non-finite ones are left out). */
export function spread(values: readonly number[]): Spread {
  const xs = values.filter((v) => Number.isFinite(v));
  const n = xs.length;
  if (!n) return { n: 0, mean: 0, sd: 0, min: 0, max: 0 };
  const mean = xs.reduce((a, b) => a + b, 0) / n;
  const sd = n > 1 ? Math.sqrt(xs.reduce((a, b) => a + (b - mean) ** 2, 0) / (n - 1)) : 0;
  return { n, mean, sd, min: Math.min(...xs), max: Math.max(...xs) };
}
