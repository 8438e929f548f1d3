/**
 * The one retry policy for model endpoints, and the back-off every agent of an endpoint shares in this process.
 *
 * Each request that fails retryably (429, 5xx, timeout) waits before its next attempt: the server's Retry-After when it
 * sent one, else `backoffBaseMs` doubled per attempt, never more than `maxBackoffMs`. A rate limit (429) is about the
 * endpoint, not the request: it pauses every request to that endpoint — those of the other sessions of a parallel
 * evaluation too — until the wait is over, so N workers do not hammer a server that asked them to slow down.
 */

export interface BackoffSettings {
  /** Retries after the first attempt. */
  maxRetries: number;
  /** First wait, doubled per retry. */
  backoffBaseMs: number;
  /** Upper bound for any wait, a server's Retry-After included. */
  maxBackoffMs: number;
}

export class EndpointBackoff {
  private pausedUntil = 0;
  private pauses = 0;

  constructor(readonly endpoint: string, private readonly now: () => number = Date.now) {}

  /** How many times a rate limit paused this endpoint (for progress lines and tests). */
  get rateLimitPauses(): number {
    return this.pauses;
  }

  /** Milliseconds until requests to the endpoint may go out again (0 when they may now). */
  get pausedForMs(): number {
    return Math.max(0, this.pausedUntil - this.now());
  }

  /** Resolves once the endpoint is not paused; rejects when `signal` aborts first. */
  async ready(signal?: AbortSignal): Promise<void> {
    for (let wait = this.pausedForMs; wait > 0; wait = this.pausedForMs) await sleep(wait, signal);
  }

  /**
   * The wait before retry `attempt` (0 for the first retry) of a failed request; a rate limit also pauses the whole
   * endpoint for that long.
   */
  retryWait(attempt: number, settings: BackoffSettings, retryAfterMs: number | undefined, rateLimited: boolean): number {
    const waitMs = Math.min(settings.maxBackoffMs, retryAfterMs ?? settings.backoffBaseMs * 2 ** attempt);
    if (rateLimited) {
      this.pausedUntil = Math.max(this.pausedUntil, this.now() + waitMs);
      this.pauses++;
    }
    return waitMs;
  }
}

const shared = new Map<string, EndpointBackoff>();

/** The back-off shared by every agent of this endpoint (its chat-completions URL) in this process. */
export function endpointBackoff(endpoint: string): EndpointBackoff {
  let backoff = shared.get(endpoint);
  if (!backoff) {
    backoff = new EndpointBackoff(endpoint);
    shared.set(endpoint, backoff);
  }
  return backoff;
}

export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const cancelled = () => (signal?.reason instanceof Error ? signal.reason : new Error('aborted'));
    if (signal?.aborted) return reject(cancelled());
    const onAbort = () => {
      clearTimeout(timer);
      reject(cancelled());
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
