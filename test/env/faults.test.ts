import * as k8s from '@kubernetes/client-node';
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { startTwin, type TwinHandle } from '../../src/twin';
import { resolveKubectl } from '../../src/twin/kubectl-path';
import { Kubectl } from '../../src/env/kubectl';
import { injectorFor, type FaultContext } from '../../src/env/faults';
import type { FaultSpec } from '../../src/core/problems/types';
import type { AppDefinition } from '../../src/core/apps/types';
import { workloadObjects } from '../../src/env/workload/workload-objects';
import { startWrk2, stopWrk2 } from '../../src/env/workload/wrk2';
import { faultApiFromFile } from '../../src/env/faults/api';
import { CHAOS_NAMESPACE } from '../../src/env/faults/chaos-mesh';
import { execInPod, livePods } from '../../src/env/faults/pods';

const NS = 'fault-test';
const app: AppDefinition = { id: 'test-app', name: 'Test', namespace: NS, description: '', supportedOperations: [], serviceLabel: 'io.kompose.service', deploy: { kind: 'none' } };

const MANIFEST = `
apiVersion: v1
kind: Namespace
metadata: {name: ${NS}}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: user-service, namespace: ${NS}}
spec:
  replicas: 1
  selector: {matchLabels: {app: user-service}}
  template:
    metadata: {labels: {app: user-service, io.kompose.service: user-service}}
    spec:
      containers:
      - {name: user-service, image: "deathstarbench/social-network-microservices:latest", command: [UserService], ports: [{containerPort: 9090}]}
---
apiVersion: v1
kind: Service
metadata: {name: user-service, namespace: ${NS}}
spec:
  selector: {app: user-service}
  ports: [{name: "9090", port: 9090, targetPort: 9090}]
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: profile, namespace: ${NS}}
spec:
  replicas: 1
  selector: {matchLabels: {io.kompose.service: profile}}
  template:
    metadata: {labels: {io.kompose.service: profile}}
    spec:
      containers:
      - {name: hotel-reserv-profile, image: "yinfangchen/hotelreservation:latest", command: [profile]}
---
apiVersion: v1
kind: ConfigMap
metadata: {name: flagd-config, namespace: ${NS}}
data:
  demo.flagd.json: '{"flags": {"paymentFailure": {"state": "ENABLED", "variants": {"100%": 1, "off": 0}, "defaultVariant": "off"}}}'
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: flagd, namespace: ${NS}}
spec:
  replicas: 1
  selector: {matchLabels: {app: flagd}}
  template:
    metadata: {labels: {app: flagd}}
    spec:
      containers:
      - {name: flagd, image: "ghcr.io/open-feature/flagd:v0.11.1"}
`;

describe('fault injectors against the embedded cluster (real kubectl)', function () {
  this.timeout(60_000);
  let twin: TwinHandle;
  let kubectl: Kubectl;

  before(async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'aiopslab-faults-'));
    twin = await startTwin({ stateDir: dir });
    kubectl = new Kubectl({ kubectl: await resolveKubectl(), kubeconfigPath: twin.kubeconfigPath, kubeCacheDir: twin.kubeCacheDir });
    await kubectl.run(['apply', '-f', '-'], MANIFEST);
  });
  after(async () => twin?.stop());

  function context(fault: FaultSpec): FaultContext {
    return { fault, app, namespace: NS, kubectl, api: faultApiFromFile(twin.kubeconfigPath), sleep: async () => undefined, deployApp: async () => undefined, deleteNamespace: async () => undefined };
  }

  async function twice(kind: 'inject' | 'recover', fault: FaultSpec): Promise<void> {
    // Both directions are idempotent: a second call changes nothing and does not fail.
    await injectorFor(fault.kind)[kind](context(fault));
    await injectorFor(fault.kind)[kind](context(fault));
  }

  it('moves a Service targetPort to 9999 and back', async () => {
    const fault = { kind: 'k8s-target-port', params: { service: 'user-service', from: 9090, to: 9999 } };
    await twice('inject', fault);
    assert.equal((await kubectl.json(['get', 'svc', 'user-service', '-n', NS])).spec.ports[0].targetPort, 9999);
    await twice('recover', fault);
    assert.equal((await kubectl.json(['get', 'svc', 'user-service', '-n', NS])).spec.ports[0].targetPort, 9090);
  });

  it('scales a Deployment to zero and back to its original replicas', async () => {
    const fault = { kind: 'scale-to-zero', target: 'user-service', params: { replicas: 0, originalReplicas: 1 } };
    await twice('inject', fault);
    assert.equal((await kubectl.json(['get', 'deploy', 'user-service', '-n', NS])).spec.replicas, 0);
    await twice('recover', fault);
    assert.equal((await kubectl.json(['get', 'deploy', 'user-service', '-n', NS])).spec.replicas, 1);
  });

  it('pins a Deployment to a non-existent node and removes the selector', async () => {
    const fault = { kind: 'assign-non-existent-node', target: 'user-service', params: { nodeSelector: { 'kubernetes.io/hostname': 'extra-node' } } };
    await twice('inject', fault);
    assert.deepEqual((await kubectl.json(['get', 'deploy', 'user-service', '-n', NS])).spec.template.spec.nodeSelector, { 'kubernetes.io/hostname': 'extra-node' });
    await twice('recover', fault);
    assert.equal((await kubectl.json(['get', 'deploy', 'user-service', '-n', NS])).spec.template.spec.nodeSelector, undefined);
  });

  it('a Deployment the fault re-created is fixed by kubectl apply of its manifest, as after the original\'s kubectl apply', async () => {
    const fault = { kind: 'assign-non-existent-node', target: 'user-service', params: { nodeSelector: { 'kubernetes.io/hostname': 'extra-node' } } };
    await injectorFor(fault.kind).inject(context(fault));
    // What an agent does: apply the manifest it was deployed from. The three-way merge against the re-created
    // object's last-applied configuration removes the selector the fault added.
    await kubectl.run(['apply', '-f', '-'], MANIFEST);
    const deployment = await kubectl.json<{ spec: { template: { spec: { nodeSelector?: unknown } } } }>(['get', 'deploy', 'user-service', '-n', NS]);
    assert.equal(deployment.spec.template.spec.nodeSelector, undefined);
  });

  it('swaps a container command (wrong binary) and restores it', async () => {
    const fault = { kind: 'wrong-bin-usage', target: 'profile', params: { from: 'profile', to: 'geo' } };
    await twice('inject', fault);
    assert.deepEqual((await kubectl.json(['get', 'deploy', 'profile', '-n', NS])).spec.template.spec.containers[0].command, ['geo']);
    await twice('recover', fault);
    assert.deepEqual((await kubectl.json(['get', 'deploy', 'profile', '-n', NS])).spec.template.spec.containers[0].command, ['profile']);
  });

  it('changes and restores a container image', async () => {
    const fault = { kind: 'image-change', target: 'profile', params: { container: 'hotel-reserv-profile', image: 'yinfangchen/geo:app3', originalImage: 'yinfangchen/hotelreservation:latest' } };
    await twice('inject', fault);
    assert.equal((await kubectl.json(['get', 'deploy', 'profile', '-n', NS])).spec.template.spec.containers[0].image, 'yinfangchen/geo:app3');
    await twice('recover', fault);
    assert.equal((await kubectl.json(['get', 'deploy', 'profile', '-n', NS])).spec.template.spec.containers[0].image, 'yinfangchen/hotelreservation:latest');
  });

  it('refuses to change the image of a container the Deployment does not have, naming it', async () => {
    const fault = { kind: 'image-change', target: 'profile', params: { container: 'no-such-container', image: 'yinfangchen/geo:app3', originalImage: 'yinfangchen/hotelreservation:latest' } };
    await assert.rejects(injectorFor(fault.kind).inject(context(fault)), /Deployment fault-test\/profile has no container named "no-such-container"/);
  });

  it('runs a command in a pod as kubectl exec does: its output, else its exit code and what it printed', async () => {
    const api = faultApiFromFile(twin.kubeconfigPath);
    const pod = (await livePods(api, NS)).find((p) => p.metadata?.name?.startsWith('profile-'));
    assert.ok(pod, 'a profile pod');
    assert.equal(await execInPod(api, pod, ['sh', '-c', 'echo hello']), 'hello\n');
    await assert.rejects(execInPod(api, pod, ['sh', '-c', 'echo half done; echo no such user >&2; exit 3']), /command terminated with exit code 3\nhalf done\nno such user/);
    await assert.rejects(execInPod(api, { ...pod, metadata: { ...pod.metadata, name: 'gone' } }, ['true']), /exec in pod fault-test\/gone/);
  });

  it('creates the Chaos Mesh experiments the original creates, in Chaos Mesh\'s namespace selecting the app namespace, and deletes them', async () => {
    const delay = { kind: 'chaos-network-delay', target: 'user-service', params: { name: 'delay', latency: '10s', jitter: '0ms', correlation: '100', duration: '200s', mode: 'one', labelKey: 'io.kompose.service' } };
    await twice('inject', delay);
    const chaos = await kubectl.json(['get', 'networkchaos', `${NS}-delay`, '-n', CHAOS_NAMESPACE]);
    assert.equal(chaos.spec.action, 'delay');
    assert.deepEqual(chaos.spec.selector, { namespaces: [NS], labelSelectors: { 'io.kompose.service': 'user-service' } });
    assert.deepEqual(chaos.spec.delay, { latency: '10s', correlation: '100', jitter: '0ms' });
    await twice('recover', delay);
    assert.equal((await kubectl.json(['get', 'networkchaos', '-A'])).items.length, 0);

    const kill = { kind: 'chaos-pod-kill', target: 'user-service', params: { name: 'pod-kill', action: 'pod-failure', duration: '100s', labelKey: 'io.kompose.service' } };
    await injectorFor(kill.kind).inject(context(kill));
    const pod = await kubectl.json(['get', 'podchaos', `${NS}-pod-kill`, '-n', CHAOS_NAMESPACE]);
    assert.equal(pod.spec.action, 'pod-failure', 'named pod-kill, acting as pod-failure, like the original');
    await injectorFor(kill.kind).recover(context(kill));
  });

  it('sets a flagd flag in flagd-config, restarts flagd, and turns it off again', async () => {
    const fault = { kind: 'flagd', target: 'payment', params: { flag: 'paymentFailure', variant: '100%', configMap: 'flagd-config', restartDeployment: 'flagd' } };
    await twice('inject', fault);
    const flags = () => kubectl.json(['get', 'cm', 'flagd-config', '-n', NS]).then((cm) => JSON.parse(cm.data['demo.flagd.json']).flags);
    assert.equal((await flags()).paymentFailure.defaultVariant, '100%');
    const deploy = await kubectl.json(['get', 'deploy', 'flagd', '-n', NS]);
    assert.ok(deploy.spec.template.metadata.annotations?.['kubectl.kubernetes.io/restartedAt'], 'flagd was restarted');
    await twice('recover', fault);
    assert.equal((await flags()).paymentFailure.defaultVariant, 'off');
    await assert.rejects(injectorFor('flagd').inject(context({ ...fault, params: { ...fault.params, flag: 'noSuchFlag' } })), /Unknown flagd flag "noSuchFlag"/);
  });

  it('launches wrk2 as a Job with the script from a ConfigMap, as the original', async () => {
    const scripts = fs.mkdtempSync(path.join(os.tmpdir(), 'aiopslab-lua-'));
    fs.writeFileSync(path.join(scripts, 'compose-post.lua'), 'request = function() return wrk.format("GET", "/") end\n');
    const workload = { kind: 'wrk2' as const, rate: 10, dist: 'exp' as const, connections: 2, duration: 10, threads: 2, script: 'compose-post.lua', url: { service: 'user-service', port: 9090, path: '/wrk2-api/post/compose' } };
    const kc = new k8s.KubeConfig();
    kc.loadFromFile(twin.kubeconfigPath);
    const objects = workloadObjects(kc);
    const { url } = await startWrk2({ workload, scriptsDir: scripts, appNamespace: NS, objects, mode: 'original', steadySeconds: 600 });
    const job = await kubectl.json(['get', 'job', 'wrk2-job', '-n', 'default']);
    const container = job.spec.template.spec.containers[0];
    assert.deepEqual(container.args, ['wrk', '-D', 'exp', '-t', '2', '-c', '2', '-d', '10s', '-L', '-s', '/scripts/compose-post.lua', url, '-R', '10', '--latency']);
    assert.match(url, /^http:\/\/\d+\.\d+\.\d+\.\d+:9090\/wrk2-api\/post\/compose$/);
    const cm = await kubectl.json(['get', 'cm', 'wrk2-payload-script', '-n', 'default']);
    assert.match(cm.data['compose-post.lua'], /wrk.format/);
    // Started again: the running Job is replaced (deleted, waited for, created anew), not patched.
    const firstUid = job.metadata.uid;
    await startWrk2({ workload, scriptsDir: scripts, appNamespace: NS, objects, mode: 'steady', steadySeconds: 600 });
    const again = await kubectl.json(['get', 'job', 'wrk2-job', '-n', 'default']);
    assert.ok(again.spec.template.spec.containers[0].args.includes('600s'));
    assert.notEqual(again.metadata.uid, firstUid);
    await stopWrk2(objects);
    await stopWrk2(objects); // nothing left to stop: no error
    assert.doesNotMatch(await kubectl.run(['get', 'jobs,cm', '-n', 'default', '-o', 'name']), /wrk2/);
  });

});
