/**
 * core/v1 Events as the real components write them: named `<object>.<hex time>`, aggregated by
 * (source, object, type, reason, message) into one Event whose `count` and `lastTimestamp` grow.
 */
import type { KubeObject, ObjectStore } from '../contracts';
import type { Clock } from './clock';
import { clone, isoSeconds, storeErrorCode } from './util';

export interface EventSource {
  component: string;
  host?: string;
}

interface Aggregate {
  namespace: string;
  name: string;
  lastMs: number;
}

/** Events older than this are not aggregated into (the real recorder's cache window). */
const AGGREGATION_WINDOW_MS = 10 * 60 * 1000;

export class EventRecorder {
  private readonly aggregates = new Map<string, Aggregate>();
  private seq = 0;
  enabled = true;

  constructor(
    private readonly store: ObjectStore,
    private readonly clock: Clock,
  ) {}

  /**
   * Records an event about `involved`. `fieldPath` names a container (`spec.containers{app}`).
   */
  record(
    involved: KubeObject,
    type: 'Normal' | 'Warning',
    reason: string,
    message: string,
    source: EventSource,
    fieldPath?: string,
  ): void {
    if (!this.enabled) return;
    const meta = involved.metadata;
    const namespace = meta.namespace ?? 'default';
    const involvedObject: Record<string, unknown> = {
      kind: involved.kind,
      namespace: meta.namespace,
      name: meta.name,
      uid: meta.uid,
      apiVersion: involved.apiVersion,
      resourceVersion: meta.resourceVersion,
    };
    if (involved.kind === 'Node') {
      // The kubelet reports node events with the node name as uid (kubectl describe node queries both).
      involvedObject.uid = meta.name;
      delete involvedObject.namespace;
      delete involvedObject.resourceVersion;
    }
    if (fieldPath) involvedObject.fieldPath = fieldPath;
    for (const k of Object.keys(involvedObject)) if (involvedObject[k] === undefined) delete involvedObject[k];

    const now = this.clock.now();
    const key = [source.component, source.host ?? '', involved.kind, namespace, meta.name, meta.uid, fieldPath ?? '', type, reason, message].join('\u0001');
    const agg = this.aggregates.get(key);
    if (agg && now - agg.lastMs < AGGREGATION_WINDOW_MS) {
      const existing = this.store.get('events', agg.namespace, agg.name);
      if (existing) {
        const updated = clone(existing) as KubeObject & Record<string, unknown>;
        updated.count = ((existing.count as number | undefined) ?? 1) + 1;
        updated.lastTimestamp = isoSeconds(now);
        updated.involvedObject = involvedObject;
        try {
          this.store.update('events', updated);
          agg.lastMs = now;
          return;
        } catch {
          // fall through and write a fresh event
        }
      }
    }
    const name = `${meta.name}.${(BigInt(Math.floor(now)) * 1_000_000n + BigInt(this.seq++ % 1_000_000)).toString(16)}`;
    const event: KubeObject = {
      apiVersion: 'v1',
      kind: 'Event',
      metadata: { name, namespace },
      involvedObject,
      reason,
      message,
      source: source.host ? { component: source.component, host: source.host } : { component: source.component },
      firstTimestamp: isoSeconds(now),
      lastTimestamp: isoSeconds(now),
      count: 1,
      type,
      eventTime: null,
      reportingComponent: source.component,
      reportingInstance: source.host ?? '',
    };
    try {
      this.store.create('events', event);
      this.aggregates.set(key, { namespace, name, lastMs: now });
    } catch (e) {
      // A namespace being deleted refuses new events; a real recorder drops them too.
      if (storeErrorCode(e) === undefined) throw e;
    }
    if (this.aggregates.size > 20000) this.prune(now);
  }

  private prune(now: number): void {
    for (const [k, a] of this.aggregates) if (now - a.lastMs >= AGGREGATION_WINDOW_MS) this.aggregates.delete(k);
  }
}
