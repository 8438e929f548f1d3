/**
 * The container runtime of a cluster's nodes, as Chaos Mesh's daemon must be told it (`chaosDaemon.runtime` and the
 * socket it talks to). Read from each Node's status.nodeInfo.containerRuntimeVersion (`containerd://1.7.15`,
 * `docker://24.0.7`, `cri-o://1.29.1`); k3s runs its own containerd with the socket under /run/k3s.
 */
export interface ContainerRuntime {
  runtime: 'containerd' | 'docker' | 'crio';
  socketPath: string;
  /** What the nodes said, for messages (`containerd://1.7.15 on 2 nodes`). */
  detail: string;
}

interface NodeLike {
  status?: { nodeInfo?: { containerRuntimeVersion?: string; kubeletVersion?: string } };
}

export function detectRuntime(nodes: NodeLike[]): ContainerRuntime | undefined {
  const versions = nodes.map((n) => n.status?.nodeInfo?.containerRuntimeVersion ?? '').filter(Boolean);
  if (!versions.length) return undefined;
  const first = versions[0];
  const detail = `${first}${versions.length > 1 ? ` (${versions.length} nodes${new Set(versions).size > 1 ? `, mixed: ${[...new Set(versions)].join(', ')}` : ''})` : ''}`;
  const k3s = nodes.some((n) => /\+k3s/.test(n.status?.nodeInfo?.kubeletVersion ?? ''));
  if (first.startsWith('containerd://')) return { runtime: 'containerd', socketPath: k3s ? '/run/k3s/containerd/containerd.sock' : '/run/containerd/containerd.sock', detail };
  if (first.startsWith('docker://')) return { runtime: 'docker', socketPath: '/var/run/docker.sock', detail };
  if (first.startsWith('cri-o://')) return { runtime: 'crio', socketPath: '/var/run/crio/crio.sock', detail };
  return undefined;
}
