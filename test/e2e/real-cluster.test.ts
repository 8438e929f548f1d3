/**
 * A real cluster as a user meets one, played by two detached embedded clusters reached only through a kubeconfig
 * (`aiopslab twin start --bare --name …`: a fresh kind-like cluster over TLS, with token authentication and RBAC):
 * `cluster setup` with the real helm, `doctor` before and after, the agent identity's refusals, readiness errors,
 * and the agent's shell acting on the configured cluster only while ~/.kube/config's current context is the other.
 */
import { strict as assert } from 'node:assert';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { AIOPSLAB_BIN, type CliResult } from '../support/cli';
import { FIXTURE_CHARTS, run, startDetachedClusters, type DetachedClusters, type ValidateRow } from '../support/detached-clusters';
import { resolveKubectl } from '../../src/twin/kubectl-path';
import { resolveHelm } from '../../src/twin/helm-path';
import { Kubectl } from '../../src/env/kubectl';
import { KubeEnvironment } from '../../src/env/kube-environment';
import type { AppDefinition } from '../../src/core/apps/types';

const AGENT = 'system:serviceaccount:aiopslab-system:aiopslab-agent';

async function waitFor(done: () => Promise<boolean>, what: string, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await done())) {
    if (Date.now() > deadline) assert.fail(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

describe('a real cluster (two detached embedded clusters behind a kubeconfig): setup, doctor, agent identity, readiness', function () {
  this.timeout(240_000);
  const cwd = fs.mkdtempSync(path.join(os.tmpdir(), 'aiopslab-real-'));
  let clusters: DetachedClusters;
  let env: NodeJS.ProcessEnv;
  let home: string;
  let kubectlPath: string;
  const admin = (context: string) => new Kubectl({ kubectl: kubectlPath, kubeconfigPath: path.join(home, '.kube', 'config'), context, kubeCacheDir: path.join(cwd, 'kube-cache') });
  const cli = (args: string[]): Promise<CliResult> => clusters.cli(args);
  const runKubectl = (args: string[], extraEnv: NodeJS.ProcessEnv) => run(kubectlPath, args, { ...env, ...extraEnv });

  before(async function () {
    this.timeout(120_000);
    kubectlPath = await resolveKubectl();
    await resolveHelm();
    // ~/.kube/config holds both; its current context is the cluster the sessions must NOT touch.
    clusters = await startDetachedClusters({ cwd, kubectl: kubectlPath, names: ['twin-a', 'twin-b'], currentContext: 'twin-b' });
    ({ env, home } = clusters);
    // Tell the two apart from inside: every node of each carries its cluster's name.
    for (const name of ['twin-a', 'twin-b']) await admin(name).run(['label', 'nodes', '--all', `example.com/cluster=${name}`]);
  });

  after(async () => {
    await clusters?.stop();
    fs.rmSync(cwd, { recursive: true, force: true });
  });

  it('doctor fails before setup and names the fix', async () => {
    const r = await cli(['--cluster', 'twin-a', 'doctor']);
    assert.equal(r.code, 1, r.stdout);
    for (const check of ['Chaos Mesh', 'Prometheus', 'default StorageClass', 'agent identity']) {
      assert.match(r.stdout, new RegExp(`FAIL  ${check}:[^\\n]*\\n      fix: aiopslab cluster setup --context twin-a`), `${check} fails with the fix\n${r.stdout}`);
    }
  });

  it('cluster setup: --dry-run prints the helm commands and changes nothing; a real run installs; a second changes nothing and says so', async () => {
    const dry = await cli(['cluster', 'setup', '--context', 'twin-a', '--charts', FIXTURE_CHARTS, '--dry-run']);
    assert.equal(dry.code, 0, dry.stderr);
    for (const release of ['aiopslab-local-path', 'chaos-mesh', 'aiopslab-observability', 'aiopslab-agent']) assert.match(dry.stdout, new RegExp(`helm upgrade --install ${release} `));
    assert.match(dry.stdout, /--kube-context twin-a/);
    assert.equal((await admin('twin-a').run(['get', 'namespaces', '-o', 'name'])).includes('chaos-mesh'), false, 'a dry run installs nothing');

    const first = await cli(['cluster', 'setup', '--context', 'twin-a', '--charts', FIXTURE_CHARTS, '--json']);
    assert.equal(first.code, 0, first.stderr);
    assert.deepEqual((JSON.parse(first.stdout) as { outcomes: Array<{ outcome: string }> }).outcomes.map((o) => o.outcome), ['installed', 'installed', 'installed', 'installed']);
    const second = await cli(['cluster', 'setup', '--context', 'twin-a', '--charts', FIXTURE_CHARTS]);
    assert.equal(second.code, 0, second.stderr);
    assert.match(second.stdout, /nothing to change/);
    assert.equal((second.stdout.match(/already installed/g) ?? []).length, 4, second.stdout);
    assert.doesNotMatch(await admin('twin-b').run(['get', 'namespaces', '-o', 'name']), /chaos-mesh|aiopslab-system/, 'the other cluster is untouched');
  });

  it('doctor passes after setup', async () => {
    const r = await cli(['--cluster', 'twin-a', 'doctor']);
    assert.equal(r.code, 0, r.stdout);
    assert.match(r.stdout, /ok {4}agent identity: ServiceAccount aiopslab-system\/aiopslab-agent: refused/);
  });

  it('the agent identity: Chaos Mesh objects, CRDs, RBAC and other namespaces answer 403; nodes can be read', async () => {
    const token = (await admin('twin-a').run(['create', 'token', 'aiopslab-agent', '-n', 'aiopslab-system'])).trim();
    const asAgent = (args: string[]) => runKubectl(['--context', 'twin-a', '--token', token, ...args], {}).then((out) => ({ ok: true, out }), (e: Error) => ({ ok: false, out: e.message }));
    for (const args of [['get', 'podchaos', '-n', 'chaos-mesh'], ['get', 'customresourcedefinitions'], ['get', 'pods', '-n', 'chaos-mesh'], ['get', 'pods', '-n', 'kube-system'], ['get', 'secrets', '-n', 'default'], ['create', 'clusterrolebinding', 'mine', '--clusterrole=cluster-admin', `--serviceaccount=aiopslab-system:aiopslab-agent`]]) {
      const r = await asAgent(args);
      assert.equal(r.ok, false, `${args.join(' ')} must be refused`);
      assert.match(r.out, new RegExp(`Forbidden|forbidden: User "${AGENT}"`), `${args.join(' ')}: ${r.out}`);
    }
    const nodes = await asAgent(['get', 'nodes', '-o', 'name']);
    assert.equal(nodes.ok, true, nodes.out);
  });

  it('the agent\'s shell acts on the configured cluster only, as the agent identity, whatever ~/.kube/config\'s current context', async () => {
    const script = [
      'exec_shell("kubectl get nodes --show-labels")',
      'exec_shell("kubectl get pods -n kube-system")',
      'exec_shell("kubectl --context twin-b get nodes --show-labels")',
      'exec_shell("kubectl config get-contexts")',
      'exec_shell("kubectl create configmap agent-was-here -n test-social-network")',
      'submit("Yes")',
    ].join('\n') + '\n';
    const r = await new Promise<CliResult>((resolve) => {
      const child = spawn(process.execPath, [AIOPSLAB_BIN, '--results', clusters.results, '--cluster', 'twin-a', 'human', 'k8s_target_port-misconfig-detection-1'], { cwd, env });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (b) => (stdout += b));
      child.stderr.on('data', (b) => (stderr += b));
      child.on('close', (code) => resolve({ code, stdout, stderr }));
      child.stdin.end(script);
    });
    assert.equal(r.code, 0, r.stderr + r.stdout);
    assert.match(r.stdout, /example\.com\/cluster=twin-a/);
    assert.doesNotMatch(r.stdout, /example\.com\/cluster=twin-b/);
    assert.match(r.stdout, new RegExp(`forbidden: User "${AGENT}" cannot list resource "pods" in API group "" in the namespace "kube-system"`));
    assert.match(r.stdout, /context was not found for specified context: twin-b/, 'the agent\'s kubeconfig knows no other context');
    const contexts = r.stdout.split('exec_shell("kubectl config get-contexts")')[1].split('aiopslab>')[0];
    assert.match(contexts, /aiopslab-agent/);
    assert.doesNotMatch(contexts, /twin-a|twin-b/, 'the agent\'s kubeconfig names only its view');
    assert.match(r.stdout, /configmap\/agent-was-here created/);
    assert.doesNotMatch(await admin('twin-b').run(['get', 'configmaps', '-A', '-o', 'name']), /agent-was-here/);
    assert.doesNotMatch(await admin('twin-b').run(['get', 'namespaces', '-o', 'name']), /test-social-network/);
  });

  it('the Docker Compose app (Flower): both problems validate back to back on the configured cluster; its docker faults never reach the current context', async function () {
    this.timeout(300_000);
    // The other cluster runs Flower too, with a run started (its clientapps have the app installed), so a docker
    // command sent to the kubeconfig's current context would succeed there silently (the stop, the restart, the model
    // edit) instead of failing, and the model problem's oracle would wait in vain for its client's error.
    await admin('twin-b').run(['create', 'namespace', 'docker']);
    await admin('twin-b').run(['apply', '-n', 'docker', '-f', path.resolve(__dirname, '..', '..', '..', 'apps', 'flower', 'manifests')]);
    await admin('twin-b').run(['create', 'configmap', 'flwr-run', '-n', 'docker', `--from-literal=started=${new Date().toISOString()}`]);
    const containersOfB = async () => JSON.stringify((JSON.parse(await admin('twin-b').run(['get', 'pods', '-n', 'docker', '-o', 'json'])) as { items: Array<{ metadata: { name: string; uid: string; annotations?: object } }> }).items.map((p) => [p.metadata.name, p.metadata.uid, p.metadata.annotations ?? {}]));
    const before = await containersOfB();
    const r = await clusters.cli(['--cluster', 'twin-a', 'validate', '--json', '--problems', 'flower_node_stop-detection,flower_model_misconfig-detection'], { AIOPSLAB_DOCKER: clusters.dockerShim('twin-a') });
    assert.equal(r.code, 0, r.stderr.slice(-3000) + r.stdout.slice(-3000));
    const rows = JSON.parse(r.stdout) as ValidateRow[];
    const why = (x: ValidateRow) => JSON.stringify({ oracle: x.oracle, idle: x.idle, wrong: x.wrong });
    for (const x of rows) assert.ok(x.solvable && x.discriminating && x.rejectsWrong, `${x.problemId}: ${why(x)}`);
    assert.deepEqual(rows.map((x) => x.problemId), ['flower_node_stop-detection', 'flower_model_misconfig-detection']);
    assert.equal(await containersOfB(), before, 'no container of the other cluster was stopped or restarted');
    // The batch kept the app between its sessions for reuse; at its end it removes it, as one session's clean-up would.
    assert.equal((await admin('twin-a').run(['get', 'namespace', 'docker', '--ignore-not-found', '-o', 'name'])).trim(), '', 'the batch left namespace docker on the cluster');
    assert.doesNotMatch(r.stderr, /Left on the cluster/);
  });

  it('a stuck pod: the deploy fails naming the pod and the cluster\'s reason (bad image, unschedulable)', async () => {
    const manifests = path.join(cwd, 'stuck');
    fs.mkdirSync(manifests, { recursive: true });
    const deployment = (name: string, image: string, cpu: string) => ({
      apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name },
      spec: { replicas: 1, selector: { matchLabels: { app: name } }, template: { metadata: { labels: { app: name } }, spec: { containers: [{ name, image, resources: { requests: { cpu } } }] } } },
    });
    fs.writeFileSync(path.join(manifests, 'stuck.json'), JSON.stringify({ apiVersion: 'v1', kind: 'List', items: [deployment('no-such-image', 'docker.io/library/nginx:no-such-tag-aiopslab', '10m'), deployment('too-big', 'docker.io/library/nginx:1.27', '512')] }));
    const app: AppDefinition = { id: 'stuck', name: 'Stuck', namespace: 'stuck-demo', description: '', supportedOperations: [], deploy: { kind: 'manifests', path: manifests } };
    const saved = process.env.HOME;
    process.env.HOME = home; // the user's kubeconfig, as the CLI would find it
    const k8sEnv = new KubeEnvironment({
      info: { kind: 'kubernetes', cluster: 'twin-a' }, context: 'twin-a', kubectl: kubectlPath, kubeCacheDir: path.join(cwd, 'kube-cache'), projectRoot: cwd,
      shellPolicy: 'guarded', sandbox: 'off', execTimeoutSec: 30, execTimeoutCapSec: 60, outputCapChars: 20000, logDedup: 0, readyTimeoutMs: 8_000, pollMs: 200,
    });
    try {
      await assert.rejects(k8sEnv.deployApp(app), (error: Error) => {
        assert.match(error.message, /no-such-image-[a-z0-9]+-[a-z0-9]+ \((ErrImagePull|ImagePullBackOff)[^)]*no-such-tag-aiopslab/);
        assert.match(error.message, /too-big-[a-z0-9]+-[a-z0-9]+ \(Unschedulable: 0\/2 nodes are available[^)]*Insufficient cpu/);
        return true;
      });
    } finally {
      process.env.HOME = saved;
      await admin('twin-a').run(['delete', 'namespace', 'stuck-demo', '--wait=false']).catch(() => undefined);
    }
  });
  it('clean-up removes the namespace and the volumes it released, and reports what it cannot, with why and the command that removes it', async () => {
    const manifests = path.join(cwd, 'cleanup');
    fs.mkdirSync(manifests, { recursive: true });
    const volume = (name: string) => [
      { apiVersion: 'v1', kind: 'PersistentVolume', metadata: { name }, spec: { capacity: { storage: '1Gi' }, accessModes: ['ReadWriteOnce'], persistentVolumeReclaimPolicy: 'Retain', storageClassName: name, hostPath: { path: `/data/volumes/${name}`, type: 'DirectoryOrCreate' } } },
      { apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: { name }, spec: { accessModes: ['ReadWriteOnce'], storageClassName: name, resources: { requests: { storage: '1Gi' } } } },
    ];
    const db = { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'db' }, spec: { replicas: 1, selector: { matchLabels: { app: 'db' } }, template: { metadata: { labels: { app: 'db' } }, spec: {
      containers: [{ name: 'db', image: 'docker.io/library/nginx:1.27', volumeMounts: [{ name: 'kept', mountPath: '/kept' }, { name: 'plain', mountPath: '/plain' }] }],
      volumes: [{ name: 'kept', persistentVolumeClaim: { claimName: 'cleanup-kept' } }, { name: 'plain', persistentVolumeClaim: { claimName: 'cleanup-plain' } }] } } } };
    const settings = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'settings' }, data: { mode: 'demo' } };
    fs.writeFileSync(path.join(manifests, 'app.json'), JSON.stringify({ apiVersion: 'v1', kind: 'List', items: [...volume('cleanup-kept'), ...volume('cleanup-plain'), db, settings] }));
    const app: AppDefinition = { id: 'cleanup', name: 'Cleanup', namespace: 'cleanup-demo', description: '', supportedOperations: [], deploy: { kind: 'manifests', path: manifests } };
    const saved = process.env.HOME;
    process.env.HOME = home; // the user's kubeconfig, as the CLI would find it
    const k8sEnv = new KubeEnvironment({
      info: { kind: 'kubernetes', cluster: 'twin-a' }, context: 'twin-a', kubectl: kubectlPath, kubeCacheDir: path.join(cwd, 'kube-cache'), projectRoot: cwd,
      shellPolicy: 'guarded', sandbox: 'off', execTimeoutSec: 30, execTimeoutCapSec: 60, outputCapChars: 20000, logDedup: 0, readyTimeoutMs: 60_000, pollMs: 200, cleanupTimeoutMs: 4_000,
    });
    const a = admin('twin-a');
    try {
      await k8sEnv.deployApp(app);
      assert.match(await a.run(['get', 'pv', 'cleanup-kept', 'cleanup-plain', '-o', 'jsonpath={.items[*].status.phase}']), /^Bound Bound$/);
      // What an operator that is gone, or a protection nobody lifts, leaves: finalizers no controller removes.
      await a.run(['patch', 'configmap', 'settings', '-n', 'cleanup-demo', '--type=merge', '-p', '{"metadata":{"finalizers":["example.com/hold"]}}']);
      await a.run(['patch', 'pv', 'cleanup-kept', '--type=merge', '-p', '{"metadata":{"finalizers":["example.com/keep"]}}']);

      const leftovers = (await k8sEnv.removeApp(app)) ?? [];
      const byObject = new Map(leftovers.map((l) => [l.object, l]));
      assert.deepEqual([...byObject.keys()].sort(), ['configmap/settings in namespace cleanup-demo', 'namespace cleanup-demo', 'persistentvolume/cleanup-kept'], JSON.stringify(leftovers, null, 2));
      assert.match(byObject.get('configmap/settings in namespace cleanup-demo')!.reason, /finalizer example\.com\/hold/);
      assert.match(byObject.get('namespace cleanup-demo')!.reason, /stuck Terminating: .*finalizers remaining: example\.com\/hold in 1 resource instances/);
      assert.match(byObject.get('persistentvolume/cleanup-kept')!.reason, /Released, reclaim policy Retain, was bound to claim cleanup-demo\/cleanup-kept; its deletion waits for finalizer example\.com\/keep/);
      assert.equal(await a.run(['get', 'pv', 'cleanup-plain', '--ignore-not-found', '-o', 'name']), '', 'the volume nothing holds is removed');

      // The commands work as printed, with the real kubectl, against the session's cluster only.
      const shellEnv = { ...env, PATH: `${path.dirname(kubectlPath)}${path.delimiter}${env.PATH ?? ''}` };
      for (const object of ['namespace cleanup-demo', 'persistentvolume/cleanup-kept']) {
        const command = byObject.get(object)!.command;
        assert.match(command, /^kubectl --context twin-a /);
        await run('sh', ['-c', command], shellEnv);
      }
      await waitFor(async () => (await a.run(['get', 'namespace', 'cleanup-demo', '--ignore-not-found', '-o', 'name'])) === '', 'namespace cleanup-demo to go');
      assert.equal(await a.run(['get', 'pv', 'cleanup-kept', '--ignore-not-found', '-o', 'name']), '');
    } finally {
      process.env.HOME = saved;
    }
  });
});
