import type { FaultSpec } from '../../core/problems/types';

/**
 * People-facing words for a fault in the recovery journal: what it changed, and how to undo it by hand when the
 * automatic recovery cannot (the same change the injector's recover makes, as kubectl/docker commands).
 */

function param(fault: FaultSpec, name: string, fallback?: unknown): string {
  const v = fault.params[name] ?? fallback;
  return v === undefined ? `<${name}>` : String(v);
}

function chaosKind(kind: string): string {
  return kind.startsWith('chaos-network-') ? 'NetworkChaos' : kind === 'kernel-chaos' ? 'KernelChaos' : 'PodChaos';
}

const CHAOS_NAMES: Record<string, string> = {
  'chaos-pod-failure': 'pod-failure-experiment',
  'chaos-pod-kill': 'pod-kill',
  'chaos-container-kill': 'container-kill',
  'chaos-network-loss': 'loss',
  'chaos-network-delay': 'delay',
  'kernel-chaos': 'kernel-chaos',
};

/** One line: what the fault changed, e.g. `Service user-service: targetPort 9090 → 9999`. */
export function describeFault(fault: FaultSpec): string {
  const t = fault.target ?? (fault.params.service as string | undefined) ?? (fault.params.deployment as string | undefined) ?? '?';
  switch (fault.kind) {
    case 'k8s-target-port':
      return `Service ${param(fault, 'service', t)}: targetPort ${param(fault, 'from', 9090)} → ${param(fault, 'to', 9999)}`;
    case 'scale-to-zero':
      return `Deployment ${t}: scaled to 0 replicas (was ${param(fault, 'originalReplicas', 1)})`;
    case 'assign-non-existent-node':
      return `Deployment ${t}: pods pinned to a node that does not exist (nodeSelector ${JSON.stringify(fault.params.nodeSelector ?? { 'kubernetes.io/hostname': 'extra-node' })})`;
    case 'image-change':
      return `Deployment ${t}: container ${param(fault, 'container')} runs image ${param(fault, 'image')} instead of ${param(fault, 'originalImage')}`;
    case 'wrong-bin-usage':
      return `Deployment ${t}: container command ${param(fault, 'from', t)} → ${param(fault, 'to', 'geo')}`;
    case 'chaos-pod-failure':
    case 'chaos-pod-kill':
    case 'chaos-container-kill':
    case 'chaos-network-loss':
    case 'chaos-network-delay':
    case 'kernel-chaos':
      return `Chaos Mesh ${chaosKind(fault.kind)} ${param(fault, 'name', CHAOS_NAMES[fault.kind])} (${fault.kind.replace(/^chaos-/, '')}) on ${t}`;
    case 'flagd':
      return `feature flag ${param(fault, 'flag')} set to "${param(fault, 'variant', 'on')}" in ConfigMap ${param(fault, 'configMap', 'flagd-config')}`;
    case 'mongo-revoke-auth':
      return `Mongo user ${param(fault, 'user', 'admin')} lost role ${param(fault, 'role', 'readWrite')} on ${param(fault, 'db')} in ${t}`;
    case 'mongo-user-unregistered':
      return `Mongo user ${param(fault, 'user', 'admin')} dropped from ${t}`;
    case 'mongo-require-tls':
      return `${t} requires TLS (net.tls.mode requireTLS in ConfigMap ${param(fault, 'configMap', t)})`;
    case 'redeploy-without-pv':
      return 'app redeployed without releasing its PersistentVolumes (claims stay Pending)';
    case 'flower-container-stop':
      return `docker container ${t} stopped`;
    case 'flower-model-misconfig':
      return `model misconfigured in ${t} (line 24 of task.py: 84 → 80)`;
    case 'tidb-operator-overload-replicas':
      return `TidbCluster ${param(fault, 'cluster', 'basic')}: spec.tidb.replicas ${param(fault, 'tidbReplicas')}`;
    case 'tidb-operator-non-existent-storage':
      return `TidbCluster ${param(fault, 'cluster', 'basic')}: spec.pd.storageClassName ${param(fault, 'pdStorageClassName')} (no such StorageClass)`;
    case 'tidb-operator-invalid-affinity-toleration':
      return `TidbCluster ${param(fault, 'cluster', 'basic')}: spec.tidb.tolerations with effect ${JSON.stringify((fault.params.toleration as { effect?: string } | undefined)?.effect)}`;
    case 'tidb-operator-security-context-fault':
      return `TidbCluster ${param(fault, 'cluster', 'basic')}: spec.tidb.podSecurityContext.runAsUser ${param(fault, 'runAsUser')}`;
    case 'tidb-operator-wrong-update-strategy':
      return `TidbCluster ${param(fault, 'cluster', 'basic')}: spec.tidb.statefulSetUpdateStrategy ${param(fault, 'statefulSetUpdateStrategy')}`;
    case 'noop':
      return 'no fault';
    default:
      return `${fault.kind}${fault.target ? ` on ${fault.target}` : ''}`;
  }
}

/** Commands an SRE would run to undo the fault by hand (empty when there is nothing to undo). */
export function manualUndo(fault: FaultSpec, namespace: string, manifestsDir?: string): string[] {
  const t = fault.target ?? (fault.params.service as string | undefined) ?? (fault.params.deployment as string | undefined) ?? '<target>';
  const ns = `-n ${namespace}`;
  const reapply = manifestsDir ? `kubectl apply -R -f ${manifestsDir} ${ns}` : undefined;
  switch (fault.kind) {
    case 'k8s-target-port':
      return [`kubectl patch service ${param(fault, 'service', t)} ${ns} --type=json -p '[{"op":"replace","path":"/spec/ports/0/targetPort","value":${param(fault, 'from', 9090)}}]'`];
    case 'scale-to-zero':
      return [`kubectl scale deployment ${t} ${ns} --replicas=${param(fault, 'originalReplicas', 1)}`];
    case 'assign-non-existent-node':
      return [`kubectl patch deployment ${t} ${ns} --type=json -p '[{"op":"remove","path":"/spec/template/spec/nodeSelector"}]'`];
    case 'image-change':
      return [`kubectl set image deployment/${t} ${param(fault, 'container')}=${param(fault, 'originalImage')} ${ns}`];
    case 'wrong-bin-usage':
      return reapply ? [reapply] : [`kubectl edit deployment ${t} ${ns}   # set the container command back to [${param(fault, 'from', t)}]`];
    case 'chaos-pod-failure':
    case 'chaos-pod-kill':
    case 'chaos-container-kill':
    case 'chaos-network-loss':
    case 'chaos-network-delay':
    case 'kernel-chaos':
      return [`kubectl delete ${chaosKind(fault.kind).toLowerCase()} ${param(fault, 'name', CHAOS_NAMES[fault.kind])} ${ns} --ignore-not-found`];
    case 'flagd':
      return [
        `kubectl edit configmap ${param(fault, 'configMap', 'flagd-config')} ${ns}   # set flags.${param(fault, 'flag')}.defaultVariant back to "off"`,
        `kubectl rollout restart deployment ${param(fault, 'restartDeployment', 'flagd')} ${ns}`,
      ];
    case 'mongo-revoke-auth':
    case 'mongo-user-unregistered':
      return [
        `kubectl exec deployment/${t} ${ns} -- /bin/bash /scripts/${param(fault, 'recoverScript')}`,
        `kubectl rollout restart deployment ${param(fault, 'service')} ${ns}`,
      ];
    case 'mongo-require-tls':
      return [
        reapply ?? `kubectl edit configmap ${param(fault, 'configMap', t)} ${ns}   # set net.tls.mode back to disabled`,
        `kubectl rollout restart deployment ${param(fault, 'restartDeployment', t)} ${ns}`,
        `kubectl rollout restart deployment ${((fault.params.restartPods as string[] | undefined) ?? ['url-shorten-service']).join(' ')} ${ns}`,
      ];
    case 'redeploy-without-pv': {
      const pvs = (fault.params.persistentVolumes as string[] | undefined) ?? [];
      return [`kubectl delete namespace ${namespace} --ignore-not-found`, ...(pvs.length ? [`kubectl delete pv ${pvs.join(' ')} --ignore-not-found`] : [])];
    }
    case 'flower-container-stop':
      return [`docker start ${t}`];
    case 'flower-model-misconfig':
      return [`docker exec ${t} sh -c "sed -i '24s/80/84/' /app/.flwr/apps/*/task.py"`];
    case 'noop':
      return [];
    default:
      return reapply ? [reapply] : [`kubectl delete namespace ${namespace}   # removes the app with the fault; the next session deploys it afresh`];
  }
}
