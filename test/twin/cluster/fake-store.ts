/**
 * A small in-memory ObjectStore for the cluster tests, following the contract's semantics (uids, resourceVersions,
 * generation on spec change, status subresource, no-op writes keep resourceVersion, graceful pod deletion,
 * finalizers, ownerReference cascading). Test-only: the real store lives in src/twin/apiserver/.
 */
import type { KubeObject, ListOptions, ObjectStore, ResourceType, StoreError, StoreEvent } from '../../../src/twin/contracts';

const TYPES: ResourceType[] = [
  { group: '', version: 'v1', resource: 'pods', kind: 'Pod', namespaced: true },
  { group: '', version: 'v1', resource: 'services', kind: 'Service', namespaced: true },
  { group: '', version: 'v1', resource: 'endpoints', kind: 'Endpoints', namespaced: true },
  { group: '', version: 'v1', resource: 'events', kind: 'Event', namespaced: true },
  { group: '', version: 'v1', resource: 'configmaps', kind: 'ConfigMap', namespaced: true },
  { group: '', version: 'v1', resource: 'secrets', kind: 'Secret', namespaced: true },
  { group: '', version: 'v1', resource: 'namespaces', kind: 'Namespace', namespaced: false },
  { group: '', version: 'v1', resource: 'nodes', kind: 'Node', namespaced: false },
  { group: '', version: 'v1', resource: 'persistentvolumes', kind: 'PersistentVolume', namespaced: false },
  { group: '', version: 'v1', resource: 'persistentvolumeclaims', kind: 'PersistentVolumeClaim', namespaced: true },
  { group: '', version: 'v1', resource: 'serviceaccounts', kind: 'ServiceAccount', namespaced: true },
  { group: 'apps', version: 'v1', resource: 'deployments', kind: 'Deployment', namespaced: true },
  { group: 'apps', version: 'v1', resource: 'replicasets', kind: 'ReplicaSet', namespaced: true },
  { group: 'apps', version: 'v1', resource: 'statefulsets', kind: 'StatefulSet', namespaced: true },
  { group: 'apps', version: 'v1', resource: 'daemonsets', kind: 'DaemonSet', namespaced: true },
  { group: 'batch', version: 'v1', resource: 'jobs', kind: 'Job', namespaced: true },
  { group: 'discovery.k8s.io', version: 'v1', resource: 'endpointslices', kind: 'EndpointSlice', namespaced: true },
  { group: 'coordination.k8s.io', version: 'v1', resource: 'leases', kind: 'Lease', namespaced: true },
  { group: 'storage.k8s.io', version: 'v1', resource: 'storageclasses', kind: 'StorageClass', namespaced: false },
];

function err(code: number, reason: StoreError['reason'], message: string): StoreError {
  const e = new Error(message) as StoreError;
  e.code = code;
  e.reason = reason;
  return e;
}

const clone = <T>(v: T): T => (v === undefined ? v : (JSON.parse(JSON.stringify(v)) as T));
const same = (a: unknown, b: unknown): boolean => JSON.stringify(a) === JSON.stringify(b);

export class FakeStore implements ObjectStore {
  private readonly data = new Map<string, Map<string, KubeObject>>();
  private readonly listeners = new Set<(e: StoreEvent) => void>();
  private rv = 100;
  private uid = 0;
  /** Every write, for assertions about write volume. */
  writes = 0;

  constructor(private readonly now: () => number = () => Date.now()) {
    for (const ns of ['default', 'kube-system', 'kube-public', 'kube-node-lease']) {
      this.create('namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } });
    }
  }

  private type(resource: string): ResourceType {
    const [plural, ...g] = resource.split('.');
    const group = g.join('.');
    const t = TYPES.find((x) => x.resource === plural && x.group === group);
    if (!t) throw err(404, 'NotFound', `the server could not find the requested resource (${resource})`);
    return t;
  }

  private bucket(resource: string): Map<string, KubeObject> {
    let b = this.data.get(resource);
    if (!b) this.data.set(resource, (b = new Map()));
    return b;
  }

  private key(t: ResourceType, ns: string | undefined, name: string): string {
    return t.namespaced ? `${ns ?? 'default'}/${name}` : name;
  }

  private emit(type: StoreEvent['type'], resource: string, object: KubeObject): void {
    for (const l of [...this.listeners]) l({ type, resource, object: clone(object) });
  }

  get(resource: string, namespace: string | undefined, name: string): KubeObject | undefined {
    const t = this.type(resource);
    const o = this.bucket(resource).get(this.key(t, namespace, name));
    return o ? clone(o) : undefined;
  }

  list(resource: string, namespace?: string, options?: ListOptions): KubeObject[] {
    const t = this.type(resource);
    let out = [...this.bucket(resource).values()].filter((o) => !t.namespaced || !namespace || o.metadata.namespace === namespace);
    if (options?.labelSelector) {
      const reqs = options.labelSelector.split(',').map((s) => s.split('='));
      out = out.filter((o) => reqs.every(([k, v]) => (o.metadata.labels ?? {})[k] === v));
    }
    if (options?.fieldSelector) {
      const reqs = options.fieldSelector.split(',').map((s) => s.split('='));
      out = out.filter((o) =>
        reqs.every(([k, v]) => {
          let cur: unknown = o;
          for (const p of k.split('.')) cur = (cur as Record<string, unknown> | undefined)?.[p];
          return String(cur ?? '') === v;
        }),
      );
    }
    return out.map(clone).sort((a, b) => `${a.metadata.namespace}/${a.metadata.name}`.localeCompare(`${b.metadata.namespace}/${b.metadata.name}`));
  }

  create(resource: string, object: KubeObject): KubeObject {
    const t = this.type(resource);
    const o = clone(object);
    o.metadata = o.metadata ?? {};
    if (t.namespaced) o.metadata.namespace = o.metadata.namespace ?? 'default';
    else delete o.metadata.namespace;
    if (t.namespaced && !this.bucket('namespaces').has(o.metadata.namespace ?? '')) {
      throw err(404, 'NotFound', `namespaces "${o.metadata.namespace}" not found`);
    }
    if (!o.metadata.name && o.metadata.generateName) {
      o.metadata.name = o.metadata.generateName + Math.random().toString(36).slice(2, 7);
    }
    if (!o.metadata.name) throw err(422, 'Invalid', `${t.resource} "" is invalid: metadata.name: Required value: name or generateName is required`);
    const k = this.key(t, o.metadata.namespace, o.metadata.name);
    if (this.bucket(resource).has(k)) throw err(409, 'AlreadyExists', `${t.resource}${t.group ? '.' + t.group : ''} "${o.metadata.name}" already exists`);
    o.metadata.uid = `uid-${++this.uid}`;
    o.metadata.resourceVersion = String(++this.rv);
    o.metadata.creationTimestamp = new Date(Math.floor(this.now() / 1000) * 1000).toISOString().replace('.000Z', 'Z');
    if (o.spec !== undefined) o.metadata.generation = 1;
    this.bucket(resource).set(k, o);
    this.writes++;
    this.emit('ADDED', resource, o);
    return clone(o);
  }

  update(resource: string, object: KubeObject): KubeObject {
    return this.write(resource, object, false);
  }

  updateStatus(resource: string, object: KubeObject): KubeObject {
    return this.write(resource, object, true);
  }

  private write(resource: string, object: KubeObject, statusOnly: boolean): KubeObject {
    const t = this.type(resource);
    const k = this.key(t, object.metadata.namespace, object.metadata.name ?? '');
    const cur = this.bucket(resource).get(k);
    if (!cur) throw err(404, 'NotFound', `${t.resource} "${object.metadata.name}" not found`);
    if (object.metadata.resourceVersion && object.metadata.resourceVersion !== cur.metadata.resourceVersion) {
      throw err(409, 'Conflict', `Operation cannot be fulfilled on ${t.resource} "${object.metadata.name}": the object has been modified; please apply your changes to the latest version and try again`);
    }
    let next: KubeObject;
    if (statusOnly) {
      next = clone(cur);
      next.status = clone(object.status);
    } else {
      next = clone(object);
      next.metadata = { ...clone(object.metadata), uid: cur.metadata.uid, creationTimestamp: cur.metadata.creationTimestamp, namespace: cur.metadata.namespace };
      if (cur.metadata.deletionTimestamp) next.metadata.deletionTimestamp = cur.metadata.deletionTimestamp;
      next.status = clone(cur.status);
      if (next.status === undefined) delete next.status;
      if (!same(cur.spec, next.spec) && cur.metadata.generation !== undefined) next.metadata.generation = (cur.metadata.generation ?? 0) + 1;
      else next.metadata.generation = cur.metadata.generation;
      if (next.metadata.generation === undefined) delete next.metadata.generation;
    }
    next.metadata.resourceVersion = cur.metadata.resourceVersion;
    if (same(next, cur)) return clone(cur);
    next.metadata.resourceVersion = String(++this.rv);
    this.writes++;
    if (next.metadata.deletionTimestamp && !(next.metadata.finalizers ?? []).length && resource !== 'pods') {
      this.remove(resource, t, next, 'Background');
      return clone(next);
    }
    this.bucket(resource).set(k, next);
    this.emit('MODIFIED', resource, next);
    return clone(next);
  }

  delete(
    resource: string,
    namespace: string | undefined,
    name: string,
    options?: { propagationPolicy?: 'Background' | 'Foreground' | 'Orphan'; gracePeriodSeconds?: number },
  ): KubeObject | undefined {
    const t = this.type(resource);
    const k = this.key(t, namespace, name);
    const cur = this.bucket(resource).get(k);
    if (!cur) throw err(404, 'NotFound', `${t.resource} "${name}" not found`);
    if (resource === 'pods' && cur.spec?.nodeName && options?.gracePeriodSeconds !== 0 && !['Succeeded', 'Failed'].includes(cur.status?.phase)) {
      if (cur.metadata.deletionTimestamp) return clone(cur);
      const grace = options?.gracePeriodSeconds ?? cur.spec?.terminationGracePeriodSeconds ?? 30;
      const next = clone(cur);
      next.metadata.deletionTimestamp = new Date(Math.floor(this.now() / 1000 + grace) * 1000).toISOString().replace('.000Z', 'Z');
      next.metadata.deletionGracePeriodSeconds = grace;
      next.metadata.resourceVersion = String(++this.rv);
      this.bucket(resource).set(k, next);
      this.emit('MODIFIED', resource, next);
      return clone(next);
    }
    if ((cur.metadata.finalizers ?? []).length) {
      const next = clone(cur);
      next.metadata.deletionTimestamp = next.metadata.deletionTimestamp ?? new Date(this.now()).toISOString();
      next.metadata.resourceVersion = String(++this.rv);
      this.bucket(resource).set(k, next);
      this.emit('MODIFIED', resource, next);
      return clone(next);
    }
    this.remove(resource, t, cur, options?.propagationPolicy ?? 'Background');
    return clone(cur);
  }

  private remove(resource: string, t: ResourceType, obj: KubeObject, policy: string): void {
    const k = this.key(t, obj.metadata.namespace, obj.metadata.name ?? '');
    this.bucket(resource).delete(k);
    this.writes++;
    this.emit('DELETED', resource, obj);
    const uid = obj.metadata.uid;
    for (const [res, bucket] of this.data) {
      for (const dep of [...bucket.values()]) {
        if (t.resource === 'namespaces' && dep.metadata.namespace === obj.metadata.name) {
          if (bucket.has(this.key(this.type(res), dep.metadata.namespace, dep.metadata.name ?? ''))) this.remove(res, this.type(res), dep, 'Background');
          continue;
        }
        if (!(dep.metadata.ownerReferences ?? []).some((r) => r.uid === uid)) continue;
        if (policy === 'Orphan') {
          const next = clone(dep);
          next.metadata.ownerReferences = (next.metadata.ownerReferences ?? []).filter((r) => r.uid !== uid);
          this.update(res, next);
        } else if (bucket.has(this.key(this.type(res), dep.metadata.namespace, dep.metadata.name ?? ''))) {
          try {
            this.delete(res, dep.metadata.namespace, dep.metadata.name ?? '');
          } catch {
            // already gone
          }
        }
      }
    }
  }

  subscribe(listener: (event: StoreEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  resourceTypes(): ResourceType[] {
    return TYPES.slice();
  }

  typeForKind(apiVersion: string, kind: string): ResourceType | undefined {
    const [group, version] = apiVersion.includes('/') ? apiVersion.split('/') : ['', apiVersion];
    return TYPES.find((t) => t.kind === kind && t.group === group && t.version === version);
  }
}
