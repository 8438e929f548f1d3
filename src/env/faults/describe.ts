import { FAULT_PARAMS, isFaultKind, type FaultParams } from '../../core/problems/fault-params';
import type { FaultKind } from '../../core/problems/fault-kinds';
import type { FaultSpec } from '../../core/problems/types';
import { faultTarget } from './target';
import { CHAOS_NAMESPACE } from './chaos-mesh';

/**
 * People-facing words for a fault in the recovery journal: what it changed, and how to undo it by hand when the
 * automatic recovery cannot (the same change the injector's recover makes, as kubectl/docker commands). One entry per
 * fault kind holds both, reading the kind's typed parameters (defaults filled in).
 */

/** Where the undo commands act. */
interface UndoPlace {
  namespace: string;
  /** `-n <namespace>`. */
  ns: string;
  /** `kubectl apply` of the app's manifests, when they are known. */
  reapply?: string;
}

interface FaultWords<K extends FaultKind> {
  /** One line: what the fault changed. `t` is the fault's target (or the Service/Deployment its parameters name). */
  describe(p: FaultParams<K>, t: string | undefined): string;
  undo(p: FaultParams<K>, t: string | undefined, at: UndoPlace): string[];
}

type ChaosKind = 'chaos-pod-failure' | 'chaos-pod-kill' | 'chaos-container-kill' | 'chaos-network-loss' | 'chaos-network-delay' | 'kernel-chaos' | 'disk-worn-out';

/**
 * A Chaos Mesh experiment: it lives in Chaos Mesh's namespace, named after the app namespace and the kind's default
 * name unless the problem names it (as the injector names it), so deleting it there undoes the fault.
 */
function chaosWords<K extends ChaosKind>(
  kind: K, chaosKind: 'PodChaos' | 'NetworkChaos' | 'KernelChaos' | 'IOChaos', defaultName: string,
  describe?: (p: FaultParams<K>, t: string | undefined) => string,
): FaultWords<K> {
  return {
    describe: describe ?? ((p, t) => `Chaos Mesh ${chaosKind} ${p.name ?? defaultName} (${kind.replace(/^chaos-/, '')}) on ${t ?? '?'}`),
    undo: (p, _t, at) => [`kubectl delete ${chaosKind.toLowerCase()} ${at.namespace}-${p.name ?? defaultName} -n ${CHAOS_NAMESPACE} --ignore-not-found`],
  };
}

/**
 * A TidbCluster applied with one bad field: the injector's recovery applies the app's own TidbCluster again, which
 * takes the field out and lets the operator bring the cluster back.
 */
function tidbWords<K extends TidbKind>(describe: (p: FaultParams<K>, cluster: string) => string): FaultWords<K> {
  return {
    describe: (p) => describe(p, `TidbCluster ${p.cluster ?? 'basic'}`),
    undo: (p, _t, at) => [at.reapply ?? `kubectl edit tidbcluster ${p.cluster ?? 'basic'} ${at.ns}   # remove the bad field`],
  };
}

/** The kernel functions a KernelChaos request fails, e.g. `__x64_sys_mount`. */
function callChain(request: Record<string, unknown>): string {
  const chain = Array.isArray(request.callchain) ? request.callchain as Array<{ funcname?: unknown }> : [];
  const names = chain.map((frame) => frame.funcname).filter((name): name is string => typeof name === 'string');
  return names.length ? names.join(' → ') : 'its call chain';
}

type TidbKind = 'tidb-operator-overload-replicas' | 'tidb-operator-non-existent-storage' | 'tidb-operator-invalid-affinity-toleration'
  | 'tidb-operator-security-context-fault' | 'tidb-operator-wrong-update-strategy';

function mongoScriptUndo(p: { recoverScript: string; service: string }, t: string | undefined, at: UndoPlace): string[] {
  return [
    `kubectl exec deployment/${t ?? '<target>'} ${at.ns} -- /bin/bash /scripts/${p.recoverScript}`,
    `kubectl rollout restart deployment ${p.service} ${at.ns}`,
  ];
}

const WORDS: { [K in FaultKind]?: FaultWords<K> } = {
  'k8s-target-port': {
    describe: (p, t) => `Service ${p.service ?? t ?? '?'}: targetPort ${p.from} → ${p.to}`,
    undo: (p, t, at) => [`kubectl patch service ${p.service ?? t ?? '<target>'} ${at.ns} --type=json -p '[{"op":"replace","path":"/spec/ports/0/targetPort","value":${p.from}}]'`],
  },
  'scale-to-zero': {
    describe: (p, t) => `Deployment ${t ?? '?'}: scaled to 0 replicas (was ${p.originalReplicas})`,
    undo: (p, t, at) => [`kubectl scale deployment ${t ?? '<target>'} ${at.ns} --replicas=${p.originalReplicas}`],
  },
  'assign-non-existent-node': {
    describe: (p, t) => `Deployment ${t ?? '?'}: pods pinned to a node that does not exist (nodeSelector ${JSON.stringify(p.nodeSelector)})`,
    undo: (_p, t, at) => [`kubectl patch deployment ${t ?? '<target>'} ${at.ns} --type=json -p '[{"op":"remove","path":"/spec/template/spec/nodeSelector"}]'`],
  },
  'image-change': {
    describe: (p, t) => `Deployment ${t ?? '?'}: container ${p.container} runs image ${p.image} instead of ${p.originalImage}`,
    undo: (p, t, at) => [`kubectl set image deployment/${t ?? '<target>'} ${p.container}=${p.originalImage} ${at.ns}`],
  },
  'wrong-bin-usage': {
    describe: (p, t) => `Deployment ${t ?? '?'}: container command ${p.from ?? t ?? '?'} → ${p.to}`,
    undo: (p, t, at) => (at.reapply ? [at.reapply] : [`kubectl edit deployment ${t ?? '<target>'} ${at.ns}   # set the container command back to [${p.from ?? t ?? '<target>'}]`]),
  },
  'chaos-pod-failure': chaosWords('chaos-pod-failure', 'PodChaos', 'pod-failure-experiment'),
  'chaos-pod-kill': chaosWords('chaos-pod-kill', 'PodChaos', 'pod-kill'),
  'chaos-container-kill': chaosWords('chaos-container-kill', 'PodChaos', 'container-kill'),
  'chaos-network-loss': chaosWords('chaos-network-loss', 'NetworkChaos', 'loss'),
  'chaos-network-delay': chaosWords('chaos-network-delay', 'NetworkChaos', 'delay'),
  'kernel-chaos': chaosWords('kernel-chaos', 'KernelChaos', 'kernel-chaos', (p, t) =>
    `the kernel fails calls of ${t ?? '?'} through ${callChain(p.failKernRequest)} (Chaos Mesh KernelChaos ${p.name ?? 'kernel-chaos'})`),
  'disk-worn-out': chaosWords('disk-worn-out', 'IOChaos', 'disk-woreout', (p) =>
    `${p.syscall}() under ${p.volumePath} fails with errno ${Math.abs(p.errno)} for ${p.process ?? 'the processes'} of ${p.services.join(', ')} (a worn-out disk; Chaos Mesh IOChaos ${p.name ?? 'disk-woreout'})`),
  'tidb-operator-overload-replicas': tidbWords((p, tc) =>
    `${tc} asks for ${p.tidbReplicas ?? '?'} TiDB replicas: the operator scales TiDB out until the nodes are full and the rest stay Pending`),
  'tidb-operator-non-existent-storage': tidbWords((p, tc) =>
    `${tc} puts PD on StorageClass ${p.pdStorageClassName ?? '?'}, which does not exist: every sync of the operator fails`),
  'tidb-operator-invalid-affinity-toleration': tidbWords((p, tc) =>
    `${tc} gives TiDB a toleration the API server refuses (${JSON.stringify(p.toleration ?? {})}): the operator cannot update the TiDB StatefulSet`),
  'tidb-operator-security-context-fault': tidbWords((p, tc) =>
    `${tc} runs TiDB as user ${p.runAsUser ?? '?'}, which the API server refuses: the operator cannot update the TiDB StatefulSet`),
  'tidb-operator-wrong-update-strategy': tidbWords((p, tc) =>
    `${tc} names TiDB's StatefulSet update strategy ${p.statefulSetUpdateStrategy ?? '?'}, which does not exist: the operator uses RollingUpdate`),
  flagd: {
    describe: (p) => `feature flag ${p.flag} set to "${p.variant}" in ConfigMap ${p.configMap}`,
    undo: (p, _t, at) => [
      `kubectl edit configmap ${p.configMap} ${at.ns}   # set flags.${p.flag}.defaultVariant back to "off"`,
      `kubectl rollout restart deployment ${p.restartDeployment} ${at.ns}`,
    ],
  },
  'mongo-revoke-auth': {
    describe: (p, t) => `Mongo user ${p.user} lost role ${p.role} on ${p.db ?? '<db>'} in ${t ?? '?'}`,
    undo: mongoScriptUndo,
  },
  'mongo-user-unregistered': {
    describe: (p, t) => `Mongo user ${p.user} dropped from ${t ?? '?'}`,
    undo: mongoScriptUndo,
  },
  'mongo-require-tls': {
    describe: (p, t) => `${t ?? '?'} requires TLS (net.tls.mode requireTLS in ConfigMap ${p.configMap ?? t ?? '?'})`,
    undo: (p, t, at) => [
      at.reapply ?? `kubectl edit configmap ${p.configMap ?? t ?? '<target>'} ${at.ns}   # set net.tls.mode back to disabled`,
      `kubectl rollout restart deployment ${p.restartDeployment ?? t ?? '<target>'} ${at.ns}`,
      `kubectl rollout restart deployment ${p.restartPods.join(' ')} ${at.ns}`,
    ],
  },
  'redeploy-without-pv': {
    describe: () => 'app redeployed without releasing its PersistentVolumes (claims stay Pending)',
    undo: (p, _t, at) => [`kubectl delete namespace ${at.namespace} --ignore-not-found`, ...(p.persistentVolumes.length ? [`kubectl delete pv ${p.persistentVolumes.join(' ')} --ignore-not-found`] : [])],
  },
  'flower-container-stop': {
    describe: (_p, t) => `docker container ${t ?? '?'} stopped`,
    undo: (_p, t) => [`docker start ${t ?? '<target>'}`],
  },
  'flower-model-misconfig': {
    describe: (_p, t) => `model misconfigured in ${t ?? '?'} (line 24 of task.py: 84 → 80)`,
    undo: (_p, t) => [`docker exec ${t ?? '<target>'} sh -c "sed -i '24s/80/84/' /app/.flwr/apps/*/task.py"`],
  },
  noop: {
    describe: () => 'no fault',
    undo: () => [],
  },
};

/**
 * The words for a fault and its parameters, when the kind has them and the parameters fit it (a journal entry written
 * by another version may not: then the generic words serve).
 */
function wordsFor(fault: FaultSpec): { words: FaultWords<FaultKind>; params: FaultParams<FaultKind> } | undefined {
  if (!isFaultKind(fault.kind)) return undefined;
  const words: FaultWords<FaultKind> | undefined = WORDS[fault.kind];
  const parsed = FAULT_PARAMS[fault.kind].safeParse(fault.params);
  return words && parsed.success ? { words, params: parsed.data as FaultParams<FaultKind> } : undefined;
}

/** One line: what the fault changed, e.g. `Service user-service: targetPort 9090 → 9999`. */
export function describeFault(fault: FaultSpec): string {
  const known = wordsFor(fault);
  if (known) return known.words.describe(known.params, faultTarget(fault));
  return `${fault.kind}${fault.target ? ` on ${fault.target}` : ''}`;
}

/** Commands an SRE would run to undo the fault by hand (empty when there is nothing to undo). */
export function manualUndo(fault: FaultSpec, namespace: string, manifestsDir?: string): string[] {
  const ns = `-n ${namespace}`;
  const reapply = manifestsDir ? `kubectl apply -R -f ${manifestsDir} ${ns}` : undefined;
  const known = wordsFor(fault);
  if (known) return known.words.undo(known.params, faultTarget(fault), { namespace, ns, reapply });
  return reapply ? [reapply] : [`kubectl delete namespace ${namespace}   # removes the app with the fault; the next session deploys it afresh`];
}
