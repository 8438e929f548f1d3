import type { Clock } from './clock';

/**
 * A controller's API client rate limit as client-go's token bucket applies it: `qps` requests a second on average,
 * up to `burst` at once, on the twin's clock. Requests are spent after the fact and may put the bucket into debt: the
 * client then waits until a whole token is back before its next request.
 */
export class TokenBucket {
  private tokens: number;
  private at: number;

  constructor(private readonly clock: Clock, private readonly qps: number, private readonly burst: number) {
    this.tokens = burst;
    this.at = clock.now();
  }

  /** Spends `n` requests. */
  take(n: number): void {
    const now = this.clock.now();
    this.tokens = this.available(now) - n;
    this.at = now;
  }

  /** How long until the client may send its next request. */
  waitMs(): number {
    const available = this.available(this.clock.now());
    return available >= 1 ? 0 : Math.ceil(((1 - available) / this.qps) * 1000);
  }

  private available(now: number): number {
    return Math.min(this.burst, this.tokens + ((now - this.at) / 1000) * this.qps);
  }
}
