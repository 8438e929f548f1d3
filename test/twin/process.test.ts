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
    assert.match(twin.url, /^http:\/\/127\.0\.0\.1:\d+$/);
    const kc = fs.readFileSync(twin.kubeconfigPath, 'utf8');
    assert.match(kc, new RegExp(`server: ${twin.url}`));
    assert.match(kc, /insecure-skip-tls-verify: true/);
    assert.match(kc, /namespace: default/);
    assert.equal(twin.kubeCacheDir, path.join(dir, 'kube-cache'));
    const kubectl = await resolveKubectl();
    // Synchronous on purpose: the twin lives in another process, so this cannot deadlock.
    const out = execFileSync(kubectl, ['get', 'ns', '-o', 'name'], { env: { ...process.env, ...twin.env }, encoding: 'utf8', timeout: 15000 });
    assert.deepEqual(out.trim().split('\n').slice(0, 4).sort(), ['namespace/default', 'namespace/kube-node-lease', 'namespace/kube-public', 'namespace/kube-system']);
    assert.ok(fs.readdirSync(twin.kubeCacheDir).length > 0, 'kubectl used the per-twin cache dir');
    const pid = twin.pid;
    await twin.stop();
    assert.throws(() => process.kill(pid, 0));
    twin = undefined;
  });
});
