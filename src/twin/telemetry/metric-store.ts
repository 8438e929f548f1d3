/**
 * Time series storage for the Prometheus API: one ring of (time, value) samples per label set, bounded by a retention
 * window; series are found by metric name and label matchers.
 */

import { extrapolate, type SampledChange } from './extrapolate';
export type Labels = Record<string, string>;

export interface Matcher {
  name: string;
  op: '=' | '!=' | '=~' | '!~';
  value: string;
  re?: RegExp;
}

export function labelsKey(labels: Labels): string {
  const keys = Object.keys(labels).sort();
  let s = '';
  for (const k of keys) s += `${k}\u0000${labels[k]}\u0001`;
  return s;
}

export class Series {
  readonly key: string;
  private times: Float64Array;
  private vals: Float64Array;
  private head = 0;
  length = 0;

  constructor(readonly labels: Labels, initial = 16) {
    this.key = labelsKey(labels);
    this.times = new Float64Array(initial);
    this.vals = new Float64Array(initial);
  }

  time(i: number): number {
    return this.times[(this.head + i) % this.times.length];
  }

  value(i: number): number {
    return this.vals[(this.head + i) % this.vals.length];
  }

  push(tMs: number, v: number, maxSamples: number): void {
    if (this.length > 0 && tMs <= this.time(this.length - 1)) {
      if (tMs === this.time(this.length - 1)) this.vals[(this.head + this.length - 1) % this.vals.length] = v;
      return;
    }
    if (this.length === this.times.length) {
      if (this.length >= maxSamples) {
        this.head = (this.head + 1) % this.times.length;
        this.length--;
      } else {
        const cap = Math.min(maxSamples, this.times.length * 2);
        const t2 = new Float64Array(cap);
        const v2 = new Float64Array(cap);
        for (let i = 0; i < this.length; i++) { t2[i] = this.time(i); v2[i] = this.value(i); }
        this.times = t2; this.vals = v2; this.head = 0;
      }
    }
    const at = (this.head + this.length) % this.times.length;
    this.times[at] = tMs;
    this.vals[at] = v;
    this.length++;
  }

  /** Index of the last sample at or before `tMs`, or -1. */
  indexAtOrBefore(tMs: number): number {
    let lo = 0;
    let hi = this.length - 1;
    let ans = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (this.time(mid) <= tMs) { ans = mid; lo = mid + 1; } else hi = mid - 1;
    }
    return ans;
  }

  /**
   * Prometheus' extrapolated rate/increase over the samples in (fromExclusive, to], computed on the ring directly
   * (the hot path of rate() in range queries). Undefined with fewer than two samples.
   */
  extrapolatedRate(fromExclusive: number, to: number, rangeMs: number, isRate: boolean): number | undefined {
    const last = this.indexAtOrBefore(to);
    if (last < 1) return undefined;
    const first = this.indexAtOrBefore(fromExclusive) + 1;
    if (last - first < 1) return undefined;
    const cap = this.times.length;
    const vals = this.vals;
    let j = (this.head + first) % cap;
    const firstV = vals[j];
    const firstT = this.times[j];
    let prev = firstV;
    let result = 0;
    for (let i = first + 1; i <= last; i++) {
      j++;
      if (j === cap) j = 0;
      const v = vals[j];
      if (v < prev) result += prev;
      prev = v;
    }
    result += prev - firstV;
    const change: SampledChange = { firstT, firstV, lastT: this.times[j], count: last - first + 1, change: result };
    return extrapolate(change, fromExclusive, to, rangeMs, true, isRate);
  }

  /** Drops samples older than `minMs`. */
  trim(minMs: number): void {
    while (this.length > 0 && this.time(0) < minMs) { this.head = (this.head + 1) % this.times.length; this.length--; }
  }

  get lastTime(): number {
    return this.length ? this.time(this.length - 1) : -Infinity;
  }

  /** Drops samples at or after `fromMs` (history about to be written again). */
  dropFrom(fromMs: number): void {
    while (this.length > 0 && this.time(this.length - 1) >= fromMs) this.length--;
  }
}

export function compileMatcher(m: Matcher): Matcher {
  if ((m.op === '=~' || m.op === '!~') && !m.re) return { ...m, re: new RegExp(`^(?:${m.value})$`) };
  return m;
}

export function matches(labels: Labels, m: Matcher): boolean {
  const v = labels[m.name] ?? '';
  switch (m.op) {
    case '=': return v === m.value;
    case '!=': return v !== m.value;
    case '=~': return m.re!.test(v);
    case '!~': return !m.re!.test(v);
  }
}

export interface MetricStoreOptions {
  retentionMs?: number;
  /** Expected scrape interval (sizes the rings). */
  intervalMs?: number;
}

export class MetricStore {
  readonly retentionMs: number;
  readonly maxSamples: number;
  private readonly byKey = new Map<string, Series>();
  private readonly byName = new Map<string, Series[]>();

  constructor(options: MetricStoreOptions = {}) {
    this.retentionMs = options.retentionMs ?? 6 * 3_600_000;
    this.maxSamples = Math.ceil(this.retentionMs / (options.intervalMs ?? 15_000)) + 2;
  }

  add(labels: Labels, tMs: number, value: number): void {
    const key = labelsKey(labels);
    let s = this.byKey.get(key);
    if (!s) {
      s = new Series({ ...labels });
      this.byKey.set(key, s);
      const name = labels.__name__ ?? '';
      let list = this.byName.get(name);
      if (!list) this.byName.set(name, (list = []));
      list.push(s);
    }
    s.push(tMs, value, this.maxSamples);
  }

  /** Series matching every matcher (matchers precompiled with compileMatcher). */
  select(matchers: Matcher[]): Series[] {
    const nameEq = matchers.find((m) => m.name === '__name__' && m.op === '=');
    const pool = nameEq ? this.byName.get(nameEq.value) ?? [] : [...this.byKey.values()];
    const compiled = matchers.map(compileMatcher);
    return pool.filter((s) => s.length > 0 && compiled.every((m) => matches(s.labels, m)));
  }

  /** Forgets what the matching series recorded from `fromMs` on, so that it can be written again in time order. */
  dropFrom(matchers: Matcher[], fromMs: number): void {
    for (const s of this.select(matchers)) s.dropFrom(fromMs);
  }

  all(): Series[] {
    return [...this.byKey.values()].filter((s) => s.length > 0);
  }

  get seriesCount(): number {
    return this.byKey.size;
  }

  /** Drops samples older than the retention window and series left empty. */
  trim(nowMs: number): void {
    const min = nowMs - this.retentionMs;
    for (const [key, s] of this.byKey) {
      s.trim(min);
      if (s.length === 0) {
        this.byKey.delete(key);
        const list = this.byName.get(s.labels.__name__ ?? '');
        if (list) {
          const i = list.indexOf(s);
          if (i >= 0) list.splice(i, 1);
        }
      }
    }
  }
}
