import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { startTwin, type TwinHandle } from '../../src/twin';
import { resolveKubectl } from '../../src/twin/kubectl-path';
import { Kubectl } from '../../src/env/kubectl';
import { diffAppAgainstManifests, formatDifference, formatPath } from '../../src/env/cluster-diff';

const root = path.resolve(__dirname, '..', '..', '..');
const HOTEL = { dir: path.join(root, 'apps', 'hotel-reservation', 'manifests'), ns: 'test-hotel-reservation' };

/** The app-vs-manifests comparison against the embedded cluster, through the real kubectl. */
describe('cluster diff: a deployed app against its manifests', function () {
  this.timeout(60_000);
  let twin: TwinHandle;
  let kubectl: Kubectl;
  const diff = (app = HOTEL) => diffAppAgainstManifests({ kubectl, manifestsDir: app.dir, namespace: app.ns });
  const deploy = async (dir: string, ns: string) => {
    await kubectl.run(['create', 'namespace', ns]);
    await kubectl.run(['apply', '-R', '-f', dir, '-n', ns]);
  };

  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'aiopslab-diff-'));

  before(async () => {
    twin = await startTwin({ stateDir: dir });
    kubectl = new Kubectl({ kubectl: await resolveKubectl(), kubeconfigPath: twin.kubeconfigPath, kubeCacheDir: twin.kubeCacheDir });
    await deploy(HOTEL.dir, HOTEL.ns);
  });
  after(async () => {
    await twin?.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('finds no difference in a clean deployment of each app (defaults, allocated IPs and bound volumes are not differences)', async () => {
    assert.deepEqual(await diff(), []);
    for (const id of ['social-network', 'astronomy-shop', 'flower']) {
      const app = { dir: path.join(root, 'apps', id, 'manifests'), ns: `diff-${id}` };
      await deploy(app.dir, app.ns);
      assert.deepEqual(await diff(app), [], id);
      await kubectl.run(['delete', 'namespace', app.ns, '--wait=false']);
    }
  });

  it('reports a patched Service targetPort as exactly that difference, and nothing once it is back', async () => {
    await kubectl.run(['patch', 'service', 'geo', '-n', HOTEL.ns, '--type=json', '-p', '[{"op":"replace","path":"/spec/ports/0/targetPort","value":9999}]']);
    const found = await diff();
    assert.deepEqual(found, [{ type: 'changed', kind: 'Service', name: 'geo', namespace: HOTEL.ns, field: 'spec.ports[0].targetPort', expected: 8083, actual: 9999 }]);
    assert.equal(formatDifference(found[0]), 'Service test-hotel-reservation/geo: spec.ports[0].targetPort is 9999, expected 8083');
    await kubectl.run(['patch', 'service', 'geo', '-n', HOTEL.ns, '--type=json', '-p', '[{"op":"replace","path":"/spec/ports/0/targetPort","value":8083}]']);
    assert.deepEqual(await diff(), []);
  });

  it('reports a field the manifest does not set but a fault adds (nodeSelector), and replicas scaled to zero', async () => {
    await kubectl.run(['patch', 'deployment', 'user', '-n', HOTEL.ns, '-p', '{"spec":{"template":{"spec":{"nodeSelector":{"kubernetes.io/hostname":"extra-node"}}}}}']);
    await kubectl.run(['scale', 'deployment', 'rate', '-n', HOTEL.ns, '--replicas=0']);
    assert.deepEqual(await diff(), [
      { type: 'changed', kind: 'Deployment', name: 'rate', namespace: HOTEL.ns, field: 'spec.replicas', expected: 1, actual: 0 },
      { type: 'changed', kind: 'Deployment', name: 'user', namespace: HOTEL.ns, field: 'spec.template.spec.nodeSelector["kubernetes.io/hostname"]', expected: undefined, actual: 'extra-node' },
    ].sort((a, b) => a.name.localeCompare(b.name)));
    await kubectl.run(['patch', 'deployment', 'user', '-n', HOTEL.ns, '--type=json', '-p', '[{"op":"remove","path":"/spec/template/spec/nodeSelector"}]']);
    await kubectl.run(['scale', 'deployment', 'rate', '-n', HOTEL.ns, '--replicas=1']);
    assert.deepEqual(await diff(), []);
  });

  it('reports changed commands, images and ConfigMap data; a rollout restart is not a difference', async () => {
    await kubectl.run(['set', 'image', 'deployment/profile', 'hotel-reserv-profile=yinfangchen/hotelreservation:wrong', '-n', HOTEL.ns]);
    await kubectl.run(['patch', 'deployment', 'geo', '-n', HOTEL.ns, '--type=json', '-p', '[{"op":"replace","path":"/spec/template/spec/containers/0/command","value":["rate"]}]']);
    await kubectl.run(['patch', 'configmap', 'failure-admin-geo', '-n', HOTEL.ns, '--type=json', '-p', '[{"op":"add","path":"/data/extra.sh","value":"echo"}]']);
    await kubectl.run(['rollout', 'restart', 'deployment/search', '-n', HOTEL.ns]);
    const fields = (await diff()).map((d) => `${d.kind} ${d.name} ${'field' in d ? d.field : d.type}`);
    assert.deepEqual(fields.sort(), [
      'ConfigMap failure-admin-geo data["extra.sh"]',
      'Deployment geo spec.template.spec.containers[0].command[0]',
      'Deployment profile spec.template.spec.containers[0].image',
    ]);
    await kubectl.run(['set', 'image', 'deployment/profile', 'hotel-reserv-profile=yinfangchen/hotelreservation:latest', '-n', HOTEL.ns]);
    await kubectl.run(['patch', 'deployment', 'geo', '-n', HOTEL.ns, '--type=json', '-p', '[{"op":"replace","path":"/spec/template/spec/containers/0/command","value":["geo"]}]']);
    await kubectl.run(['patch', 'configmap', 'failure-admin-geo', '-n', HOTEL.ns, '--type=json', '-p', '[{"op":"remove","path":"/data/extra.sh"}]']);
    assert.deepEqual(await diff(), []);
  });

  it('reports missing objects, extra objects and Chaos Mesh experiments; ignores controller-owned and workload objects', async () => {
    await kubectl.run(['delete', 'service', 'rate', '-n', HOTEL.ns]);
    await kubectl.run(['create', 'configmap', 'stray', '-n', HOTEL.ns, '--from-literal=a=b']);
    await kubectl.run(['apply', '-f', '-'], JSON.stringify({
      apiVersion: 'chaos-mesh.org/v1alpha1', kind: 'PodChaos', metadata: { name: 'pod-kill', namespace: HOTEL.ns },
      spec: { action: 'pod-failure', mode: 'one', duration: '200s', selector: { labelSelectors: { 'io.kompose.service': 'geo' } } },
    }));
    // Our injectors put experiments in Chaos Mesh's namespace: one that selects this app counts, another app's does not.
    await kubectl.run(['create', 'namespace', 'chaos-mesh']).catch(() => undefined);
    for (const [name, namespaces] of [['targets-us', [HOTEL.ns]], ['targets-other', ['other-app']]] as const) {
      await kubectl.run(['apply', '-f', '-'], JSON.stringify({
        apiVersion: 'chaos-mesh.org/v1alpha1', kind: 'NetworkChaos', metadata: { name, namespace: 'chaos-mesh' },
        spec: { action: 'delay', mode: 'one', duration: '200s', delay: { latency: '1s' }, selector: { namespaces, labelSelectors: { 'io.kompose.service': 'geo' } } },
      }));
    }
    const found = await diff();
    assert.deepEqual(found.map(formatDifference).sort(), [
      'ConfigMap test-hotel-reservation/stray exists but is not part of the app',
      'NetworkChaos chaos-mesh/targets-us exists but is not part of the app',
      'PodChaos test-hotel-reservation/pod-kill exists but is not part of the app',
      'Service test-hotel-reservation/rate is missing',
    ]);
    await kubectl.run(['delete', 'podchaos', 'pod-kill', '-n', HOTEL.ns]);
    await kubectl.run(['delete', 'networkchaos', '--all', '-n', 'chaos-mesh']);
    await kubectl.run(['delete', 'configmap', 'stray', '-n', HOTEL.ns]);
    await kubectl.run(['apply', '-f', path.join(HOTEL.dir, 'rate.yaml'), '-n', HOTEL.ns]);
    assert.deepEqual(await diff(), []);
  });

  it('reports a PersistentVolume still claimed by a deleted claim (the app redeployed without its volumes)', async () => {
    await kubectl.run(['delete', 'namespace', HOTEL.ns, '--wait=true']);
    await deploy(HOTEL.dir, HOTEL.ns);
    const found = await diff();
    assert.ok(found.length > 0, 'released volumes are noticed');
    for (const d of found) assert.equal(d.kind, 'PersistentVolume', formatDifference(d));
    assert.ok(found.some((d) => d.type === 'changed' && d.field === 'spec.claimRef.uid'), JSON.stringify(found));
  });

  it('writes JSON paths the way people read them', () => {
    assert.equal(formatPath(['spec', 'template', 'metadata', 'annotations', 'kubectl.kubernetes.io/restartedAt']), 'spec.template.metadata.annotations["kubectl.kubernetes.io/restartedAt"]');
    assert.equal(formatPath(['spec', 'ports', 0, 'targetPort']), 'spec.ports[0].targetPort');
  });
});
