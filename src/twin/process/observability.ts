import type { KubeObject, ObjectStore } from '../contracts';

/**
 * The monitoring stack as the original installs it: a Prometheus Helm release `prometheus` in namespace `observe`
 * whose Service `prometheus-server` listens on port 80. The twin answers its HTTP API itself (src/twin/telemetry);
 * these objects make it discoverable with kubectl the way it is on a real install.
 */
export function createObservabilityObjects(store: ObjectStore): void {
  const labels = { 'app.kubernetes.io/name': 'prometheus', 'app.kubernetes.io/component': 'server', 'app.kubernetes.io/instance': 'prometheus' };
  const objects: Array<[string, KubeObject]> = [
    ['namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'observe' } }],
    ['deployments.apps', {
      apiVersion: 'apps/v1', kind: 'Deployment',
      metadata: { name: 'prometheus-server', namespace: 'observe', labels: { ...labels, 'app.kubernetes.io/managed-by': 'Helm' } },
      spec: {
        replicas: 1,
        selector: { matchLabels: labels },
        template: {
          metadata: { labels },
          spec: { containers: [{ name: 'prometheus-server', image: 'quay.io/prometheus/prometheus:v2.47.2', args: ['--storage.tsdb.retention.time=15d', '--config.file=/etc/config/prometheus.yml', '--storage.tsdb.path=/data', '--web.enable-lifecycle'], ports: [{ containerPort: 9090 }] }] },
        },
      },
    }],
    ['services', {
      apiVersion: 'v1', kind: 'Service',
      metadata: { name: 'prometheus-server', namespace: 'observe', labels },
      spec: { type: 'NodePort', selector: labels, ports: [{ name: 'http', port: 80, targetPort: 9090, protocol: 'TCP', nodePort: 32000 }] },
    }],
  ];
  for (const [resource, object] of objects) {
    try {
      store.create(resource, object);
    } catch {
      // already there
    }
  }
}
