import * as fs from 'node:fs';
import * as path from 'node:path';
import type { EnvironmentInfo } from '../core/ports/environment';
import type { AiopsConfig } from '../env/config';
import { twinEntryPath } from './twin-entry';
import { dockerShimFiles } from '../twin/flower/docker-cli';
import { loadKubeConfig } from '../env/kubeconfig-load';
import { startClusterView } from '../env/cluster-view';
import { writeAgentKubeconfig } from '../env/cluster-view/kubeconfig';
import { agentUpstream } from '../env/cluster-setup/agent-identity';
import { AGENT_IDENTITY } from '../env/cluster-setup/components';
import { Kubectl } from '../env/kubectl';

/** A cluster the engine can run a session on: where its kubeconfig is and how to let it go. */
export interface ClusterHandle {
  info: EnvironmentInfo;
  kubeconfigPath?: string;
  /**
   * The agent's kubeconfig: it names the agent's view of the cluster (src/env/cluster-view), a filtering proxy that
   * leaves the fault machinery out. Everything the agent reaches — exec_shell's kubectl, get_logs, get_metrics,
   * get_traces — goes through it; the engine's own operations use `kubeconfigPath`/`context`.
   */
  agentKubeconfigPath: string;
  context?: string;
  kubeCacheDir: string;
  telemetry?: { prometheusUrl?: string; jaegerUrls: Record<string, string> };
  kubectl: string;
  /** The cluster's own `docker` (the embedded cluster's shim onto the Flower pods of namespace docker). */
  dockerShim?: string;
  /** Host files the cluster's agent tools (the docker shim) run, which the agent's sandbox binds read-only. */
  agentToolPaths?: string[];
  /** Give the agent's ServiceAccount an SRE's rights in each app namespace the session makes (real clusters). */
  agentNamespaceBinding?: boolean;
  release(): Promise<void>;
}

export class ClusterUnavailableError extends Error {}

/**
 * Opens the configured cluster: `embedded` starts a fresh twin for the session (well under a second); anything else
 * names a context of the user's kubeconfig (a real cluster such as kind). Either way the agent's view is started in
 * front of it: on the embedded cluster it forwards with the twin's agent identity (which RBAC-like refuses the Chaos
 * Mesh kinds as well), on a real cluster with the context's own credentials (a ServiceAccount of the agent's own can
 * take their place by handing another upstream kubeconfig here).
 */
export async function openCluster(config: AiopsConfig, stateDir: string): Promise<ClusterHandle> {
  const kubectl = await findKubectl();
  if (config.cluster === 'embedded') {
    const twin = await import('../twin');
    const dir = fs.mkdtempSync(path.join(ensureDir(stateDir), 'twin-'));
    const handle = await twin.startTwin({ stateDir: dir, entryPath: twinEntryPath() });
    const view = await startClusterView({ upstream: loadKubeConfig(handle.agentKubeconfigPath) }).catch(async (error: Error) => {
      await handle.stop();
      throw error;
    });
    const agentKubeconfigPath = writeAgentKubeconfig(path.join(dir, 'agent-view-kubeconfig'), view.url);
    return {
      info: { kind: 'embedded', cluster: view.url, kubeconfigPath: agentKubeconfigPath, kubernetesVersion: 'v1.31' },
      kubeconfigPath: handle.kubeconfigPath,
      agentKubeconfigPath,
      kubeCacheDir: handle.kubeCacheDir,
      kubectl,
      telemetry: handle.telemetry,
      dockerShim: handle.dockerShim,
      agentToolPaths: handle.dockerShimFiles,
      release: async () => {
        await view.close();
        await handle.stop();
        fs.rmSync(dir, { recursive: true, force: true });
      },
    };
  }
  const dir = fs.mkdtempSync(path.join(ensureDir(stateDir), 'view-'));
  const kubeCacheDir = path.join(ensureDir(stateDir), 'kube-cache');
  const context = config.cluster;
  const userConfig = loadKubeConfig(undefined, context);
  if (!userConfig.getContextObject(context) || !userConfig.getCurrentCluster()) throw new ClusterUnavailableError(`Context "${context}" is not in your kubeconfig (kubectl config get-contexts lists them).`);
  // The agent acts as its own ServiceAccount (installed by `aiopslab cluster setup`), never with the user's
  // credentials, unless the configuration says so in as many words.
  const serviceAccount = config.agentIdentity === 'serviceaccount';
  const upstream = serviceAccount ? await agentUpstream(new Kubectl({ kubectl, context, kubeCacheDir }), userConfig, context) : userConfig;
  const view = await startClusterView({ upstream });
  const dockerCli = process.env.AIOPSLAB_DOCKER;
  return {
    info: { kind: 'kubernetes', cluster: context, agentIdentity: serviceAccount ? `serviceaccount ${AGENT_IDENTITY.namespace}/${AGENT_IDENTITY.serviceAccount}` : `the credentials of context ${context}` },
    context,
    agentKubeconfigPath: writeAgentKubeconfig(path.join(dir, 'agent-view-kubeconfig'), view.url),
    agentNamespaceBinding: serviceAccount,
    kubeCacheDir,
    kubectl,
    // The Docker Compose apps (Flower) on a real cluster run wherever $AIOPSLAB_DOCKER reaches (a detached embedded
    // cluster's own docker CLI, or a Docker host's): the agent's shell gets it for namespace docker, bound read-only.
    ...(dockerCli ? { dockerShim: dockerCli, agentToolPaths: [dockerCli, ...dockerShimFiles(twinEntryPath())] } : {}),
    release: async () => {
      await view.close();
      fs.rmSync(dir, { recursive: true, force: true });
    },
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
