/**
 * An in-process twin for the app behaviour tests: API server + cluster half on a manual clock + the app behaviours,
 * driven by the real kubectl (async spawn only: the server shares this event loop). Time moves only when a test calls
 * `advance`, so crash loops and back-offs are exact and the tests do not wait for them.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { MemoryStore } from '../../../src/twin/apiserver/store';
import { createApiServer, type ApiServer } from '../../../src/twin/apiserver/server';
import { ManualClock, startCluster, type Cluster } from '../../../src/twin/cluster';
import { registerAppBehaviours, stripAnsi, type AppWorld } from '../../../src/twin/apps';
import { writeKubeconfig } from '../../../src/twin/process/kubeconfig';
import { resolveKubectl } from '../../../src/twin/kubectl-path';

export const APPS_DIR = path.resolve(__dirname, '../../../../apps');

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface AppTwin {
  store: MemoryStore;
  cluster: Cluster;
  clock: ManualClock;
  world: AppWorld;
  k(args: string[], stdin?: string): Promise<RunResult>;
  /** Advances cluster time in 100 ms steps. */
  advance(ms: number): void;
  /** Pods of a namespace as `kubectl get pods` rows: name → [ready, status, restarts]. */
  pods(ns: string): Promise<Map<string, { ready: string; status: string; restarts: string }>>;
  podName(ns: string, selector: string): Promise<string>;
  logs(ns: string, pod: string, extra?: string[]): Promise<string>;
  close(): Promise<void>;
}

/** Runs the real kubectl against a twin's kubeconfig (async spawn: the server shares this event loop), killed after 20 s. */
export function kubectlRunner(kubectl: string, kubeconfig: string, dir: string): (args: string[], stdin?: string) => Promise<RunResult> {
  return (args, stdin) =>
    new Promise((resolve) => {
      const c = spawn(kubectl, args, { env: { ...process.env, KUBECONFIG: kubeconfig, KUBECACHEDIR: path.join(dir, 'cache'), HOME: dir }, stdio: ['pipe', 'pipe', 'pipe'] });
      let stdout = '';
      let stderr = '';
      c.stdout.on('data', (d) => (stdout += d));
      c.stderr.on('data', (d) => (stderr += d));
      const timer = setTimeout(() => c.kill('SIGKILL'), 20000);
      c.on('close', (code) => {
        clearTimeout(timer);
        resolve({ code: code ?? -1, stdout, stderr });
      });
      c.stdin.end(stdin ?? '');
    });
}

export async function startAppTwin(): Promise<AppTwin> {
  // Cluster time starts a while back so that kubectl's `(Xs ago)` (computed against the real clock) stays positive.
  const clock = new ManualClock(Date.now() - 2 * 60 * 1000);
  const store = new MemoryStore({ finishGracefulDeletes: false, namespaceFinalizeDelayMs: 0 });
  const errors: string[] = [];
  const cluster = startCluster(store, { clock, seed: 7, systemComponents: false, log: (m) => errors.push(m) });
  const { world } = registerAppBehaviours(cluster.behaviours, { store, clock, killContainer: cluster.killContainer });
  const api: ApiServer = createApiServer({ store, runtime: cluster.runtime, followMaxMs: 2000 });
  const port = await api.listen(0, '127.0.0.1');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'twin-apps-'));
  const kubeconfig = writeKubeconfig(path.join(dir, 'kubeconfig'), { server: `http://127.0.0.1:${port}`, token: 't' });
  const kubectl = await resolveKubectl();
  const k = kubectlRunner(kubectl, kubeconfig, dir);
  const twin: AppTwin = {
    store,
    cluster,
    clock,
    world,
    k,
    advance(ms: number) {
      for (let t = 0; t < ms; t += 100) cluster.advance(Math.min(100, ms - t));
      cluster.settle();
      if (errors.length) throw new Error(`cluster logged errors:\n${errors.join('\n')}`);
    },
    async pods(ns: string) {
      const r = await k(['get', 'pods', '-n', ns, '--no-headers']);
      const out = new Map<string, { ready: string; status: string; restarts: string }>();
      for (const line of r.stdout.trim().split('\n').filter(Boolean)) {
        const cells = line.trim().split(/\s{2,}|\s+(?=\S)/);
        const m = /^(\S+)\s+(\S+)\s+(\S+)\s+(\d+(?: \([^)]*\))?)\s+/.exec(line.trim());
        if (m) out.set(m[1], { ready: m[2], status: m[3], restarts: m[4] });
        else out.set(cells[0], { ready: cells[1], status: cells[2], restarts: cells[3] });
      }
      return out;
    },
    async podName(ns: string, selector: string) {
      const r = await k(['get', 'pods', '-n', ns, '-l', selector, '-o', 'jsonpath={.items[*].metadata.name}']);
      return r.stdout.trim().split(/\s+/).filter(Boolean)[0] ?? '';
    },
    async logs(ns: string, pod: string, extra: string[] = []) {
      const r = await k(['logs', pod, '-n', ns, ...extra]);
      return stripAnsi(r.stdout + r.stderr);
    },
    async close() {
      cluster.stop();
      await api.close();
      store.close();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
  return twin;
}

/** Applies an app's manifests into its namespace (creating it). */
export async function deployApp(twin: AppTwin, app: string, ns: string): Promise<void> {
  let r = await twin.k(['create', 'namespace', ns]);
  if (r.code !== 0) throw new Error(r.stderr);
  r = await twin.k(['apply', '-n', ns, '-f', path.join(APPS_DIR, app, 'manifests')]);
  if (r.code !== 0) throw new Error(r.stderr);
}
