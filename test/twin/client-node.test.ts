/**
 * @kubernetes/client-node 1.x against the twin: list, read, create, the three patch types, replace, delete,
 * watch and exec, through the same kubeconfig kubectl uses (http + insecure-skip-tls-verify).
 */
import assert from 'node:assert/strict';
import { PassThrough, Writable } from 'node:stream';
import * as k8s from '@kubernetes/client-node';
import { startTestTwin, TestTwin, markPodRunning } from './helpers';

describe('twin API server with @kubernetes/client-node', function () {
  this.timeout(30000);
  let twin: TestTwin;
  let kc: k8s.KubeConfig;
  let core: k8s.CoreV1Api;
  let apps: k8s.AppsV1Api;

  before(async () => {
    twin = await startTestTwin();
    kc = new k8s.KubeConfig();
    kc.loadFromFile(twin.kubeconfig);
    core = kc.makeApiClient(k8s.CoreV1Api);
    apps = kc.makeApiClient(k8s.AppsV1Api);
    await core.createNamespace({ body: { metadata: { name: 'cn' } } });
  });
  after(async () => { await twin?.close(); });

  it('creates, reads and lists with selectors', async () => {
    const cm = await core.createNamespacedConfigMap({ namespace: 'cn', body: { metadata: { name: 'cfg', labels: { app: 'x' } }, data: { a: '1' } } });
    assert.ok(cm.metadata?.uid);
    assert.ok(cm.metadata?.creationTimestamp instanceof Date);
    const read = await core.readNamespacedConfigMap({ name: 'cfg', namespace: 'cn' });
    assert.equal(read.data?.a, '1');
    const list = await core.listNamespacedConfigMap({ namespace: 'cn', labelSelector: 'app in (x,y)' });
    assert.deepEqual(list.items.map((i) => i.metadata?.name), ['cfg']);
    const none = await core.listNamespacedConfigMap({ namespace: 'cn', labelSelector: 'app!=x' });
    assert.equal(none.items.filter((i) => i.metadata?.name === 'cfg').length, 0);
    const byField = await core.listNamespacedConfigMap({ namespace: 'cn', fieldSelector: 'metadata.name=cfg' });
    assert.equal(byField.items.length, 1);
    await assert.rejects(core.readNamespacedConfigMap({ name: 'nope', namespace: 'cn' }), (e: unknown) => (e as { code?: number }).code === 404);
    await assert.rejects(core.createNamespacedConfigMap({ namespace: 'cn', body: { metadata: { name: 'cfg' } } }), (e: unknown) => (e as { code?: number }).code === 409);
  });

  it('patches with json-patch (default), merge-patch and strategic-merge-patch', async () => {
    await core.createNamespacedService({ namespace: 'cn', body: { metadata: { name: 'svc' }, spec: { selector: { app: 'x' }, ports: [{ name: 'http', port: 80, targetPort: 8080 }, { name: 'grpc', port: 90 }] } } });
    let svc = await core.patchNamespacedService({ name: 'svc', namespace: 'cn', body: [{ op: 'replace', path: '/spec/ports/0/targetPort', value: 9999 }] });
    assert.equal(svc.spec?.ports?.[0].targetPort, 9999);
    svc = await core.patchNamespacedService({ name: 'svc', namespace: 'cn', body: { metadata: { labels: { tier: 'a' } } } },
      k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.MergePatch));
    assert.equal(svc.metadata?.labels?.tier, 'a');
    svc = await core.patchNamespacedService({ name: 'svc', namespace: 'cn', body: { spec: { ports: [{ port: 90, targetPort: 9090 }] } } },
      k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.StrategicMergePatch));
    assert.deepEqual(svc.spec?.ports?.map((p) => [p.name, p.port, p.targetPort]), [['http', 80, 9999], ['grpc', 90, 9090]]);
  });

  it('replaces with optimistic concurrency and scales a deployment', async () => {
    const dep = await apps.createNamespacedDeployment({ namespace: 'cn', body: {
      metadata: { name: 'd' },
      spec: { selector: { matchLabels: { app: 'd' } }, template: { metadata: { labels: { app: 'd' } }, spec: { containers: [{ name: 'c', image: 'busybox:1.36' }] } } },
    } });
    assert.equal(dep.spec?.replicas, 1);
    assert.equal(dep.metadata?.generation, 1);
    const same = await apps.replaceNamespacedDeployment({ name: 'd', namespace: 'cn', body: dep });
    assert.equal(same.metadata?.resourceVersion, dep.metadata?.resourceVersion, 'a no-op replace keeps resourceVersion');
    dep.spec.template.spec!.containers[0].image = 'busybox:1.37';
    const changed = await apps.replaceNamespacedDeployment({ name: 'd', namespace: 'cn', body: dep });
    assert.equal(changed.metadata?.generation, 2);
    await assert.rejects(apps.replaceNamespacedDeployment({ name: 'd', namespace: 'cn', body: dep }), (e: unknown) => (e as { code?: number }).code === 409);
    const scale = await apps.patchNamespacedDeploymentScale({ name: 'd', namespace: 'cn', body: [{ op: 'replace', path: '/spec/replicas', value: 4 }] });
    assert.equal(scale.spec?.replicas, 4);
    const read = await apps.readNamespacedDeploymentScale({ name: 'd', namespace: 'cn' });
    assert.equal(read.spec?.replicas, 4);
    assert.equal(read.status?.selector, 'app=d');
  });

  it('watches from a resourceVersion and sees ADDED, MODIFIED, DELETED', async () => {
    const list = await core.listNamespacedConfigMap({ namespace: 'cn' });
    const seen: string[] = [];
    const watch = new k8s.Watch(kc);
    let ctl: AbortController | undefined;
    const done = new Promise<void>((resolve) => {
      void watch.watch('/api/v1/namespaces/cn/configmaps', { resourceVersion: list.metadata?.resourceVersion }, (type, obj: k8s.V1ConfigMap) => {
        seen.push(`${type} ${obj.metadata?.name}`);
        if (type === 'DELETED') resolve();
      }, () => resolve()).then((c) => { ctl = c; });
    });
    await new Promise((r) => setTimeout(r, 200));
    await core.createNamespacedConfigMap({ namespace: 'cn', body: { metadata: { name: 'w' } } });
    await core.patchNamespacedConfigMap({ name: 'w', namespace: 'cn', body: { data: { k: 'v' } } }, k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.MergePatch));
    await core.deleteNamespacedConfigMap({ name: 'w', namespace: 'cn' });
    await done;
    ctl?.abort();
    assert.deepEqual(seen, ['ADDED w', 'MODIFIED w', 'DELETED w']);
  });

  it('execs over websocket and reports the exit status', async () => {
    await core.createNamespacedPod({ namespace: 'cn', body: { metadata: { name: 'p' }, spec: { containers: [{ name: 'c', image: 'busybox:1.36' }] } } });
    markPodRunning(twin, 'cn', 'p');
    let out = '';
    const stdout = new Writable({ write(chunk, _e, cb) { out += chunk; cb(); } });
    const status = await new Promise<k8s.V1Status>((resolve, reject) => {
      new k8s.Exec(kc).exec('cn', 'p', 'c', ['echo', 'from', 'client-node'], stdout, null, null, false, resolve).catch(reject);
    });
    assert.equal(status.status, 'Success');
    assert.equal(out, 'from client-node\n');
    const failed = await new Promise<k8s.V1Status>((resolve, reject) => {
      new k8s.Exec(kc).exec('cn', 'p', 'c', ['sh', '-c', 'exit 5'], new PassThrough(), new PassThrough(), null, false, resolve).catch(reject);
    });
    assert.equal(failed.status, 'Failure');
    assert.equal(failed.details?.causes?.[0].message, '5');
  });

  it('reads logs and deletes with propagation', async () => {
    twin.runtime.setLogs('cn', 'p', 'c', ['one', 'two']);
    const logs = await core.readNamespacedPodLog({ name: 'p', namespace: 'cn', tailLines: 1 });
    assert.equal(logs, 'two\n');
    await apps.deleteNamespacedDeployment({ name: 'd', namespace: 'cn', propagationPolicy: 'Foreground' });
    await assert.rejects(apps.readNamespacedDeployment({ name: 'd', namespace: 'cn' }), (e: unknown) => (e as { code?: number }).code === 404);
  });
});
