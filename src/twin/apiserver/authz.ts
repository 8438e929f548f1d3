/**
 * authorization.k8s.io/v1 SelfSubjectAccessReview and SelfSubjectRulesReview, so `kubectl auth can-i` answers:
 * the orchestrator may do everything; a restricted caller (the agent's view) everything except the hidden groups.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { badRequest, methodNotAllowed, pathNotFound } from './errors';
import { decodeBody, readBody, sendJson } from './http-util';
import type { ResourceInfo } from './registry';
import { HIDDEN_GROUPS, restrictedUser } from './views';

export const AUTHZ_TYPES: ResourceInfo[] = ['selfsubjectaccessreviews', 'selfsubjectrulesreviews'].map((resource) => ({
  group: 'authorization.k8s.io', version: 'v1', resource, kind: resource === 'selfsubjectaccessreviews' ? 'SelfSubjectAccessReview' : 'SelfSubjectRulesReview',
  namespaced: false, singular: '', shortNames: [], categories: [], verbs: ['create'], subresources: [], custom: false,
}));

export async function handleAuthz(resource: string, method: string, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const type = AUTHZ_TYPES.find((t) => t.resource === resource);
  if (!type) throw pathNotFound();
  if (method !== 'POST') throw methodNotAllowed();
  const body = decodeBody(await readBody(req), req.headers['content-type']) as { spec?: Record<string, any> }; // eslint-disable-line @typescript-eslint/no-explicit-any
  if (!body || typeof body !== 'object') throw badRequest(`the body of the request could not be decoded as an object of kind ${type.kind}`);
  const restricted = !!restrictedUser(res);
  if (type.kind === 'SelfSubjectAccessReview') {
    const attrs = body.spec?.resourceAttributes;
    const denied = restricted && attrs && HIDDEN_GROUPS.has(String(attrs.group ?? ''));
    sendJson(res, 201, {
      kind: 'SelfSubjectAccessReview', apiVersion: 'authorization.k8s.io/v1', metadata: { creationTimestamp: null }, spec: body.spec ?? {},
      status: denied ? { allowed: false } : { allowed: true, reason: restricted ? 'RBAC: allowed by RoleBinding "aiopslab-agent"' : 'RBAC: allowed by ClusterRoleBinding "cluster-admin"' },
    });
    return;
  }
  sendJson(res, 201, {
    kind: 'SelfSubjectRulesReview', apiVersion: 'authorization.k8s.io/v1', metadata: { creationTimestamp: null }, spec: body.spec ?? {},
    status: { resourceRules: [{ verbs: ['*'], apiGroups: ['*'], resources: ['*'] }], nonResourceRules: [{ verbs: ['*'], nonResourceURLs: ['*'] }], incomplete: restricted },
  });
}
