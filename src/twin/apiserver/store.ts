/**
 * The in-memory object store: implements `ObjectStore` with the real apiserver's semantics
 * (resourceVersion, generation, no-op writes, finalizers, graceful pod deletion, ownerReference GC,
 * namespace finalization, CRDs) and keeps an event history for watch replay.
 */
 
import { randomUUID } from 'node:crypto';
import type { KubeObject, ListOptions, ObjectStore, ResourceName, ResourceType, StoreEvent, WatchEventType } from '../contracts';
import { ApiError, alreadyExists, conflict, forbidden, notFound, badRequest } from './errors';
import { Registry, ResourceInfo, typesFromCrd, chaosMeshCrd, CHAOS_MESH_KINDS } from './registry';
import { applyDefaults, admitServiceAccount, ROOT_CA_PEM, ServiceIpAllocator } from './defaults';
import { validate } from './validate';
import { matchFields, matchLabels, parseFieldSelector, parseLabelSelector } from './selectors';
import { sortedKeysJson } from '../sorted-json';
import { cloneData } from '../clone';

export interface HistoryEntry {
  rv: number;
  type: WatchEventType;
  resource: string;
  object: KubeObject;
  /** The object before a MODIFIED change (for selector transitions). */
  old?: KubeObject;
}

export interface WriteOptions { dryRun?: boolean }
export interface DeleteOptions {
  propagationPolicy?: 'Background' | 'Foreground' | 'Orphan';
  gracePeriodSeconds?: number;
  dryRun?: boolean;
  preconditions?: { uid?: string; resourceVersion?: string };
}

export interface StoreOptions {
  /** Event history kept for watch replay (entries). */
  historySize?: number;
  /** Delay before a Terminating namespace is emptied and removed. */
  namespaceFinalizeDelayMs?: number;
  /** Whether graceful pod deletion (pods bound to a node) is finished by the store itself after the grace period, in case no kubelet does it. */
  finishGracefulDeletes?: boolean;
  /** Whether the Chaos Mesh CRDs exist from the start (default true; false: a cluster as kind leaves it). */
  chaosMeshCrds?: boolean;
}

/** Kinds whose objects carry metadata.generation (as in the real apiserver). */
const GENERATION_KINDS = new Set(['Deployment', 'ReplicaSet', 'StatefulSet', 'DaemonSet', 'Job', 'CronJob', 'ReplicationController', 'HorizontalPodAutoscaler', 'Ingress', 'NetworkPolicy', 'PodDisruptionBudget', 'CustomResourceDefinition']);
/** Types whose PUT creates when absent. */
const CREATE_ON_UPDATE = new Set(['endpoints', 'events', 'leases.coordination.k8s.io', 'endpointslices.discovery.k8s.io']);

export function nowRfc3339(ms = Date.now()): string {
  return new Date(ms).toISOString().replace(/\.\d+Z$/, 'Z');
}

const NAME_CHARS = 'bcdfghjklmnpqrstvwxz2456789';
function randomSuffix(n = 5): string {
  let s = '';
  for (let i = 0; i < n; i++) s += NAME_CHARS[Math.floor(Math.random() * NAME_CHARS.length)];
  return s;
}

const clone = cloneData;

export class MemoryStore implements ObjectStore, ServiceIpAllocator {
  readonly registry = new Registry();
  private readonly data = new Map<string, Map<string, KubeObject>>();
  private rv = 0;
  private readonly history: HistoryEntry[] = [];
  private historyStart = 1;
  private readonly listeners = new Set<(e: HistoryEntry) => void>();
  private readonly queue: HistoryEntry[] = [];
  private dispatching = false;
  private readonly usedIps = new Set<string>();
  private readonly usedNodePorts = new Set<number>();
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly opts: Required<StoreOptions>;

  constructor(options: StoreOptions = {}) {
    this.opts = { historySize: 4000, namespaceFinalizeDelayMs: 150, finishGracefulDeletes: true, chaosMeshCrds: true, ...options };
    for (const ns of ['default', 'kube-system', 'kube-public', 'kube-node-lease']) {
      this.create('namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } });
    }
    this.usedIps.add('10.96.0.1');
    this.create('services', {
      apiVersion: 'v1', kind: 'Service',
      metadata: { name: 'kubernetes', namespace: 'default', labels: { component: 'apiserver', provider: 'kubernetes' } },
      spec: { clusterIP: '10.96.0.1', ports: [{ name: 'https', port: 443, protocol: 'TCP', targetPort: 6443 }], type: 'ClusterIP' },
    });
    if (this.opts.chaosMeshCrds) for (const kind of CHAOS_MESH_KINDS) this.create('customresourcedefinitions.apiextensions.k8s.io', chaosMeshCrd(kind) as unknown as KubeObject);
  }

  /** Stops timers (graceful deletes, namespace finalization). */
  close(): void {
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    this.listeners.clear();
  }

  // ---------- allocation ----------
  clusterIP(): string {
    for (;;) {
      const n = 10 + Math.floor(Math.random() * (16 * 65536 - 20));
      const ip = `10.${96 + (n >> 16)}.${(n >> 8) & 255}.${n & 255}`;
      if ((n & 255) !== 0 && (n & 255) !== 255 && !this.usedIps.has(ip)) { this.usedIps.add(ip); return ip; }
    }
  }
  nodePort(): number {
    for (;;) {
      const p = 30000 + Math.floor(Math.random() * 2768);
      if (!this.usedNodePorts.has(p)) { this.usedNodePorts.add(p); return p; }
    }
  }

  // ---------- lookups ----------
  info(resource: ResourceName): ResourceInfo {
    const i = this.registry.byName(resource);
    if (!i) throw new ApiError(404, 'NotFound', `the server could not find the requested resource (resource ${resource})`, {});
    return i;
  }
  resourceTypes(): ResourceType[] {
    return this.registry.all().map(({ group, version, resource, kind, namespaced }) => ({ group, version, resource, kind, namespaced }));
  }
  typeForKind(apiVersion: string, kind: string): ResourceType | undefined { return this.registry.byKind(apiVersion, kind); }

  private bucket(info: ResourceInfo): Map<string, KubeObject> {
    const key = this.registry.storeName(info);
    let b = this.data.get(key);
    if (!b) { b = new Map(); this.data.set(key, b); }
    return b;
  }
  private key(info: ResourceInfo, ns: string | undefined, name: string): string {
    return info.namespaced ? `${ns ?? ''}/${name}` : name;
  }

  currentResourceVersion(): string { return String(this.rv); }

  get(resource: ResourceName, namespace: string | undefined, name: string): KubeObject | undefined {
    const info = this.info(resource);
    const o = this.bucket(info).get(this.key(info, namespace, name));
    return o ? clone(o) : undefined;
  }

  /** Like get, but throws NotFound worded like the apiserver. */
  mustGet(resource: ResourceName, namespace: string | undefined, name: string): KubeObject {
    const o = this.get(resource, namespace, name);
    if (!o) { const i = this.info(resource); throw notFound(i.resource, i.group, name); }
    return o;
  }

  list(resource: ResourceName, namespace?: string, options: ListOptions = {}): KubeObject[] {
    const info = this.info(resource);
    const labels = parseLabelSelector(options.labelSelector);
    const fields = parseFieldSelector(options.fieldSelector);
    const out: KubeObject[] = [];
    for (const o of this.bucket(info).values()) {
      if (info.namespaced && namespace && o.metadata.namespace !== namespace) continue;
      if (!matchLabels(labels, o.metadata.labels)) continue;
      if (!matchFields(fields, o)) continue;
      out.push(clone(o));
    }
    out.sort((a, b) => (a.metadata.namespace ?? '').localeCompare(b.metadata.namespace ?? '') || (a.metadata.name ?? '').localeCompare(b.metadata.name ?? ''));
    return out;
  }

  // ---------- events ----------
  subscribe(listener: (event: StoreEvent) => void): () => void {
    const l = (e: HistoryEntry) => listener({ type: e.type, resource: e.resource, object: clone(e.object) });
    this.listeners.add(l);
    return () => { this.listeners.delete(l); };
  }
  /** Internal subscription with resourceVersion and the previous object. */
  subscribeEntries(listener: (e: HistoryEntry) => void): () => void {
    this.listeners.add(listener);
    return () => { this.listeners.delete(listener); };
  }
  /** History entries after `rv`, or 'expired' when the window no longer reaches back that far. */
  historySince(rv: number): HistoryEntry[] | 'expired' {
    if (rv < this.historyStart - 1) return 'expired';
    const idx = this.history.findIndex((e) => e.rv > rv);
    return idx < 0 ? [] : this.history.slice(idx);
  }
  oldestResourceVersion(): number { return this.historyStart; }

  private emit(type: WatchEventType, info: ResourceInfo, object: KubeObject, old?: KubeObject): void {
    const e: HistoryEntry = { rv: Number(object.metadata.resourceVersion), type, resource: this.registry.storeName(info), object: clone(object), old: old ? clone(old) : undefined };
    this.history.push(e);
    if (this.history.length > this.opts.historySize) {
      const drop = this.history.length - this.opts.historySize;
      this.history.splice(0, drop);
      this.historyStart = this.history[0].rv;
    }
    this.queue.push(e);
    if (this.dispatching) return;
    this.dispatching = true;
    try {
      while (this.queue.length) {
        const next = this.queue.shift()!;
        for (const l of [...this.listeners]) {
          try { l(next); } catch { /* a listener's failure must not break the writer */ }
        }
      }
    } finally { this.dispatching = false; }
  }

  private nextRv(): string { return String(++this.rv); }

  // ---------- writes ----------
  create(resource: ResourceName, object: KubeObject, opts: WriteOptions = {}): KubeObject {
    const info = this.info(resource);
    const obj = clone(object);
    obj.apiVersion = info.group ? `${info.group}/${info.version}` : info.version;
    obj.kind = info.kind;
    obj.metadata = obj.metadata && typeof obj.metadata === 'object' ? obj.metadata : {};
    const m = obj.metadata;
    if (info.namespaced) {
      if (!m.namespace) m.namespace = 'default';
      const ns = this.bucket(this.registry.byName('namespaces')!).get(m.namespace);
      if (!ns) throw notFound('namespaces', '', m.namespace);
      if (ns.metadata.deletionTimestamp) {
        throw forbidden(info.resource, info.group, m.name ?? m.generateName ?? '', `unable to create new content in namespace ${m.namespace} because it is being terminated`);
      }
    } else delete m.namespace;
    if (!m.name && m.generateName) m.name = `${m.generateName}${randomSuffix()}`;
    for (const k of ['uid', 'resourceVersion', 'deletionTimestamp', 'deletionGracePeriodSeconds', 'managedFields', 'selfLink']) delete m[k];
    m.creationTimestamp = nowRfc3339();
    m.uid = randomUUID();
    if (info.subresources.includes('status') && (info.custom || ['apps', 'batch'].includes(info.group))) delete obj.status;
    applyDefaults(obj, this);
    if (info.kind === 'Pod' && !info.group) admitServiceAccount(obj, randomSuffix());
    validate(info, obj);
    const b = this.bucket(info);
    const key = this.key(info, m.namespace, m.name!);
    if (b.has(key)) throw alreadyExists(info.resource, info.group, m.name!);
    if (info.custom || GENERATION_KINDS.has(info.kind)) m.generation = 1; else delete m.generation;
    if (info.kind === 'CustomResourceDefinition' && !info.custom) this.checkCrd(obj);
    if (opts.dryRun) { m.resourceVersion = undefined; delete m.resourceVersion; return obj; }
    if (info.kind === 'Service' && !info.group) this.noteAllocations(obj);
    m.resourceVersion = this.nextRv();
    b.set(key, obj);
    this.emit('ADDED', info, obj);
    this.afterCreate(info, obj);
    return clone(obj);
  }

  private noteAllocations(svc: KubeObject): void {
    const ip = svc.spec?.clusterIP;
    if (typeof ip === 'string' && ip !== 'None') this.usedIps.add(ip);
    for (const p of svc.spec?.ports ?? []) if (p?.nodePort) this.usedNodePorts.add(p.nodePort);
  }

  private checkCrd(crd: KubeObject): void {
    for (const t of typesFromCrd(crd)) {
      const existing = this.registry.byPath(t.group, t.version, t.resource);
      if (existing && !existing.custom) throw badRequest(`customresourcedefinitions.apiextensions.k8s.io "${crd.metadata.name}": conflicts with a built-in resource`);
    }
  }

  private afterCreate(info: ResourceInfo, obj: KubeObject): void {
    if (info.kind === 'CustomResourceDefinition' && !info.custom) {
      this.registry.setCrdTypes(obj.spec.group, obj.spec.names.plural, typesFromCrd(obj));
    }
    if (info.kind === 'Namespace' && !info.group) {
      // The service-account controller's job on a real cluster: every namespace gets a `default` ServiceAccount.
      const sa = this.bucket(this.registry.byName('serviceaccounts')!);
      if (!sa.has(`${obj.metadata.name}/default`)) {
        this.create('serviceaccounts', { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'default', namespace: obj.metadata.name } });
      }
      // The root-ca-cert-publisher's ConfigMap, which the projected service-account volume of every pod reads.
      const cms = this.bucket(this.registry.byName('configmaps')!);
      if (!cms.has(`${obj.metadata.name}/kube-root-ca.crt`)) {
        this.create('configmaps', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'kube-root-ca.crt', namespace: obj.metadata.name, annotations: { 'kubernetes.io/description': 'Contains a CA bundle that can be used to verify the kube-apiserver when using internal endpoints such as the internal service IP or kubernetes.default.svc. No other usage is guaranteed across distributions of Kubernetes clusters.' } }, data: { 'ca.crt': ROOT_CA_PEM } });
      }
    }
  }

  update(resource: ResourceName, object: KubeObject, opts: WriteOptions = {}): KubeObject {
    return this.write(resource, object, false, opts);
  }

  updateStatus(resource: ResourceName, object: KubeObject, opts: WriteOptions = {}): KubeObject {
    return this.write(resource, object, true, opts);
  }

  private write(resource: ResourceName, object: KubeObject, statusOnly: boolean, opts: WriteOptions): KubeObject {
    const info = this.info(resource);
    const m0 = object.metadata ?? {};
    const ns = info.namespaced ? (m0.namespace || 'default') : undefined;
    const name = m0.name ?? '';
    if (!name) throw badRequest('name is required');
    const b = this.bucket(info);
    const key = this.key(info, ns, name);
    const old = b.get(key);
    if (!old) {
      if (!statusOnly && CREATE_ON_UPDATE.has(this.registry.storeName(info))) return this.create(resource, object, opts);
      throw notFound(info.resource, info.group, name);
    }
    if (m0.resourceVersion && m0.resourceVersion !== old.metadata.resourceVersion) throw conflict(info.resource, info.group, name);
    if (m0.uid && m0.uid !== old.metadata.uid) {
      throw new ApiError(409, 'Conflict', `Operation cannot be fulfilled on ${info.group ? `${info.resource}.${info.group}` : info.resource} "${name}": Precondition failed: UID in precondition: ${m0.uid}, UID in object meta: ${old.metadata.uid}`, { name, kind: info.resource, group: info.group || undefined });
    }
    let next: KubeObject;
    if (statusOnly) {
      next = clone(old);
      next.status = clone(object.status);
    } else {
      next = clone(object);
      next.apiVersion = old.apiVersion;
      next.kind = old.kind;
      const m = next.metadata = { ...(next.metadata ?? {}) };
      for (const k of ['uid', 'creationTimestamp', 'deletionTimestamp', 'deletionGracePeriodSeconds', 'generation']) {
        if (old.metadata[k] === undefined) delete m[k]; else m[k] = old.metadata[k];
      }
      if (info.namespaced) m.namespace = ns; else delete m.namespace;
      delete m.managedFields;
      if (info.subresources.includes('status')) {
        if (old.status === undefined) delete next.status; else next.status = clone(old.status);
      }
      applyDefaults(next, this, old);
      validate(info, next, old);
      if (m.generation !== undefined && sortedKeysJson(next.spec) !== sortedKeysJson(old.spec)) m.generation = (old.metadata.generation ?? 1) + 1;
      if (info.kind === 'CustomResourceDefinition' && !info.custom) this.checkCrd(next);
    }
    next.metadata.resourceVersion = old.metadata.resourceVersion;
    if (sortedKeysJson(next) === sortedKeysJson(old)) return clone(old);
    if (opts.dryRun) return next;
    if (info.kind === 'Service' && !info.group) this.noteAllocations(next);
    next.metadata.resourceVersion = this.nextRv();
    b.set(key, next);
    this.emit('MODIFIED', info, next, old);
    if (info.kind === 'CustomResourceDefinition' && !info.custom) {
      this.registry.setCrdTypes(next.spec.group, next.spec.names.plural, typesFromCrd(next));
    }
    if (next.metadata.deletionTimestamp && !(next.metadata.finalizers?.length) && !this.isGracefulPod(info, next)) {
      this.remove(info, next, 'Background');
      return clone(next);
    }
    return clone(next);
  }

  private isGracefulPod(info: ResourceInfo, o: KubeObject): boolean {
    return info.kind === 'Pod' && !info.group && !!o.metadata.deletionTimestamp && (o.metadata.deletionGracePeriodSeconds ?? 0) > 0;
  }

  delete(resource: ResourceName, namespace: string | undefined, name: string, options: DeleteOptions = {}): KubeObject | undefined {
    const info = this.info(resource);
    const b = this.bucket(info);
    const key = this.key(info, info.namespaced ? namespace : undefined, name);
    const obj = b.get(key);
    if (!obj) throw notFound(info.resource, info.group, name);
    const pre = options.preconditions;
    if (pre?.uid && pre.uid !== obj.metadata.uid) {
      throw new ApiError(409, 'Conflict', `Operation cannot be fulfilled on ${info.group ? `${info.resource}.${info.group}` : info.resource} "${name}": Precondition failed: UID in precondition: ${pre.uid}, UID in object meta: ${obj.metadata.uid}`, { name, kind: info.resource });
    }
    if (pre?.resourceVersion && pre.resourceVersion !== obj.metadata.resourceVersion) throw conflict(info.resource, info.group, name);
    if (options.dryRun) return clone(obj);
    const policy = options.propagationPolicy ?? 'Background';

    if (info.kind === 'Namespace' && !info.group) {
      if (['default', 'kube-system', 'kube-public'].includes(name)) throw forbidden('namespaces', '', name, 'this namespace may not be deleted');
      if (!obj.metadata.deletionTimestamp) {
        const next = clone(obj);
        next.metadata.deletionTimestamp = nowRfc3339();
        next.metadata.deletionGracePeriodSeconds = 0;
        next.status = { ...(next.status ?? {}), phase: 'Terminating' };
        next.metadata.resourceVersion = this.nextRv();
        b.set(key, next);
        this.emit('MODIFIED', info, next, obj);
        this.later(() => this.finalizeNamespace(name), this.opts.namespaceFinalizeDelayMs);
        return clone(next);
      }
      return clone(obj);
    }

    if (info.kind === 'Pod' && !info.group) {
      const grace = options.gracePeriodSeconds ?? obj.spec?.terminationGracePeriodSeconds ?? 30;
      const phase = obj.status?.phase;
      const bound = !!obj.spec?.nodeName && phase !== 'Succeeded' && phase !== 'Failed';
      if (bound && grace > 0) {
        const current = obj.metadata.deletionTimestamp ? (obj.metadata.deletionGracePeriodSeconds ?? 0) : Infinity;
        if (grace < current) {
          const next = clone(obj);
          next.metadata.deletionTimestamp = nowRfc3339(Date.now() + grace * 1000);
          next.metadata.deletionGracePeriodSeconds = grace;
          next.metadata.resourceVersion = this.nextRv();
          b.set(key, next);
          this.emit('MODIFIED', info, next, obj);
          if (this.opts.finishGracefulDeletes) {
            const uid = obj.metadata.uid;
            this.later(() => {
              const cur = b.get(key);
              if (cur && cur.metadata.uid === uid) this.delete(resource, namespace, name, { gracePeriodSeconds: 0 });
            }, grace * 1000);
          }
          return clone(next);
        }
        return clone(obj);
      }
    }

    if (obj.metadata.finalizers?.length || policy === 'Foreground' && this.dependents(obj).length > 0) {
      const next = clone(obj);
      let changed = false;
      if (!next.metadata.deletionTimestamp) {
        next.metadata.deletionTimestamp = nowRfc3339();
        next.metadata.deletionGracePeriodSeconds = 0;
        changed = true;
      }
      if (policy === 'Foreground') {
        next.metadata.finalizers = [...(next.metadata.finalizers ?? [])];
        if (!next.metadata.finalizers.includes('foregroundDeletion')) { next.metadata.finalizers.push('foregroundDeletion'); changed = true; }
      }
      if (changed) {
        next.metadata.resourceVersion = this.nextRv();
        b.set(key, next);
        this.emit('MODIFIED', info, next, obj);
      }
      if (policy === 'Foreground') this.foreground(info, next);
      const after = b.get(key);
      return clone(after ?? next);
    }
    return this.remove(info, obj, policy);
  }

  private later(fn: () => void, ms: number): void {
    const t = setTimeout(() => { this.timers.delete(t); try { fn(); } catch { /* already gone */ } }, ms);
    t.unref?.();
    this.timers.add(t);
  }

  /** Deletes dependents, then drops the foregroundDeletion finalizer of the owner (which removes it if no other finalizer). */
  private foreground(info: ResourceInfo, owner: KubeObject): void {
    for (const d of this.dependents(owner)) {
      try { this.delete(d.resource, d.object.metadata.namespace, d.object.metadata.name!, { propagationPolicy: 'Foreground', gracePeriodSeconds: 0 }); } catch { /* gone */ }
    }
    const b = this.bucket(info);
    const key = this.key(info, owner.metadata.namespace, owner.metadata.name!);
    const cur = b.get(key);
    if (!cur || cur.metadata.uid !== owner.metadata.uid) return;
    const next = clone(cur);
    next.metadata.finalizers = (next.metadata.finalizers ?? []).filter((f) => f !== 'foregroundDeletion');
    if (next.metadata.finalizers.length === 0) delete next.metadata.finalizers;
    next.metadata.resourceVersion = this.nextRv();
    b.set(key, next);
    this.emit('MODIFIED', info, next, cur);
    if (!next.metadata.finalizers) this.remove(info, next, 'Background');
  }

  private dependents(owner: KubeObject): { resource: string; object: KubeObject }[] {
    const uid = owner.metadata.uid;
    const out: { resource: string; object: KubeObject }[] = [];
    for (const [resource, bucket] of this.data) {
      for (const o of bucket.values()) {
        if (o.metadata.ownerReferences?.some((r) => r.uid === uid)) out.push({ resource, object: o });
      }
    }
    return out;
  }

  private remove(info: ResourceInfo, obj: KubeObject, policy: 'Background' | 'Foreground' | 'Orphan'): KubeObject {
    const b = this.bucket(info);
    const key = this.key(info, obj.metadata.namespace, obj.metadata.name!);
    const cur = b.get(key);
    if (!cur) return clone(obj);
    b.delete(key);
    const gone = clone(cur);
    gone.metadata.resourceVersion = this.nextRv();
    this.emit('DELETED', info, gone);
    if (info.kind === 'Service' && !info.group) {
      const ip = gone.spec?.clusterIP;
      if (ip && ip !== '10.96.0.1') this.usedIps.delete(ip);
      for (const p of gone.spec?.ports ?? []) if (p?.nodePort) this.usedNodePorts.delete(p.nodePort);
    }
    if (info.kind === 'CustomResourceDefinition' && !info.custom) {
      for (const t of typesFromCrd(gone)) {
        const name = this.registry.storeName(t);
        for (const o of [...(this.data.get(name)?.values() ?? [])]) {
          try { this.remove(this.registry.byName(name)!, o, 'Background'); } catch { /* ignore */ }
        }
        this.data.delete(name);
      }
      this.registry.setCrdTypes(gone.spec.group, gone.spec.names.plural, []);
    }
    for (const d of this.dependents(gone)) {
      if (policy === 'Orphan') {
        const next = clone(d.object);
        next.metadata.ownerReferences = next.metadata.ownerReferences!.filter((r) => r.uid !== gone.metadata.uid);
        if (next.metadata.ownerReferences.length === 0) delete next.metadata.ownerReferences;
        try { this.update(d.resource, next); } catch { /* ignore */ }
      } else {
        // Background GC: a dependent goes when none of its owners is left.
        const owners = d.object.metadata.ownerReferences!.filter((r) => r.uid !== gone.metadata.uid);
        const alive = owners.some((r) => this.findByUid(r.uid));
        if (!alive) {
          try { this.delete(d.resource, d.object.metadata.namespace, d.object.metadata.name!, { propagationPolicy: 'Background' }); } catch { /* already gone */ }
        }
      }
    }
    return gone;
  }

  private findByUid(uid: string): KubeObject | undefined {
    for (const b of this.data.values()) for (const o of b.values()) if (o.metadata.uid === uid) return o;
    return undefined;
  }

  /**
   * Deletes a terminating namespace's content, then the namespace. As the namespace controller does, content with
   * finalizers is only marked for deletion: it stays until whoever owns the finalizer removes it, and the namespace
   * stays Terminating meanwhile, its conditions naming what remains (looked at again every second).
   */
  private finalizeNamespace(name: string): void {
    const nsInfo = this.registry.byName('namespaces')!;
    const nsBucket = this.bucket(nsInfo);
    if (!nsBucket.get(name)?.metadata.deletionTimestamp) return;
    const remaining: Array<{ resource: string; finalizers: string[] }> = [];
    for (const info of [...this.registry.all()]) {
      if (!info.namespaced) continue;
      const b = this.data.get(this.registry.storeName(info));
      if (!b) continue;
      for (const o of [...b.values()]) {
        if (o.metadata.namespace !== name) continue;
        const key = this.key(info, name, o.metadata.name!);
        const cur = b.get(key);
        if (!cur) continue;
        if (!cur.metadata.finalizers?.length) {
          this.remove(info, cur, 'Background');
          continue;
        }
        remaining.push({ resource: info.group ? `${info.resource}.${info.group}` : info.resource, finalizers: cur.metadata.finalizers });
        if (cur.metadata.deletionTimestamp) continue;
        const next = clone(cur);
        next.metadata.deletionTimestamp = nowRfc3339();
        next.metadata.deletionGracePeriodSeconds = 0;
        next.metadata.resourceVersion = this.nextRv();
        b.set(key, next);
        this.emit('MODIFIED', info, next, cur);
      }
    }
    const ns = nsBucket.get(name);
    if (!ns) return;
    if (remaining.length === 0) {
      this.remove(nsInfo, ns, 'Background');
      return;
    }
    this.noteNamespaceContentRemaining(nsInfo, ns, remaining);
    this.later(() => this.finalizeNamespace(name), 1000);
  }

  /** The conditions a namespace stuck Terminating carries (the namespace controller's wording). */
  private noteNamespaceContentRemaining(nsInfo: ResourceInfo, ns: KubeObject, remaining: Array<{ resource: string; finalizers: string[] }>): void {
    const count = (keys: string[]) => [...new Set(keys)].sort().map((k) => `${k} has ${keys.filter((x) => x === k).length} resource instances`).join(', ');
    const byFinalizer = (keys: string[]) => [...new Set(keys)].sort().map((k) => `${k} in ${keys.filter((x) => x === k).length} resource instances`).join(', ');
    const now = nowRfc3339();
    const conditions = [
      { type: 'NamespaceContentRemaining', status: 'True', lastTransitionTime: now, reason: 'SomeResourcesRemain', message: `Some resources are remaining: ${count(remaining.map((r) => r.resource))}` },
      { type: 'NamespaceFinalizersRemaining', status: 'True', lastTransitionTime: now, reason: 'SomeFinalizersRemain', message: `Some content in the namespace has finalizers remaining: ${byFinalizer(remaining.flatMap((r) => r.finalizers))}` },
    ];
    const status = (ns.status ?? {}) as { conditions?: Array<{ type: string; message?: string }> };
    const old = status.conditions ?? [];
    if (conditions.every((c) => old.some((o) => o.type === c.type && o.message === c.message))) return;
    const next = clone(ns);
    next.status = { ...status, conditions };
    next.metadata.resourceVersion = this.nextRv();
    this.bucket(nsInfo).set(ns.metadata.name!, next);
    this.emit('MODIFIED', nsInfo, next, ns);
  }

  /** Diagnostic helper: number of current subscribers (watch streams, followers, controllers). */
  listenerCount(): number { return this.listeners.size; }

  /** Test/diagnostic helper: number of stored objects. */
  size(): number {
    let n = 0;
    for (const b of this.data.values()) n += b.size;
    return n;
  }
}
