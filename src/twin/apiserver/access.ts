/**
 * Who is calling and what they may do, for one request. Two modes:
 * - identities (the TLS twin): the bearer token names the user (authn.ts), RBAC decides (rbac.ts), every request is
 *   checked as kube-apiserver checks it — non-resource paths, resources with subresources, proxy, exec;
 * - views (the per-session plain-http twin): the admin path prefix or the restricted agent (views.ts).
 * The handlers call `checkResource` / `reviewer`; they do not care which mode is on.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { ANONYMOUS, isResource, RbacAuthorizer, type Decision, type PolicyRule, type RequestAttributes, type UserInfo } from './rbac';
import type { TokenAuthority } from './authn';
import { ADMIN_USER } from './authn';
import { HIDDEN_GROUPS, restrictedUser } from './views';

export interface IdentityConfig {
  authority: TokenAuthority;
  rbac: RbacAuthorizer;
}

const USER = Symbol('twin.user');

type Tagged = Record<symbol, UserInfo | undefined>;

/** Authenticates the request (throws 401 for a bad token) and remembers the user on `res`. */
export function identify(req: IncomingMessage, res: ServerResponse, cfg: IdentityConfig): UserInfo {
  const user = cfg.authority.authenticate(req.headers.authorization) ?? ANONYMOUS;
  (res as unknown as Tagged)[USER] = user;
  return user;
}

export function userOf(res: ServerResponse): UserInfo | undefined {
  return (res as unknown as Tagged)[USER];
}

/** Throws RBAC's 403 unless the caller may do `a` (identities mode; a no-op otherwise). */
export function checkAccess(res: ServerResponse, cfg: IdentityConfig | undefined, a: RequestAttributes): void {
  const user = userOf(res);
  if (cfg && user) cfg.rbac.check(user, a);
}

/** What `kubectl auth can-i` and `auth whoami` are answered from for this caller. */
export interface AccessReviewer {
  user: UserInfo;
  review(a: RequestAttributes): Decision;
  rules(namespace: string): { resourceRules: PolicyRule[]; nonResourceRules: PolicyRule[]; incomplete: boolean };
}

export function reviewer(res: ServerResponse, cfg: IdentityConfig | undefined): AccessReviewer {
  const user = userOf(res);
  if (cfg && user) {
    return { user, review: (a) => cfg.rbac.authorize(user, a), rules: (ns) => ({ ...cfg.rbac.rules(user, ns), incomplete: false }) };
  }
  const restricted = restrictedUser(res);
  const all = { resourceRules: [{ verbs: ['*'], apiGroups: ['*'], resources: ['*'] }], nonResourceRules: [{ verbs: ['*'], nonResourceURLs: ['*'] }] };
  if (!restricted) return { user: ADMIN_USER, review: () => ({ allowed: true, reason: 'RBAC: allowed by ClusterRoleBinding "cluster-admin"' }), rules: () => ({ ...all, incomplete: false }) };
  return {
    user: { name: restricted, groups: ['system:serviceaccounts', 'system:authenticated'] },
    review: (a) => (isResource(a) && HIDDEN_GROUPS.has(a.group) ? { allowed: false, reason: '' } : { allowed: true, reason: 'RBAC: allowed by RoleBinding "aiopslab-agent"' }),
    rules: () => ({ ...all, incomplete: true }),
  };
}
