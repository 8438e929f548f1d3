/**
 * The resource type registry: built-in kinds, Chaos Mesh kinds and CRD-defined kinds, with what discovery needs.
 */
import type { ResourceType } from '../contracts';

export interface PrinterColumn { name: string; type: string; jsonPath: string; description?: string; priority?: number; format?: string }

export interface ResourceInfo extends ResourceType {
  singular: string;
  shortNames: string[];
  categories: string[];
  verbs: string[];
  /** Subresources served: status, scale, log, exec. */
  subresources: string[];
  /** True when defined by a CustomResourceDefinition (no strategic merge patch; printer columns from the CRD). */
  custom: boolean;
  printerColumns?: PrinterColumn[];
}

const ALL_VERBS = ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'];

function t(group: string, version: string, resource: string, kind: string, namespaced: boolean, extra: Partial<ResourceInfo> = {}): ResourceInfo {
  return {
    group, version, resource, kind, namespaced,
    singular: kind.toLowerCase(), shortNames: [], categories: [], verbs: ALL_VERBS, subresources: [], custom: false,
    ...extra,
  };
}

export const BUILTIN_TYPES: ResourceInfo[] = [
  t('', 'v1', 'namespaces', 'Namespace', false, { shortNames: ['ns'], subresources: ['status', 'finalize'], verbs: ['create', 'delete', 'get', 'list', 'patch', 'update', 'watch'] }),
  t('', 'v1', 'pods', 'Pod', true, { shortNames: ['po'], categories: ['all'], subresources: ['status', 'log', 'exec', 'eviction', 'binding'] }),
  t('', 'v1', 'services', 'Service', true, { shortNames: ['svc'], categories: ['all'], subresources: ['status'], verbs: ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'] }),
  t('', 'v1', 'endpoints', 'Endpoints', true, { shortNames: ['ep'], singular: 'endpoints' }),
  t('', 'v1', 'events', 'Event', true, { shortNames: ['ev'] }),
  t('', 'v1', 'configmaps', 'ConfigMap', true, { shortNames: ['cm'] }),
  t('', 'v1', 'secrets', 'Secret', true),
  t('', 'v1', 'nodes', 'Node', false, { shortNames: ['no'], subresources: ['status'] }),
  t('', 'v1', 'persistentvolumes', 'PersistentVolume', false, { shortNames: ['pv'], subresources: ['status'] }),
  t('storage.k8s.io', 'v1', 'storageclasses', 'StorageClass', false, { shortNames: ['sc'] }),
  t('', 'v1', 'persistentvolumeclaims', 'PersistentVolumeClaim', true, { shortNames: ['pvc'], subresources: ['status'] }),
  t('', 'v1', 'serviceaccounts', 'ServiceAccount', true, { shortNames: ['sa'], subresources: ['token'] }),
  t('apps', 'v1', 'deployments', 'Deployment', true, { shortNames: ['deploy'], categories: ['all'], subresources: ['status', 'scale'] }),
  t('apps', 'v1', 'replicasets', 'ReplicaSet', true, { shortNames: ['rs'], categories: ['all'], subresources: ['status', 'scale'] }),
  t('apps', 'v1', 'statefulsets', 'StatefulSet', true, { shortNames: ['sts'], categories: ['all'], subresources: ['status', 'scale'] }),
  t('apps', 'v1', 'daemonsets', 'DaemonSet', true, { shortNames: ['ds'], categories: ['all'], subresources: ['status'] }),
  t('batch', 'v1', 'jobs', 'Job', true, { categories: ['all'], subresources: ['status'] }),
  t('discovery.k8s.io', 'v1', 'endpointslices', 'EndpointSlice', true),
  t('coordination.k8s.io', 'v1', 'leases', 'Lease', true),
  t('', 'v1', 'resourcequotas', 'ResourceQuota', true, { shortNames: ['quota'], subresources: ['status'] }),
  t('', 'v1', 'limitranges', 'LimitRange', true, { shortNames: ['limits'] }),
  t('', 'v1', 'replicationcontrollers', 'ReplicationController', true, { shortNames: ['rc'], categories: ['all'], subresources: ['status', 'scale'] }),
  t('batch', 'v1', 'cronjobs', 'CronJob', true, { shortNames: ['cj'], categories: ['all'], subresources: ['status'] }),
  t('autoscaling', 'v2', 'horizontalpodautoscalers', 'HorizontalPodAutoscaler', true, { shortNames: ['hpa'], categories: ['all'], subresources: ['status'] }),
  t('networking.k8s.io', 'v1', 'ingresses', 'Ingress', true, { shortNames: ['ing'], subresources: ['status'] }),
  t('networking.k8s.io', 'v1', 'networkpolicies', 'NetworkPolicy', true, { shortNames: ['netpol'] }),
  t('policy', 'v1', 'poddisruptionbudgets', 'PodDisruptionBudget', true, { shortNames: ['pdb'], subresources: ['status'] }),
  t('rbac.authorization.k8s.io', 'v1', 'roles', 'Role', true),
  t('rbac.authorization.k8s.io', 'v1', 'rolebindings', 'RoleBinding', true),
  t('rbac.authorization.k8s.io', 'v1', 'clusterroles', 'ClusterRole', false),
  t('rbac.authorization.k8s.io', 'v1', 'clusterrolebindings', 'ClusterRoleBinding', false),
  t('apiextensions.k8s.io', 'v1', 'customresourcedefinitions', 'CustomResourceDefinition', false, { shortNames: ['crd', 'crds'], subresources: ['status'] }),
];

export const CHAOS_MESH_KINDS = ['PodChaos', 'NetworkChaos', 'StressChaos', 'HTTPChaos', 'IOChaos', 'DNSChaos', 'TimeChaos', 'KernelChaos'];

/** A CustomResourceDefinition object for a Chaos Mesh kind, as the Chaos Mesh chart installs it. */
export function chaosMeshCrd(kind: string): Record<string, unknown> {
  const plural = kind.toLowerCase();
  const columns = [
    { name: 'action', type: 'string', jsonPath: '.spec.action' },
    { name: 'duration', type: 'string', jsonPath: '.spec.duration' },
    { name: 'age', type: 'date', jsonPath: '.metadata.creationTimestamp' },
  ].filter((c) => kind !== 'TimeChaos' && kind !== 'KernelChaos' || c.name !== 'action');
  return {
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: { name: `${plural}.chaos-mesh.org`, labels: { 'app.kubernetes.io/name': 'chaos-mesh', 'app.kubernetes.io/part-of': 'chaos-mesh' } },
    spec: {
      group: 'chaos-mesh.org',
      names: { kind, listKind: `${kind}List`, plural, singular: plural },
      scope: 'Namespaced',
      versions: [{
        name: 'v1alpha1', served: true, storage: true,
        schema: { openAPIV3Schema: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true } },
        subresources: { status: {} },
        additionalPrinterColumns: columns,
      }],
    },
  };
}

/** Resource types a CRD object defines (one per served version). */
export function typesFromCrd(crd: any): ResourceInfo[] { // eslint-disable-line @typescript-eslint/no-explicit-any
  const spec = crd?.spec ?? {};
  const names = spec.names ?? {};
  if (!spec.group || !names.plural || !names.kind) return [];
  const versions: any[] = Array.isArray(spec.versions) ? spec.versions : []; // eslint-disable-line @typescript-eslint/no-explicit-any
  return versions.filter((v) => v && v.served !== false && v.name).map((v) => {
    const subs: string[] = [];
    if (v.subresources?.status) subs.push('status');
    if (v.subresources?.scale) subs.push('scale');
    return t(spec.group, v.name, names.plural, names.kind, spec.scope !== 'Cluster', {
      singular: names.singular || names.kind.toLowerCase(),
      shortNames: names.shortNames ?? [],
      categories: names.categories ?? [],
      subresources: subs,
      custom: true,
      printerColumns: Array.isArray(v.additionalPrinterColumns) ? v.additionalPrinterColumns : undefined,
    });
  });
}

/** The registry itself: lookups by REST path, by store name and by kind. */
export class Registry {
  private readonly types: ResourceInfo[] = [...BUILTIN_TYPES];

  all(): ResourceInfo[] { return this.types; }

  /** `pods`, `deployments.apps`, `podchaos.chaos-mesh.org`; a bare plural resolves to core first, then a unique group. */
  byName(name: string): ResourceInfo | undefined {
    const exact = this.types.find((x) => x.resource === name && x.group === '');
    if (exact) return exact;
    const dot = name.indexOf('.');
    if (dot > 0) {
      const r = name.slice(0, dot);
      const g = name.slice(dot + 1);
      const m = this.types.find((x) => x.resource === r && x.group === g);
      if (m) return m;
    }
    const matches = this.types.filter((x) => x.resource === name);
    return matches.length >= 1 ? matches[0] : undefined;
  }

  byPath(group: string, version: string, resource: string): ResourceInfo | undefined {
    return this.types.find((x) => x.group === group && x.version === version && x.resource === resource);
  }

  byKind(apiVersion: string, kind: string): ResourceInfo | undefined {
    const [g, v] = apiVersion.includes('/') ? apiVersion.split('/', 2) : ['', apiVersion];
    return this.types.find((x) => x.group === g && x.version === v && x.kind === kind)
      ?? this.types.find((x) => x.group === g && x.kind === kind);
  }

  storeName(info: ResourceType): string {
    return info.group ? `${info.resource}.${info.group}` : info.resource;
  }

  /** Replaces the types of one CRD (by group + plural). */
  setCrdTypes(group: string, plural: string, types: ResourceInfo[]): void {
    for (let i = this.types.length - 1; i >= 0; i--) {
      const x = this.types[i];
      if (x.custom && x.group === group && x.resource === plural) this.types.splice(i, 1);
    }
    this.types.push(...types);
  }

  groups(): { group: string; versions: string[] }[] {
    const out: { group: string; versions: string[] }[] = [];
    for (const x of this.types) {
      let g = out.find((o) => o.group === x.group);
      if (!g) { g = { group: x.group, versions: [] }; out.push(g); }
      if (!g.versions.includes(x.version)) g.versions.push(x.version);
    }
    return out;
  }
}
