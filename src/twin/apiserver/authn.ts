/**
 * Authentication by bearer token, as kube-apiserver does it on a kind cluster:
 * - the admin token (the twin's kubeconfig) is user `kubernetes-admin` in group system:masters;
 * - ServiceAccount tokens, issued by the TokenRequest API (`kubectl create token`, bound to the ServiceAccount's uid,
 *   with an expiry) or written into Secrets of type kubernetes.io/service-account-token by the token controller
 *   below (bound to the Secret, no expiry), authenticate as `system:serviceaccount:<ns>:<name>`;
 * - no token: system:anonymous; any other token, an expired one, or one whose ServiceAccount (or Secret) is gone: 401.
 * Tokens are JWTs with the claims the real ones carry, signed HS256 with a key made per twin (only this server ever
 * verifies them, so a shared secret does what the real service-account key pair does).
 */
import { createHmac, randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import type { KubeObject, ObjectStore } from '../contracts';
import { ApiError, badRequest, notFound } from './errors';
import { MASTERS, serviceAccountUser, type UserInfo } from './rbac';

export const ADMIN_USER: UserInfo = { name: 'kubernetes-admin', groups: [MASTERS, 'system:authenticated'] };
const ISSUER = 'https://kubernetes.default.svc.cluster.local';
const LEGACY_ISSUER = 'kubernetes/serviceaccount';
export const SA_TOKEN_TYPE = 'kubernetes.io/service-account-token';
/** kube-apiserver refuses shorter TokenRequests. */
const MIN_EXPIRATION_S = 600;
const DEFAULT_EXPIRATION_S = 3600;

export function unauthorized(): ApiError {
  return new ApiError(401, 'Unauthorized' as never, 'Unauthorized');
}

function b64url(data: Buffer | string): string {
  return Buffer.from(data).toString('base64url');
}

interface Claims {
  iss: string;
  sub: string;
  aud?: string[];
  exp?: number;
  iat?: number;
  nbf?: number;
  jti?: string;
  'kubernetes.io'?: { namespace: string; serviceaccount: { name: string; uid: string } };
  'kubernetes.io/serviceaccount/namespace'?: string;
  'kubernetes.io/serviceaccount/secret.name'?: string;
  'kubernetes.io/serviceaccount/service-account.name'?: string;
  'kubernetes.io/serviceaccount/service-account.uid'?: string;
}

export interface TokenAuthorityOptions {
  /** The admin bearer token; undefined: no admin token (callers are recognised otherwise, e.g. by the views). */
  adminToken?: string;
  /** Wall clock in ms (tests). */
  now?: () => number;
}

export class TokenAuthority {
  private readonly key = randomBytes(32);
  private readonly kid = randomBytes(8).toString('hex');
  private readonly now: () => number;

  constructor(private readonly store: ObjectStore, private readonly opts: TokenAuthorityOptions = {}) {
    this.now = opts.now ?? Date.now;
  }

  private sign(claims: Claims): string {
    const head = b64url(JSON.stringify({ alg: 'HS256', kid: this.kid }));
    const body = b64url(JSON.stringify(claims));
    const mac = createHmac('sha256', this.key).update(`${head}.${body}`).digest();
    return `${head}.${body}.${b64url(mac)}`;
  }

  private verify(token: string): Claims | undefined {
    const parts = token.split('.');
    if (parts.length !== 3) return undefined;
    const mac = createHmac('sha256', this.key).update(`${parts[0]}.${parts[1]}`).digest();
    const given = Buffer.from(parts[2], 'base64url');
    if (given.length !== mac.length || !timingSafeEqual(given, mac)) return undefined;
    try { return JSON.parse(Buffer.from(parts[1], 'base64url').toString('utf8')) as Claims; } catch { return undefined; }
  }

  /** A TokenRequest for ServiceAccount `namespace/name`: the token and when it expires. */
  request(namespace: string, name: string, spec: { expirationSeconds?: number; audiences?: string[] } = {}): { token: string; expirationTimestamp: string } {
    const sa = this.store.get('serviceaccounts', namespace, name);
    if (!sa) throw notFound('serviceaccounts', '', name);
    const seconds = spec.expirationSeconds ?? DEFAULT_EXPIRATION_S;
    if (!Number.isInteger(seconds) || seconds < MIN_EXPIRATION_S) throw badRequest(`TokenRequest.authentication.k8s.io "${name}" is invalid: spec.expirationSeconds: Invalid value: ${seconds}: may not specify a duration less than 10 minutes`);
    const iat = Math.floor(this.now() / 1000);
    const exp = iat + seconds;
    const token = this.sign({
      aud: spec.audiences?.length ? spec.audiences : [ISSUER], exp, iat, nbf: iat, iss: ISSUER, jti: randomUUID(), sub: `system:serviceaccount:${namespace}:${name}`,
      'kubernetes.io': { namespace, serviceaccount: { name, uid: sa.metadata.uid ?? '' } },
    });
    return { token, expirationTimestamp: new Date(exp * 1000).toISOString().replace(/\.\d+Z$/, 'Z') };
  }

  /** The long-lived token the token controller writes into a service-account-token Secret. */
  secretToken(secret: KubeObject, sa: KubeObject): string {
    const namespace = secret.metadata.namespace ?? 'default';
    return this.sign({
      iss: LEGACY_ISSUER, sub: `system:serviceaccount:${namespace}:${sa.metadata.name}`,
      'kubernetes.io/serviceaccount/namespace': namespace,
      'kubernetes.io/serviceaccount/secret.name': secret.metadata.name,
      'kubernetes.io/serviceaccount/service-account.name': sa.metadata.name,
      'kubernetes.io/serviceaccount/service-account.uid': sa.metadata.uid,
    });
  }

  /**
   * The caller of a request from its Authorization header: the user, `undefined` when it sent no bearer token
   * (anonymous), or throws 401 for a token this cluster does not accept.
   */
  authenticate(header: string | string[] | undefined): UserInfo | undefined {
    const value = Array.isArray(header) ? header[0] : header;
    if (!value) return undefined;
    const m = /^Bearer\s+(\S+)\s*$/i.exec(value);
    if (!m) throw unauthorized();
    const token = m[1];
    const admin = this.opts.adminToken;
    if (admin && token.length === admin.length && timingSafeEqual(Buffer.from(token), Buffer.from(admin))) return ADMIN_USER;
    const claims = this.verify(token);
    if (!claims) throw unauthorized();
    if (claims.iss === ISSUER && claims['kubernetes.io']) {
      if (!claims.exp || claims.exp * 1000 <= this.now()) throw unauthorized();
      const { namespace, serviceaccount } = claims['kubernetes.io'];
      const sa = this.store.get('serviceaccounts', namespace, serviceaccount.name);
      if (!sa || sa.metadata.uid !== serviceaccount.uid) throw unauthorized();
      return serviceAccountUser(namespace, serviceaccount.name, serviceaccount.uid);
    }
    if (claims.iss === LEGACY_ISSUER) {
      const namespace = claims['kubernetes.io/serviceaccount/namespace'] ?? '';
      const name = claims['kubernetes.io/serviceaccount/service-account.name'] ?? '';
      const sa = this.store.get('serviceaccounts', namespace, name);
      const secret = this.store.get('secrets', namespace, claims['kubernetes.io/serviceaccount/secret.name'] ?? '');
      if (!sa || sa.metadata.uid !== claims['kubernetes.io/serviceaccount/service-account.uid'] || !secret || secret.type !== SA_TOKEN_TYPE) throw unauthorized();
      return serviceAccountUser(namespace, name, sa.metadata.uid);
    }
    throw unauthorized();
  }
}

/**
 * The token controller: fills every Secret of type kubernetes.io/service-account-token whose ServiceAccount exists
 * with `token`, `ca.crt` and `namespace` (and the ServiceAccount's uid annotation), as kube-controller-manager does.
 */
export function startTokenController(store: ObjectStore, authority: TokenAuthority, caPem: string): () => void {
  const fill = (secret: KubeObject): void => {
    if (secret.type !== SA_TOKEN_TYPE || secret.metadata.deletionTimestamp) return;
    const saName = secret.metadata.annotations?.['kubernetes.io/service-account.name'];
    if (!saName || (secret.data as Record<string, string> | undefined)?.token) return;
    const sa = store.get('serviceaccounts', secret.metadata.namespace, saName);
    if (!sa) return;
    const next = structuredClone(secret);
    next.metadata.annotations = { ...next.metadata.annotations, 'kubernetes.io/service-account.uid': sa.metadata.uid ?? '' };
    next.data = {
      ...(next.data ?? {}),
      'ca.crt': Buffer.from(caPem).toString('base64'),
      namespace: Buffer.from(secret.metadata.namespace ?? 'default').toString('base64'),
      token: Buffer.from(authority.secretToken(secret, sa)).toString('base64'),
    };
    try { store.update('secrets', next); } catch { /* changed meanwhile: the next event fills it */ }
  };
  return store.subscribe((e) => {
    if (e.type === 'DELETED') return;
    if (e.resource === 'secrets') fill(e.object);
    else if (e.resource === 'serviceaccounts') for (const s of store.list('secrets', e.object.metadata.namespace)) fill(s);
  });
}
