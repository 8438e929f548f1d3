/** metrics.k8s.io/v1beta1: PodMetrics and NodeMetrics backed by the runtime's usage figures. */
import type { KubeObject, PodRuntime } from '../contracts';
import { ApiError, notFound, methodNotAllowed } from './errors';
import { sendJson } from './http-util';
import type { MemoryStore } from './store';
import { nowRfc3339 } from './store';

const cpu = (m: number) => `${Math.max(0, Math.round(m * 1e6))}n`;
const mem = (b: number) => `${Math.max(0, Math.round(b / 1024))}Ki`;

function podMetrics(_store: MemoryStore, runtime: PodRuntime, pod: KubeObject): Record<string, unknown> | undefined {
  if (pod.status?.phase !== 'Running') return undefined;
  const usage = runtime.podUsage(pod.metadata.namespace!, pod.metadata.name!);
  if (!usage) return undefined;
  return {
    metadata: { name: pod.metadata.name, namespace: pod.metadata.namespace, creationTimestamp: nowRfc3339(), labels: pod.metadata.labels ?? {} },
    timestamp: nowRfc3339(Date.now() - 5000), window: '15.002s',
    containers: usage.map((c) => ({ name: c.name, usage: { cpu: cpu(c.cpuMillis), memory: mem(c.memoryBytes) } })),
  };
}

export function handleMetrics(method: string, segs: string[], url: URL, store: MemoryStore, runtime: PodRuntime, res: import('node:http').ServerResponse): void {
  if (method !== 'GET') throw methodNotAllowed();
  let ns: string | undefined;
  let rest = segs;
  if (rest[0] === 'namespaces' && rest.length >= 3) { ns = rest[1]; rest = rest.slice(2); }
  const [resource, name, ...extra] = rest;
  if (extra.length) throw new ApiError(404, 'NotFound', 'the server could not find the requested resource', {});
  const opts = { labelSelector: url.searchParams.get('labelSelector') ?? undefined, fieldSelector: url.searchParams.get('fieldSelector') ?? undefined };
  if (resource === 'pods') {
    if (name) {
      const pod = store.get('pods', ns, name);
      const m = pod && podMetrics(store, runtime, pod);
      if (!m) throw notFound('pods', 'metrics.k8s.io', name);
      sendJson(res, 200, { kind: 'PodMetrics', apiVersion: 'metrics.k8s.io/v1beta1', ...m });
      return;
    }
    const items = store.list('pods', ns, opts).map((p) => podMetrics(store, runtime, p)).filter((x) => x !== undefined);
    sendJson(res, 200, { kind: 'PodMetricsList', apiVersion: 'metrics.k8s.io/v1beta1', metadata: {}, items });
    return;
  }
  if (resource === 'nodes' && !ns) {
    const one = (node: KubeObject) => {
      const u = runtime.nodeUsage(node.metadata.name!);
      if (!u) return undefined;
      return {
        metadata: { name: node.metadata.name, creationTimestamp: nowRfc3339(), labels: node.metadata.labels ?? {} },
        timestamp: nowRfc3339(Date.now() - 5000), window: '20.05s', usage: { cpu: cpu(u.cpuMillis), memory: mem(u.memoryBytes) },
      };
    };
    if (name) {
      const node = store.get('nodes', undefined, name);
      const m = node && one(node);
      if (!m) throw notFound('nodes', 'metrics.k8s.io', name);
      sendJson(res, 200, { kind: 'NodeMetrics', apiVersion: 'metrics.k8s.io/v1beta1', ...m });
      return;
    }
    const items = store.list('nodes', undefined, opts).map(one).filter((x) => x !== undefined);
    sendJson(res, 200, { kind: 'NodeMetricsList', apiVersion: 'metrics.k8s.io/v1beta1', metadata: {}, items });
    return;
  }
  throw new ApiError(404, 'NotFound', 'the server could not find the requested resource', {});
}
