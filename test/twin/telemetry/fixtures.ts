/**
 * Test fixtures: a minimal in-memory ObjectStore (list/get/create/update/delete/subscribe) and an app "deployed" from
 * its manifests: one Running, Ready pod per Deployment/StatefulSet replica on kind-worker, and its Services.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import YAML from 'yaml';
import type { KubeObject, ObjectStore, StoreEvent } from '../../../src/twin/contracts';
import { findAppsDir } from '../../../src/twin/sim/load-model';

export const T0 = Date.parse('2026-09-15T13:00:00Z');

export class ManualClock {
  constructor(public t = T0) {}
  now(): number { return this.t; }
  advance(ms: number): void { this.t += ms; }
}

export class FakeStore implements ObjectStore {
  private readonly data = new Map<string, Map<string, KubeObject>>();
  private readonly listeners = new Set<(e: StoreEvent) => void>();
  private uid = 1;
  constructor(private readonly clock: { now(): number }) {}

  private key(ns: string | undefined, name: string): string { return `${ns ?? ''}/${name}`; }
  private bucket(resource: string): Map<string, KubeObject> {
    let b = this.data.get(resource);
    if (!b) this.data.set(resource, (b = new Map()));
    return b;
  }
  private emit(type: StoreEvent['type'], resource: string, object: KubeObject): void {
    for (const l of this.listeners) l({ type, resource, object });
  }
  get(resource: string, namespace: string | undefined, name: string): KubeObject | undefined {
    return this.bucket(resource).get(this.key(namespace, name));
  }
  list(resource: string, namespace?: string): KubeObject[] {
    return [...this.bucket(resource).values()].filter((o) => namespace === undefined || o.metadata.namespace === namespace);
  }
  create(resource: string, object: KubeObject): KubeObject {
    const o = structuredClone(object);
    o.metadata.uid ??= `uid-${this.uid++}`;
    o.metadata.creationTimestamp ??= new Date(this.clock.now()).toISOString().replace(/\.\d+Z$/, 'Z');
    this.bucket(resource).set(this.key(o.metadata.namespace, o.metadata.name!), o);
    this.emit('ADDED', resource, o);
    return o;
  }
  update(resource: string, object: KubeObject): KubeObject {
    const o = structuredClone(object);
    this.bucket(resource).set(this.key(o.metadata.namespace, o.metadata.name!), o);
    this.emit('MODIFIED', resource, o);
    return o;
  }
  updateStatus(resource: string, object: KubeObject): KubeObject { return this.update(resource, object); }
  delete(resource: string, namespace: string | undefined, name: string): KubeObject | undefined {
    const b = this.bucket(resource);
    const o = b.get(this.key(namespace, name));
    if (o) { b.delete(this.key(namespace, name)); this.emit('DELETED', resource, o); }
    return o;
  }
  subscribe(listener: (e: StoreEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
  resourceTypes(): [] { return []; }
  typeForKind(): undefined { return undefined; }
}

const RESOURCE: Record<string, string> = { Service: 'services', ConfigMap: 'configmaps', Secret: 'secrets' };

/** Applies apps/<app>/manifests to the store as if the cluster had run them: Services, ConfigMaps and Ready pods. */
export function deployApp(store: FakeStore, app: string, namespace: string): void {
  const dir = path.join(findAppsDir(), app, 'manifests');
  let ip = 10;
  for (const file of fs.readdirSync(dir).filter((f) => f.endsWith('.yaml')).sort()) {
    for (const doc of YAML.parseAllDocuments(fs.readFileSync(path.join(dir, file), 'utf8'))) {
      const o = doc.toJSON() as KubeObject | null;
      if (!o || !o.kind) continue;
      o.metadata.namespace = namespace;
      if (RESOURCE[o.kind]) { store.create(RESOURCE[o.kind], o); continue; }
      if (o.kind !== 'Deployment' && o.kind !== 'StatefulSet') continue;
      const replicas = o.spec?.replicas ?? 1;
      for (let r = 0; r < replicas; r++) store.create('pods', podFor(o, namespace, `10.244.1.${ip++}`, r));
    }
  }
}

export function podFor(owner: KubeObject, namespace: string, ip: string, r = 0): KubeObject {
  const tpl = owner.spec.template;
  const containers = tpl.spec.containers as Array<{ name: string; image: string }>;
  return {
    apiVersion: 'v1', kind: 'Pod',
    metadata: { name: `${owner.metadata.name}-5d8f7c9b4-${String.fromCharCode(97 + r)}x2kq`, namespace, labels: { ...tpl.metadata.labels } },
    spec: { ...tpl.spec, nodeName: 'kind-worker' },
    status: {
      phase: 'Running', podIP: ip,
      conditions: [{ type: 'Ready', status: 'True' }],
      containerStatuses: containers.map((c) => ({ name: c.name, image: c.image, ready: true, restartCount: 0, state: { running: { startedAt: '2026-09-15T12:59:00Z' } } })),
    },
  };
}

/** Pods of a service (by label). */
export function podsOf(store: FakeStore, namespace: string, label: string, value: string): KubeObject[] {
  return store.list('pods', namespace).filter((p) => p.metadata.labels?.[label] === value);
}
