/**
 * Time for the cluster simulation. Every delay the controllers and the kubelet use goes through a Clock, so tests can
 * run hours of cluster time in milliseconds with a ManualClock, and the twin process uses the RealClock.
 */

export type TimerHandle = number;

export interface Clock {
  /** Milliseconds since the Unix epoch. */
  now(): number;
  setTimeout(fn: () => void, delayMs: number): TimerHandle;
  clearTimeout(handle: TimerHandle): void;
}

export class RealClock implements Clock {
  private readonly timers = new Map<number, NodeJS.Timeout>();
  private next = 1;

  now(): number {
    return Date.now();
  }

  setTimeout(fn: () => void, delayMs: number): TimerHandle {
    const id = this.next++;
    const t = setTimeout(() => {
      this.timers.delete(id);
      try {
        fn();
      } catch (e) {
        // Never let a simulation step take the twin process down.
        console.error(`[twin/cluster] timer failed: ${(e as Error)?.stack ?? String(e)}`);
      }
    }, Math.max(0, delayMs));
    // The simulation must never keep the process alive on its own.
    t.unref?.();
    this.timers.set(id, t);
    return id;
  }

  clearTimeout(handle: TimerHandle): void {
    const t = this.timers.get(handle);
    if (t) {
      clearTimeout(t);
      this.timers.delete(handle);
    }
  }

  /** Cancels every pending timer (used by stop()). */
  clearAll(): void {
    for (const t of this.timers.values()) clearTimeout(t);
    this.timers.clear();
  }
}

interface ManualTimer {
  id: number;
  at: number;
  seq: number;
  fn: () => void;
  cancelled?: boolean;
}

/**
 * A clock that only moves when told to. `advance(ms)` runs every timer due within the interval in time order
 * (timers created while advancing run too if they fall inside the interval).
 */
export class ManualClock implements Clock {
  private current: number;
  private readonly byId = new Map<number, ManualTimer>();
  private readonly heap: ManualTimer[] = [];
  private next = 1;
  private seq = 0;
  /** Safety net against a controller that keeps rescheduling itself at the same instant. */
  maxCallbacksPerAdvance = 5_000_000;

  constructor(startMs: number = Date.parse('2026-01-01T00:00:00Z')) {
    this.current = startMs;
  }

  now(): number {
    return this.current;
  }

  setTimeout(fn: () => void, delayMs: number): TimerHandle {
    const id = this.next++;
    const t: ManualTimer = { id, at: this.current + Math.max(0, delayMs), seq: this.seq++, fn };
    this.byId.set(id, t);
    this.push(t);
    return id;
  }

  clearTimeout(handle: TimerHandle): void {
    const t = this.byId.get(handle);
    if (t) {
      t.cancelled = true;
      this.byId.delete(handle);
    }
  }

  pendingTimers(): number {
    return this.byId.size;
  }

  /** Runs all timers due within `ms` from now, then leaves the clock at now + ms. */
  advance(ms: number): void {
    const target = this.current + Math.max(0, ms);
    let count = 0;
    while (this.heap.length > 0) {
      const top = this.heap[0];
      if (top.cancelled) {
        this.pop();
        continue;
      }
      if (top.at > target) break;
      this.pop();
      this.byId.delete(top.id);
      if (top.at > this.current) this.current = top.at;
      if (++count > this.maxCallbacksPerAdvance) {
        throw new Error(`ManualClock: more than ${this.maxCallbacksPerAdvance} timer callbacks in one advance (a loop?)`);
      }
      top.fn();
    }
    this.current = target;
  }

  private less(a: ManualTimer, b: ManualTimer): boolean {
    return a.at < b.at || (a.at === b.at && a.seq < b.seq);
  }

  private push(t: ManualTimer): void {
    const h = this.heap;
    h.push(t);
    let i = h.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!this.less(h[i], h[p])) break;
      [h[i], h[p]] = [h[p], h[i]];
      i = p;
    }
  }

  private pop(): ManualTimer | undefined {
    const h = this.heap;
    const top = h[0];
    const last = h.pop();
    if (h.length > 0 && last) {
      h[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < h.length && this.less(h[l], h[m])) m = l;
        if (r < h.length && this.less(h[r], h[m])) m = r;
        if (m === i) break;
        [h[i], h[m]] = [h[m], h[i]];
        i = m;
      }
    }
    return top;
  }
}
