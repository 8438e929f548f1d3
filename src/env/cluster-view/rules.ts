/**
 * What the agent's view of a cluster leaves out: the fault machinery. Pure decisions about paths and objects; the
 * proxy (proxy.ts) applies them to every request and response.
 *
 * - API groups: chaos-mesh.org (every Chaos Mesh kind) — absent from discovery, its paths answer 404 as for a group the
 *   server does not serve, its CustomResourceDefinitions are not listed.
 * - Namespaces: chaos-mesh (Chaos Mesh's controller and, with our injectors, every experiment and its Events) —
 *   it behaves as a namespace that does not exist.
 * - Events whose involved object (core/v1 `involvedObject`, events.k8s.io `regarding`/`related`) is in a hidden group
 *   or namespace.
 * - Annotations, labels, finalizers and managed-field entries that name the machinery: keys under `*.chaos-mesh.org/`
 *   or under a prefix of ours (containing `aiopslab`), and the annotation in which Chaos Mesh's pod-failure keeps a
 *   container's original image (`chaos-mesh-<chaos>-<action>-<container>-normal-image`, or `<container>-normal`
 *   when that is too long).
 * - Cluster-scoped objects Chaos Mesh's Helm chart installs (RBAC, webhooks): labelled part-of / instance chaos-mesh.
 */
import { CHAOS_GROUP, CHAOS_NAMESPACE } from '../faults/chaos-mesh';

/* eslint-disable @typescript-eslint/no-explicit-any */

export interface ViewRules {
  hiddenGroups: ReadonlySet<string>;
  hiddenNamespaces: ReadonlySet<string>;
}

export const DEFAULT_VIEW_RULES: ViewRules = {
  hiddenGroups: new Set([CHAOS_GROUP]),
  hiddenNamespaces: new Set([CHAOS_NAMESPACE]),
};

/** The group of an apiVersion (`chaos-mesh.org/v1alpha1` → `chaos-mesh.org`, `v1` → ``). */
export function groupOf(apiVersion: unknown): string {
  const v = typeof apiVersion === 'string' ? apiVersion : '';
  const slash = v.indexOf('/');
  return slash < 0 ? '' : v.slice(0, slash);
}

/** A group name that is, or is a subdomain of, a hidden group (`chaos-mesh.org`, `x.chaos-mesh.org`). */
export function isHiddenGroup(rules: ViewRules, group: string): boolean {
  for (const g of rules.hiddenGroups) if (group === g || group.endsWith(`.${g}`)) return true;
  return false;
}

/** Keys of annotations/labels/finalizers that name the machinery. `containers`: the pod's container names. */
export function isHiddenKey(rules: ViewRules, key: string, containers: readonly string[] = []): boolean {
  const slash = key.indexOf('/');
  if (slash > 0) {
    const prefix = key.slice(0, slash);
    if (prefix.includes('aiopslab') || isHiddenGroup(rules, prefix) || prefix === 'chaos-mesh') return true;
  }
  if (/^chaos-mesh-.*-normal-image$/.test(key)) return true;
  return containers.some((c) => key === `${c}-normal`);
}

function involvedHidden(rules: ViewRules, ref: any): boolean {
  if (!ref || typeof ref !== 'object') return false;
  return isHiddenGroup(rules, groupOf(ref.apiVersion)) || rules.hiddenNamespaces.has(String(ref.namespace ?? ''));
}

const PART_OF_MACHINERY = ['app.kubernetes.io/part-of', 'app.kubernetes.io/instance', 'app.kubernetes.io/name'];

/**
 * Whether an object (as the API returns it) is fault machinery and must not be shown at all. `resource`: the plural
 * the request named — list items and Table rows carry no kind of their own.
 */
export function isHiddenObject(rules: ViewRules, obj: any, resource?: string): boolean {
  if (!obj || typeof obj !== 'object') return false;
  const meta = obj.metadata ?? {};
  if (rules.hiddenNamespaces.has(String(meta.namespace ?? ''))) return true;
  if (isHiddenGroup(rules, groupOf(obj.apiVersion))) return true;
  if ((obj.kind === 'Namespace' || resource === 'namespaces') && rules.hiddenNamespaces.has(String(meta.name ?? ''))) return true;
  if ((obj.kind === 'CustomResourceDefinition' || resource === 'customresourcedefinitions')
    && isHiddenGroup(rules, String(obj.spec?.group ?? String(meta.name ?? '').split('.').slice(1).join('.')))) return true;
  if (obj.involvedObject && involvedHidden(rules, obj.involvedObject)) return true;
  if (obj.regarding && involvedHidden(rules, obj.regarding)) return true;
  if (obj.related && involvedHidden(rules, obj.related)) return true;
  const labels = meta.labels ?? {};
  return PART_OF_MACHINERY.some((k) => rules.hiddenNamespaces.has(String(labels[k] ?? '')));
}

/** Removes, in place, the keys and entries of an object's metadata that name the machinery. */
export function redactObject(rules: ViewRules, obj: any): void {
  const meta = obj?.metadata;
  if (!meta || typeof meta !== 'object') return;
  const containers = obj.kind === 'Pod' || obj.spec?.containers
    ? [...(obj.spec?.initContainers ?? []), ...(obj.spec?.containers ?? [])].map((c: any) => String(c?.name ?? ''))
    : [];
  for (const field of ['annotations', 'labels'] as const) {
    const map = meta[field];
    if (!map || typeof map !== 'object') continue;
    for (const k of Object.keys(map)) if (isHiddenKey(rules, k, containers)) delete map[k];
  }
  if (Array.isArray(meta.finalizers)) meta.finalizers = meta.finalizers.filter((f: string) => !/chaos-mesh|aiopslab/.test(f));
  if (Array.isArray(meta.managedFields)) meta.managedFields = meta.managedFields.filter((m: any) => !/chaos|aiopslab/i.test(JSON.stringify(m)));
}

/** Where a request goes, as far as the view cares. */
export interface RequestTarget {
  /** The API group (`` for core), when the path is a group's or below. */
  group?: string;
  namespace?: string;
  resource?: string;
  name?: string;
  /** The path is under /openapi. */
  openapi: boolean;
}

/** Parses `/api/v1/...`, `/apis/<group>/<version>/...`, `/openapi/v3/apis/<group>/...` (query string excluded). */
export function parseTarget(pathname: string): RequestTarget {
  const parts = pathname.split('/').filter(Boolean).map((p) => decodeURIComponent(p));
  const openapi = parts[0] === 'openapi';
  const at = openapi ? parts.slice(2) : parts;
  let rest: string[];
  let group: string | undefined;
  if (at[0] === 'api') { group = ''; rest = at.slice(2); } else if (at[0] === 'apis' && at[1]) { group = at[1]; rest = at.slice(3); } else return { openapi };
  if (rest[0] === 'watch') rest = rest.slice(1);
  let namespace: string | undefined;
  if (rest[0] === 'namespaces' && rest[1] !== undefined && rest.length > 2) { namespace = rest[1]; rest = rest.slice(2); }
  return { group, namespace, resource: rest[0], name: rest[1], openapi };
}
