/**
 * The agent's view of the cluster, attacked with the real kubectl (and client-node) through the agent's kubeconfig on
 * the embedded cluster while Chaos Mesh faults are active: every attempt to see the fault machinery — the Chaos Mesh
 * kinds, their namespace, their Events, their CRDs, the annotations they leave on a victim — comes back refused or
 * empty of it; what an SRE does to diagnose and fix the app keeps working.
 */
import { strict as assert } from 'node:assert';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as k8s from '@kubernetes/client-node';
import { startTwin, type TwinHandle } from '../../src/twin';
import { resolveKubectl } from '../../src/twin/kubectl-path';
import { Kubectl } from '../../src/env/kubectl';
import { injectorFor, type FaultContext } from '../../src/env/faults';
import { faultApiFromFile } from '../../src/env/faults/api';
import { loadKubeConfig } from '../../src/env/kubeconfig-load';
import { startClusterView, type ClusterView } from '../../src/env/cluster-view';
import { writeAgentKubeconfig } from '../../src/env/cluster-view/kubeconfig';
import type { FaultSpec } from '../../src/core/problems/types';
import type { AppDefinition } from '../../src/core/apps/types';

const NS = 'view-app';
const app: AppDefinition = { id: 'view-app', name: 'View', namespace: NS, description: '', supportedOperations: [], serviceLabel: 'io.kompose.service', deploy: { kind: 'none' } };
const deployment = (service: string) => `apiVersion: apps/v1
kind: Deployment
metadata: {name: ${service}, namespace: ${NS}, labels: {io.kompose.service: ${service}}}
spec:
  replicas: 1
  selector: {matchLabels: {io.kompose.service: ${service}}}
  template:
    metadata: {labels: {io.kompose.service: ${service}}}
    spec: {containers: [{name: hotel-reserv-${service}, image: 'nginx:1.25'}]}
`;
const MANIFEST = [`apiVersion: v1\nkind: Namespace\nmetadata: {name: ${NS}}\n`, deployment('user'), deployment('geo'), deployment('rate')].join('---\n');
/** Anything that names the fault machinery in an observation. */
const MACHINERY = /chaos/i;

interface Run { code: number; out: string }

describe('the agent\'s view hides the fault machinery (real kubectl through the agent kubeconfig, Chaos Mesh faults active)', function () {
  this.timeout(60_000);
  let twin: TwinHandle;
  let view: ClusterView;
  let admin: Kubectl;
  let kubectlPath: string;
  let agentConfig: string;
  let agentCache: string;
  let victim: string;

  const agent = (args: string[], killAfterMs?: number): Promise<Run> => new Promise((resolve) => {
    const child = spawn(kubectlPath, args, { env: { PATH: process.env.PATH ?? '', HOME: agentCache, KUBECONFIG: agentConfig, KUBECACHEDIR: agentCache } });
    let out = '';
    child.stdout.on('data', (c) => { out += c; });
    child.stderr.on('data', (c) => { out += c; });
    const timer = killAfterMs ? setTimeout(() => child.kill('SIGTERM'), killAfterMs) : undefined;
    child.on('close', (code) => { if (timer) clearTimeout(timer); resolve({ code: code ?? -1, out }); });
  });
  const ctx = (fault: FaultSpec): FaultContext => ({ fault, app, namespace: NS, kubectl: admin, api: faultApiFromFile(twin.kubeconfigPath), sleep: async () => undefined, deployApp: async () => undefined, deleteNamespace: async () => undefined });
  const until = async (what: string, probe: () => Promise<boolean>) => {
    const end = Date.now() + 15_000;
    while (!(await probe().catch(() => false))) {
      if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
      await new Promise((r) => setTimeout(r, 200));
    }
  };
  /** Nothing in the observation names the machinery, beyond the words the attacker typed (echoed in NotFound). */
  const refusedOrClean = (r: Run, what: string, typed: string[] = []) => {
    let out = r.out;
    for (const word of typed) out = out.split(word).join('');
    assert.doesNotMatch(out, MACHINERY, `${what} showed the fault machinery:\n${r.out}`);
  };

  before(async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'aiopslab-view-'));
    twin = await startTwin({ stateDir: path.join(dir, 'twin') });
    kubectlPath = await resolveKubectl();
    admin = new Kubectl({ kubectl: kubectlPath, kubeconfigPath: twin.kubeconfigPath, kubeCacheDir: twin.kubeCacheDir });
    view = await startClusterView({ upstream: loadKubeConfig(twin.agentKubeconfigPath) });
    agentConfig = writeAgentKubeconfig(path.join(dir, 'agent-kubeconfig'), view.url, NS);
    agentCache = path.join(dir, 'agent-cache');
    fs.mkdirSync(agentCache);
    await admin.run(['apply', '-f', '-'], MANIFEST);
    await until('3 running pods', async () => (await admin.json(['get', 'pods', '-n', NS])).items.filter((p: any) => p.status?.phase === 'Running').length === 3); // eslint-disable-line @typescript-eslint/no-explicit-any
    await injectorFor('chaos-network-delay').inject(ctx({ kind: 'chaos-network-delay', target: 'geo', params: { name: 'delay', latency: '10s', duration: '200s', mode: 'one' } }));
    await injectorFor('chaos-pod-failure').inject(ctx({ kind: 'chaos-pod-failure', target: 'user', params: { duration: '200s' } }));
    await until('both experiments applied', async () => (await admin.run(['get', 'events', '-n', 'chaos-mesh'])).match(/Successfully apply chaos/g)?.length === 2);
    victim = (await admin.json(['get', 'pods', '-n', NS, '-l', 'io.kompose.service=user'])).items[0].metadata.name;
    await until('the victim paused', async () => /pause/.test(JSON.stringify((await admin.json(['get', 'pod', victim, '-n', NS])).spec.containers)));
    // The orchestrator's view does show them: the attacks below fail because of the view, not for lack of targets.
    assert.match(await admin.run(['get', 'pod', victim, '-n', NS, '-o', 'yaml']), /hotel-reserv-user-normal/);
  });
  after(async () => {
    await view?.close();
    await twin?.stop();
  });

  describe('attacks: refused or empty of fault machinery', () => {
    for (const [what, args] of [
      ['get networkchaos -A', ['get', 'networkchaos', '-A']],
      ['get podchaos -n <app ns>', ['get', 'podchaos', '-n', NS]],
      ['get networkchaos.chaos-mesh.org by full name', ['get', 'networkchaos.v1alpha1.chaos-mesh.org', '-n', 'chaos-mesh', `${NS}-delay`]],
      ['get events -A', ['get', 'events', '-A']],
      ['get events -n <app ns>', ['get', 'events', '-n', NS]],
      ['get events -A -o json', ['get', 'events', '-A', '-o', 'json']],
      ['get events -n chaos-mesh', ['get', 'events', '-n', 'chaos-mesh']],
      ['get events -A --field-selector involvedObject.kind=NetworkChaos', ['get', 'events', '-A', '--field-selector', 'involvedObject.kind=NetworkChaos']],
      ['get events.events.k8s.io -A -o yaml', ['get', 'events.v1.events.k8s.io', '-A', '-o', 'yaml']],
      ['get ns', ['get', 'ns']],
      ['get ns chaos-mesh -o yaml', ['get', 'ns', 'chaos-mesh', '-o', 'yaml']],
      ['get all -n chaos-mesh', ['get', 'all', '-n', 'chaos-mesh']],
      ['api-resources', ['api-resources']],
      ['api-versions', ['api-versions']],
      ['get --raw /apis', ['get', '--raw', '/apis']],
      ['get --raw /apis/chaos-mesh.org/v1alpha1', ['get', '--raw', '/apis/chaos-mesh.org/v1alpha1']],
      ['get --raw /apis/chaos-mesh.org/v1alpha1/namespaces/chaos-mesh/networkchaos', ['get', '--raw', '/apis/chaos-mesh.org/v1alpha1/namespaces/chaos-mesh/networkchaos']],
      ['get --raw /api/v1/namespaces/chaos-mesh/events', ['get', '--raw', '/api/v1/namespaces/chaos-mesh/events']],
      ['get --raw /openapi/v3', ['get', '--raw', '/openapi/v3']],
      ['get crd', ['get', 'crd']],
      ['get crd networkchaos.chaos-mesh.org', ['get', 'crd', 'networkchaos.chaos-mesh.org']],
      ['describe pod <victim>', ['describe', 'pod', '<victim>', '-n', NS]],
      ['get pod <victim> -o yaml', ['get', 'pod', '<victim>', '-n', NS, '-o', 'yaml']],
      ['get pods -A -o json', ['get', 'pods', '-A', '-o', 'json']],
      ['create namespace chaos-mesh', ['create', 'namespace', 'chaos-mesh']],
    ] as Array<[string, string[]]>) {
      it(what, async () => refusedOrClean(await agent(args.map((a) => (a === '<victim>' ? victim : a))), what, args.filter((a) => MACHINERY.test(a)).flatMap((a) => [a, ...a.split('.')])));
    }

    it('get events -A --watch (bounded) while a new experiment is applied', async () => {
      const watching = agent(['get', 'events', '-A', '--watch'], 3000);
      await new Promise((r) => setTimeout(r, 800));
      await injectorFor('chaos-network-loss').inject(ctx({ kind: 'chaos-network-loss', target: 'rate', params: { name: 'loss', duration: '200s', mode: 'one' } }));
      const r = await watching;
      await until('the loss applied', async () => /apply chaos for view-app\/rate/.test(await admin.run(['get', 'events', '-n', 'chaos-mesh'])));
      assert.match(r.out, /Scheduled|Started|Pulled/, 'the watch showed the app\'s own events');
      refusedOrClean(r, 'the watch');
    });

    it('events through client-node (list every namespace, list chaos-mesh, read one by name)', async () => {
      const kc = loadKubeConfig(agentConfig);
      const core = kc.makeApiClient(k8s.CoreV1Api);
      const all = await core.listEventForAllNamespaces();
      assert.ok(all.items.length > 0, 'the app\'s own events are there');
      assert.doesNotMatch(JSON.stringify(all), MACHINERY);
      assert.equal((await core.listNamespacedEvent({ namespace: 'chaos-mesh' })).items.length, 0);
      const hiddenEvent = (await admin.json(['get', 'events', '-n', 'chaos-mesh'])).items[0].metadata.name;
      await assert.rejects(core.readNamespacedEvent({ namespace: 'chaos-mesh', name: hiddenEvent }), (e: { code?: number }) => e.code === 404);
      await assert.rejects(kc.makeApiClient(k8s.CustomObjectsApi).listClusterCustomObject({ group: 'chaos-mesh.org', version: 'v1alpha1', plural: 'networkchaos' }), (e: { code?: number }) => e.code === 404);
    });
  });

  describe('legitimate use works', () => {
    it('get pods / -o wide / jsonpath, describe (with the victim\'s symptom), logs', async () => {
      const pods = await agent(['get', 'pods', '-n', NS]);
      assert.equal(pods.code, 0, pods.out);
      assert.match(pods.out, /user-\S+\s+1\/1\s+Running/);
      const jsonpath = await agent(['get', 'pods', '-n', NS, '-o', 'jsonpath={.items[*].spec.containers[0].image}']);
      assert.match(jsonpath.out, /gcr\.io\/google-containers\/pause:latest/, 'the symptom (the pause image) is visible');
      const describe = await agent(['describe', 'pod', victim, '-n', NS]);
      assert.match(describe.out, /Container hotel-reserv-user definition changed, will be restarted/, 'the victim\'s own events are there');
      const logs = await agent(['logs', '-n', NS, 'deploy/geo', '--tail=5']);
      assert.equal(logs.code, 0, logs.out);
    });

    it('exec (websocket upgrade)', async () => {
      const geo = (await admin.json(['get', 'pods', '-n', NS, '-l', 'io.kompose.service=geo'])).items[0].metadata.name;
      const r = await agent(['exec', geo, '-n', NS, '--', 'echo', 'hello', 'view']);
      assert.equal(r.code, 0, r.out);
      assert.match(r.out, /hello view/);
    });

    it('patch, scale, rollout restart + status (a watch), delete pod', async () => {
      let r = await agent(['patch', 'deployment', 'rate', '-n', NS, '-p', '{"metadata":{"labels":{"fixed":"yes"}}}']);
      assert.equal(r.code, 0, r.out);
      r = await agent(['scale', 'deployment', 'rate', '-n', NS, '--replicas=2']);
      assert.equal(r.code, 0, r.out);
      await until('2 rate pods', async () => (await admin.json(['get', 'pods', '-n', NS, '-l', 'io.kompose.service=rate'])).items.length === 2);
      r = await agent(['rollout', 'restart', 'deployment/rate', '-n', NS]);
      assert.equal(r.code, 0, r.out);
      r = await agent(['rollout', 'status', 'deployment/rate', '-n', NS, '--timeout=20s']);
      assert.equal(r.code, 0, r.out);
      r = await agent(['get', 'deploy', 'rate', '-n', NS, '-o', 'jsonpath={.metadata.labels.fixed}']);
      assert.equal(r.out, 'yes');
      r = await agent(['delete', 'pod', victim, '-n', NS, '--wait=false']);
      assert.equal(r.code, 0, r.out);
    });
  });
});
