/**
 * Test harness for the twin's API server: an in-process twin with a scripted PodRuntime (tests only) and an
 * async kubectl runner (never spawnSync: the server shares this event loop — spec pitfall P13).
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { ContainerUsage, ExecRequest, ExecResult, KubeObject, LogLine, LogRequest, PodRuntime } from '../../src/twin/contracts';
import { serveTwin, ServedTwin } from '../../src/twin/process/serve';
import { writeKubeconfig } from '../../src/twin/process/kubeconfig';
import { resolveKubectl } from '../../src/twin/kubectl-path';
import { ApiError } from '../../src/twin/apiserver/errors';

/** A scripted runtime: fixed log lines per container, a few exec commands, fixed usage. */
export class FakeRuntime implements PodRuntime {
  readonly lines = new Map<string, LogLine[]>();
  readonly previous = new Map<string, LogLine[]>();
  readonly followers = new Set<{ key: string; onLine: (l: LogLine) => void }>();

  constructor(private readonly pods: () => KubeObject[]) {}

  private key(ns: string, pod: string, c: string): string { return `${ns}/${pod}/${c}`; }
  setLogs(ns: string, pod: string, c: string, texts: string[], startMs = Date.now() - texts.length * 1000): void {
    this.lines.set(this.key(ns, pod, c), texts.map((text, i) => ({ time: new Date(startMs + i * 1000).toISOString().replace('Z', '000000Z'), text })));
  }
  emit(ns: string, pod: string, c: string, text: string): void {
    const line = { time: new Date().toISOString().replace('Z', '000000Z'), text };
    const k = this.key(ns, pod, c);
    this.lines.set(k, [...(this.lines.get(k) ?? []), line]);
    for (const f of this.followers) if (f.key === k) f.onLine(line);
  }
  logs(r: LogRequest): LogLine[] {
    const k = this.key(r.namespace, r.pod, r.container);
    if (r.previous) {
      const p = this.previous.get(k);
      if (!p) throw new ApiError(400, 'BadRequest', `previous terminated container "${r.container}" in pod "${r.pod}" not found`);
      return p;
    }
    return this.lines.get(k) ?? [];
  }
  followLogs(r: LogRequest, onLine: (l: LogLine) => void): () => void {
    const f = { key: this.key(r.namespace, r.pod, r.container), onLine };
    this.followers.add(f);
    return () => { this.followers.delete(f); };
  }
  async exec(r: ExecRequest): Promise<ExecResult> {
    const [cmd, ...args] = r.command;
    switch (cmd) {
      case 'echo': return { stdout: args.join(' ') + '\n', stderr: '', exitCode: 0 };
      case 'hostname': return { stdout: `${r.pod}\n`, stderr: '', exitCode: 0 };
      case 'cat': return { stdout: r.stdin ?? '', stderr: '', exitCode: 0 };
      case 'sh':
        if (args[0] === '-c' && /^exit (\d+)$/.test(args[1] ?? '')) return { stdout: '', stderr: '', exitCode: Number(/^exit (\d+)$/.exec(args[1])![1]) };
        return { stdout: '', stderr: 'sh: unsupported\n', exitCode: 2 };
      case 'printenv': return { stdout: `CONTAINER=${r.container}\n`, stderr: '', exitCode: 0 };
      default: return { stdout: '', stderr: `exec: "${cmd}": executable file not found in $PATH\n`, exitCode: 127 };
    }
  }
  podUsage(namespace: string, pod: string): ContainerUsage[] | undefined {
    const p = this.pods().find((x) => x.metadata.namespace === namespace && x.metadata.name === pod);
    if (!p) return undefined;
    return (p.spec?.containers ?? []).map((c: { name: string }, i: number) => ({ name: c.name, cpuMillis: 84 + i, memoryBytes: 101 * 1024 * 1024 }));
  }
  nodeUsage(node: string): { cpuMillis: number; memoryBytes: number } | undefined {
    return node ? { cpuMillis: 250, memoryBytes: 2 * 1024 * 1024 * 1024 } : undefined;
  }
}

export interface RunResult { code: number; stdout: string; stderr: string }

export interface TestTwin extends ServedTwin {
  runtime: FakeRuntime;
  dir: string;
  kubeconfig: string;
  kubectlPath: string;
  kubectl: (args: string[], opts?: { stdin?: string; timeoutMs?: number }) => Promise<RunResult>;
  close(): Promise<void>;
}

export async function startTestTwin(): Promise<TestTwin> {
  let served: ServedTwin | undefined;
  const runtime = new FakeRuntime(() => served?.store.list('pods') ?? []);
  served = await serveTwin({ runtime, followMaxMs: 3000, store: { namespaceFinalizeDelayMs: 50 } });
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'twin-test-'));
  const kubeconfig = writeKubeconfig(path.join(dir, 'kubeconfig'), { server: served.url, token: 'test-token' });
  const kubectlPath = await resolveKubectl();
  const s = served;
  const kubectl = (args: string[], opts: { stdin?: string; timeoutMs?: number } = {}): Promise<RunResult> => new Promise((resolve) => {
    const child = spawn(kubectlPath, args, {
      env: { ...process.env, KUBECONFIG: kubeconfig, KUBECACHEDIR: path.join(dir, 'cache'), HOME: dir },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => { stdout += d; });
    child.stderr.on('data', (d) => { stderr += d; });
    const timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs ?? 15000);
    child.on('close', (code) => { clearTimeout(timer); resolve({ code: code ?? -1, stdout, stderr }); });
    if (opts.stdin !== undefined) child.stdin.end(opts.stdin); else child.stdin.end();
  });
  return {
    ...s, runtime, dir, kubeconfig, kubectlPath, kubectl,
    async close() { await s.stop(); fs.rmSync(dir, { recursive: true, force: true }); },
  };
}

/** Splits kubectl table output into rows of cells (by runs of 2+ spaces... kubectl pads with at least 3). */
export function tableRows(out: string): string[][] {
  return out.trimEnd().split('\n').map((l) => l.trim().split(/\s{2,}/));
}

/** Plays a kubelet for tests: binds the pod to a node and marks its containers running and ready. */
export function markPodRunning(twin: ServedTwin, ns: string, name: string, node = 'twin-node-1', ip = '10.244.0.12'): void {
  const pod = twin.store.mustGet('pods', ns, name);
  pod.spec.nodeName = node;
  twin.store.update('pods', pod);
  const cur = twin.store.mustGet('pods', ns, name);
  const t = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
  cur.status = {
    phase: 'Running', hostIP: '172.18.0.2', podIP: ip, podIPs: [{ ip }], startTime: t, qosClass: cur.status?.qosClass ?? 'BestEffort',
    conditions: ['Initialized', 'Ready', 'ContainersReady', 'PodScheduled'].map((type) => ({ type, status: 'True', lastTransitionTime: t })),
    containerStatuses: (cur.spec.containers as { name: string; image: string }[]).map((c) => ({
      name: c.name, image: c.image, imageID: `docker.io/library/${c.image}@sha256:0`, containerID: 'containerd://abc', ready: true, started: true, restartCount: 0,
      state: { running: { startedAt: t } }, lastState: {},
    })),
  };
  twin.store.updateStatus('pods', cur);
}

export const NODE: KubeObject = {
  apiVersion: 'v1', kind: 'Node',
  metadata: { name: 'twin-node-1', labels: { 'kubernetes.io/hostname': 'twin-node-1', 'kubernetes.io/os': 'linux' } },
  status: {
    conditions: [{ type: 'Ready', status: 'True', reason: 'KubeletReady', message: 'kubelet is posting ready status', lastHeartbeatTime: '2026-11-28T00:00:00Z', lastTransitionTime: '2026-11-28T00:00:00Z' }],
    addresses: [{ type: 'InternalIP', address: '172.18.0.2' }, { type: 'Hostname', address: 'twin-node-1' }],
    capacity: { cpu: '8', memory: '16Gi', pods: '110' },
    allocatable: { cpu: '8', memory: '16Gi', pods: '110' },
    nodeInfo: { kubeletVersion: 'v1.31.9', osImage: 'Debian GNU/Linux 12 (bookworm)', kernelVersion: '6.1.0', containerRuntimeVersion: 'containerd://1.7.18', architecture: 'amd64', operatingSystem: 'linux', kubeProxyVersion: 'v1.31.9', machineID: 'm1', systemUUID: 'u1', bootID: 'b1' },
  },
};

export const FIXTURES = path.join(__dirname, '..', '..', '..', 'test', 'twin', 'fixtures');

/** Waits until `cond` holds (polling), for event-driven test steps; fails after `ms`. */
export async function until(cond: () => boolean, what: string, ms = 10000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
