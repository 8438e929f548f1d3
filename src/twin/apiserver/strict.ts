/**
 * `fieldValidation=Strict` (kubectl apply/create/replace send it) for the structs agents write by hand most: unknown
 * fields in ObjectMeta, Pod/PodTemplate specs, containers, Deployments, ReplicaSets, StatefulSets, DaemonSets, Jobs,
 * Services, ConfigMaps and Secrets are refused as the real apiserver refuses them. Everything else is accepted.
 */
import { badRequest } from './errors';
import type { ResourceInfo } from './registry';

type Node = 'any' | { [field: string]: Node } | [Node];

const keys = (names: string): Record<string, Node> => Object.fromEntries(names.split(/\s+/).filter(Boolean).map((n) => [n, 'any']));

const META: Node = keys('name generateName namespace selfLink uid resourceVersion generation creationTimestamp deletionTimestamp deletionGracePeriodSeconds labels annotations ownerReferences finalizers managedFields');
const CONTAINER: Node = {
  ...keys('name image command args workingDir envFrom resources resizePolicy restartPolicy volumeMounts volumeDevices livenessProbe readinessProbe startupProbe lifecycle terminationMessagePath terminationMessagePolicy imagePullPolicy securityContext stdin stdinOnce tty'),
  ports: [keys('name hostPort containerPort protocol hostIP')],
  env: [keys('name value valueFrom')],
};
const POD_SPEC: Node = {
  ...keys('volumes ephemeralContainers restartPolicy terminationGracePeriodSeconds activeDeadlineSeconds dnsPolicy nodeSelector serviceAccountName serviceAccount automountServiceAccountToken nodeName hostNetwork hostPID hostIPC shareProcessNamespace securityContext imagePullSecrets hostname subdomain affinity schedulerName tolerations hostAliases priorityClassName priority dnsConfig readinessGates runtimeClassName enableServiceLinks preemptionPolicy overhead topologySpreadConstraints setHostnameAsFQDN os hostUsers schedulingGates resourceClaims'),
  containers: [CONTAINER],
  initContainers: [CONTAINER],
};
const TEMPLATE: Node = { metadata: META, spec: POD_SPEC };
const TOP = (spec: Node): Node => ({ apiVersion: 'any', kind: 'any', metadata: META, spec, status: 'any' });

const SCHEMAS: Record<string, Node> = {
  'v1/Pod': TOP(POD_SPEC),
  'apps/v1/Deployment': TOP({ ...keys('replicas selector strategy minReadySeconds revisionHistoryLimit paused progressDeadlineSeconds'), template: TEMPLATE }),
  'apps/v1/ReplicaSet': TOP({ ...keys('replicas minReadySeconds selector'), template: TEMPLATE }),
  'apps/v1/StatefulSet': TOP({ ...keys('replicas selector volumeClaimTemplates serviceName podManagementPolicy updateStrategy revisionHistoryLimit minReadySeconds persistentVolumeClaimRetentionPolicy ordinals'), template: TEMPLATE }),
  'apps/v1/DaemonSet': TOP({ ...keys('selector updateStrategy minReadySeconds revisionHistoryLimit'), template: TEMPLATE }),
  'batch/v1/Job': TOP({ ...keys('parallelism completions activeDeadlineSeconds podFailurePolicy successPolicy backoffLimit backoffLimitPerIndex maxFailedIndexes selector manualSelector ttlSecondsAfterFinished completionMode suspend podReplacementPolicy managedBy'), template: TEMPLATE }),
  'v1/Service': TOP({
    ...keys('selector clusterIP clusterIPs type externalIPs sessionAffinity loadBalancerIP loadBalancerSourceRanges externalName externalTrafficPolicy healthCheckNodePort publishNotReadyAddresses sessionAffinityConfig ipFamilies ipFamilyPolicy allocateLoadBalancerNodePorts loadBalancerClass internalTrafficPolicy trafficDistribution'),
    ports: [keys('name protocol appProtocol port targetPort nodePort')],
  }),
  'v1/ConfigMap': { apiVersion: 'any', kind: 'any', metadata: META, data: 'any', binaryData: 'any', immutable: 'any' },
  'v1/Secret': { apiVersion: 'any', kind: 'any', metadata: META, data: 'any', stringData: 'any', type: 'any', immutable: 'any' },
};

function walk(v: unknown, node: Node, path: string, out: string[]): void {
  if (node === 'any' || v === null || v === undefined) return;
  if (Array.isArray(node)) {
    if (Array.isArray(v)) v.forEach((x, i) => walk(x, node[0], `${path}[${i}]`, out));
    return;
  }
  if (typeof v !== 'object' || Array.isArray(v)) return;
  for (const [k, x] of Object.entries(v as Record<string, unknown>)) {
    const child = node[k];
    const p = path ? `${path}.${k}` : k;
    if (child === undefined) out.push(p);
    else walk(x, child, p, out);
  }
}

/** Throws the apiserver's strict decoding error when the body has fields its type does not know. */
export function checkStrict(info: ResourceInfo, body: unknown): void {
  const schema = SCHEMAS[`${info.group ? info.group + '/' : ''}${info.version}/${info.kind}`];
  if (!schema) return;
  const unknown: string[] = [];
  walk(body, schema, '', unknown);
  if (unknown.length) {
    throw badRequest(`${info.kind} in version "${info.version}" cannot be handled as a ${info.kind}: strict decoding error: ${unknown.map((f) => `unknown field "${f}"`).join(', ')}`);
  }
}
