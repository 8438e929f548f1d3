/** The object store's semantics and the pure pieces (selectors, patches, durations), without HTTP. */
import assert from 'node:assert/strict';
import { MemoryStore } from '../../src/twin/apiserver/store';
import { matchLabels, parseLabelSelector, matchFields, parseFieldSelector } from '../../src/twin/apiserver/selectors';
import { applyStrategicMergePatch } from '../../src/twin/apiserver/patch';
import { humanDuration } from '../../src/twin/apiserver/duration';
import type { KubeObject, StoreEvent } from '../../src/twin/contracts';

const cm = (name: string, ns = 'default', extra: Partial<KubeObject> = {}): KubeObject => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: ns }, data: { a: '1' }, ...extra });
function code(fn: () => unknown): { code: number; message: string } {
  try { fn(); } catch (e) { return e as { code: number; message: string }; }
  throw new Error('expected an error');
}

describe('twin object store', () => {
  let store: MemoryStore;
  beforeEach(() => { store = new MemoryStore({ namespaceFinalizeDelayMs: 1 }); });
  afterEach(() => store.close());

  it('starts with the system namespaces, their default ServiceAccounts and the kubernetes Service', () => {
    assert.deepEqual(store.list('namespaces').map((n) => n.metadata.name), ['default', 'kube-node-lease', 'kube-public', 'kube-system']);
    assert.ok(store.get('serviceaccounts', 'kube-system', 'default'));
    assert.equal(store.get('services', 'default', 'kubernetes')?.spec.clusterIP, '10.96.0.1');
    assert.ok(store.typeForKind('chaos-mesh.org/v1alpha1', 'NetworkChaos'));
  });

  it('assigns uid, resourceVersion, creationTimestamp, generateName; keeps RV on no-op updates; bumps generation on spec change', () => {
    const a = store.create('configmaps', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { generateName: 'gen-', namespace: 'default' } });
    assert.match(a.metadata.name!, /^gen-[a-z0-9]{5}$/);
    assert.ok(a.metadata.uid && a.metadata.resourceVersion && a.metadata.creationTimestamp);
    const same = store.update('configmaps', a);
    assert.equal(same.metadata.resourceVersion, a.metadata.resourceVersion);
    const dep = store.create('deployments.apps', { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'd', namespace: 'default' },
      spec: { selector: { matchLabels: { a: 'b' } }, template: { metadata: { labels: { a: 'b' } }, spec: { containers: [{ name: 'c', image: 'x:1' }] } } } });
    assert.equal(dep.metadata.generation, 1);
    dep.spec.replicas = 5;
    const dep2 = store.update('deployments.apps', dep);
    assert.equal(dep2.metadata.generation, 2);
    dep2.status = { replicas: 5 };
    const dep3 = store.updateStatus('deployments.apps', dep2);
    assert.equal(dep3.metadata.generation, 2);
    assert.equal(dep3.status.replicas, 5);
    assert.equal(code(() => store.update('deployments.apps', dep)).message, 'Operation cannot be fulfilled on deployments.apps "d": the object has been modified; please apply your changes to the latest version and try again');
  });

  it('words errors like the apiserver', () => {
    store.create('configmaps', cm('x'));
    assert.equal(code(() => store.create('configmaps', cm('x'))).message, 'configmaps "x" already exists');
    assert.equal(code(() => store.delete('pods', 'default', 'nope')).message, 'pods "nope" not found');
    const inv = code(() => store.create('deployments.apps', { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'd', namespace: 'default' }, spec: { template: { spec: { containers: [{ name: 'c', image: 'i' }] } } } }));
    assert.equal(inv.code, 422);
    assert.equal(inv.message, 'Deployment.apps "d" is invalid: spec.selector: Required value');
    assert.equal(code(() => store.create('configmaps', cm('Bad_Name'))).code, 422);
    assert.equal(code(() => store.create('configmaps', cm('x', 'nons'))).message, 'namespaces "nons" not found');
    const frozen = store.create('configmaps', { ...cm('frozen'), immutable: true });
    (frozen.data as Record<string, string>).a = '2';
    assert.equal(code(() => store.update('configmaps', frozen)).message, 'ConfigMap "frozen" is invalid: data: Forbidden: field is immutable when `immutable` is set');
  });

  it('cascades deletes: Background removes dependents, Orphan keeps them without the ownerReference', () => {
    const owner = store.create('configmaps', cm('owner'));
    const ref = [{ apiVersion: 'v1', kind: 'ConfigMap', name: 'owner', uid: owner.metadata.uid! }];
    store.create('configmaps', cm('child', 'default', { metadata: { name: 'child', namespace: 'default', ownerReferences: ref } }));
    store.delete('configmaps', 'default', 'owner');
    assert.equal(store.get('configmaps', 'default', 'child'), undefined);
    const owner2 = store.create('configmaps', cm('owner'));
    store.create('configmaps', cm('child', 'default', { metadata: { name: 'child', namespace: 'default', ownerReferences: [{ ...ref[0], uid: owner2.metadata.uid! }] } }));
    store.delete('configmaps', 'default', 'owner', { propagationPolicy: 'Orphan' });
    assert.equal(store.get('configmaps', 'default', 'child')?.metadata.ownerReferences, undefined);
  });

  it('honours finalizers and finalizes namespaces (Terminating, contents deleted, then gone)', async () => {
    store.create('configmaps', cm('f', 'default', { metadata: { name: 'f', namespace: 'default', finalizers: ['example.com/hold'] } }));
    const held = store.delete('configmaps', 'default', 'f')!;
    assert.ok(held.metadata.deletionTimestamp);
    held.metadata.finalizers = [];
    store.update('configmaps', held);
    assert.equal(store.get('configmaps', 'default', 'f'), undefined);
    store.create('namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'gone' } });
    store.create('configmaps', cm('c', 'gone'));
    const ns = store.delete('namespaces', undefined, 'gone')!;
    assert.equal(ns.status.phase, 'Terminating');
    assert.equal(code(() => store.create('configmaps', cm('d', 'gone'))).code, 403);
    await new Promise((r) => setTimeout(r, 30));
    assert.equal(store.get('namespaces', undefined, 'gone'), undefined);
    assert.equal(store.list('configmaps', 'gone').length, 0);
  });

  it('keeps an event history for replay and reports expiry', () => {
    const small = new MemoryStore({ historySize: 5 });
    const events: StoreEvent[] = [];
    small.subscribe((e) => events.push(e));
    const start = Number(small.currentResourceVersion());
    for (let i = 0; i < 3; i++) small.create('configmaps', cm(`h${i}`));
    assert.deepEqual(events.map((e) => `${e.type} ${e.object.metadata.name}`), ['ADDED h0', 'ADDED h1', 'ADDED h2']);
    const since = small.historySince(start + 1);
    assert.ok(Array.isArray(since) && since.length === 2);
    for (let i = 3; i < 10; i++) small.create('configmaps', cm(`h${i}`));
    assert.equal(small.historySince(start), 'expired');
    small.close();
  });

  it('filters with label and field selectors', () => {
    const l = { app: 'web', tier: 'front' };
    assert.ok(matchLabels(parseLabelSelector('app=web,tier in (front,back),!canary,tier'), l));
    assert.ok(!matchLabels(parseLabelSelector('app!=web'), l));
    assert.ok(matchLabels(parseLabelSelector('env notin (prod)'), l));
    assert.ok(!matchLabels(parseLabelSelector('app==api'), l));
    assert.throws(() => parseLabelSelector('app in (a'));
    const pod = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', namespace: 'n' }, spec: { nodeName: 'n1' }, status: { phase: 'Running' } };
    assert.ok(matchFields(parseFieldSelector('spec.nodeName=n1,status.phase!=Succeeded,status.phase!=Failed,metadata.name=p'), pod));
    assert.ok(!matchFields(parseFieldSelector('status.phase=Pending'), pod));
  });

  it('applies strategic merge patches with merge keys and directives', () => {
    const dep = { spec: { template: { spec: { containers: [
      { name: 'a', image: 'a:1', env: [{ name: 'X', value: '1' }, { name: 'Y', value: '2' }], command: ['x', 'y'] },
      { name: 'b', image: 'b:1' },
    ] } } } };
    const out = applyStrategicMergePatch('Deployment', dep, { spec: { template: { spec: {
      '$setElementOrder/containers': [{ name: 'b' }, { name: 'a' }],
      containers: [{ name: 'a', '$setElementOrder/env': [{ name: 'Y' }, { name: 'Z' }], env: [{ $patch: 'delete', name: 'X' }, { name: 'Z', value: '3' }], command: ['z'] }],
    } } } });
    const cs = out.spec.template.spec.containers;
    assert.deepEqual(cs.map((c: { name: string }) => c.name), ['b', 'a']);
    assert.deepEqual(cs[1].env, [{ name: 'Y', value: '2' }, { name: 'Z', value: '3' }]);
    assert.deepEqual(cs[1].command, ['z']);
    const svc = applyStrategicMergePatch('Service', { spec: { ports: [{ port: 80, targetPort: 8080, name: 'h' }, { port: 90, name: 'g' }] } }, { spec: { ports: [{ port: 90, targetPort: 9 }] } });
    assert.deepEqual(svc.spec.ports, [{ port: 80, targetPort: 8080, name: 'h' }, { port: 90, name: 'g', targetPort: 9 }]);
    const strat = applyStrategicMergePatch('Deployment', { spec: { strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 1 } } } }, { spec: { strategy: { $retainKeys: ['type'], type: 'Recreate' } } });
    assert.deepEqual(strat.spec.strategy, { type: 'Recreate' });
    const fin = applyStrategicMergePatch('ConfigMap', { metadata: { finalizers: ['a'] } }, { metadata: { finalizers: ['b'] } });
    assert.deepEqual(fin.metadata.finalizers, ['a', 'b']);
  });

  it('prints ages like HumanDuration', () => {
    assert.deepEqual([5e3, 119e3, 150e3, 600e3, 7200e3, 3 * 3600e3 + 60e3, 30 * 3600e3, 50 * 3600e3, 400 * 86400e3].map(humanDuration),
      ['5s', '119s', '2m30s', '10m', '120m', '3h1m', '30h', '2d2h', '400d']);
  });
});
