/**
 * Discovery documents: aggregated v2 (`APIGroupDiscoveryList`) and the legacy per-group-version lists,
 * plus the metrics.k8s.io group served by the API server itself.
 */
import type { Registry, ResourceInfo } from './registry';
import { AUTHZ_TYPES } from './authz';

export const AGGREGATED_CONTENT_TYPE = 'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList';
export const AGGREGATED_V2BETA1_CONTENT_TYPE = 'application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList';

/** Resources that exist only as endpoints of the server (not stored). */
export const METRICS_TYPES: ResourceInfo[] = [
  { group: 'metrics.k8s.io', version: 'v1beta1', resource: 'pods', kind: 'PodMetrics', namespaced: true, singular: '', shortNames: [], categories: [], verbs: ['get', 'list'], subresources: [], custom: false },
  { group: 'metrics.k8s.io', version: 'v1beta1', resource: 'nodes', kind: 'NodeMetrics', namespaced: false, singular: '', shortNames: [], categories: [], verbs: ['get', 'list'], subresources: [], custom: false },
];

const SUB_VERBS: Record<string, string[]> = {
  status: ['get', 'patch', 'update'], scale: ['get', 'patch', 'update'], log: ['get'], exec: ['create', 'get'], finalize: ['update'],
  eviction: ['create'], binding: ['create'], token: ['create'],
};

function subKind(info: ResourceInfo, sub: string): { group: string; version: string; kind: string } {
  if (sub === 'scale') return { group: 'autoscaling', version: 'v1', kind: 'Scale' };
  if (sub === 'exec') return { group: '', version: 'v1', kind: 'PodExecOptions' };
  if (sub === 'log') return { group: '', version: 'v1', kind: 'Pod' };
  if (sub === 'eviction') return { group: 'policy', version: 'v1', kind: 'Eviction' };
  if (sub === 'binding') return { group: '', version: 'v1', kind: 'Binding' };
  if (sub === 'token') return { group: 'authentication.k8s.io', version: 'v1', kind: 'TokenRequest' };
  return { group: info.group, version: info.version, kind: info.kind };
}

function allTypes(registry: Registry): ResourceInfo[] {
  return [...registry.all(), ...METRICS_TYPES, ...AUTHZ_TYPES];
}

function groupsOf(types: ResourceInfo[]): { group: string; versions: string[] }[] {
  const out: { group: string; versions: string[] }[] = [];
  for (const x of types) {
    let g = out.find((o) => o.group === x.group);
    if (!g) { g = { group: x.group, versions: [] }; out.push(g); }
    if (!g.versions.includes(x.version)) g.versions.push(x.version);
  }
  return out;
}

export function aggregated(registry: Registry, core: boolean, version: 'v2' | 'v2beta1' = 'v2'): Record<string, unknown> {
  const types = allTypes(registry).filter((t) => (core ? t.group === '' : t.group !== ''));
  const items = groupsOf(types).map((g) => ({
    metadata: { name: g.group, creationTimestamp: null },
    versions: g.versions.map((v) => ({
      version: v,
      resources: types.filter((t) => t.group === g.group && t.version === v).map((t) => {
        const r: Record<string, unknown> = {
          resource: t.resource,
          responseKind: { group: t.group, version: t.version, kind: t.kind },
          scope: t.namespaced ? 'Namespaced' : 'Cluster',
          singularResource: t.singular,
          verbs: t.verbs,
        };
        if (t.shortNames.length) r.shortNames = t.shortNames;
        if (t.categories.length) r.categories = t.categories;
        if (t.subresources.length) {
          r.subresources = t.subresources.map((s) => ({ subresource: s, responseKind: subKind(t, s), verbs: SUB_VERBS[s] ?? ['get'] }));
        }
        return r;
      }),
      freshness: 'Current',
    })),
  }));
  return { kind: 'APIGroupDiscoveryList', apiVersion: `apidiscovery.k8s.io/${version}`, metadata: {}, items };
}

export function apiVersions(): Record<string, unknown> {
  return { kind: 'APIVersions', versions: ['v1'], serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress: '127.0.0.1:6443' }] };
}

export function apiGroupList(registry: Registry): Record<string, unknown> {
  return {
    kind: 'APIGroupList', apiVersion: 'v1',
    groups: groupsOf(allTypes(registry)).filter((g) => g.group !== '').map((g) => apiGroupBody(g.group, g.versions)),
  };
}

function apiGroupBody(group: string, versions: string[]): Record<string, unknown> {
  const vs = versions.map((v) => ({ groupVersion: `${group}/${v}`, version: v }));
  return { name: group, versions: vs, preferredVersion: vs[0] };
}

export function apiGroup(registry: Registry, group: string): Record<string, unknown> | undefined {
  const g = groupsOf(allTypes(registry)).find((x) => x.group === group);
  if (!g || !group) return undefined;
  return { kind: 'APIGroup', apiVersion: 'v1', ...apiGroupBody(g.group, g.versions) };
}

export function apiResourceList(registry: Registry, group: string, version: string): Record<string, unknown> | undefined {
  const types = allTypes(registry).filter((t) => t.group === group && t.version === version);
  if (!types.length) return undefined;
  const resources: Record<string, unknown>[] = [];
  for (const t of types) {
    const r: Record<string, unknown> = { name: t.resource, singularName: t.singular, namespaced: t.namespaced, kind: t.kind, verbs: t.verbs };
    if (t.shortNames.length) r.shortNames = t.shortNames;
    if (t.categories.length) r.categories = t.categories;
    resources.push(r);
    for (const s of t.subresources) {
      const k = subKind(t, s);
      const sr: Record<string, unknown> = { name: `${t.resource}/${s}`, singularName: '', namespaced: t.namespaced, kind: k.kind, verbs: SUB_VERBS[s] ?? ['get'] };
      if (s === 'scale') { sr.group = 'autoscaling'; sr.version = 'v1'; }
      if (s === 'eviction') { sr.group = 'policy'; sr.version = 'v1'; }
      if (s === 'token') { sr.group = 'authentication.k8s.io'; sr.version = 'v1'; }
      resources.push(sr);
    }
  }
  return { kind: 'APIResourceList', apiVersion: 'v1', groupVersion: group ? `${group}/${version}` : version, resources };
}
