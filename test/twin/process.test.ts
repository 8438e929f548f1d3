/**
 * The twin as a child process: startTwin writes a kubeconfig and a per-twin kubectl cache, serves off the caller's
 * event loop (so even a synchronous kubectl call works: spec pitfall P13), and stops cleanly.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startTwin, TwinHandle, resolveKubectl } from '../../src/twin';

describe('twin process model', function () {
  this.timeout(30000);
  let dir: string;
  let twin: TwinHandle | undefined;
  before(() => { dir = fs.mkdtempSync(path.join(os.tmpdir(), 'twin-proc-')); });
  after(async () => { await twin?.stop(); fs.rmSync(dir, { recursive: true, force: true }); });

  it('starts in a child process, writes a kubeconfig kubectl accepts, and stops', async () => {
    twin = await startTwin({ stateDir: dir });
    assert.match(twin.url, /^http:\/\/127\.0\.0\.1:\d+\/admin-[0-9a-f]+$/);
    assert.equal(twin.url.startsWith(twin.agentUrl), true);
    const kc = fs.readFileSync(twin.kubeconfigPath, 'utf8');
    assert.match(kc, new RegExp(`server: ${twin.url}`));
    assert.match(kc, /insecure-skip-tls-verify: true/);
    assert.match(kc, /namespace: default/);
    assert.equal(twin.kubeCacheDir, path.join(dir, 'kube-cache'));
    const kubectl = await resolveKubectl();
    // Synchronous on purpose: the twin lives in another process, so this cannot deadlock.
    const out = execFileSync(kubectl, ['get', 'ns', '-o', 'name'], { env: { ...process.env, ...twin.env }, encoding: 'utf8', timeout: 15000 });
    const system = ['namespace/default', 'namespace/kube-node-lease', 'namespace/kube-public', 'namespace/kube-system'];
    assert.deepEqual(out.trim().split('\n').filter((n) => system.includes(n)).sort(), system);
    assert.ok(fs.readdirSync(twin.kubeCacheDir).length > 0, 'kubectl used the per-twin cache dir');
  });

  it('gives the agent a view without the fault machinery (RBAC-like 403, our annotations hidden)', async () => {
    const kubectl = await resolveKubectl();
    const admin = { ...process.env, ...twin!.env };
    const agent = { ...process.env, ...twin!.agentEnv };
    const run = (env: NodeJS.ProcessEnv, args: string[], input?: string) => {
      try { return { code: 0, out: execFileSync(kubectl, args, { env, encoding: 'utf8', timeout: 15000, input, stdio: ['pipe', 'pipe', 'pipe'] }) }; }
      catch (e) { const x = e as { status: number; stderr: string }; return { code: x.status, out: String(x.stderr) }; }
    };
    const chaos = 'apiVersion: chaos-mesh.org/v1alpha1\nkind: PodChaos\nmetadata: {name: kill, namespace: default}\nspec: {action: pod-kill, mode: one, selector: {namespaces: [default]}}\n';
    const applied = run(admin, ['apply', '-f', '-'], chaos);
    assert.equal(applied.code, 0, applied.out);
    const cm = 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c, namespace: default, annotations: {aiopslab.io/fault: x, team: web}}\n';
    assert.equal(run(admin, ['apply', '-f', '-'], cm).code, 0);
    assert.match(run(admin, ['get', 'podchaos', '-o', 'name']).out, /podchaos\.chaos-mesh\.org\/kill/);
    const denied = run(agent, ['get', 'podchaos']);
    assert.equal(denied.code, 1);
    assert.equal(denied.out.trim(), 'Error from server (Forbidden): podchaos.chaos-mesh.org is forbidden: User "system:serviceaccount:default:aiopslab-agent" cannot list resource "podchaos" in API group "chaos-mesh.org" in the namespace "default"');
    assert.equal(run(agent, ['delete', 'podchaos', 'kill']).code, 1);
    const seen = JSON.parse(run(agent, ['get', 'cm', 'c', '-o', 'json']).out);
    assert.equal(seen.metadata.annotations.team, 'web');
    assert.equal(seen.metadata.annotations['aiopslab.io/fault'], undefined);
    assert.equal(JSON.parse(run(admin, ['get', 'cm', 'c', '-o', 'json']).out).metadata.annotations['aiopslab.io/fault'], 'x');
  });

  it('stops the child process', async () => {
    const pid = twin!.pid;
    await twin!.stop();
    assert.throws(() => process.kill(pid, 0));
    twin = undefined;
  });
});
