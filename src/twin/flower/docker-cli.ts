/**
 * A small `docker` CLI for embedded mode: the Docker Compose apps of AIOpsLab (Flower, pseudo-namespace `docker`)
 * run in the twin as Pods of namespace `docker`, one per compose container, named after the container. This script,
 * put first on the agent's PATH as `docker` (writeDockerShim), maps the commands an SRE uses onto them with kubectl:
 *
 *   docker ps [-a] [-q] [--format '{{.Names}}…']   pods of namespace docker (-a: stopped ones too)
 *   docker logs [-f] [-t] [--tail N] <name>         kubectl logs <name> -n docker
 *   docker inspect <name>…                          a docker-shaped JSON array (Id, Name, State, Config)
 *   docker stop|start|restart <name>…               stop: annotation → the twin stops the container; start: pod recreated
 *   docker exec [-i] [-t] <name> <cmd>…             kubectl exec
 *
 * It reads KUBECONFIG like kubectl, and acts on context $AIOPSLAB_KUBE_CONTEXT when set (else the kubeconfig's current
 * context): on a real cluster the engine names the session's context, which need not be the current one. The kubectl
 * binary is $AIOPSLAB_KUBECTL or the project's resolved kubectl.
 */
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { createHash } from 'node:crypto';
import { DOCKER_NAMESPACE, STOP_ANNOTATION } from './docker-state';

interface Result { code: number; stdout: string; stderr: string }

async function kubectlBinary(): Promise<string> {
  if (process.env.AIOPSLAB_KUBECTL) return process.env.AIOPSLAB_KUBECTL;
  return (await import('../kubectl-path')).resolveKubectl();
}

async function kubectl(args: string[], input?: string, inherit = false): Promise<Result> {
  const bin = await kubectlBinary();
  const context = process.env.AIOPSLAB_KUBE_CONTEXT;
  const full = context ? ['--context', context, ...args] : args;
  return new Promise((resolve) => {
    const child = spawn(bin, full, { stdio: inherit ? ['inherit', 'inherit', 'inherit'] : ['pipe', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout?.on('data', (b: Buffer) => out.push(b));
    child.stderr?.on('data', (b: Buffer) => err.push(b));
    child.on('error', (e) => resolve({ code: 127, stdout: '', stderr: `docker: cannot run kubectl: ${e.message}\n` }));
    child.on('close', (code) => resolve({ code: code ?? 1, stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8') }));
    if (!inherit) child.stdin?.end(input ?? '');
  });
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Pod = any;

async function pods(): Promise<Pod[]> {
  const r = await kubectl(['get', 'pods', '-n', DOCKER_NAMESPACE, '-o', 'json']);
  if (r.code !== 0) throw new Error(r.stderr.trim() || 'Cannot connect to the Docker daemon. Is the docker daemon running?');
  return (JSON.parse(r.stdout).items ?? []) as Pod[];
}

/** The pod, or undefined when there is none. */
async function pod(name: string): Promise<Pod> {
  const r = await kubectl(['get', 'pod', name, '-n', DOCKER_NAMESPACE, '-o', 'json']);
  return r.code === 0 ? JSON.parse(r.stdout) : undefined;
}

function noSuch(name: string): Result {
  return { code: 1, stdout: '', stderr: `Error response from daemon: No such container: ${name}\n` };
}

function containerId(p: Pod): string {
  const raw = String(p.status?.containerStatuses?.[0]?.containerID ?? '').replace(/^[a-z]+:\/\//, '');
  return raw || createHash('sha256').update(String(p.metadata?.uid ?? p.metadata?.name)).digest('hex');
}

function ago(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 1) return 'Less than a second';
  if (s < 60) return `${s} second${s === 1 ? '' : 's'}`;
  const m = Math.round(s / 60);
  if (m < 60) return m === 1 ? 'About a minute' : `${m} minutes`;
  const h = Math.round(m / 60);
  return h === 1 ? 'About an hour' : `${h} hours`;
}

interface State { status: 'running' | 'exited' | 'created'; exitCode: number; startedAt?: string; finishedAt?: string }

function stateOf(p: Pod): State {
  const st = p.status?.containerStatuses?.[0]?.state ?? {};
  if (st.running) return { status: 'running', exitCode: 0, startedAt: st.running.startedAt };
  if (st.terminated) return { status: 'exited', exitCode: Number(st.terminated.exitCode ?? 0), startedAt: st.terminated.startedAt, finishedAt: st.terminated.finishedAt };
  return { status: 'created', exitCode: 0 };
}

function statusText(p: Pod, now: number): string {
  const s = stateOf(p);
  if (s.status === 'running') return `Up ${ago(now - Date.parse(s.startedAt ?? p.metadata.creationTimestamp))}`;
  if (s.status === 'exited') return `Exited (${s.exitCode}) ${ago(now - Date.parse(s.finishedAt ?? p.metadata.creationTimestamp))} ago`;
  return 'Created';
}

function commandText(p: Pod): string {
  const c = p.spec?.containers?.[0] ?? {};
  const full = [...(c.command ?? []), ...(c.args ?? [])].join(' ');
  const cut = full.length > 20 ? `${full.slice(0, 19)}…` : full;
  return `"${cut}"`;
}

function portsText(p: Pod): string {
  const ports: Array<{ containerPort: number; hostPort?: number }> = p.spec?.containers?.[0]?.ports ?? [];
  return ports.map((x) => (x.hostPort ? `0.0.0.0:${x.hostPort}->${x.containerPort}/tcp` : `${x.containerPort}/tcp`)).join(', ');
}

function table(rows: string[][]): string {
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
  return rows.map((r) => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i] + 3))).join('').trimEnd()).join('\n') + '\n';
}

function format(template: string, p: Pod, now: number): string {
  const fields: Record<string, string> = {
    ID: containerId(p).slice(0, 12), Names: p.metadata.name, Image: p.spec?.containers?.[0]?.image ?? '', Command: commandText(p),
    CreatedAt: String(p.metadata.creationTimestamp), RunningFor: `${ago(now - Date.parse(p.metadata.creationTimestamp))} ago`,
    Status: statusText(p, now), State: stateOf(p).status, Ports: portsText(p),
  };
  return template.replace(/\{\{\s*\.(\w+)\s*\}\}/g, (_, k: string) => fields[k] ?? '').replace(/\\t/g, '\t');
}

async function ps(args: string[]): Promise<Result> {
  const all = args.includes('-a') || args.includes('--all');
  const quiet = args.includes('-q') || args.includes('--quiet');
  const fi = args.findIndex((a) => a === '--format' || a.startsWith('--format='));
  const fmt = fi < 0 ? undefined : args[fi].includes('=') ? args[fi].slice('--format='.length) : args[fi + 1];
  const now = Date.now();
  const list = (await pods()).filter((p) => all || stateOf(p).status === 'running')
    .sort((a, b) => Date.parse(b.metadata.creationTimestamp) - Date.parse(a.metadata.creationTimestamp) || String(a.metadata.name).localeCompare(b.metadata.name));
  if (quiet) return { code: 0, stdout: list.map((p) => containerId(p).slice(0, 12)).join('\n') + (list.length ? '\n' : ''), stderr: '' };
  if (fmt) return { code: 0, stdout: list.map((p) => format(fmt.replace(/^table\s+/, ''), p, now)).join('\n') + (list.length ? '\n' : ''), stderr: '' };
  const rows = [['CONTAINER ID', 'IMAGE', 'COMMAND', 'CREATED', 'STATUS', 'PORTS', 'NAMES']];
  for (const p of list) rows.push([containerId(p).slice(0, 12), p.spec?.containers?.[0]?.image ?? '', commandText(p), `${ago(now - Date.parse(p.metadata.creationTimestamp))} ago`, statusText(p, now), portsText(p), p.metadata.name]);
  return { code: 0, stdout: table(rows), stderr: '' };
}

async function logs(args: string[]): Promise<Result> {
  const k = ['logs', '-n', DOCKER_NAMESPACE];
  let name: string | undefined;
  let follow = false;
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (a === '-f' || a === '--follow') { follow = true; k.push('-f'); } else if (a === '-t' || a === '--timestamps') k.push('--timestamps');
    else if (a === '-n' || a === '--tail') k.push(`--tail=${args[++i] === 'all' ? '-1' : args[i]}`);
    else if (a.startsWith('--tail=')) k.push(`--tail=${a.slice(7) === 'all' ? '-1' : a.slice(7)}`);
    else if (a === '--since') k.push(`--since=${args[++i]}`);
    else if (!a.startsWith('-')) name = a;
  }
  if (!name) return { code: 1, stdout: '', stderr: '"docker logs" requires exactly 1 argument.\n' };
  if (!(await pod(name))) return noSuch(name);
  k.push(name);
  if (follow) return kubectl(k, undefined, true);
  // docker logs prints the container's stdout and stderr; kubectl logs already merges them.
  return kubectl(k);
}

async function inspect(names: string[]): Promise<Result> {
  const out: unknown[] = [];
  for (const n of names.filter((a) => !a.startsWith('-'))) {
    const p = await pod(n);
    if (!p) return { code: 1, stdout: '[]\n', stderr: `Error: No such object: ${n}\n` };
    const s = stateOf(p);
    const c = p.spec?.containers?.[0] ?? {};
    out.push({
      Id: containerId(p), Created: p.metadata.creationTimestamp, Name: `/${p.metadata.name}`,
      State: { Status: s.status, Running: s.status === 'running', Paused: false, Restarting: false, OOMKilled: false, Dead: false, ExitCode: s.exitCode, Error: '', StartedAt: s.startedAt ?? '0001-01-01T00:00:00Z', FinishedAt: s.finishedAt ?? '0001-01-01T00:00:00Z' },
      Config: { Hostname: p.metadata.name, Image: c.image, Cmd: c.args ?? null, Entrypoint: c.command ?? null, Env: (c.env ?? []).map((e: { name: string; value?: string }) => `${e.name}=${e.value ?? ''}`), Labels: p.metadata.labels ?? {} },
      NetworkSettings: { IPAddress: p.status?.podIP ?? '' },
    });
  }
  return { code: 0, stdout: `${JSON.stringify(out, null, 4)}\n`, stderr: '' };
}

async function waitFor(name: string, done: (p: Pod) => boolean, timeoutMs = 15_000): Promise<boolean> {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    if (done(await pod(name))) return true;
    await new Promise((r) => setTimeout(r, 200));
  }
  return false;
}

async function stop(names: string[], exitCode = 0): Promise<Result> {
  let stdout = '';
  for (const n of names.filter((a) => !a.startsWith('-'))) {
    const p = await pod(n);
    if (!p) return noSuch(n);
    if (stateOf(p).status === 'running') {
      const r = await kubectl(['annotate', 'pod', n, '-n', DOCKER_NAMESPACE, '--overwrite', `${STOP_ANNOTATION}=${exitCode}`]);
      if (r.code !== 0) return { code: 1, stdout, stderr: r.stderr };
      await waitFor(n, (x) => !x || stateOf(x).status === 'exited');
    }
    stdout += `${n}\n`;
  }
  return { code: 0, stdout, stderr: '' };
}

async function start(names: string[]): Promise<Result> {
  let stdout = '';
  for (const n of names.filter((a) => !a.startsWith('-'))) {
    const p = await pod(n);
    if (!p) return noSuch(n);
    if (stateOf(p).status !== 'running') {
      const fresh = { apiVersion: 'v1', kind: 'Pod', metadata: { name: n, namespace: DOCKER_NAMESPACE, labels: p.metadata.labels ?? {}, annotations: Object.fromEntries(Object.entries(p.metadata.annotations ?? {}).filter(([k]) => k !== STOP_ANNOTATION)) }, spec: p.spec };
      await kubectl(['delete', 'pod', n, '-n', DOCKER_NAMESPACE, '--grace-period=0', '--wait=true']);
      const r = await kubectl(['create', '-f', '-'], JSON.stringify(fresh));
      if (r.code !== 0) return { code: 1, stdout, stderr: r.stderr };
      await waitFor(n, (x) => Boolean(x) && stateOf(x).status === 'running');
    }
    stdout += `${n}\n`;
  }
  return { code: 0, stdout, stderr: '' };
}

async function exec(args: string[]): Promise<Result> {
  let i = 0;
  const flags: string[] = [];
  while (i < args.length && args[i].startsWith('-')) {
    if (args[i] === '-i' || args[i] === '--interactive') flags.push('-i');
    else if (args[i] === '-it' || args[i] === '-ti') flags.push('-i');
    i++;
  }
  const name = args[i];
  const cmd = args.slice(i + 1);
  if (!name || cmd.length === 0) return { code: 1, stdout: '', stderr: '"docker exec" requires at least 2 arguments.\n' };
  const p = await pod(name);
  if (!p) return noSuch(name);
  if (stateOf(p).status !== 'running') return { code: 1, stdout: '', stderr: `Error response from daemon: container ${containerId(p)} is not running\n` };
  const r = await kubectl(['exec', ...flags, '-n', DOCKER_NAMESPACE, name, '--', ...cmd], flags.includes('-i') ? fs.readFileSync(0, 'utf8') : undefined);
  // kubectl prints "command terminated with exit code N" on failures; docker does not.
  return { ...r, stderr: r.stderr.replace(/^command terminated with exit code \d+\n?/m, '') };
}

export async function dockerMain(argv: string[]): Promise<Result> {
  const [cmd, ...rest] = argv;
  try {
    switch (cmd) {
      case 'ps': return await ps(rest);
      case 'container':
        if (rest[0] === 'ls') return await ps(rest.slice(1));
        return dockerMain(rest);
      case 'logs': return await logs(rest);
      case 'inspect': return await inspect(rest);
      case 'stop': return await stop(rest);
      case 'kill': return await stop(rest, 137);
      case 'start': return await start(rest);
      case 'restart': {
        const s = await stop(rest);
        return s.code ? s : await start(rest);
      }
      case 'exec': return await exec(rest);
      case undefined:
      case '--help':
      case 'help':
        return { code: 0, stdout: 'Usage:  docker [ps|logs|inspect|stop|start|restart|kill|exec] ...\n(embedded AIOpsLab cluster: containers of the Docker Compose apps)\n', stderr: '' };
      default:
        return { code: 1, stdout: '', stderr: `docker: '${cmd}' is not supported in the embedded cluster (supported: ps, logs, inspect, stop, start, restart, kill, exec).\n` };
    }
  } catch (e) {
    return { code: 1, stdout: '', stderr: `${(e as Error).message}\n` };
  }
}

/** Runs the CLI with `argv` (the arguments after `docker`), writing its output and setting the exit code. */
export async function runDockerCli(argv: string[]): Promise<void> {
  const r = await dockerMain(argv);
  process.stdout.write(r.stdout);
  process.stderr.write(r.stderr);
  process.exitCode = r.code;
}

export interface DockerShimOptions {
  /**
   * The script that runs the CLI as `node <script> docker <args…>`: the twin's child-process entry (a multi-call
   * script: `docker` as first argument runs this CLI). Defaults to the compiled entry beside this module
   * (out/…/twin/process/entry.js); bundled builds pass dist/twin-process.js.
   */
  entryScript?: string;
  /** The kubectl to use when $AIOPSLAB_KUBECTL is not set (default: the project's, resolved by the CLI itself). */
  kubectl?: string;
}

/**
 * Writes `<dir>/docker`, a shell wrapper running this CLI with the current node (Electron's binary runs as node
 * with ELECTRON_RUN_AS_NODE, so the same file works from the VS Code extension host); returns its path.
 * kubectl: $AIOPSLAB_KUBECTL, else options.kubectl, else the project's resolved kubectl (src/twin/kubectl-path.ts).
 */
/**
 * The host files the shim runs, for a sandbox that must bind them read-only: the entry script, the modules its docker
 * mode loads when it is the compiled tree rather than the bundle, and the interpreter's folder when it is outside /usr.
 */
export function dockerShimFiles(entryScript = path.join(__dirname, '..', 'process', 'entry.js')): string[] {
  const files = [entryScript];
  const flower = path.join(path.dirname(entryScript), '..', 'flower');
  if (fs.existsSync(path.join(flower, 'docker-cli.js'))) files.push(path.join(flower, 'docker-cli.js'), path.join(flower, 'docker-state.js'));
  if (!process.execPath.startsWith('/usr/')) files.push(path.dirname(process.execPath));
  return files.map((f) => path.resolve(f));
}

export function writeDockerShim(dir: string, options: DockerShimOptions = {}): string {
  fs.mkdirSync(dir, { recursive: true });
  const file = path.join(dir, 'docker');
  const script = options.entryScript ?? path.join(__dirname, '..', 'process', 'entry.js');
  const q = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;
  const lines = [
    '#!/bin/sh',
    '# docker for the AIOpsLab embedded cluster: Docker Compose containers are pods of namespace docker (src/twin/flower).',
    ...(options.kubectl ? [`[ -n "$AIOPSLAB_KUBECTL" ] || { AIOPSLAB_KUBECTL=${q(options.kubectl)}; export AIOPSLAB_KUBECTL; }`] : []),
    `ELECTRON_RUN_AS_NODE=1 exec ${q(process.execPath)} ${q(script)} docker "$@"`,
    '',
  ];
  fs.writeFileSync(file, lines.join('\n'), { mode: 0o755 });
  return file;
}
