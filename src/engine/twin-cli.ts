import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Engine } from './engine';
import { Kubectl } from '../env/kubectl';
import { appManifestsDir } from '../env/app-paths';
import { twinEntryPath } from './twin-entry';

interface TwinStartOptions {
  engine: Engine;
  /** This twin's own folder (see twinStateDir). */
  stateDir: string;
  app?: string;
  detach: boolean;
  /** Kubeconfig context, cluster and user name. */
  name: string;
  /** A cluster as `kind create cluster` leaves it (no Chaos Mesh, no observe namespace, no StorageClass). */
  bare: boolean;
}

/** The default name of a hand-started twin (its kubeconfig context). */
export const DEFAULT_TWIN_NAME = 'aiopslab-twin';

/** Why `name` cannot name a twin (a kubeconfig entry and a folder), or undefined when it can. */
export function invalidTwinName(name: string): string | undefined {
  if (/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(name) && name.length <= 63) return undefined;
  return `"${name}" is not a valid name: use at most 63 lower-case letters, digits and '-', starting and ending with a letter or digit (e.g. twin-a)`;
}

/** The folder of the twin named `name` under the results folder's state folder. */
export function twinStateDir(engineStateDir: string, name: string): string {
  return path.join(engineStateDir, 'twins', name);
}

const PID_FILE = 'twin.pid';
const KUBECONFIG_FILE = 'kubeconfig.path';

/**
 * Foreground: start the twin, deploy the app if asked, print `export KUBECONFIG=…` last, serve until Ctrl-C.
 * Detached: re-run this command in a background process and return once it has printed its kubeconfig.
 */
export async function twinStart(options: TwinStartOptions): Promise<void> {
  const pidFile = path.join(options.stateDir, PID_FILE);
  if (fs.existsSync(pidFile) && isAlive(Number(fs.readFileSync(pidFile, 'utf8')))) {
    throw new Error(`An embedded cluster named "${options.name}" is already running (pid ${fs.readFileSync(pidFile, 'utf8').trim()}); stop it first, or choose another --name.`);
  }
  if (options.detach) {
    fs.rmSync(path.join(options.stateDir, KUBECONFIG_FILE), { force: true });
    const args = [process.argv[1], ...process.argv.slice(2).filter((a) => a !== '--detach')];
    const log = fs.openSync(path.join(options.stateDir, 'twin.log'), 'a');
    const child = spawn(process.execPath, args, { detached: true, stdio: ['ignore', log, log] });
    child.unref();
    const file = path.join(options.stateDir, KUBECONFIG_FILE);
    const deadline = Date.now() + 60_000;
    // The file appears before its text does (written in place): wait for the path in it, not just for the file.
    const written = () => fs.existsSync(file) && fs.readFileSync(file, 'utf8').trim() !== '';
    while (!written()) {
      if (Date.now() > deadline || child.exitCode !== null) throw new Error(`The embedded cluster did not start; see ${path.join(options.stateDir, 'twin.log')}.`);
      await new Promise((r) => setTimeout(r, 100));
    }
    const stop = options.name === DEFAULT_TWIN_NAME ? 'aiopslab twin stop' : `aiopslab twin stop --name ${options.name}`;
    process.stdout.write(`embedded cluster "${options.name}" running in the background (pid ${child.pid}); stop it with: ${stop}\n`);
    process.stdout.write(`export KUBECONFIG=${fs.readFileSync(file, 'utf8').trim()}\n`);
    return;
  }
  const twin = await import('../twin');
  const { resolveKubectl } = await import('../twin/kubectl-path');
  // Hand-started twins are reached like a real cluster: HTTPS, a bearer token, RBAC (see docs/twin.md).
  const handle = await twin.startTwin({ stateDir: options.stateDir, entryPath: twinEntryPath(), tls: true, bare: options.bare, name: options.name });
  fs.writeFileSync(pidFile, String(process.pid));
  try {
    if (options.app) {
      const app = options.engine.apps.get(options.app)!;
      const kubectl = new Kubectl({ kubectl: await resolveKubectl(), kubeconfigPath: handle.kubeconfigPath, kubeCacheDir: path.join(options.stateDir, 'kube-cache') });
      await kubectl.run(['create', 'namespace', app.namespace]).catch(() => undefined);
      const dir = appManifestsDir(options.engine.root, app);
      await kubectl.run(['apply', '-R', '-f', dir, '-n', app.namespace]);
      process.stdout.write(`deployed ${app.name} into namespace ${app.namespace}\n`);
    }
    process.stdout.write(`embedded cluster "${options.name}"${options.bare ? ' (bare)' : ''} serving at ${handle.url}; context ${options.name}; Ctrl-C stops it\n`);
    fs.writeFileSync(path.join(options.stateDir, KUBECONFIG_FILE), handle.kubeconfigPath);
    process.stdout.write(`export KUBECONFIG=${handle.kubeconfigPath}\n`);
    await new Promise<void>((resolve) => {
      process.once('SIGINT', resolve);
      process.once('SIGTERM', resolve);
    });
  } finally {
    await handle.stop();
    fs.rmSync(pidFile, { force: true });
    fs.rmSync(path.join(options.stateDir, KUBECONFIG_FILE), { force: true });
  }
}

function isAlive(pid: number): boolean {
  try { process.kill(pid, 0); return true; } catch { return false; }
}

export async function twinStop(options: { stateDir: string; name: string }): Promise<void> {
  const pidFile = path.join(options.stateDir, PID_FILE);
  if (!fs.existsSync(pidFile)) {
    process.stdout.write(`no embedded cluster named "${options.name}" is running\n`);
    return;
  }
  const pid = Number(fs.readFileSync(pidFile, 'utf8'));
  try {
    process.kill(pid, 'SIGTERM');
    process.stdout.write(`stopped the embedded cluster "${options.name}" (pid ${pid})\n`);
  } catch {
    process.stdout.write('the embedded cluster was not running any more\n');
  }
  fs.rmSync(pidFile, { force: true });
}
