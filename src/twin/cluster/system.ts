/**
 * The system components a fresh kind cluster shows in `kubectl get pods -A`: the control-plane static pods (mirror
 * pods on the control-plane node), kindnet and kube-proxy DaemonSets, CoreDNS with the kube-dns Service, and the
 * local-path provisioner. Their images are preloaded on the nodes, as in kind's node image.
 */
import type { KubeObject } from '../contracts';
import type { ClusterContext } from './context';
import { isConflictOrExists } from './context';
import { KUBELET_VERSION } from './nodes';
import { hexHash } from './util';

const K8S = KUBELET_VERSION;
export const SYSTEM_IMAGES = {
  etcd: 'registry.k8s.io/etcd:3.5.15-0',
  apiserver: `registry.k8s.io/kube-apiserver:${K8S}`,
  controllerManager: `registry.k8s.io/kube-controller-manager:${K8S}`,
  scheduler: `registry.k8s.io/kube-scheduler:${K8S}`,
  proxy: `registry.k8s.io/kube-proxy:${K8S}`,
  coredns: 'registry.k8s.io/coredns/coredns:v1.11.3',
  kindnet: 'docker.io/kindest/kindnetd:v20241023-a345ebe4',
  localPath: 'docker.io/kindest/local-path-provisioner:v20241108-5c6d2daf',
};

function create(ctx: ClusterContext, resource: string, obj: KubeObject): void {
  if (!ctx.serves(resource)) return;
  if (ctx.store.get(resource, obj.metadata.namespace, obj.metadata.name ?? '')) return;
  try {
    ctx.store.create(resource, obj);
  } catch (e) {
    if (!isConflictOrExists(e)) ctx.log(`creating ${resource} ${obj.metadata.name}: ${(e as Error).message}`);
  }
}

const ALL_TOLERATED = [{ operator: 'Exists', effect: 'NoExecute' }];

function staticPod(node: KubeObject, component: string, image: string, command: string[], requests: Record<string, string>): KubeObject {
  const nodeName = node.metadata.name ?? '';
  const hash = hexHash(`${component}/${nodeName}`, 32);
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name: `${component}-${nodeName}`,
      namespace: 'kube-system',
      labels: { component, tier: 'control-plane' },
      annotations: {
        'kubernetes.io/config.hash': hash,
        'kubernetes.io/config.mirror': hash,
        'kubernetes.io/config.seen': '2026-01-01T00:00:00.000000000Z',
        'kubernetes.io/config.source': 'file',
      },
      ownerReferences: [{ apiVersion: 'v1', kind: 'Node', name: nodeName, uid: node.metadata.uid ?? '', controller: true }],
    },
    spec: {
      nodeName,
      hostNetwork: true,
      priority: 2000001000,
      priorityClassName: 'system-node-critical',
      tolerations: ALL_TOLERATED,
      containers: [{ name: component, image, imagePullPolicy: 'IfNotPresent', command, resources: { requests } }],
    },
  };
}

function daemonSet(name: string, labels: Record<string, string>, image: string, command: string[], requests: Record<string, string>): KubeObject {
  return {
    apiVersion: 'apps/v1',
    kind: 'DaemonSet',
    metadata: { name, namespace: 'kube-system', labels },
    spec: {
      selector: { matchLabels: { [Object.keys(labels)[0]]: Object.values(labels)[0] } },
      template: {
        metadata: { labels },
        spec: {
          hostNetwork: true,
          priorityClassName: 'system-node-critical',
          serviceAccountName: name,
          tolerations: [{ operator: 'Exists' }],
          containers: [{ name: name === 'kindnet' ? 'kindnet-cni' : name, image, command, resources: { requests } }],
        },
      },
      updateStrategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 1 } },
    },
  };
}

/** Creates the system components (with kind's local-path provisioner unless `localPath` is false); returns the images to preload on every node. */
export function createSystemComponents(ctx: ClusterContext, localPath = true): string[] {
  const nodes = ctx.store.list('nodes');
  const cp = nodes.find((n) => n.metadata.labels?.['node-role.kubernetes.io/control-plane'] !== undefined);
  if (cp) {
    const ip = ((cp.status?.addresses ?? []) as any[]).find((a) => a.type === 'InternalIP')?.address ?? '172.18.0.3';
    create(ctx, 'pods', staticPod(cp, 'etcd', SYSTEM_IMAGES.etcd, ['etcd', `--advertise-client-urls=https://${ip}:2379`, '--data-dir=/var/lib/etcd', `--listen-client-urls=https://127.0.0.1:2379,https://${ip}:2379`], { cpu: '100m', memory: '100Mi' }));
    create(ctx, 'pods', staticPod(cp, 'kube-apiserver', SYSTEM_IMAGES.apiserver, ['kube-apiserver', `--advertise-address=${ip}`, '--service-cluster-ip-range=10.96.0.0/16', '--secure-port=6443'], { cpu: '250m' }));
    create(ctx, 'pods', staticPod(cp, 'kube-controller-manager', SYSTEM_IMAGES.controllerManager, ['kube-controller-manager', '--cluster-cidr=10.244.0.0/16', '--leader-elect=true'], { cpu: '200m' }));
    create(ctx, 'pods', staticPod(cp, 'kube-scheduler', SYSTEM_IMAGES.scheduler, ['kube-scheduler', '--leader-elect=true'], { cpu: '100m' }));
  }
  create(ctx, 'daemonsets.apps', daemonSet('kindnet', { app: 'kindnet', 'k8s-app': 'kindnet', tier: 'node' }, SYSTEM_IMAGES.kindnet, ['/bin/kindnetd'], { cpu: '100m', memory: '50Mi' }));
  create(ctx, 'daemonsets.apps', daemonSet('kube-proxy', { 'k8s-app': 'kube-proxy' }, SYSTEM_IMAGES.proxy, ['/usr/local/bin/kube-proxy', '--config=/var/lib/kube-proxy/config.conf', '--hostname-override=$(NODE_NAME)'], {}));
  create(ctx, 'deployments.apps', {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'coredns', namespace: 'kube-system', labels: { 'k8s-app': 'kube-dns' } },
    spec: {
      replicas: 2,
      selector: { matchLabels: { 'k8s-app': 'kube-dns' } },
      strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: '25%', maxUnavailable: 1 } },
      template: {
        metadata: { labels: { 'k8s-app': 'kube-dns' } },
        spec: {
          priorityClassName: 'system-cluster-critical',
          serviceAccountName: 'coredns',
          nodeSelector: { 'kubernetes.io/os': 'linux' },
          tolerations: [{ key: 'CriticalAddonsOnly', operator: 'Exists' }, { key: 'node-role.kubernetes.io/control-plane', effect: 'NoSchedule' }],
          containers: [{
            name: 'coredns',
            image: SYSTEM_IMAGES.coredns,
            args: ['-conf', '/etc/coredns/Corefile'],
            ports: [{ containerPort: 53, name: 'dns', protocol: 'UDP' }, { containerPort: 53, name: 'dns-tcp', protocol: 'TCP' }, { containerPort: 9153, name: 'metrics', protocol: 'TCP' }],
            resources: { limits: { memory: '170Mi' }, requests: { cpu: '100m', memory: '70Mi' } },
          }],
        },
      },
    },
  });
  create(ctx, 'services', {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: 'kube-dns', namespace: 'kube-system', labels: { 'k8s-app': 'kube-dns', 'kubernetes.io/cluster-service': 'true', 'kubernetes.io/name': 'CoreDNS' } },
    spec: {
      selector: { 'k8s-app': 'kube-dns' },
      clusterIP: '10.96.0.10',
      ports: [{ name: 'dns', port: 53, protocol: 'UDP', targetPort: 53 }, { name: 'dns-tcp', port: 53, protocol: 'TCP', targetPort: 53 }, { name: 'metrics', port: 9153, protocol: 'TCP', targetPort: 9153 }],
    },
  });
  if (!localPath) return Object.values(SYSTEM_IMAGES);
  create(ctx, 'namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'local-path-storage' } });
  create(ctx, 'deployments.apps', {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'local-path-provisioner', namespace: 'local-path-storage' },
    spec: {
      replicas: 1,
      selector: { matchLabels: { app: 'local-path-provisioner' } },
      template: {
        metadata: { labels: { app: 'local-path-provisioner' } },
        spec: {
          serviceAccountName: 'local-path-provisioner-service-account',
          tolerations: [{ key: 'node-role.kubernetes.io/control-plane', operator: 'Equal', effect: 'NoSchedule' }],
          nodeSelector: { 'kubernetes.io/os': 'linux' },
          containers: [{ name: 'local-path-provisioner', image: SYSTEM_IMAGES.localPath, command: ['local-path-provisioner', '--debug', 'start', '--helper-image', 'docker.io/kindest/local-path-helper:v20241108-5c6d2daf', '--config', '/etc/config/config.json'] }],
        },
      },
    },
  });
  return Object.values(SYSTEM_IMAGES);
}
