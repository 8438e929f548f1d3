/**
 * Container logs, kept per container instance (the current one and the previous one, as the kubelet keeps them),
 * with timestamps from the cluster clock. Lines a behaviour prints while running are pulled lazily through
 * `logsBetween` when someone reads or follows the log.
 */
import type { LogLine } from '../contracts';
import { isoNanos } from './util';

export interface LogInstance {
  containerID: string;
  startedMs: number;
  finishedMs?: number;
  lines: Array<{ ms: number; text: string }>;
  /** Up to when `logsBetween` has been asked. */
  polledToMs: number;
  /** Pulls the lines printed between two instants (the behaviour's logsBetween). */
  pull?: (fromMs: number, toMs: number) => string[];
}

const MAX_LINES = 20_000;

export class ContainerLog {
  readonly instances: LogInstance[] = [];
  private readonly followers = new Set<(line: LogLine) => void>();
  private seq = 0;

  start(containerID: string, startedMs: number, pull?: LogInstance['pull']): LogInstance {
    const inst: LogInstance = { containerID, startedMs, lines: [], polledToMs: startedMs, pull };
    this.instances.push(inst);
    while (this.instances.length > 2) this.instances.shift();
    return inst;
  }

  current(): LogInstance | undefined {
    return this.instances[this.instances.length - 1];
  }

  previous(): LogInstance | undefined {
    return this.instances.length >= 2 ? this.instances[this.instances.length - 2] : undefined;
  }

  append(inst: LogInstance, ms: number, texts: string[]): void {
    for (const raw of texts) {
      for (const text of raw.split('\n')) {
        inst.lines.push({ ms, text });
        if (inst === this.current()) {
          const line = { time: isoNanos(ms, this.seq++), text };
          for (const f of this.followers) f(line);
        }
      }
    }
    if (inst.lines.length > MAX_LINES) inst.lines.splice(0, inst.lines.length - MAX_LINES);
  }

  /** Brings an instance's lines up to `nowMs` (or its end). */
  poll(inst: LogInstance, nowMs: number): void {
    const until = inst.finishedMs !== undefined ? Math.min(inst.finishedMs, nowMs) : nowMs;
    if (!inst.pull || until <= inst.polledToMs) return;
    const from = inst.polledToMs;
    inst.polledToMs = until;
    const lines = inst.pull(from, until);
    if (lines.length === 0) return;
    // Spread the lines over the interval so their timestamps increase.
    const step = (until - from) / (lines.length + 1);
    lines.forEach((l, i) => this.append(inst, from + step * (i + 1), [l]));
  }

  follow(onLine: (line: LogLine) => void): () => void {
    this.followers.add(onLine);
    return () => this.followers.delete(onLine);
  }

  hasFollowers(): boolean {
    return this.followers.size > 0;
  }

  static toLogLines(inst: LogInstance, options: { tailLines?: number; sinceSeconds?: number; nowMs: number }): LogLine[] {
    let lines = inst.lines;
    if (options.sinceSeconds !== undefined) {
      const from = options.nowMs - options.sinceSeconds * 1000;
      lines = lines.filter((l) => l.ms >= from);
    }
    if (options.tailLines !== undefined && options.tailLines >= 0) lines = lines.slice(Math.max(0, lines.length - options.tailLines));
    let seq = 0;
    return lines.map((l) => ({ time: isoNanos(l.ms, seq++), text: l.text }));
  }
}
