/**
 * An informer-style cache in front of the store, as real controllers read from shared informers instead of listing
 * the API server: tracked resources are listed once and then kept current from the store's change stream, so the
 * controllers' many reads cost no copies. Writes go to the store unchanged.
 *
 * Read-only contract: `list()` returns the cached objects themselves — callers must not mutate them (they clone
 * before changing anything, see context.ts updateObject/writeStatus). `get()` returns a private copy.
 */
import type { KubeObject, ListOptions, ObjectStore, ResourceType, StoreEvent } from '../contracts';
import { clone } from './util';

const TRACKED = [
  'pods',
  'services',
  'endpoints',
  'endpointslices.discovery.k8s.io',
  'deployments.apps',
  'replicasets.apps',
  'statefulsets.apps',
  'daemonsets.apps',
  'jobs.batch',
  'nodes',
  'persistentvolumes',
  'persistentvolumeclaims',
  'configmaps',
  'secrets',
  'storageclasses.storage.k8s.io',
];

function rvOf(o: KubeObject): number {
  const n = Number(o.metadata.resourceVersion);
  return Number.isFinite(n) ? n : 0;
}

export class CachedStore implements ObjectStore {
  private readonly data = new Map<string, Map<string, KubeObject>>();
  private readonly namespaced = new Map<string, boolean>();
  private readonly listeners = new Set<(e: StoreEvent) => void>();
  private readonly unsubscribe: () => void;

  constructor(private readonly store: ObjectStore) {
    const types = store.resourceTypes();
    for (const r of TRACKED) {
      const t = types.find((x) => (x.group ? `${x.resource}.${x.group}` : x.resource) === r);
      if (!t) continue;
      this.namespaced.set(r, t.namespaced);
      this.data.set(r, new Map());
    }
    this.unsubscribe = store.subscribe((e) => this.onEvent(e));
    for (const r of this.data.keys()) {
      for (const o of store.list(r)) this.put(r, o);
    }
  }

  close(): void {
    this.unsubscribe();
    this.listeners.clear();
  }

  private key(resource: string, namespace: string | undefined, name: string): string {
    return this.namespaced.get(resource) ? `${namespace ?? 'default'}/${name}` : name;
  }

  private put(resource: string, o: KubeObject): void {
    const bucket = this.data.get(resource);
    if (!bucket) return;
    const k = this.key(resource, o.metadata.namespace, o.metadata.name ?? '');
    const cur = bucket.get(k);
    if (cur && cur.metadata.uid === o.metadata.uid && rvOf(cur) > rvOf(o)) return;
    bucket.set(k, o);
  }

  /** Keeps a write's result in the cache (the caller gets its own copy only for tracked resources). */
  private remember(resource: string, r: KubeObject): KubeObject {
    if (!this.data.has(resource)) return r;
    this.put(resource, r);
    return clone(r);
  }

  private onEvent(e: StoreEvent): void {
    const bucket = this.data.get(e.resource);
    if (bucket) {
      if (e.type === 'DELETED') {
        const k = this.key(e.resource, e.object.metadata.namespace, e.object.metadata.name ?? '');
        const cur = bucket.get(k);
        if (cur && cur.metadata.uid === e.object.metadata.uid) bucket.delete(k);
      } else {
        this.put(e.resource, e.object);
      }
    }
    for (const l of this.listeners) l(e);
  }

  get(resource: string, namespace: string | undefined, name: string): KubeObject | undefined {
    const bucket = this.data.get(resource);
    if (!bucket) return this.store.get(resource, namespace, name);
    const o = bucket.get(this.key(resource, namespace, name));
    return o ? clone(o) : undefined;
  }

  /** The cached object itself (read-only), or a store read for untracked resources. */
  peek(resource: string, namespace: string | undefined, name: string): KubeObject | undefined {
    const bucket = this.data.get(resource);
    if (!bucket) return this.store.get(resource, namespace, name);
    return bucket.get(this.key(resource, namespace, name));
  }

  list(resource: string, namespace?: string, options?: ListOptions): KubeObject[] {
    const bucket = this.data.get(resource);
    if (!bucket || options?.labelSelector || options?.fieldSelector) return this.store.list(resource, namespace, options);
    const out: KubeObject[] = [];
    for (const o of bucket.values()) if (!namespace || !this.namespaced.get(resource) || o.metadata.namespace === namespace) out.push(o);
    return out;
  }

  create(resource: string, object: KubeObject): KubeObject {
    const r = this.store.create(resource, object);
    return this.remember(resource, r);
  }

  update(resource: string, object: KubeObject): KubeObject {
    return this.write(resource, object, () => this.store.update(resource, object));
  }

  updateStatus(resource: string, object: KubeObject): KubeObject {
    return this.write(resource, object, () => this.store.updateStatus(resource, object));
  }

  private write(resource: string, object: KubeObject, fn: () => KubeObject): KubeObject {
    try {
      return this.remember(resource, fn());
    } catch (e) {
      // A conflict means the cache was behind: refresh the entry so that the caller's retry sees the current object.
      if ((e as { code?: number })?.code === 409 && this.data.has(resource)) {
        const fresh = this.store.get(resource, object.metadata.namespace, object.metadata.name ?? '');
        const bucket = this.data.get(resource)!;
        const k = this.key(resource, object.metadata.namespace, object.metadata.name ?? '');
        if (fresh) bucket.set(k, fresh);
        else bucket.delete(k);
      }
      throw e;
    }
  }

  delete(
    resource: string,
    namespace: string | undefined,
    name: string,
    options?: { propagationPolicy?: 'Background' | 'Foreground' | 'Orphan'; gracePeriodSeconds?: number },
  ): KubeObject | undefined {
    return this.store.delete(resource, namespace, name, options);
  }

  subscribe(listener: (event: StoreEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  resourceTypes(): ResourceType[] {
    return this.store.resourceTypes();
  }

  typeForKind(apiVersion: string, kind: string): ResourceType | undefined {
    return this.store.typeForKind(apiVersion, kind);
  }
}
