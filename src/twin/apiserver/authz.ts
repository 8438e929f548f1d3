/**
 * authorization.k8s.io/v1 SelfSubjectAccessReview and SelfSubjectRulesReview (`kubectl auth can-i [--list]`) and
 * authentication.k8s.io/v1 SelfSubjectReview (`kubectl auth whoami`), answered from the caller's access (access.ts):
 * RBAC on the TLS twin; on the plain-http twin the admin may do everything, the restricted view all but the hidden
 * groups.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { badRequest, methodNotAllowed, pathNotFound } from './errors';
import { decodeBody, readBody, sendJson } from './http-util';
import type { ResourceInfo } from './registry';
import type { AccessReviewer } from './access';
import type { RequestAttributes } from './rbac';

function reviewType(group: string, resource: string, kind: string): ResourceInfo {
  return { group, version: 'v1', resource, kind, namespaced: false, singular: '', shortNames: [], categories: [], verbs: ['create'], subresources: [], custom: false };
}

export const AUTHZ_TYPES: ResourceInfo[] = [
  reviewType('authorization.k8s.io', 'selfsubjectaccessreviews', 'SelfSubjectAccessReview'),
  reviewType('authorization.k8s.io', 'selfsubjectrulesreviews', 'SelfSubjectRulesReview'),
  reviewType('authentication.k8s.io', 'selfsubjectreviews', 'SelfSubjectReview'),
];

/** Whether `/apis/<group>/v1/<resource>` is one of the review endpoints. */
export function isReviewPath(group: string, version: string, resource: string): boolean {
  return version === 'v1' && AUTHZ_TYPES.some((t) => t.group === group && t.resource === resource);
}

export async function handleAuthz(group: string, resource: string, method: string, req: IncomingMessage, res: ServerResponse, access: AccessReviewer): Promise<void> {
  const type = AUTHZ_TYPES.find((t) => t.group === group && t.resource === resource);
  if (!type) throw pathNotFound();
  if (method !== 'POST') throw methodNotAllowed();
  const body = decodeBody(await readBody(req), req.headers['content-type']) as { spec?: Record<string, any> }; // eslint-disable-line @typescript-eslint/no-explicit-any
  if (!body || typeof body !== 'object') throw badRequest(`the body of the request could not be decoded as an object of kind ${type.kind}`);
  const head = { kind: type.kind, apiVersion: `${type.group}/v1`, metadata: { creationTimestamp: null } };
  if (type.kind === 'SelfSubjectReview') {
    const u = access.user;
    sendJson(res, 201, { ...head, status: { userInfo: { username: u.name, ...(u.uid ? { uid: u.uid } : {}), groups: u.groups } } });
    return;
  }
  if (type.kind === 'SelfSubjectAccessReview') {
    const spec = body.spec ?? {};
    const r = spec.resourceAttributes;
    const n = spec.nonResourceAttributes;
    if (!r && !n) throw badRequest('SelfSubjectAccessReview.authorization.k8s.io "" is invalid: spec.resourceAttributes: Invalid value: "null": exactly one of nonResourceAttributes or resourceAttributes must be specified');
    const attrs: RequestAttributes = r
      ? { verb: String(r.verb ?? ''), group: String(r.group ?? ''), resource: String(r.resource ?? ''), subresource: r.subresource || undefined, name: r.name || undefined, namespace: r.namespace || undefined }
      : { verb: String(n.verb ?? ''), path: String(n.path ?? '') };
    const d = access.review(attrs);
    sendJson(res, 201, { ...head, spec, status: d.allowed ? { allowed: true, reason: d.reason } : { allowed: false } });
    return;
  }
  const ns = String(body.spec?.namespace ?? '');
  sendJson(res, 201, { ...head, spec: body.spec ?? {}, status: access.rules(ns) });
}
