/**
 * Role-based access control evaluated from the cluster's own rbac.authorization.k8s.io/v1 objects, as kube-apiserver's
 * RBAC authorizer does: ClusterRoleBindings grant their ClusterRole everywhere; RoleBindings grant their Role or
 * ClusterRole in their namespace only; rules match apiGroups, resources (`pods/log`, a wildcard, or a wildcard with a
 * subresource), resourceNames, verbs (wildcard too) and nonResourceURLs (exact or a prefix ending in a wildcard). Members of group system:masters may do everything.
 * Also the escalation check of the RBAC storage: a Role or binding may only grant what its author already holds,
 * unless the author may `escalate` / `bind` that role.
 */
/* eslint-disable @typescript-eslint/no-explicit-any */
import type { KubeObject as StoredObject, ObjectStore } from '../contracts';

type KubeObject = StoredObject & Record<string, any>;
import { ApiError, qualified } from './errors';

export interface UserInfo { name: string; groups: string[]; uid?: string }

export interface ResourceAttributes {
  verb: string;
  group: string;
  resource: string;
  subresource?: string;
  name?: string;
  namespace?: string;
}
export interface NonResourceAttributes { verb: string; path: string }
export type RequestAttributes = ResourceAttributes | NonResourceAttributes;

export interface PolicyRule {
  verbs: string[];
  apiGroups?: string[];
  resources?: string[];
  resourceNames?: string[];
  nonResourceURLs?: string[];
}

export interface Decision { allowed: boolean; reason: string }

export const RBAC_GROUP = 'rbac.authorization.k8s.io';
export const MASTERS = 'system:masters';
export const ANONYMOUS: UserInfo = { name: 'system:anonymous', groups: ['system:unauthenticated'] };

export function isResource(a: RequestAttributes): a is ResourceAttributes {
  return (a as ResourceAttributes).resource !== undefined;
}

/** The user a ServiceAccount token authenticates as. */
export function serviceAccountUser(namespace: string, name: string, uid?: string): UserInfo {
  return { name: `system:serviceaccount:${namespace}:${name}`, uid, groups: ['system:serviceaccounts', `system:serviceaccounts:${namespace}`, 'system:authenticated'] };
}

interface Grant { rule: PolicyRule; source: string }

function has(list: string[] | undefined, value: string): boolean {
  return !!list && (list.includes('*') || list.includes(value));
}

function resourceMatches(rule: PolicyRule, resource: string, sub: string | undefined): boolean {
  const combined = sub ? `${resource}/${sub}` : resource;
  return (rule.resources ?? []).some((r) => r === '*' || r === combined || (!!sub && r === `*/${sub}`));
}

function urlMatches(rule: PolicyRule, path: string): boolean {
  return (rule.nonResourceURLs ?? []).some((u) => u === '*' || u === path || (u.endsWith('*') && path.startsWith(u.slice(0, -1))));
}

export function ruleAllows(rule: PolicyRule, a: RequestAttributes): boolean {
  if (!has(rule.verbs, a.verb)) return false;
  if (!isResource(a)) return urlMatches(rule, a.path);
  if (!has(rule.apiGroups, a.group) || !resourceMatches(rule, a.resource, a.subresource)) return false;
  const names = rule.resourceNames ?? [];
  return names.length === 0 || (!!a.name && names.includes(a.name));
}

function subjectMatches(subject: Record<string, string>, user: UserInfo, bindingNamespace: string | undefined): boolean {
  switch (subject?.kind) {
    case 'User': return subject.name === user.name;
    case 'Group': return user.groups.includes(subject.name);
    case 'ServiceAccount': return user.name === `system:serviceaccount:${subject.namespace || bindingNamespace || ''}:${subject.name}`;
    default: return false;
  }
}

function subjectLabel(subject: Record<string, string>, bindingNamespace: string | undefined): string {
  return subject.kind === 'ServiceAccount' ? `ServiceAccount "${subject.name}/${subject.namespace || bindingNamespace}"` : `${subject.kind} "${subject.name}"`;
}

function labelsMatch(labels: Record<string, string>, selector: { matchLabels?: Record<string, string> }): boolean {
  return Object.entries(selector?.matchLabels ?? {}).every(([k, v]) => labels[k] === v);
}

export class RbacAuthorizer {
  constructor(private readonly store: ObjectStore) {}

  /** A ClusterRole's rules, with those of the ClusterRoles its aggregationRule selects. */
  private clusterRoleRules(name: string): PolicyRule[] | undefined {
    const role: KubeObject | undefined = this.store.get(`clusterroles.${RBAC_GROUP}`, undefined, name);
    if (!role) return undefined;
    const selectors = (role.aggregationRule?.clusterRoleSelectors ?? []) as Array<{ matchLabels?: Record<string, string> }>;
    if (!selectors.length) return (role.rules ?? []) as PolicyRule[];
    const rules = [...((role.rules ?? []) as PolicyRule[])];
    for (const other of this.store.list(`clusterroles.${RBAC_GROUP}`)) {
      if (other.metadata.name !== name && selectors.some((s) => labelsMatch(other.metadata.labels ?? {}, s))) rules.push(...((other.rules ?? []) as PolicyRule[]));
    }
    return rules;
  }

  private roleRules(ref: { kind?: string; name?: string }, namespace: string | undefined): PolicyRule[] | undefined {
    if (ref?.kind === 'ClusterRole') return this.clusterRoleRules(ref.name ?? '');
    if (ref?.kind === 'Role' && namespace) return this.store.get(`roles.${RBAC_GROUP}`, namespace, ref.name ?? '')?.rules as PolicyRule[] | undefined;
    return undefined;
  }

  /** Every rule that applies to `user` in `namespace` (cluster-wide grants included; none but those without one). */
  grants(user: UserInfo, namespace?: string): Grant[] {
    const out: Grant[] = [];
    const collect = (binding: KubeObject & Record<string, any>, kind: string, ns: string | undefined): void => {
      const subject = ((binding.subjects ?? []) as Array<Record<string, string>>).find((s) => subjectMatches(s, user, ns));
      if (!subject) return;
      const rules = this.roleRules(binding.roleRef, ns) ?? [];
      const where = ns ? `${binding.metadata.name}/${ns}` : binding.metadata.name;
      const source = `${kind} "${where}" of ${binding.roleRef?.kind} "${binding.roleRef?.name}" to ${subjectLabel(subject, ns)}`;
      for (const rule of rules) out.push({ rule, source });
    };
    for (const b of this.store.list(`clusterrolebindings.${RBAC_GROUP}`)) collect(b, 'ClusterRoleBinding', undefined);
    if (namespace) for (const b of this.store.list(`rolebindings.${RBAC_GROUP}`, namespace)) collect(b, 'RoleBinding', namespace);
    return out;
  }

  authorize(user: UserInfo, a: RequestAttributes): Decision {
    if (user.groups.includes(MASTERS)) return { allowed: true, reason: '' };
    const namespace = isResource(a) ? a.namespace : undefined;
    const hit = this.grants(user, namespace).find((g) => ruleAllows(g.rule, a));
    return hit ? { allowed: true, reason: `RBAC: allowed by ${hit.source}` } : { allowed: false, reason: '' };
  }

  /** Throws the apiserver's 403 when `user` may not do `a`. */
  check(user: UserInfo, a: RequestAttributes): void {
    if (!this.authorize(user, a).allowed) throw forbidden(user, a);
  }

  /** The rules a SelfSubjectRulesReview lists for `user` in `namespace`. */
  rules(user: UserInfo, namespace: string): { resourceRules: PolicyRule[]; nonResourceRules: PolicyRule[] } {
    if (user.groups.includes(MASTERS)) {
      return { resourceRules: [{ verbs: ['*'], apiGroups: ['*'], resources: ['*'] }], nonResourceRules: [{ verbs: ['*'], nonResourceURLs: ['*'] }] };
    }
    const resourceRules: PolicyRule[] = [];
    const nonResourceRules: PolicyRule[] = [];
    for (const { rule } of this.grants(user, namespace)) {
      if (rule.nonResourceURLs?.length) nonResourceRules.push({ verbs: rule.verbs, nonResourceURLs: rule.nonResourceURLs });
      if (rule.resources?.length) {
        const r: PolicyRule = { verbs: rule.verbs, apiGroups: rule.apiGroups ?? [], resources: rule.resources };
        if (rule.resourceNames?.length) r.resourceNames = rule.resourceNames;
        resourceRules.push(r);
      }
    }
    return { resourceRules, nonResourceRules };
  }

  /**
   * RBAC escalation prevention for a write of a Role, ClusterRole, RoleBinding or ClusterRoleBinding by `user`:
   * the rules granted must all be held by the user already (in the namespace of a Role/RoleBinding, cluster-wide
   * otherwise), unless the user may `escalate` the role (roles) or `bind` the referenced role (bindings).
   */
  checkEscalation(user: UserInfo, resource: string, obj: KubeObject): void {
    if (user.groups.includes(MASTERS)) return;
    const namespace = resource === 'roles' || resource === 'rolebindings' ? obj.metadata?.namespace : undefined;
    let granted: PolicyRule[];
    if (resource === 'roles' || resource === 'clusterroles') {
      if (this.authorize(user, { verb: 'escalate', group: RBAC_GROUP, resource, name: obj.metadata?.name, namespace }).allowed) return;
      granted = (obj.rules ?? []) as PolicyRule[];
    } else {
      const ref: { kind?: string; name?: string } = obj.roleRef ?? {};
      const refResource = ref.kind === 'ClusterRole' ? 'clusterroles' : 'roles';
      if (this.authorize(user, { verb: 'bind', group: RBAC_GROUP, resource: refResource, name: ref.name, namespace: refResource === 'roles' ? namespace : undefined }).allowed) return;
      const rules = this.roleRules(ref, namespace);
      if (!rules) throw new ApiError(404, 'NotFound', `${qualified(refResource, RBAC_GROUP)} "${ref.name}" not found`, { name: ref.name, group: RBAC_GROUP, kind: refResource });
      granted = rules;
    }
    const held = this.grants(user, namespace).map((g) => g.rule);
    const missing = granted.filter((rule) => !covered(held, rule));
    if (!missing.length) return;
    const groups = user.groups.map((g) => `"${g}"`).join(' ');
    throw new ApiError(403, 'Forbidden',
      `${qualified(resource, RBAC_GROUP)} "${obj.metadata?.name}" is forbidden: user "${user.name}" (groups=[${groups}]) is attempting to grant RBAC permissions not currently held:\n${missing.map(formatRule).join('\n')}`,
      { name: obj.metadata?.name, group: RBAC_GROUP, kind: resource });
  }
}

/** Whether `held` covers every atomic permission of `rule` (a wildcard is covered only by a wildcard). */
function covered(held: PolicyRule[], rule: PolicyRule): boolean {
  const lit = (list: string[] | undefined, v: string) => !!list && (list.includes('*') || list.includes(v));
  for (const verb of rule.verbs ?? []) {
    for (const url of rule.nonResourceURLs ?? []) {
      if (!held.some((h) => lit(h.verbs, verb) && (h.nonResourceURLs ?? []).some((u) => u === '*' || u === url || (u.endsWith('*') && url.startsWith(u.slice(0, -1)))))) return false;
    }
    for (const group of rule.apiGroups ?? []) {
      for (const resource of rule.resources ?? []) {
        const names = rule.resourceNames?.length ? rule.resourceNames : [undefined];
        for (const name of names) {
          const ok = held.some((h) => lit(h.verbs, verb) && lit(h.apiGroups, group)
            && (h.resources ?? []).some((r) => r === '*' || r === resource || (resource.includes('/') && r === `*/${resource.split('/')[1]}`))
            && (!(h.resourceNames?.length) || (name !== undefined && h.resourceNames.includes(name))));
          if (!ok) return false;
        }
      }
    }
  }
  return true;
}

function formatRule(r: PolicyRule): string {
  const q = (l: string[] | undefined) => `[${(l ?? []).map((x) => `"${x}"`).join(' ')}]`;
  if (r.nonResourceURLs?.length) return `{NonResourceURLs:${q(r.nonResourceURLs)}, Verbs:${q(r.verbs)}}`;
  const names = r.resourceNames?.length ? `, ResourceNames:${q(r.resourceNames)}` : '';
  return `{APIGroups:${q(r.apiGroups)}, Resources:${q(r.resources)}${names}, Verbs:${q(r.verbs)}}`;
}

/** RBAC's 403, worded as kube-apiserver words it. */
export function forbidden(user: UserInfo, a: RequestAttributes): ApiError {
  if (!isResource(a)) return new ApiError(403, 'Forbidden', `forbidden: User "${user.name}" cannot ${a.verb} path "${a.path}"`, {});
  const res = a.subresource ? `${a.resource}/${a.subresource}` : a.resource;
  const where = a.namespace ? `in the namespace "${a.namespace}"` : 'at the cluster scope';
  const subject = a.name ? `${qualified(a.resource, a.group)} "${a.name}"` : qualified(a.resource, a.group);
  return new ApiError(403, 'Forbidden', `${subject} is forbidden: User "${user.name}" cannot ${a.verb} resource "${res}" in API group "${a.group}" ${where}`,
    { name: a.name, group: a.group, kind: a.resource });
}
