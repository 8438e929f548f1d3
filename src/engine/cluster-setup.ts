import type { Engine } from './engine';
import { Helm } from '../env/helm';
import { Kubectl } from '../env/kubectl';
import { setupCluster, type SetupResult } from '../env/cluster-setup/setup';
import { loadKubeConfig } from '../env/kubeconfig-load';
import { ClusterUnavailableError } from './cluster';

export interface ClusterSetupOptions {
  /** A kubeconfig context (default: the configured cluster). */
  context?: string;
  chartsDir?: string;
  dryRun?: boolean;
  waitTimeout?: string;
  onLine?: (line: string) => void;
}

/** The kubeconfig context a real-cluster command acts on: the one given, else the configured cluster. */
export function realClusterContext(engine: Engine, context?: string): string {
  const name = context ?? engine.config.cluster;
  if (name === 'embedded') {
    throw new ClusterUnavailableError('The embedded cluster has everything the problems need built in. Name a real cluster: --context <kubeconfig context> (kubectl config get-contexts lists them), or set cluster: in aiopslab.config.yaml.');
  }
  const kc = loadKubeConfig();
  if (!kc.getContextObject(name)) throw new ClusterUnavailableError(`Context "${name}" is not in your kubeconfig (kubectl config get-contexts lists them).`);
  return name;
}

/** Installs what the catalog needs on a real cluster (see src/env/cluster-setup). */
export async function runClusterSetup(engine: Engine, o: ClusterSetupOptions): Promise<SetupResult> {
  const context = realClusterContext(engine, o.context);
  const [{ resolveKubectl }, { resolveHelm }] = await Promise.all([import('../twin/kubectl-path'), import('../twin/helm-path')]);
  const kubectl = new Kubectl({ kubectl: await resolveKubectl(), context });
  const helm = new Helm({ helm: await resolveHelm(), context });
  return setupCluster({ kubectl, helm, root: engine.root, chartsDir: o.chartsDir, dryRun: o.dryRun, waitTimeout: o.waitTimeout, onLine: o.onLine });
}
