/**
 * Span storage for the Jaeger query API: a bounded ring of completed traces (at most `maxTraces`, none older than
 * `windowMs`), with a trace-id index. Queries scan newest first, as Jaeger's in-memory store answers.
 */

export type TagValue = string | number | boolean;

export interface SpanRecord {
  spanId: string;
  /** Parent span id (CHILD_OF), absent for the root. */
  parentSpanId?: string;
  service: string;
  operation: string;
  startUs: number;
  durationUs: number;
  kind: 'server' | 'client' | 'internal' | 'producer' | 'consumer';
  error: boolean;
  tags: Array<[string, TagValue]>;
  /** The pod the span was recorded in (its process's `hostname` tag in Jaeger). */
  pod?: string;
}

export interface TraceRecord {
  traceId: string;
  startUs: number;
  endUs: number;
  spans: SpanRecord[];
}

export interface TraceQuery {
  service: string;
  operation?: string;
  /** Every tag must match on one span of the service (values compared as strings). */
  tags?: Record<string, string>;
  startUs?: number;
  endUs?: number;
  minDurationUs?: number;
  maxDurationUs?: number;
  limit?: number;
}

export interface TraceStoreOptions {
  maxTraces?: number;
  windowMs?: number;
}

export class TraceStore {
  readonly maxTraces: number;
  readonly windowMs: number;
  private ring: Array<TraceRecord | undefined>;
  private head = 0;
  private size = 0;
  private readonly byId = new Map<string, TraceRecord>();
  private readonly operations = new Map<string, Map<string, string>>();
  /** Spans ever added (including evicted ones). */
  spansAdded = 0;

  constructor(options: TraceStoreOptions = {}) {
    this.maxTraces = options.maxTraces ?? 20_000;
    this.windowMs = options.windowMs ?? 3_600_000;
    this.ring = new Array(Math.min(this.maxTraces, 1024));
  }

  get count(): number {
    return this.size;
  }

  add(trace: TraceRecord): void {
    if (this.size === this.maxTraces) this.evictOldest();
    if (this.size === this.ring.length) this.grow();
    this.ring[(this.head + this.size) % this.ring.length] = trace;
    this.size++;
    this.byId.set(trace.traceId, trace);
    this.spansAdded += trace.spans.length;
    for (const s of trace.spans) {
      let ops = this.operations.get(s.service);
      if (!ops) this.operations.set(s.service, (ops = new Map()));
      if (!ops.has(s.operation)) ops.set(s.operation, s.kind);
    }
  }

  /** Drops traces that ended before `nowMs - windowMs`. */
  expire(nowMs: number): void {
    const limitUs = (nowMs - this.windowMs) * 1000;
    while (this.size > 0 && (this.ring[this.head]?.endUs ?? 0) < limitUs) this.evictOldest();
  }

  get(traceId: string): TraceRecord | undefined {
    return this.byId.get(traceId.toLowerCase().replace(/^0+(?=.{16})/, '')) ?? this.byId.get(traceId);
  }

  services(): string[] {
    return [...this.operations.keys()].sort();
  }

  operationsOf(service: string): Array<{ name: string; spanKind: string }> {
    return [...(this.operations.get(service) ?? new Map<string, string>()).entries()].map(([name, spanKind]) => ({ name, spanKind })).sort((a, b) => a.name.localeCompare(b.name));
  }

  /** Matching traces, newest first. */
  find(q: TraceQuery): TraceRecord[] {
    const out: TraceRecord[] = [];
    const limit = q.limit && q.limit > 0 ? q.limit : Infinity;
    const tagEntries = Object.entries(q.tags ?? {});
    for (let i = this.size - 1; i >= 0 && out.length < limit; i--) {
      const t = this.ring[(this.head + i) % this.ring.length]!;
      if (q.startUs !== undefined && t.startUs < q.startUs) continue;
      if (q.endUs !== undefined && t.startUs > q.endUs) continue;
      let hit = false;
      for (const s of t.spans) {
        if (s.service !== q.service) continue;
        if (q.operation && s.operation !== q.operation) continue;
        if (q.minDurationUs !== undefined && s.durationUs < q.minDurationUs) continue;
        if (q.maxDurationUs !== undefined && s.durationUs > q.maxDurationUs) continue;
        if (tagEntries.length && !tagEntries.every(([k, v]) => spanHasTag(s, k, v))) continue;
        hit = true;
        break;
      }
      if (hit) out.push(t);
    }
    return out;
  }

  private evictOldest(): void {
    const t = this.ring[this.head];
    this.ring[this.head] = undefined;
    this.head = (this.head + 1) % this.ring.length;
    this.size--;
    if (t && this.byId.get(t.traceId) === t) this.byId.delete(t.traceId);
  }

  private grow(): void {
    const next: Array<TraceRecord | undefined> = new Array(Math.min(this.maxTraces, this.ring.length * 2));
    for (let i = 0; i < this.size; i++) next[i] = this.ring[(this.head + i) % this.ring.length];
    this.ring = next;
    this.head = 0;
  }
}

function spanHasTag(s: SpanRecord, key: string, value: string): boolean {
  if (key === 'error' && s.error) return value === 'true';
  for (const [k, v] of s.tags) if (k === key) return String(v) === value;
  if (key === 'error') return value === 'false';
  return false;
}
