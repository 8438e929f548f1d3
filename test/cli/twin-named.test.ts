/**
 * `aiopslab twin start --detach --name N [--bare]` / `twin stop --name N`: two hand-started clusters at once, each with
 * its own kubeconfig (context, cluster and user named N; HTTPS with its own CA and token), neither reachable with the
 * other's credentials.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parse } from 'yaml';
import { runCli } from '../support/cli';
import { resolveKubectl } from '../../src/twin/kubectl-path';

/** The parts of a kubeconfig file these tests read (its keys as kubectl writes them). */
interface KubeconfigFile {
  'current-context': string;
  contexts: Array<{ name: string }>;
  clusters: Array<{ name: string; cluster: { server: string; 'certificate-authority-data'?: string } }>;
  users: Array<{ name: string }>;
}
const readKubeconfig = (file: string) => parse(fs.readFileSync(file, 'utf8')) as KubeconfigFile;

function kubectl(file: string, args: string[]): Promise<{ code: number; out: string; err: string }> {
  return new Promise((resolve) => {
    const child = execFile(file, args, { timeout: 30_000 }, (e, stdout, stderr) => resolve({ code: e ? 1 : 0, out: String(stdout), err: String(stderr) }));
    child.stdin!.end();
  });
}

describe('twin start --name / --bare (CLI)', function () {
  this.timeout(60_000);
  let cwd: string;
  const results = () => path.join(cwd, 'results');
  const cli = (...args: string[]) => runCli(['--results', results(), 'twin', ...args], { cwd });
  before(() => { cwd = fs.mkdtempSync(path.join(os.tmpdir(), 'twin-named-')); });
  after(async () => {
    await Promise.all([cli('stop', '--name', 'twin-a'), cli('stop', '--name', 'twin-b')]);
    fs.rmSync(cwd, { recursive: true, force: true });
  });

  it('runs two named detached clusters at once, each reachable only with its own kubeconfig', async () => {
    const [a, b] = await Promise.all([cli('start', '--detach', '--bare', '--name', 'twin-a'), cli('start', '--detach', '--name', 'twin-b')]);
    assert.equal(a.code, 0, a.stderr);
    assert.equal(b.code, 0, b.stderr);
    const lastLine = (out: string) => out.trim().split('\n').pop()!;
    const kcA = /^export KUBECONFIG=(.+)$/.exec(lastLine(a.stdout))![1];
    const kcB = /^export KUBECONFIG=(.+)$/.exec(lastLine(b.stdout))![1];
    assert.notEqual(kcA, kcB);
    assert.match(a.stdout, /stop it with: aiopslab twin stop --name twin-a/);
    const configA = readKubeconfig(kcA);
    assert.equal(configA['current-context'], 'twin-a');
    assert.deepEqual([configA.contexts[0].name, configA.clusters[0].name, configA.users[0].name], ['twin-a', 'twin-a', 'twin-a']);
    assert.match(configA.clusters[0].cluster.server, /^https:\/\/127\.0\.0\.1:\d+$/);
    assert.ok(configA.clusters[0].cluster['certificate-authority-data']);
    assert.equal((fs.statSync(kcA).mode & 0o077), 0, 'the kubeconfig holds a token: readable by its owner only');

    const k = await resolveKubectl();
    const nsA = await kubectl(k, ['--kubeconfig', kcA, 'get', 'ns', '-o', 'name']);
    const nsB = await kubectl(k, ['--kubeconfig', kcB, 'get', 'ns', '-o', 'name']);
    assert.doesNotMatch(nsA.out, /observe/, 'twin-a is bare');
    assert.match(nsB.out, /namespace\/observe/, `twin-b has the problems' components (kubectl exit ${nsB.code}: ${nsB.err})`);
    // twin-a's credentials at twin-b's address: its CA does not vouch for twin-b, and its token means nothing there.
    const serverB = readKubeconfig(kcB).clusters[0].cluster.server;
    const crossed = await kubectl(k, ['--kubeconfig', kcA, '--server', serverB, 'get', 'ns']);
    assert.match(crossed.err, /certificate signed by unknown authority/);
    const skipped = await kubectl(k, ['--kubeconfig', kcA, '--server', serverB, '--insecure-skip-tls-verify', '--certificate-authority=', 'get', 'ns']);
    assert.match(skipped.err, /You must be logged in to the server/);

    const again = await cli('start', '--detach', '--name', 'twin-a');
    assert.notEqual(again.code, 0);
    assert.match(again.stderr + fs.readFileSync(path.join(path.dirname(kcA), 'twin.log'), 'utf8'), /already running/);
    const stopA = await cli('stop', '--name', 'twin-a');
    assert.match(stopA.stdout, /stopped the embedded cluster "twin-a"/);
    assert.notEqual((await kubectl(k, ['--kubeconfig', kcA, 'get', 'ns', '--request-timeout=3s'])).code, 0);
    assert.equal((await kubectl(k, ['--kubeconfig', kcB, 'get', 'ns'])).code, 0, 'twin-b still runs');
    assert.match((await cli('stop', '--name', 'twin-a')).stdout, /no embedded cluster named "twin-a" is running/);
  });

  it('refuses a name that cannot name a kubeconfig entry and a folder (exit 2, the reason)', async () => {
    const r = await cli('start', '--name', '../escape');
    assert.equal(r.code, 2);
    assert.match(r.stderr, /--name "\.\.\/escape" is not a valid name/);
  });
});
