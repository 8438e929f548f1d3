/**
 * Which controller hears of a store change: the informer side of the cluster. Each event enqueues the keys of the
 * controllers that own, select or run the changed object, as the controllers' own informers and indexers would.
 */
import type { KubeObject, StoreEvent } from '../contracts';
import type { ClusterContext } from './context';
import { DAEMONSETS, type DaemonSetController } from './daemonset';
import { DEPLOYMENTS } from './deployment';
import { ENDPOINTS } from './endpoints';
import { JOBS } from './job';
import { KUBELET, type Kubelet } from './kubelet';
import { REPLICASETS } from './replicaset';
import { SCHEDULER, type Scheduler } from './scheduler';
import { STATEFULSETS } from './statefulset';
import { controllerOf, mapSelectorMatches } from './util';
import { VOLUMES } from './volumes';

/** The controllers an event may need to call directly rather than through their work queue. */
export interface RoutedControllers {
  scheduler: Scheduler;
  kubelet: Kubelet;
  daemonsets: DaemonSetController;
}

/** The work queue of each controller kind that owns pods or ReplicaSets. */
const OWNER_QUEUES: Record<string, string> = {
  ReplicaSet: REPLICASETS,
  StatefulSet: STATEFULSETS,
  DaemonSet: DAEMONSETS,
  Job: JOBS,
  Deployment: DEPLOYMENTS,
};

/** The queue each workload resource goes to when it changes. */
const OWN_QUEUES: Record<string, string> = {
  'deployments.apps': DEPLOYMENTS,
  'statefulsets.apps': STATEFULSETS,
  'daemonsets.apps': DAEMONSETS,
  'jobs.batch': JOBS,
  services: ENDPOINTS,
};

const key = (o: KubeObject) => `${o.metadata.namespace}/${o.metadata.name}`;

/** A store-event handler that enqueues the work each change calls for. */
export function eventRouter(ctx: ClusterContext, controllers: RoutedControllers): (e: StoreEvent) => void {
  const { store, queue } = ctx;
  const { scheduler, kubelet, daemonsets } = controllers;
  const enqueueOwner = (o: KubeObject) => {
    const ref = controllerOf(o);
    const q = ref && OWNER_QUEUES[ref.kind];
    if (q && ref) queue.add(q, `${o.metadata.namespace}/${ref.name}`);
  };
  const enqueueServicesFor = servicesOfPod(ctx);

  return (e: StoreEvent) => {
    const o = e.object;
    const own = OWN_QUEUES[e.resource];
    if (own) {
      queue.add(own, key(o));
      return;
    }
    switch (e.resource) {
      case 'pods':
        enqueueOwner(o);
        enqueueServicesFor(o, e.type === 'DELETED');
        if (e.type === 'DELETED') {
          kubelet.forget(o);
          scheduler.retryAll();
        } else if (o.spec?.nodeName) {
          queue.add(KUBELET, key(o));
        } else if (scheduler.wantsScheduling(o)) {
          queue.add(SCHEDULER, key(o));
        }
        break;
      case 'replicasets.apps':
        queue.add(REPLICASETS, key(o));
        enqueueOwner(o);
        break;
      case 'nodes':
        if (e.type !== 'DELETED') queue.add('node-lifecycle', o.metadata.name ?? '');
        else queue.add('pod-gc', o.metadata.name ?? '');
        scheduler.retryAll();
        daemonsets.syncAll();
        break;
      case 'persistentvolumeclaims':
        queue.add(VOLUMES, `pvc:${key(o)}`);
        if (e.type === 'DELETED' || o.spec?.volumeName) {
          for (const pv of store.list('persistentvolumes')) {
            const ref = pv.spec?.claimRef;
            if (ref && ref.namespace === o.metadata.namespace && ref.name === o.metadata.name) queue.add(VOLUMES, `pv:${pv.metadata.name}`);
          }
        }
        if (o.status?.phase === 'Bound' || e.type === 'DELETED') scheduler.retryAll();
        break;
      case 'persistentvolumes':
        queue.add(VOLUMES, `pv:${o.metadata.name}`);
        if (e.type === 'DELETED' && o.spec?.claimRef) queue.add(VOLUMES, `pvc:${o.spec.claimRef.namespace}/${o.spec.claimRef.name}`);
        break;
      case 'configmaps':
      case 'secrets':
        // A pod waiting for a ConfigMap or Secret it mounts or reads tries again.
        for (const st of kubelet.pods.values()) {
          if (st.namespace !== o.metadata.namespace) continue;
          if (!st.sandboxReady || st.containers.some((c) => c.reason === 'CreateContainerConfigError')) queue.add(KUBELET, `${st.namespace}/${st.name}`);
        }
        break;
      default:
        break;
    }
  };
}

/** Enqueues the endpoints of the Services that select a pod, or selected it before it was relabelled or deleted. */
function servicesOfPod(ctx: ClusterContext): (pod: KubeObject, deleted: boolean) => void {
  // Labels last seen per pod: a relabelled pod must leave the endpoints of the Services it no longer matches.
  const podLabels = new Map<string, string>();
  return (pod, deleted) => {
    const uid = pod.metadata.uid ?? '';
    const labels = JSON.stringify(pod.metadata.labels ?? {});
    const before = podLabels.get(uid);
    if (deleted) podLabels.delete(uid);
    else podLabels.set(uid, labels);
    const relabelled = before !== undefined && before !== labels;
    for (const svc of ctx.store.list('services', pod.metadata.namespace)) {
      if (relabelled || mapSelectorMatches(svc.spec?.selector, pod.metadata.labels)) ctx.queue.add(ENDPOINTS, key(svc));
    }
  };
}
