import * as fs from 'node:fs';
import * as path from 'node:path';
import type { EnvironmentInfo } from '../core/ports/environment';
import type { AiopsConfig } from '../env/config';
import { twinEntryPath } from './twin-entry';

/** A cluster the engine can run a session on: where its kubeconfig is and how to let it go. */
export interface ClusterHandle {
  info: EnvironmentInfo;
  kubeconfigPath?: string;
  /** The agent's restricted kubeconfig (cannot see the fault machinery), when the cluster offers one. */
  agentKubeconfigPath?: string;
  context?: string;
  kubeCacheDir: string;
  telemetry?: { prometheusUrl?: string; jaegerUrls: Record<string, string> };
  kubectl: string;
  /** The cluster's own `docker` (the embedded cluster's shim onto the Flower pods of namespace docker). */
  dockerShim?: string;
  /** Host files the cluster's agent tools (the docker shim) run, which the agent's sandbox binds read-only. */
  agentToolPaths?: string[];
  release(): Promise<void>;
}

export class ClusterUnavailableError extends Error {}

/**
 * Opens the configured cluster: `embedded` starts a fresh twin for the session (well under a second); anything else
 * names a context of the user's kubeconfig (a real cluster such as kind).
 */
export async function openCluster(config: AiopsConfig, stateDir: string): Promise<ClusterHandle> {
  const kubectl = await findKubectl();
  if (config.cluster === 'embedded') {
    const twin = await import('../twin');
    const dir = fs.mkdtempSync(path.join(ensureDir(stateDir), 'twin-'));
    const handle = await twin.startTwin({ stateDir: dir, entryPath: twinEntryPath() });
    return {
      info: { kind: 'embedded', cluster: handle.agentUrl, kubeconfigPath: handle.agentKubeconfigPath, kubernetesVersion: 'v1.31' },
      kubeconfigPath: handle.kubeconfigPath,
      agentKubeconfigPath: handle.agentKubeconfigPath,
      kubeCacheDir: handle.kubeCacheDir,
      kubectl,
      telemetry: handle.telemetry,
      dockerShim: handle.dockerShim,
      agentToolPaths: handle.dockerShimFiles,
      release: async () => {
        await handle.stop();
        fs.rmSync(dir, { recursive: true, force: true });
      },
    };
  }
  const kubeCacheDir = path.join(ensureDir(stateDir), 'kube-cache');
  return {
    info: { kind: 'kubernetes', cluster: config.cluster },
    context: config.cluster,
    kubeCacheDir,
    kubectl,
    release: async () => undefined,
  };
}

async function findKubectl(): Promise<string> {
  const mod = await import('../twin/kubectl-path');
  return mod.resolveKubectl();
}

function ensureDir(dir: string): string {
  fs.mkdirSync(dir, { recursive: true });
  return dir;
}
