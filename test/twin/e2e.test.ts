/**
 * End to end: the whole twin (API server + the cluster half's controllers and kubelet) driven by the real kubectl:
 * rollout status/restart/undo, owner recreation after delete, describe deploy, logs, exec, top, auth can-i.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawn } from 'node:child_process';
import { serveTwin, ServedTwin } from '../../src/twin/process/serve';
import { writeKubeconfig } from '../../src/twin/process/kubeconfig';
import { resolveKubectl } from '../../src/twin/kubectl-path';
import { FIXTURES, tableRows, RunResult } from './helpers';

describe('twin end to end (API server + cluster half) with the real kubectl', function () {
  this.timeout(90000);
  let twin: ServedTwin;
  let dir: string;
  let k: (args: string[]) => Promise<RunResult>;

  before(async () => {
    twin = await serveTwin();
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'twin-e2e-'));
    const kubeconfig = writeKubeconfig(path.join(dir, 'kubeconfig'), { server: twin.url, token: 't' });
    const kubectl = await resolveKubectl();
    k = (args) => new Promise((resolve) => {
      const c = spawn(kubectl, args, { env: { ...process.env, KUBECONFIG: kubeconfig, KUBECACHEDIR: path.join(dir, 'cache') }, stdio: ['ignore', 'pipe', 'pipe'] });
      let stdout = ''; let stderr = '';
      c.stdout.on('data', (d) => { stdout += d; });
      c.stderr.on('data', (d) => { stderr += d; });
      c.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
    });
  });
  after(async () => { await twin?.stop(); fs.rmSync(dir, { recursive: true, force: true }); });

  it('deploys, rolls out, restarts, undoes, recreates deleted pods and serves logs/exec/top', async () => {
    let r = await k(['apply', '-f', path.join(FIXTURES, 'app.yaml')]);
    assert.equal(r.code, 0, r.stderr);
    r = await k(['rollout', 'status', 'deploy/web', '-n', 'demo', '--timeout=60s']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /deployment "web" successfully rolled out/);
    r = await k(['get', 'pods', '-n', 'demo', '-l', 'app=web']);
    const rows = tableRows(r.stdout).slice(1);
    assert.equal(rows.length, 2);
    for (const row of rows) assert.deepEqual(row.slice(1, 3), ['1/1', 'Running']);
    const pod = rows[0][0];
    r = await k(['describe', 'deploy', 'web', '-n', 'demo']);
    assert.match(r.stdout, /^Replicas:\s+2 desired \| 2 updated \| 2 total \| 2 available \| 0 unavailable$/m);
    assert.match(r.stdout, /^NewReplicaSet:\s+web-[a-z0-9]+ \(2\/2 replicas created\)$/m);
    r = await k(['describe', 'svc', 'web', '-n', 'demo']);
    assert.match(r.stdout, /^Endpoints:\s+10\.\d+\.\d+\.\d+:8080,10\.\d+\.\d+\.\d+:8080$/m);
    r = await k(['exec', pod, '-n', 'demo', '--', 'printenv', 'LOG_LEVEL']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout.trim(), 'info');
    r = await k(['logs', pod, '-n', 'demo', '--tail=5']);
    assert.equal(r.code, 0, r.stderr);
    r = await k(['top', 'pods', '-n', 'demo']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(tableRows(r.stdout).length, 3);
    r = await k(['auth', 'can-i', 'delete', 'pods', '-n', 'demo']);
    assert.equal(r.stdout.trim(), 'yes');

    r = await k(['rollout', 'restart', 'deploy/web', '-n', 'demo']);
    assert.equal(r.code, 0, r.stderr);
    r = await k(['rollout', 'status', 'deploy/web', '-n', 'demo', '--timeout=60s']);
    assert.equal(r.code, 0, r.stderr);
    r = await k(['rollout', 'history', 'deploy/web', '-n', 'demo']);
    assert.match(r.stdout, /^1\s+<none>$/m);
    assert.match(r.stdout, /^2\s+<none>$/m);
    r = await k(['rollout', 'undo', 'deploy/web', '-n', 'demo']);
    assert.equal(r.stdout.trim(), 'deployment.apps/web rolled back');
    r = await k(['rollout', 'status', 'deploy/web', '-n', 'demo', '--timeout=60s']);
    assert.equal(r.code, 0, r.stderr);

    r = await k(['get', 'pods', '-n', 'demo', '-l', 'app=web', '-o', 'json']);
    const victim = `pod/${(JSON.parse(r.stdout).items as { metadata: { name: string; deletionTimestamp?: string } }[]).find((p) => !p.metadata.deletionTimestamp)!.metadata.name}`;
    r = await k(['delete', victim, '-n', 'demo']);
    assert.equal(r.code, 0, r.stderr);
    r = await k(['rollout', 'status', 'deploy/web', '-n', 'demo', '--timeout=60s']);
    assert.equal(r.code, 0, r.stderr);
    r = await k(['get', 'pods', '-n', 'demo', '-l', 'app=web', '-o', 'json']);
    // Pods of the undone rollout may still be terminating (graceful deletion); count the live ones.
    const now = (JSON.parse(r.stdout).items as { metadata: { name: string; deletionTimestamp?: string } }[])
      .filter((p) => !p.metadata.deletionTimestamp).map((p) => `pod/${p.metadata.name}`);
    assert.equal(now.length, 2);
    assert.ok(!now.includes(victim), 'the deleted pod was replaced by a new one');

    r = await k(['delete', 'ns', 'demo', '--timeout=60s']);
    assert.equal(r.code, 0, r.stderr);
    r = await k(['get', 'ns', 'demo']);
    assert.equal(r.code, 1);
  });
});
