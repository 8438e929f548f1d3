/**
 * The bootstrap RBAC policy kube-apiserver creates at start (the part a user meets): cluster-admin for group
 * system:masters, the user-facing roles admin / edit / view, discovery and self-review for every authenticated caller,
 * health and version for everyone.
 */
import type { KubeObject, ObjectStore } from '../contracts';
import { RBAC_GROUP, type PolicyRule } from './rbac';

const READ = ['get', 'list', 'watch'];
const WRITE = ['create', 'delete', 'deletecollection', 'patch', 'update'];

const VIEW_RULES: PolicyRule[] = [
  { apiGroups: [''], verbs: READ, resources: ['configmaps', 'endpoints', 'persistentvolumeclaims', 'persistentvolumeclaims/status', 'pods', 'replicationcontrollers', 'replicationcontrollers/scale', 'serviceaccounts', 'services', 'services/status', 'bindings', 'events', 'limitranges', 'namespaces/status', 'pods/log', 'pods/status', 'replicationcontrollers/status', 'resourcequotas', 'resourcequotas/status', 'namespaces'] },
  { apiGroups: ['discovery.k8s.io'], verbs: READ, resources: ['endpointslices'] },
  { apiGroups: ['apps'], verbs: READ, resources: ['controllerrevisions', 'daemonsets', 'daemonsets/status', 'deployments', 'deployments/scale', 'deployments/status', 'replicasets', 'replicasets/scale', 'replicasets/status', 'statefulsets', 'statefulsets/scale', 'statefulsets/status'] },
  { apiGroups: ['autoscaling'], verbs: READ, resources: ['horizontalpodautoscalers', 'horizontalpodautoscalers/status'] },
  { apiGroups: ['batch'], verbs: READ, resources: ['cronjobs', 'cronjobs/status', 'jobs', 'jobs/status'] },
  { apiGroups: ['networking.k8s.io'], verbs: READ, resources: ['ingresses', 'ingresses/status', 'networkpolicies'] },
  { apiGroups: ['policy'], verbs: READ, resources: ['poddisruptionbudgets', 'poddisruptionbudgets/status'] },
];

const EDIT_RULES: PolicyRule[] = [
  { apiGroups: [''], verbs: WRITE, resources: ['pods', 'pods/attach', 'pods/exec', 'pods/portforward', 'pods/proxy', 'configmaps', 'endpoints', 'persistentvolumeclaims', 'replicationcontrollers', 'replicationcontrollers/scale', 'secrets', 'serviceaccounts', 'services', 'services/proxy'] },
  { apiGroups: [''], verbs: ['get', 'list', 'watch'], resources: ['pods/attach', 'pods/exec', 'pods/portforward', 'pods/proxy', 'secrets', 'services/proxy'] },
  { apiGroups: [''], verbs: ['create'], resources: ['serviceaccounts/token', 'pods/eviction'] },
  { apiGroups: [''], verbs: ['impersonate'], resources: ['serviceaccounts'] },
  { apiGroups: ['apps'], verbs: WRITE, resources: ['daemonsets', 'deployments', 'deployments/rollback', 'deployments/scale', 'replicasets', 'replicasets/scale', 'statefulsets', 'statefulsets/scale'] },
  { apiGroups: ['autoscaling'], verbs: WRITE, resources: ['horizontalpodautoscalers'] },
  { apiGroups: ['batch'], verbs: WRITE, resources: ['cronjobs', 'jobs'] },
  { apiGroups: ['networking.k8s.io'], verbs: WRITE, resources: ['ingresses', 'networkpolicies'] },
  { apiGroups: ['policy'], verbs: WRITE, resources: ['poddisruptionbudgets'] },
  { apiGroups: ['coordination.k8s.io'], verbs: [...READ, ...WRITE], resources: ['leases'] },
  ...VIEW_RULES,
];

const ADMIN_RULES: PolicyRule[] = [
  { apiGroups: ['authorization.k8s.io'], verbs: ['create'], resources: ['localsubjectaccessreviews'] },
  { apiGroups: [RBAC_GROUP], verbs: [...READ, ...WRITE], resources: ['rolebindings', 'roles'] },
  ...EDIT_RULES,
];

const DISCOVERY_URLS = ['/api', '/api/*', '/apis', '/apis/*', '/healthz', '/livez', '/openapi', '/openapi/*', '/readyz', '/version', '/version/'];
const PUBLIC_URLS = ['/healthz', '/livez', '/readyz', '/version', '/version/'];

const BOOTSTRAP = { 'kubernetes.io/bootstrapping': 'rbac-defaults' };
const AUTOUPDATE = { 'rbac.authorization.kubernetes.io/autoupdate': 'true' };

function clusterRole(name: string, rules: PolicyRule[], labels: Record<string, string> = {}): KubeObject {
  return { apiVersion: `${RBAC_GROUP}/v1`, kind: 'ClusterRole', metadata: { name, labels: { ...BOOTSTRAP, ...labels }, annotations: AUTOUPDATE }, rules };
}

function binding(name: string, role: string, groups: string[]): KubeObject {
  return {
    apiVersion: `${RBAC_GROUP}/v1`, kind: 'ClusterRoleBinding',
    metadata: { name, labels: BOOTSTRAP, annotations: AUTOUPDATE },
    roleRef: { apiGroup: RBAC_GROUP, kind: 'ClusterRole', name: role },
    subjects: groups.map((g) => ({ apiGroup: RBAC_GROUP, kind: 'Group', name: g })),
  };
}

export function bootstrapPolicy(): Array<[string, KubeObject]> {
  return [
    ['clusterroles', clusterRole('cluster-admin', [{ apiGroups: ['*'], resources: ['*'], verbs: ['*'] }, { nonResourceURLs: ['*'], verbs: ['*'] }])],
    ['clusterroles', clusterRole('admin', ADMIN_RULES)],
    ['clusterroles', clusterRole('edit', EDIT_RULES, { 'rbac.authorization.k8s.io/aggregate-to-admin': 'true' })],
    ['clusterroles', clusterRole('view', VIEW_RULES, { 'rbac.authorization.k8s.io/aggregate-to-edit': 'true' })],
    ['clusterroles', clusterRole('system:discovery', [{ nonResourceURLs: DISCOVERY_URLS, verbs: ['get'] }])],
    ['clusterroles', clusterRole('system:public-info-viewer', [{ nonResourceURLs: PUBLIC_URLS, verbs: ['get'] }])],
    ['clusterroles', clusterRole('system:basic-user', [{ apiGroups: ['authorization.k8s.io'], resources: ['selfsubjectaccessreviews', 'selfsubjectrulesreviews'], verbs: ['create'] }, { apiGroups: ['authentication.k8s.io'], resources: ['selfsubjectreviews'], verbs: ['create'] }])],
    ['clusterrolebindings', binding('cluster-admin', 'cluster-admin', ['system:masters'])],
    ['clusterrolebindings', binding('system:discovery', 'system:discovery', ['system:authenticated'])],
    ['clusterrolebindings', binding('system:public-info-viewer', 'system:public-info-viewer', ['system:authenticated', 'system:unauthenticated'])],
    ['clusterrolebindings', binding('system:basic-user', 'system:basic-user', ['system:authenticated'])],
  ];
}

/** Creates the bootstrap policy objects that are missing. */
export function createBootstrapPolicy(store: ObjectStore): void {
  for (const [resource, obj] of bootstrapPolicy()) {
    if (!store.get(`${resource}.${RBAC_GROUP}`, undefined, obj.metadata.name ?? '')) store.create(`${resource}.${RBAC_GROUP}`, obj);
  }
}
