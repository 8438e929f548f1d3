/**
 * The API server's proxy subresources, as kube-apiserver 1.31 resolves them:
 *
 *   /api/v1/namespaces/<ns>/services/[scheme:]<name>[:<port>]/proxy/<path>   (port: number or port name)
 *   /api/v1/namespaces/<ns>/pods/[scheme:]<name>[:<port>]/proxy/<path>
 *
 * A Service is resolved through its Endpoints object to one ready address and the endpoint port named like the
 * Service port (a numeric port is first mapped to its Service port's name), exactly like the real ResourceLocation:
 * no subsets → 503 `no endpoints available for service "<name>"`; no ready address with that port → 503
 * `no endpoints available for service "<id>"`; an unknown port number → 503 `no service port N found for service
 * "<name>"`. What answers at the chosen pod IP and port is the twin's business (`ProxyBackend`, e.g. the twin's own
 * Prometheus / Jaeger query APIs for the pods that run them); when nothing does, the reply is the apiserver's dial
 * failure: 503 `error trying to reach service: dial tcp <ip>:<port>: connect: connection refused`.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { KubeObject } from '../contracts';
import { ApiError, badRequest, notFound } from './errors';
import type { MemoryStore } from './store';

/** Serves one proxied request (req.url already rewritten to the backend path); false = the backend's 404. */
export type ProxyHandler = (req: IncomingMessage, res: ServerResponse) => Promise<boolean>;

export interface ProxyDestination {
  namespace: string;
  pod: KubeObject;
  ip: string;
  port: number;
  scheme: 'http' | 'https';
}

/** What listens at a pod's IP and port (undefined: nothing — connection refused). */
export type ProxyBackend = (dest: ProxyDestination) => ProxyHandler | undefined;

const PROXY_PATH = /^\/api\/v1\/namespaces\/([^/]+)\/(services|pods)\/([^/]+)\/proxy(\/.*)?$/;

/** True for the paths this module serves. */
export function isProxyPath(pathname: string): boolean {
  return PROXY_PATH.test(pathname);
}

function unavailable(message: string): ApiError {
  return new ApiError(503, 'ServiceUnavailable' as never, message);
}

/** `[scheme:]name[:port]` as utilnet.SplitSchemeNamePort splits it. */
export function splitSchemeNamePort(id: string): { scheme: string; name: string; port: string } | undefined {
  const parts = id.split(':');
  let scheme = '';
  let name = '';
  let port = '';
  if (parts.length === 1) name = parts[0];
  else if (parts.length === 2) [name, port] = parts;
  else if (parts.length === 3) [scheme, name, port] = parts;
  else return undefined;
  if (!name || !['', 'http', 'https'].includes(scheme)) return undefined;
  return { scheme, name, port };
}

let rotation = 0;

/** The destination of a Service proxy request (throws the apiserver's errors). */
export function resolveService(store: MemoryStore, namespace: string, id: string): ProxyDestination {
  const parsed = splitSchemeNamePort(id);
  if (!parsed) throw badRequest(`invalid service request "${id}"`);
  const { scheme, name } = parsed;
  let portName = parsed.port;
  if (/^[0-9]+$/.test(portName)) {
    const svc = store.get('services', namespace, name);
    if (!svc) throw notFound('services', '', name);
    const sp = ((svc.spec?.ports ?? []) as Array<{ name?: string; port: number }>).find((p) => Number(p.port) === Number(portName));
    if (!sp) throw unavailable(`no service port ${Number(portName)} found for service "${name}"`);
    portName = sp.name ?? '';
  }
  const ep = store.get('endpoints', namespace, name);
  if (!ep) throw notFound('endpoints', '', name);
  const subsets = (ep.subsets ?? []) as Array<{ addresses?: Array<{ ip: string; targetRef?: { kind?: string; name?: string } }>; ports?: Array<{ name?: string; port: number }> }>;
  if (subsets.length === 0) throw unavailable(`no endpoints available for service "${name}"`);
  const start = rotation++;
  for (let i = 0; i < subsets.length; i++) {
    const ss = subsets[(start + i) % subsets.length];
    const addresses = ss.addresses ?? [];
    if (addresses.length === 0) continue;
    const port = (ss.ports ?? []).find((p) => (p.name ?? '') === portName);
    if (!port) continue;
    for (let j = 0; j < addresses.length; j++) {
      const addr = addresses[(start + j) % addresses.length];
      // The real apiserver checks that the address still belongs to a pod with that IP.
      const pod = addr.targetRef?.kind === 'Pod' && addr.targetRef.name ? store.get('pods', namespace, addr.targetRef.name) : undefined;
      if (!pod || pod.status?.podIP !== addr.ip) continue;
      return { namespace, pod, ip: addr.ip, port: Number(port.port), scheme: scheme === 'https' ? 'https' : 'http' };
    }
  }
  throw unavailable(`no endpoints available for service "${id}"`);
}

/** The destination of a Pod proxy request (throws the apiserver's errors). */
export function resolvePod(store: MemoryStore, namespace: string, id: string): ProxyDestination {
  const parsed = splitSchemeNamePort(id);
  if (!parsed) throw badRequest(`invalid pod request "${id}"`);
  const pod = store.get('pods', namespace, parsed.name);
  if (!pod) throw notFound('pods', '', parsed.name);
  const ip = String(pod.status?.podIP ?? '');
  if (!ip) throw badRequest('address not allowed');
  let port = parsed.port;
  if (!port) {
    for (const c of (pod.spec?.containers ?? []) as Array<{ ports?: Array<{ containerPort: number }> }>) {
      if (c.ports?.length) { port = String(c.ports[0].containerPort); break; }
    }
  }
  if (!/^[0-9]+$/.test(port || '80')) throw unavailable(`error trying to reach service: dial tcp: address ${ip}:${port}: invalid port`);
  return { namespace, pod, ip, port: Number(port || 80), scheme: parsed.scheme === 'https' ? 'https' : 'http' };
}

/**
 * Serves a proxy request; returns false when `pathname` is not a proxy path. Methods are passed through (GET, POST, …)
 * with the query string; the backend sees the path after `/proxy` (`/` when empty).
 */
export async function handleProxy(store: MemoryStore, backend: ProxyBackend | undefined, req: IncomingMessage, res: ServerResponse, url: URL): Promise<boolean> {
  const m = PROXY_PATH.exec(url.pathname);
  if (!m) return false;
  const decode = (s: string) => { try { return decodeURIComponent(s); } catch { return s; } };
  const namespace = decode(m[1]);
  const id = decode(m[3]);
  const dest = m[2] === 'services' ? resolveService(store, namespace, id) : resolvePod(store, namespace, id);
  const handler = backend?.(dest);
  if (!handler) throw unavailable(`error trying to reach service: dial tcp ${dest.ip}:${dest.port}: connect: connection refused`);
  // The twin's backends speak plain HTTP: an https: scheme fails the TLS handshake, as it would against them.
  if (dest.scheme === 'https') throw unavailable('error trying to reach service: tls: first record does not look like a TLS handshake');
  req.url = (m[4] || '/') + url.search;
  const handled = await handler(req, res);
  if (!handled && !res.headersSent) {
    res.writeHead(404, { 'Content-Type': 'text/plain; charset=utf-8' });
    res.end('404 page not found\n');
  }
  return true;
}
