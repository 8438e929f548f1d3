/**
 * Two views of one cluster. The orchestrator's credentials (the admin token) see everything; any other caller — the
 * agent's kubeconfig — is treated like a namespaced service account whose RBAC does not cover the fault machinery:
 * Chaos Mesh resources and CustomResourceDefinitions answer 403 exactly as RBAC would, and annotations of our own
 * (keys whose prefix contains "aiopslab") are removed from every object it reads.
 * kubectl sends no bearer token over plain http, so the orchestrator is recognised by a secret path prefix in its
 * kubeconfig's server URL (`http://127.0.0.1:PORT/<adminPrefix>`); the plain URL is the restricted view.
 * On a real cluster the same is done with a ServiceAccount + Role/ClusterRole that grants get/list/watch/… on
 * the app's resources but nothing in API group chaos-mesh.org or apiextensions.k8s.io (see docs/twin.md).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { forbidden } from './rbac';
import type { ResourceInfo } from './registry';

export interface ViewConfig {
  /** The orchestrator's secret path prefix (`/admin-…`). When unset, every caller sees everything (tests, hand use). */
  adminPrefix?: string;
  /** The user name RBAC messages show for restricted callers. */
  agentUser?: string;
}

export const HIDDEN_GROUPS = new Set(['chaos-mesh.org', 'apiextensions.k8s.io']);

const RESTRICTED = Symbol('twin.restricted');

/** Strips the admin prefix from `req.url` (true when present). */
export function stripAdminPrefix(req: IncomingMessage, cfg: ViewConfig): boolean {
  const p = cfg.adminPrefix;
  const url = req.url ?? '/';
  if (!p) return true;
  if (url === p || url.startsWith(p + '/') || url.startsWith(p + '?')) {
    req.url = url.slice(p.length) || '/';
    if (req.url.startsWith('?')) req.url = '/' + req.url;
    return true;
  }
  return false;
}

export function classify(req: IncomingMessage, res: ServerResponse, cfg: ViewConfig): void {
  if (!stripAdminPrefix(req, cfg)) (res as unknown as Record<symbol, string>)[RESTRICTED] = cfg.agentUser ?? 'system:serviceaccount:default:aiopslab-agent';
}

export function restrictedUser(res: ServerResponse): string | undefined {
  return (res as unknown as Record<symbol, string | undefined>)[RESTRICTED];
}

/** Throws RBAC's 403 when a restricted caller touches a hidden resource. */
export function authorize(res: ServerResponse, info: ResourceInfo, verb: string, namespace: string | undefined, name: string | undefined, sub?: string): void {
  const user = restrictedUser(res);
  if (!user || !HIDDEN_GROUPS.has(info.group)) return;
  throw forbidden({ name: user, groups: [] }, { verb, group: info.group, resource: info.resource, subresource: sub, namespace, name });
}

function hiddenKey(k: string): boolean {
  const slash = k.indexOf('/');
  return slash > 0 && k.slice(0, slash).includes('aiopslab');
}

/** Removes our own annotations from every object inside a response body (in place). */
export function redact(body: unknown): unknown {
  const walk = (v: unknown, depth: number): void => {
    if (!v || typeof v !== 'object' || depth > 8) return;
    if (Array.isArray(v)) { for (const x of v) walk(x, depth + 1); return; }
    const o = v as Record<string, unknown>;
    const meta = o.metadata as Record<string, unknown> | undefined;
    if (meta && typeof meta === 'object' && meta.annotations && typeof meta.annotations === 'object') {
      const ann = meta.annotations as Record<string, string>;
      for (const k of Object.keys(ann)) if (hiddenKey(k)) delete ann[k];
    }
    for (const k of ['items', 'rows', 'object']) if (o[k]) walk(o[k], depth + 1);
  };
  walk(body, 0);
  return body;
}

export function viewFilter(res: ServerResponse): ((body: unknown) => unknown) | undefined {
  return restrictedUser(res) ? redact : undefined;
}
