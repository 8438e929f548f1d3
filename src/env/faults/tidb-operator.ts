/**
 * TiDB operator misoperations: the original applies the TidbCluster `basic` again (TiDB v3.0.8, three PD and three
 * TiKV with 1Gi each, two TiDB) with one field wrong, by `kubectl apply -f /tmp/<name>.yaml -n tidb-cluster`. We apply
 * the same object the same way (stdin instead of a file in /tmp). The original recovers by deleting the TidbCluster,
 * which removes the whole app; we apply the app's own TidbCluster again, which takes the bad field out (apply's
 * three-way merge) and lets the operator bring the cluster back to what it was.
 */
import type { FaultContext, FaultInjector } from './types';
import { FaultError } from './types';

interface Component {
  baseImage: string;
  replicas: number;
  config: Record<string, never>;
  requests?: { storage: string };
  service?: { type: string };
  storageClassName?: string;
  tolerations?: unknown[];
  podSecurityContext?: { runAsUser: number };
  statefulSetUpdateStrategy?: string;
}

interface Spec {
  version: string;
  timezone: string;
  pvReclaimPolicy: string;
  pd: Component;
  tikv: Component;
  tidb: Component;
}

function baseCluster(c: FaultContext): { apiVersion: string; kind: string; metadata: Record<string, unknown>; spec: Spec } {
  const p = c.fault.params;
  return {
    apiVersion: 'pingcap.com/v1alpha1',
    kind: 'TidbCluster',
    metadata: { name: typeof p.cluster === 'string' ? p.cluster : 'basic', namespace: c.namespace },
    spec: {
      version: typeof p.version === 'string' ? p.version : 'v3.0.8',
      timezone: 'UTC',
      pvReclaimPolicy: 'Delete',
      pd: { baseImage: 'pingcap/pd', replicas: 3, requests: { storage: '1Gi' }, config: {} },
      tikv: { baseImage: 'pingcap/tikv', replicas: 3, requests: { storage: '1Gi' }, config: {} },
      tidb: { baseImage: 'pingcap/tidb', replicas: Number(p.tidbReplicas ?? 2), service: { type: 'ClusterIP' }, config: {} },
    },
  };
}

function param(c: FaultContext, name: string): unknown {
  const value = c.fault.params[name];
  if (value === undefined) throw new FaultError(`Fault ${c.fault.kind} needs the parameter "${name}".`);
  return value;
}

function text(c: FaultContext, name: string): string {
  const value = param(c, name);
  if (typeof value !== 'string') throw new FaultError(`Fault ${c.fault.kind}: parameter "${name}" must be a string.`);
  return value;
}

function misoperation(kind: string, edit: (spec: Spec, c: FaultContext) => void): FaultInjector {
  return {
    kind,
    async inject(c) {
      const cluster = baseCluster(c);
      edit(cluster.spec, c);
      await c.kubectl.run(['apply', '-f', '-', '-n', c.namespace], JSON.stringify(cluster));
    },
    // Applying the app's manifests again is idempotent: nothing changes when the bad field is already gone.
    recover: (c) => c.deployApp(false),
  };
}

export const tidbOverloadReplicasFault = misoperation('tidb-operator-overload-replicas', (spec, c) => {
  spec.tidb.replicas = Number(param(c, 'tidbReplicas'));
});

export const tidbNonExistentStorageFault = misoperation('tidb-operator-non-existent-storage', (spec, c) => {
  spec.pd.storageClassName = text(c, 'pdStorageClassName');
});

export const tidbInvalidTolerationFault = misoperation('tidb-operator-invalid-affinity-toleration', (spec, c) => {
  spec.tidb.tolerations = [param(c, 'toleration')];
});

export const tidbSecurityContextFault = misoperation('tidb-operator-security-context-fault', (spec, c) => {
  spec.tidb.podSecurityContext = { runAsUser: Number(param(c, 'runAsUser')) };
});

export const tidbWrongUpdateStrategyFault = misoperation('tidb-operator-wrong-update-strategy', (spec, c) => {
  spec.tidb.statefulSetUpdateStrategy = text(c, 'statefulSetUpdateStrategy');
});
