/**
 * The cluster's nodes: created at start like a 2-node kind cluster (a tainted control-plane and a worker), with
 * capacity, conditions, addresses and nodeInfo, plus node Leases in kube-node-lease when the store serves them.
 */
import type { KubeObject } from '../contracts';
import type { ClusterContext } from './context';
import { isConflictOrExists, updateObject, writeStatus } from './context';
import { hexHash, isoSeconds } from './util';

export interface NodeConfig {
  name: string;
  role?: 'control-plane' | 'worker';
  /** CPU cores, e.g. '8'. */
  cpu?: string;
  /** Memory, e.g. '32817516Ki'. */
  memory?: string;
  pods?: string;
  internalIP?: string;
  /** The pod CIDR, e.g. '10.244.1.0/24'. */
  podCIDR?: string;
  labels?: Record<string, string>;
  taints?: Array<{ key: string; value?: string; effect: string }>;
}

export const KUBELET_VERSION = 'v1.31.9';
const NODE_STATUS_REPORT_MS = 5 * 60 * 1000;

export function defaultNodes(): NodeConfig[] {
  return [
    { name: 'kind-control-plane', role: 'control-plane', internalIP: '172.18.0.3', podCIDR: '10.244.0.0/24' },
    { name: 'kind-worker', role: 'worker', internalIP: '172.18.0.2', podCIDR: '10.244.1.0/24' },
  ];
}

export function nodeObject(cfg: NodeConfig, index: number, nowMs: number): KubeObject {
  const role = cfg.role ?? 'worker';
  const labels: Record<string, string> = {
    'beta.kubernetes.io/arch': 'amd64',
    'beta.kubernetes.io/os': 'linux',
    'kubernetes.io/arch': 'amd64',
    'kubernetes.io/hostname': cfg.name,
    'kubernetes.io/os': 'linux',
    ...(role === 'control-plane' ? { 'node-role.kubernetes.io/control-plane': '', 'node.kubernetes.io/exclude-from-external-load-balancers': '' } : {}),
    ...(cfg.labels ?? {}),
  };
  const taints = cfg.taints ?? (role === 'control-plane' ? [{ key: 'node-role.kubernetes.io/control-plane', effect: 'NoSchedule' }] : []);
  const podCIDR = cfg.podCIDR ?? `10.244.${index}.0/24`;
  const spec: Record<string, unknown> = { podCIDR, podCIDRs: [podCIDR], providerID: `kind://docker/kind/${cfg.name}` };
  if (taints.length) spec.taints = taints;
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: {
      name: cfg.name,
      labels,
      annotations: {
        'kubeadm.alpha.kubernetes.io/cri-socket': 'unix:///run/containerd/containerd.sock',
        'node.alpha.kubernetes.io/ttl': '0',
        'volumes.kubernetes.io/controller-managed-attach-detach': 'true',
      },
    },
    spec,
    status: nodeStatus(cfg, index, nowMs, nowMs),
  };
}

function nodeStatus(cfg: NodeConfig, index: number, heartbeatMs: number, transitionMs: number): Record<string, unknown> {
  const capacity = {
    cpu: cfg.cpu ?? '8',
    'ephemeral-storage': '263174212Ki',
    'hugepages-1Gi': '0',
    'hugepages-2Mi': '0',
    memory: cfg.memory ?? '32817516Ki',
    pods: cfg.pods ?? '110',
  };
  const hb = isoSeconds(heartbeatMs);
  const tr = isoSeconds(transitionMs);
  const cond = (type: string, status: string, reason: string, message: string) => ({
    type,
    status,
    lastHeartbeatTime: hb,
    lastTransitionTime: tr,
    reason,
    message,
  });
  const machine = hexHash(`machine:${cfg.name}`, 32);
  return {
    capacity,
    allocatable: { ...capacity },
    conditions: [
      cond('MemoryPressure', 'False', 'KubeletHasSufficientMemory', 'kubelet has sufficient memory available'),
      cond('DiskPressure', 'False', 'KubeletHasNoDiskPressure', 'kubelet has no disk pressure'),
      cond('PIDPressure', 'False', 'KubeletHasSufficientPID', 'kubelet has sufficient PID available'),
      cond('Ready', 'True', 'KubeletReady', 'kubelet is posting ready status'),
    ],
    addresses: [
      { type: 'InternalIP', address: cfg.internalIP ?? `172.18.0.${index + 2}` },
      { type: 'Hostname', address: cfg.name },
    ],
    daemonEndpoints: { kubeletEndpoint: { Port: 10250 } },
    nodeInfo: {
      machineID: machine,
      systemUUID: hexHash(`uuid:${cfg.name}`, 32).replace(/^(.{8})(.{4})(.{4})(.{4})(.{12})$/, '$1-$2-$3-$4-$5'),
      bootID: hexHash(`boot:${cfg.name}`, 32).replace(/^(.{8})(.{4})(.{4})(.{4})(.{12})$/, '$1-$2-$3-$4-$5'),
      kernelVersion: '6.8.0-1021-azure',
      osImage: 'Debian GNU/Linux 12 (bookworm)',
      containerRuntimeVersion: 'containerd://1.7.18',
      kubeletVersion: KUBELET_VERSION,
      kubeProxyVersion: KUBELET_VERSION,
      operatingSystem: 'linux',
      architecture: 'amd64',
    },
    images: [],
  };
}

/** Creates the configured nodes (if absent) and keeps their leases renewed. */
export class NodeManager {
  private readonly configs: NodeConfig[];
  private leaseTimer: number | undefined;
  private heartbeatTimer: number | undefined;

  constructor(
    private readonly ctx: ClusterContext,
    configs: NodeConfig[],
  ) {
    this.configs = configs;
  }

  start(): void {
    const now = this.ctx.clock.now();
    this.configs.forEach((cfg, i) => {
      if (this.ctx.store.get('nodes', undefined, cfg.name)) return;
      const node = nodeObject(cfg, i, now);
      const status = node.status;
      try {
        const created = this.ctx.store.create('nodes', node);
        // Stores that drop status on create get it through the status subresource.
        if (!created.status?.nodeInfo) writeStatus(this.ctx.store, 'nodes', created, status);
        const fresh = this.ctx.store.get('nodes', undefined, cfg.name) ?? created;
        this.ctx.events.record(fresh, 'Normal', 'Starting', 'Starting kubelet.', { component: 'kubelet', host: cfg.name });
        this.ctx.events.record(fresh, 'Normal', 'NodeReady', `Node ${cfg.name} status is now: NodeReady`, { component: 'kubelet', host: cfg.name });
        this.ctx.events.record(fresh, 'Normal', 'RegisteredNode', `Node ${cfg.name} event: Registered Node ${cfg.name} in Controller`, { component: 'node-controller' });
      } catch (e) {
        if (!isConflictOrExists(e)) throw e;
      }
    });
    if (this.ctx.timing.leaseRenewMs > 0 && this.ctx.serves('leases.coordination.k8s.io')) {
      if (!this.ctx.store.get('namespaces', undefined, 'kube-node-lease')) {
        try {
          this.ctx.store.create('namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'kube-node-lease' } });
        } catch (e) {
          if (!isConflictOrExists(e)) throw e;
        }
      }
      this.renewLeases();
    }
    this.heartbeatTimer = this.ctx.clock.setTimeout(() => this.heartbeat(), NODE_STATUS_REPORT_MS);
  }

  /** The kubelet reports node status at least every 5 minutes: the conditions' lastHeartbeatTime moves. */
  private heartbeat(): void {
    const now = isoSeconds(this.ctx.clock.now());
    for (const cfg of this.configs) {
      const node = this.ctx.store.get('nodes', undefined, cfg.name);
      if (!node?.status?.conditions) continue;
      const status = { ...node.status, conditions: (node.status.conditions as any[]).map((c) => ({ ...c, lastHeartbeatTime: now })) };
      try {
        writeStatus(this.ctx.store, 'nodes', node, status);
      } catch (e) {
        this.ctx.log(`node status for ${cfg.name}: ${(e as Error).message}`);
      }
    }
    this.heartbeatTimer = this.ctx.clock.setTimeout(() => this.heartbeat(), NODE_STATUS_REPORT_MS);
  }

  /**
   * The node lifecycle controller's part of `kubectl cordon`: spec.unschedulable ⇔ the
   * node.kubernetes.io/unschedulable:NoSchedule taint.
   */
  syncUnschedulableTaint(name: string): void {
    const node = this.ctx.store.get('nodes', undefined, name);
    if (!node) return;
    const key = 'node.kubernetes.io/unschedulable';
    const taints: any[] = node.spec?.taints ?? [];
    const has = taints.some((t) => t.key === key);
    const want = !!node.spec?.unschedulable;
    if (has === want) return;
    updateObject(this.ctx.store, 'nodes', undefined, name, (o) => {
      const rest = ((o.spec?.taints ?? []) as any[]).filter((t) => t.key !== key);
      const next = want ? [...rest, { key, effect: 'NoSchedule', timeAdded: isoSeconds(this.ctx.clock.now()) }] : rest;
      o.spec = { ...(o.spec ?? {}), taints: next.length ? next : undefined };
      if (!next.length) delete o.spec.taints;
    });
  }

  stop(): void {
    if (this.leaseTimer !== undefined) this.ctx.clock.clearTimeout(this.leaseTimer);
    if (this.heartbeatTimer !== undefined) this.ctx.clock.clearTimeout(this.heartbeatTimer);
  }

  private renewLeases(): void {
    const now = this.ctx.clock.now();
    const renewTime = new Date(now).toISOString().replace('Z', '000Z');
    for (const cfg of this.configs) {
      const node = this.ctx.store.get('nodes', undefined, cfg.name);
      if (!node) continue;
      const existing = this.ctx.store.get('leases.coordination.k8s.io', 'kube-node-lease', cfg.name);
      try {
        if (!existing) {
          this.ctx.store.create('leases.coordination.k8s.io', {
            apiVersion: 'coordination.k8s.io/v1',
            kind: 'Lease',
            metadata: {
              name: cfg.name,
              namespace: 'kube-node-lease',
              ownerReferences: [{ apiVersion: 'v1', kind: 'Node', name: cfg.name, uid: node.metadata.uid ?? '' }],
            },
            spec: { holderIdentity: cfg.name, leaseDurationSeconds: 40, renewTime },
          });
        } else {
          updateObject(this.ctx.store, 'leases.coordination.k8s.io', 'kube-node-lease', cfg.name, (l) => {
            l.spec = { ...(l.spec ?? {}), renewTime };
          });
        }
      } catch (e) {
        this.ctx.log(`lease renewal for ${cfg.name} failed: ${(e as Error).message}`);
      }
    }
    this.leaseTimer = this.ctx.clock.setTimeout(() => this.renewLeases(), this.ctx.timing.leaseRenewMs);
  }
}
