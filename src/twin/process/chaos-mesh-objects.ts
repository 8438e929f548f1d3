import type { KubeObject, ObjectStore } from '../contracts';

/**
 * Chaos Mesh as its Helm chart leaves it in namespace `chaos-mesh`: the controller manager Deployment and the daemon
 * DaemonSet. The twin's own chaos controller does their work (src/twin/chaos); these objects make the install visible
 * to kubectl and to `aiopslab doctor` the way it is on a real cluster. The agent's view hides the namespace.
 */
export function createChaosMeshObjects(store: ObjectStore): void {
  const labels = (component: string) => ({ 'app.kubernetes.io/name': 'chaos-mesh', 'app.kubernetes.io/instance': 'chaos-mesh', 'app.kubernetes.io/component': component });
  const workload = (kind: 'Deployment' | 'DaemonSet', name: string, component: string, image: string, command: string[]): KubeObject => ({
    apiVersion: 'apps/v1', kind,
    metadata: { name, namespace: 'chaos-mesh', labels: { ...labels(component), 'app.kubernetes.io/managed-by': 'Helm' } },
    spec: {
      ...(kind === 'Deployment' ? { replicas: 1 } : {}),
      selector: { matchLabels: labels(component) },
      template: { metadata: { labels: labels(component) }, spec: { containers: [{ name: component, image, command }] } },
    },
  });
  const objects: Array<[string, KubeObject]> = [
    ['namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'chaos-mesh' } }],
    ['deployments.apps', workload('Deployment', 'chaos-controller-manager', 'controller-manager', 'ghcr.io/chaos-mesh/chaos-mesh:v2.6.3', ['/usr/local/bin/chaos-controller-manager'])],
    ['daemonsets.apps', workload('DaemonSet', 'chaos-daemon', 'chaos-daemon', 'ghcr.io/chaos-mesh/chaos-daemon:v2.6.3', ['/usr/local/bin/chaos-daemon', '--runtime', 'containerd', '--runtime-socket-path', '/run/containerd/containerd.sock'])],
  ];
  for (const [resource, object] of objects) {
    try {
      store.create(resource, object);
    } catch {
      // already there
    }
  }
}
