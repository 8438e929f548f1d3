/** Seeded PRNG (mulberry32) with the distributions the simulation needs. Same seed → same request stream. */
export class Prng {
  private state: number;

  constructor(seed: number) {
    this.state = seed >>> 0 || 0x9e3779b9;
  }

  /** Uniform in [0, 1). */
  next(): number {
    let t = (this.state = (this.state + 0x6d2b79f5) >>> 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** A 32-bit unsigned integer. */
  uint32(): number {
    return Math.floor(this.next() * 4294967296) >>> 0;
  }

  /** Standard normal (Box–Muller). */
  normal(): number {
    let u = this.next();
    if (u < 1e-12) u = 1e-12;
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * this.next());
  }

  exponential(mean: number): number {
    let u = this.next();
    if (u < 1e-12) u = 1e-12;
    return -Math.log(u) * mean;
  }

  /** Lognormal with the given median and sigma (of the underlying normal). */
  lognormal(median: number, sigma: number): number {
    return median * Math.exp(sigma * this.normal());
  }

  /** 16 lowercase hex digits. */
  hex64(): string {
    return this.uint32().toString(16).padStart(8, '0') + this.uint32().toString(16).padStart(8, '0');
  }
}

/** The sigma of a lognormal whose 99th percentile is `p99` for median `median` (z(0.99) = 2.3263). */
export function sigmaFor(median: number, p99: number): number {
  return Math.log(Math.max(p99, median) / median) / 2.3263;
}
