import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { runCli } from '../support/cli';


/**
 * `aiopslab recover` as users read it, from a hand-written recovery journal: what was found, what was undone,
 * what was left alone, and for what failed, why and how to fix it. (Real recoveries: test/e2e/sigkill-recovery.)
 */
describe('CLI: aiopslab recover', function () {
  this.timeout(30_000);
  const cwd = fs.mkdtempSync(path.join(os.tmpdir(), 'aiopslab-recover-'));
  const results = path.join(cwd, 'results');
  const journalFile = path.join(results, '.state', 'recovery-journal.json');
  // A kubeconfig whose only cluster refuses connections.
  const kubeconfig = path.join(cwd, 'kubeconfig');
  fs.writeFileSync(kubeconfig, [
    'apiVersion: v1', 'kind: Config',
    'clusters: [{name: c, cluster: {server: "http://127.0.0.1:1"}}]',
    'users: [{name: u, user: {token: x}}]',
    'contexts: [{name: gone, context: {cluster: c, user: u}}]',
    'current-context: gone', '',
  ].join('\n'));

  const entry = (over: Record<string, unknown>) => ({
    id: '11111111-2222-3333-4444-555555555555', problemId: 'k8s_target_port-misconfig-detection-1', sessionId: '11111111-2222-3333-4444-555555555555',
    cluster: 'gone', namespace: 'test-social-network', appId: 'social-network', createdAt: '2026-11-28T05:03:18.000Z', pid: 999_999,
    fault: { kind: 'k8s-target-port', target: 'user-service', params: { service: 'user-service', from: 9090, to: 9999 } },
    ...over,
  });
  const writeJournal = (entries: unknown[]) => {
    fs.mkdirSync(path.dirname(journalFile), { recursive: true });
    fs.writeFileSync(journalFile, JSON.stringify(entries));
  };
  const cli = (args: string[]) => runCli(['--results', results, 'recover', ...args], { cwd, env: { ...process.env, KUBECONFIG: kubeconfig } });

  after(() => fs.rmSync(cwd, { recursive: true, force: true }));

  it('says so when there is nothing to recover', async () => {
    const r = await cli([]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^Nothing to recover: the recovery journal \(.*recovery-journal\.json\) lists no fault left behind\.\n$/);
  });

  it('for a fault it cannot undo: the fault in words, where, the cause, how to fix it, the commands to undo it by hand; exit 1; --forget drops it', async () => {
    writeJournal([entry({})]);
    const r = await cli([]);
    assert.equal(r.code, 1, r.stdout + r.stderr);
    const expected = [
      'Could not undo (1) — they stay in the journal:',
      '  ✗ k8s-target-port: Service user-service: targetPort 9090 → 9999',
      '      problem k8s_target_port-misconfig-detection-1 · namespace test-social-network · cluster gone',
      '      session 11111111, started 2026-11-28 05:03:18 UTC by process 999999',
      "      error: cannot reach the cluster's API server at http://127.0.0.1:1 (connection refused)",
    ];
    for (const line of expected) assert.ok(r.stdout.includes(line), `missing line ${JSON.stringify(line)} in:\n${r.stdout}`);
    assert.match(r.stdout, /to fix: make the cluster reachable \(`kubectl --context gone get namespaces` must work/);
    assert.match(r.stdout, /kubectl --context gone patch service user-service -n test-social-network --type=json -p '\[\{"op":"replace","path":"\/spec\/ports\/0\/targetPort","value":9090\}\]'/);
    assert.match(r.stdout, /aiopslab recover --forget 11111111/);
    assert.equal(JSON.parse(fs.readFileSync(journalFile, 'utf8')).length, 1, 'a failed recovery keeps its entry');

    const forgot = await cli(['--forget', '11111111']);
    assert.equal(forgot.code, 0, forgot.stderr);
    assert.match(forgot.stdout, /Forgot k8s-target-port of k8s_target_port-misconfig-detection-1 in test-social-network \(gone\); it was not undone\./);
    assert.deepEqual(JSON.parse(fs.readFileSync(journalFile, 'utf8')), []);
    const unknown = await cli(['--forget', 'abc']);
    assert.equal(unknown.code, 2);
    assert.match(unknown.stderr, /No entry "abc" in the recovery journal/);
  });

  it('names the context a kubeconfig lacks', async () => {
    writeJournal([entry({ cluster: 'elsewhere' })]);
    const r = await cli(['--json']);
    assert.equal(r.code, 1);
    const report = JSON.parse(r.stdout);
    assert.equal(report.failed.length, 1);
    const text = await cli([]);
    assert.match(text.stdout, /error: no such context in the kubeconfig/);
    assert.match(text.stdout, /to fix: point KUBECONFIG at the kubeconfig that has the context "elsewhere"/);
    writeJournal([]);
  });

  it('leaves alone the fault of a session that is still running, and clears one of an embedded cluster that ended with its process', async () => {
    writeJournal([
      entry({ id: 'aaaaaaaa-0000-0000-0000-000000000000', pid: process.pid }),
      entry({ id: 'bbbbbbbb-0000-0000-0000-000000000000', sessionId: 'bbbbbbbb-0000-0000-0000-000000000000', cluster: 'http://127.0.0.1:45678', fault: { kind: 'chaos-pod-failure', target: 'user', params: { name: 'pod-failure-experiment' } } }),
    ]);
    const r = await cli([]);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.match(r.stdout, /lists 2 faults not recovered yet/);
    assert.match(r.stdout, /Undone \(1\):\n {2}✓ chaos-pod-failure: Chaos Mesh PodChaos pod-failure-experiment \(pod-failure\) on user\n.*cluster embedded \(http:\/\/127\.0\.0\.1:45678\)\n.*\n {6}nothing left to check: the embedded cluster it ran on ended with its process/);
    assert.match(r.stdout, new RegExp(`Left alone \\(1\\) — still in use:\\n {2}· k8s-target-port: .*\\n.*\\n.*\\n {6}its session is still running in process ${process.pid}`));
    assert.deepEqual(JSON.parse(fs.readFileSync(journalFile, 'utf8')).map((e: { id: string }) => e.id), ['aaaaaaaa-0000-0000-0000-000000000000']);
  });

  it('does not take a pid reused by another process after a kill -9 for the session (Linux)', async function () {
    if (!fs.existsSync('/proc/self/stat')) this.skip();
    writeJournal([entry({ pid: process.pid, pidStart: '1', cluster: 'http://127.0.0.1:45678' })]);
    const r = await cli([]);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.match(r.stdout, /Undone \(1\):/);
    assert.deepEqual(JSON.parse(fs.readFileSync(journalFile, 'utf8')), []);
  });
});
