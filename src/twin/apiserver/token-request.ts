/** POST serviceaccounts/<name>/token: the TokenRequest API (`kubectl create token <sa> [--duration]`). */
import type { KubeObject } from '../contracts';
import { badRequest } from './errors';
import { decodeBody, readBody, sendJson } from './http-util';
import type { ResourceRequest } from './rest';
import type { TokenAuthority } from './authn';
import { nowRfc3339 } from './store';

export async function handleTokenRequest(r: ResourceRequest, tokens: TokenAuthority): Promise<void> {
  const body = decodeBody(await readBody(r.req), r.req.headers['content-type']) as KubeObject | undefined;
  if (!body || typeof body !== 'object' || Array.isArray(body)) throw badRequest('the body of the request could not be decoded as an object of kind TokenRequest');
  if (body.kind !== undefined && body.kind !== 'TokenRequest') throw badRequest(`the kind in the data (${String(body.kind)}) does not match the expected kind (TokenRequest)`);
  const spec = (body.spec ?? {}) as { expirationSeconds?: number; audiences?: string[]; boundObjectRef?: unknown };
  const issued = tokens.request(r.namespace ?? 'default', r.name!, { expirationSeconds: spec.expirationSeconds, audiences: spec.audiences });
  const seconds = Math.round((Date.parse(issued.expirationTimestamp) - Date.now()) / 1000);
  sendJson(r.res, 201, {
    kind: 'TokenRequest', apiVersion: 'authentication.k8s.io/v1',
    metadata: { name: r.name, namespace: r.namespace, creationTimestamp: nowRfc3339() },
    spec: { audiences: spec.audiences ?? ['https://kubernetes.default.svc.cluster.local'], expirationSeconds: spec.expirationSeconds ?? seconds, boundObjectRef: spec.boundObjectRef ?? null },
    status: { token: issued.token, expirationTimestamp: issued.expirationTimestamp },
  });
}
