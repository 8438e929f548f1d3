/**
 * The controllers' work queue: store events and timers add keys; keys are processed one at a time, de-duplicated,
 * on a clock tick after the change (never inside the store's notification), like a client-go workqueue.
 */
import type { Clock, TimerHandle } from './clock';

export type Handler = (key: string) => void;

export class WorkQueue {
  private readonly handlers = new Map<string, Handler>();
  private readonly pending = new Set<string>();
  private order: string[] = [];
  private head = 0;
  private scheduled = false;
  private stopped = false;
  private readonly delayed = new Map<string, { at: number; handle: TimerHandle }>();
  /** Work items processed so far (for benchmarks and loop detection). */
  processed = 0;

  constructor(
    private readonly clock: Clock,
    private readonly onError: (controller: string, key: string, error: unknown) => void,
    /** Milliseconds between a change and the pass that processes it (a slow control plane; normally 0). */
    private readonly lagMs = 0,
  ) {}

  register(controller: string, handler: Handler): void {
    this.handlers.set(controller, handler);
  }

  add(controller: string, key: string): void {
    if (this.stopped) return;
    const item = `${controller}\u0000${key}`;
    if (this.pending.has(item)) return;
    this.pending.add(item);
    this.order.push(item);
    this.schedule();
  }

  /** Adds the key after `delayMs`; an earlier pending request for the same key wins. */
  addAfter(controller: string, key: string, delayMs: number): void {
    if (this.stopped) return;
    if (delayMs <= 0) {
      this.add(controller, key);
      return;
    }
    const item = `${controller}\u0000${key}`;
    const at = this.clock.now() + delayMs;
    const existing = this.delayed.get(item);
    if (existing && existing.at <= at) return;
    if (existing) this.clock.clearTimeout(existing.handle);
    const handle = this.clock.setTimeout(() => {
      this.delayed.delete(item);
      this.add(controller, key);
    }, delayMs);
    this.delayed.set(item, { at, handle });
  }

  stop(): void {
    this.stopped = true;
    for (const d of this.delayed.values()) this.clock.clearTimeout(d.handle);
    this.delayed.clear();
    this.pending.clear();
    this.order = [];
    this.head = 0;
  }

  private schedule(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    this.clock.setTimeout(() => this.drain(), this.lagMs);
  }

  /** Processes everything queued, including work queued by the handlers themselves. */
  drain(): void {
    this.scheduled = false;
    let n = 0;
    while (this.head < this.order.length && !this.stopped) {
      const item = this.order[this.head++];
      this.pending.delete(item);
      const sep = item.indexOf('\u0000');
      const controller = item.slice(0, sep);
      const key = item.slice(sep + 1);
      const handler = this.handlers.get(controller);
      this.processed++;
      if (handler) {
        try {
          handler(key);
        } catch (e) {
          this.onError(controller, key, e);
        }
      }
      if (++n > 200_000) {
        this.onError('workqueue', '', new Error('more than 200000 work items in one pass; controllers are looping'));
        break;
      }
      if (this.head > 4096 && this.head * 2 > this.order.length) {
        this.order = this.order.slice(this.head);
        this.head = 0;
      }
    }
    if (this.head >= this.order.length) {
      this.order = [];
      this.head = 0;
    } else {
      this.schedule();
    }
  }
}
