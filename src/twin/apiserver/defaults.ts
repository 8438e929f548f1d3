/**
 * The defaults a real apiserver fills in on create/update, which kubectl output and describe rely on.
 */
/* eslint-disable @typescript-eslint/no-explicit-any */
import type { KubeObject } from '../contracts';

function imagePullPolicy(image: string | undefined): string {
  if (!image) return 'IfNotPresent';
  const noDigest = image.split('@')[0];
  const lastSlash = noDigest.lastIndexOf('/');
  const tagPart = noDigest.slice(lastSlash + 1);
  const colon = tagPart.indexOf(':');
  if (image.includes('@')) return 'IfNotPresent';
  if (colon < 0) return 'Always';
  return tagPart.slice(colon + 1) === 'latest' ? 'Always' : 'IfNotPresent';
}

/** Sets each default the object lacks (null or undefined), in this order, as the API server's defaulting functions do. */
function fill(target: any, defaults: Record<string, unknown>): void {
  for (const [key, value] of Object.entries(defaults)) target[key] ??= value;
}

/** The object's spec, created empty when it has none. */
function specOf(o: any): any {
  return o.spec ?? (o.spec = {});
}

function defaultContainer(c: any): void {
  if (!c || typeof c !== 'object') return;
  fill(c, { terminationMessagePath: '/dev/termination-log', terminationMessagePolicy: 'File', imagePullPolicy: imagePullPolicy(c.image), resources: {} });
  if (c.resources.limits && !c.resources.requests) c.resources.requests = { ...c.resources.limits };
  if (Array.isArray(c.ports)) for (const p of c.ports) if (p && typeof p === 'object') p.protocol ??= 'TCP';
  if (Array.isArray(c.env)) for (const e of c.env) {
    const f = e?.valueFrom?.fieldRef;
    if (f) f.apiVersion ??= 'v1';
  }
  for (const probe of ['livenessProbe', 'readinessProbe', 'startupProbe']) {
    const p = c[probe];
    if (p && typeof p === 'object') {
      fill(p, { timeoutSeconds: 1, periodSeconds: 10, successThreshold: 1, failureThreshold: 3 });
      if (p.httpGet) p.httpGet.scheme ??= 'HTTP';
    }
  }
}

export function defaultPodSpec(spec: any, restartPolicy = 'Always'): void {
  if (!spec || typeof spec !== 'object') return;
  fill(spec, { restartPolicy, terminationGracePeriodSeconds: 30, dnsPolicy: 'ClusterFirst', securityContext: {}, schedulerName: 'default-scheduler' });
  if (spec.serviceAccount && !spec.serviceAccountName) spec.serviceAccountName = spec.serviceAccount;
  for (const list of ['containers', 'initContainers']) if (Array.isArray(spec[list])) spec[list].forEach(defaultContainer);
  if (Array.isArray(spec.volumes)) for (const v of spec.volumes) {
    if (v?.configMap) v.configMap.defaultMode ??= 420;
    if (v?.secret) v.secret.defaultMode ??= 420;
    if (v?.projected) v.projected.defaultMode ??= 420;
  }
}

/** Pod-level defaults applied only to pods (admission: service account, tolerations, priority). */
function defaultPod(pod: any): void {
  const spec = specOf(pod);
  defaultPodSpec(spec);
  spec.serviceAccountName ??= 'default';
  fill(spec, { serviceAccount: spec.serviceAccountName, enableServiceLinks: true, preemptionPolicy: 'PreemptLowerPriority', priority: 0, tolerations: [] });
  for (const key of ['node.kubernetes.io/not-ready', 'node.kubernetes.io/unreachable']) {
    if (!spec.tolerations.some((x: any) => x?.key === key)) {
      spec.tolerations.push({ key, operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 });
    }
  }
}

export function qosClass(spec: any): string {
  const containers = [...(spec?.containers ?? []), ...(spec?.initContainers ?? [])];
  let any = false;
  let guaranteed = containers.length > 0;
  for (const c of containers) {
    const req = c?.resources?.requests ?? {};
    const lim = c?.resources?.limits ?? {};
    if (Object.keys(req).length || Object.keys(lim).length) any = true;
    for (const r of ['cpu', 'memory']) {
      if (!lim[r] || (req[r] !== undefined && String(req[r]) !== String(lim[r]))) guaranteed = false;
    }
  }
  if (!any) return 'BestEffort';
  return guaranteed ? 'Guaranteed' : 'Burstable';
}

function defaultTemplate(obj: any, restartPolicy = 'Always'): void {
  const tpl = obj.spec?.template;
  if (tpl && typeof tpl === 'object') {
    tpl.metadata ??= {};
    tpl.metadata.creationTimestamp ??= null;
    defaultPodSpec(specOf(tpl), restartPolicy);
  }
}

export interface ServiceIpAllocator { clusterIP(): string; nodePort(): number }

/** Fills defaults in place. `old` is the stored object on update (immutable allocations are carried over). */
export function applyDefaults(obj: KubeObject, alloc: ServiceIpAllocator, old?: KubeObject): void {
  const o = obj as any;
  switch (`${obj.apiVersion}/${obj.kind}`) {
    case 'v1/Pod':
      defaultPod(o);
      if (!old) {
        o.status = { phase: 'Pending', qosClass: qosClass(o.spec) };
      }
      break;
    case 'v1/Service': {
      const spec = specOf(o);
      spec.type ??= 'ClusterIP';
      if (old?.spec) {
        if (spec.clusterIP === undefined || spec.clusterIP === '') spec.clusterIP = old.spec.clusterIP;
        if (!spec.clusterIPs && old.spec.clusterIPs && spec.clusterIP === old.spec.clusterIP) spec.clusterIPs = old.spec.clusterIPs;
      }
      if (spec.type === 'ExternalName') break;
      if (spec.clusterIP === undefined || spec.clusterIP === '') spec.clusterIP = alloc.clusterIP();
      spec.clusterIPs ??= [spec.clusterIP];
      fill(spec, { sessionAffinity: 'None', ipFamilies: ['IPv4'], ipFamilyPolicy: 'SingleStack', internalTrafficPolicy: 'Cluster' });
      if (Array.isArray(spec.ports)) for (const p of spec.ports) {
        if (!p || typeof p !== 'object') continue;
        p.protocol ??= 'TCP';
        p.targetPort ??= p.port;
        if (spec.type === 'NodePort' || spec.type === 'LoadBalancer') {
          const prev = old?.spec?.ports?.find((x: any) => x?.port === p.port && x?.nodePort);
          p.nodePort ??= prev?.nodePort ?? alloc.nodePort();
        }
      }
      if (spec.type === 'NodePort' || spec.type === 'LoadBalancer') spec.externalTrafficPolicy ??= 'Cluster';
      if (spec.type === 'LoadBalancer') spec.allocateLoadBalancerNodePorts ??= true;
      if (!old) o.status ??= { loadBalancer: {} };
      break;
    }
    case 'v1/Namespace':
      o.metadata.labels = { ...(o.metadata.labels ?? {}), 'kubernetes.io/metadata.name': o.metadata.name };
      fill(specOf(o), { finalizers: ['kubernetes'] });
      if (!old) o.status = { phase: 'Active' };
      break;
    case 'v1/Secret':
      o.type ??= 'Opaque';
      if (o.stringData && typeof o.stringData === 'object') {
        o.data ??= {};
        for (const [k, v] of Object.entries(o.stringData)) o.data[k] = Buffer.from(String(v)).toString('base64');
        delete o.stringData;
      }
      break;
    case 'v1/PersistentVolumeClaim':
      fill(specOf(o), { volumeMode: 'Filesystem' });
      if (!old) o.status ??= { phase: 'Pending' };
      break;
    case 'v1/PersistentVolume':
      fill(specOf(o), { persistentVolumeReclaimPolicy: 'Retain', volumeMode: 'Filesystem' });
      if (!old) o.status ??= { phase: 'Pending' };
      break;
    case 'apps/v1/Deployment': {
      const spec = specOf(o);
      fill(spec, { replicas: 1, revisionHistoryLimit: 10, progressDeadlineSeconds: 600, strategy: {} });
      fill(spec.strategy, { type: 'RollingUpdate' });
      if (spec.strategy.type === 'RollingUpdate') fill((spec.strategy.rollingUpdate ??= {}), { maxUnavailable: '25%', maxSurge: '25%' });
      defaultTemplate(o);
      break;
    }
    case 'apps/v1/ReplicaSet':
      fill(specOf(o), { replicas: 1 });
      defaultTemplate(o);
      break;
    case 'apps/v1/StatefulSet':
      fill(specOf(o), {
        replicas: 1,
        podManagementPolicy: 'OrderedReady',
        revisionHistoryLimit: 10,
        updateStrategy: { type: 'RollingUpdate', rollingUpdate: { partition: 0 } },
        persistentVolumeClaimRetentionPolicy: { whenDeleted: 'Retain', whenScaled: 'Retain' },
      });
      defaultTemplate(o);
      break;
    case 'apps/v1/DaemonSet':
      fill(specOf(o), { revisionHistoryLimit: 10, updateStrategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 1, maxSurge: 0 } } });
      defaultTemplate(o);
      break;
    case 'batch/v1/Job': {
      const spec = specOf(o);
      fill(spec, { parallelism: 1, completions: 1, backoffLimit: 6, completionMode: 'NonIndexed', suspend: false, podReplacementPolicy: 'TerminatingOrFailed' });
      const uid = old?.metadata.uid ?? o.metadata.uid;
      if (!spec.manualSelector && uid) {
        const labels = { 'batch.kubernetes.io/controller-uid': uid, 'batch.kubernetes.io/job-name': o.metadata.name, 'controller-uid': uid, 'job-name': o.metadata.name };
        spec.selector ??= { matchLabels: { 'batch.kubernetes.io/controller-uid': uid } };
        spec.template ??= {};
        spec.template.metadata ??= {};
        spec.template.metadata.labels = { ...labels, ...(spec.template.metadata.labels ?? {}) };
      }
      defaultTemplate(o, 'Never');
      break;
    }
    case 'discovery.k8s.io/v1/EndpointSlice':
      if (Array.isArray(o.ports)) for (const p of o.ports) if (p) p.protocol ??= 'TCP';
      break;
    case 'apiextensions.k8s.io/v1/CustomResourceDefinition':
      if (!old || !o.status) {
        const names = o.spec?.names ?? {};
        o.status = {
          acceptedNames: { ...names, singular: names.singular ?? String(names.kind ?? '').toLowerCase() },
          conditions: [
            { type: 'NamesAccepted', status: 'True', reason: 'NoConflicts', message: 'no conflicts found', lastTransitionTime: new Date().toISOString().replace(/\.\d+Z$/, 'Z') },
            { type: 'Established', status: 'True', reason: 'InitialNamesAccepted', message: 'the initial names have been accepted', lastTransitionTime: new Date().toISOString().replace(/\.\d+Z$/, 'Z') },
          ],
          storedVersions: (o.spec?.versions ?? []).filter((v: any) => v?.storage).map((v: any) => v.name),
        };
      }
      break;
  }
}

const SA_MOUNT = '/var/run/secrets/kubernetes.io/serviceaccount';

/**
 * The ServiceAccount admission plugin: a projected `kube-api-access-xxxxx` volume (token, kube-root-ca.crt, namespace)
 * mounted read-only into every container, unless the pod opts out.
 */
export function admitServiceAccount(pod: any, suffix: string): void {
  const spec = pod.spec;
  if (!spec || spec.automountServiceAccountToken === false) return;
  const all = [...(spec.containers ?? []), ...(spec.initContainers ?? [])];
  if (all.some((c: any) => (c?.volumeMounts ?? []).some((m: any) => m?.mountPath === SA_MOUNT))) return;
  const name = `kube-api-access-${suffix}`;
  spec.volumes = [...(Array.isArray(spec.volumes) ? spec.volumes : []), {
    name,
    projected: {
      defaultMode: 420,
      sources: [
        { serviceAccountToken: { expirationSeconds: 3607, path: 'token' } },
        { configMap: { name: 'kube-root-ca.crt', items: [{ key: 'ca.crt', path: 'ca.crt' }] } },
        { downwardAPI: { items: [{ path: 'namespace', fieldRef: { apiVersion: 'v1', fieldPath: 'metadata.namespace' } }] } },
      ],
    },
  }];
  for (const c of all) {
    if (!c || typeof c !== 'object') continue;
    c.volumeMounts = [...(Array.isArray(c.volumeMounts) ? c.volumeMounts : []), { name, readOnly: true, mountPath: SA_MOUNT }];
  }
}

/** The cluster's CA bundle as the root-ca-cert-publisher puts it into every namespace (a placeholder certificate). */
export const ROOT_CA_PEM = [
  '-----BEGIN CERTIFICATE-----',
  'MIIDBTCCAe2gAwIBAgIIAIOpsLabTwinMA0GCSqGSIb3DQEBCwUAMBUxEzARBgNVBAMTCmt1YmVybmV0',
  'ZXMwHhcNMjYxMTI4MDAwMDAwWhcNMzYxMTI2MDAwMDAwWjAVMRMwEQYDVQQDEwprdWJlcm5ldGVzMIIB',
  'IjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAtwinTwinTwinTwinTwinTwinTwinTwinTwinTwin',
  '-----END CERTIFICATE-----',
  '',
].join('\n');
