import * as k8s from '@kubernetes/client-node';
import type { WorkloadObjects } from './wrk2';

/** The workload's object operations over client-node (see WorkloadObjects). */
export function workloadObjects(kc: k8s.KubeConfig): WorkloadObjects {
  const core = kc.makeApiClient(k8s.CoreV1Api);
  const batch = kc.makeApiClient(k8s.BatchV1Api);
  const missing = (error: unknown) => (error as { code?: number }).code === 404;
  return {
    async getService(namespace, name) {
      try {
        return (await core.readNamespacedService({ namespace, name }));
      } catch (error) {
        if (missing(error)) return undefined;
        throw error;
      }
    },
    async exists(kind, namespace, name) {
      try {
        if (kind === 'Job') await batch.readNamespacedJob({ namespace, name });
        else await core.readNamespacedConfigMap({ namespace, name });
        return true;
      } catch (error) {
        if (missing(error)) return false;
        throw error;
      }
    },
    async create(object) {
      const namespace = String((object.metadata as { namespace?: string }).namespace);
      if (object.kind === 'Job') await batch.createNamespacedJob({ namespace, body: object });
      else if (object.kind === 'ConfigMap') await core.createNamespacedConfigMap({ namespace, body: object });
      else throw new Error(`The workload creates Jobs and ConfigMaps, not ${String(object.kind)}.`);
    },
    async remove(kind, namespace, name) {
      try {
        if (kind === 'Job') await batch.deleteNamespacedJob({ namespace, name, propagationPolicy: 'Foreground' });
        else await core.deleteNamespacedConfigMap({ namespace, name });
      } catch (error) {
        if (!missing(error)) throw error;
      }
    },
  };
}
