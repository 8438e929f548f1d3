import assert from 'assert/strict';
import { deployment, harness, type Harness } from './harness';

describe('twin cluster: PodRuntime errors and Recreate', () => {
  let h: Harness;
  beforeEach(() => {
    h = harness();
  });
  afterEach(() => h.stop());

  it('words log and exec errors like the kubelet / API server', async () => {
    h.create('pods', { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'two', namespace: 'default' }, spec: { containers: [{ name: 'a', image: 'nginx:1.25' }, { name: 'b', image: 'nginx:1.25' }] } });
    assert.throws(() => h.cluster.runtime.logs({ namespace: 'default', pod: 'two', container: 'a' }), /container "a" in pod "two" is waiting to start: ContainerCreating/);
    h.run(3000);
    assert.throws(() => h.cluster.runtime.logs({ namespace: 'default', pod: 'missing', container: 'a' }), (e: any) => e.code === 404 && /pods "missing" not found/.test(e.message));
    assert.throws(() => h.cluster.runtime.logs({ namespace: 'default', pod: 'two', container: '' }), /a container name must be specified for pod two, choose one of: \[a b\]/);
    assert.throws(() => h.cluster.runtime.logs({ namespace: 'default', pod: 'two', container: 'c' }), /container c is not valid for pod two/);
    assert.throws(() => h.cluster.runtime.logs({ namespace: 'default', pod: 'two', container: 'a', previous: true }), (e: any) => e.code === 400 && /previous terminated container "a" in pod "two" not found/.test(e.message));
    await assert.rejects(h.cluster.runtime.exec({ namespace: 'default', pod: 'two', container: 'zzz', command: ['ls'] }), /container zzz is not valid for pod two/);
    const ok = await h.cluster.runtime.exec({ namespace: 'default', pod: 'two', container: 'b', command: ['echo', 'x'] });
    assert.equal(ok.stdout, 'x\n');
  });

  it('tail and since filter the lines; follow streams new lines', () => {
    h.cluster.registerBehaviour('example/ticker:1', {
      start: () => ({ kind: 'running', lines: ['boot'] }),
      logsBetween: (_c, from, to) => Array.from({ length: Math.floor(to / 1000) - Math.floor(from / 1000) }, (_, i) => `tick ${Math.floor(from / 1000) + i + 1}`),
    });
    h.create('pods', { apiVersion: 'v1', kind: 'Pod', metadata: { name: 't', namespace: 'default' }, spec: { containers: [{ name: 't', image: 'example/ticker:1' }] } });
    h.run(10_000);
    const req = { namespace: 'default', pod: 't', container: 't' };
    const all = h.cluster.runtime.logs(req);
    assert.equal(all[0].text, 'boot');
    assert.equal(h.cluster.runtime.logs({ ...req, tailLines: 2 }).length, 2);
    assert.ok(h.cluster.runtime.logs({ ...req, sinceSeconds: 3 }).length <= 4);
    const seen: string[] = [];
    const stop = h.cluster.runtime.followLogs({ ...req, tailLines: 0 }, (l) => seen.push(l.text));
    h.run(5000);
    stop();
    const n = seen.length;
    assert.ok(n >= 4 && n <= 6, `followed ${n} lines`);
    h.run(5000);
    assert.equal(seen.length, n);
  });

  it('Recreate scales the old ReplicaSet to 0 before the new one comes up', () => {
    const d = deployment('db', { replicas: 2 });
    d.spec.strategy = { type: 'Recreate' };
    h.create('deployments.apps', d);
    h.run(3000);
    const cur = h.store.get('deployments.apps', 'default', 'db')!;
    cur.spec.template.spec.containers[0].image = 'nginx:1.26';
    h.store.update('deployments.apps', cur);
    h.cluster.settle();
    h.cluster.advance(50);
    h.cluster.settle();
    const images = h.pods().filter((p) => !p.metadata.deletionTimestamp).map((p) => p.spec.containers[0].image);
    assert.ok(!images.includes('nginx:1.26') || !images.includes('nginx:1.25'), images.join(','));
    h.run(5000);
    const pods = h.pods();
    assert.equal(pods.length, 2);
    assert.ok(pods.every((p) => p.spec.containers[0].image === 'nginx:1.26' && p.status.phase === 'Running'));
  });
});
