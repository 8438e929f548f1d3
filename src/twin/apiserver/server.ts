/**
 * The HTTP front of the twin's API server: routes version, health, discovery, OpenAPI, metrics and the generic
 * REST paths; upgrades `pods/exec` to WebSocket. Every error leaves as a `Status` object.
 */
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import type { PodRuntime } from '../contracts';
import { ApiError, methodNotAllowed, pathNotFound, toApiError } from './errors';
import { isTrue, sendError, sendJson } from './http-util';
import { aggregated, AGGREGATED_CONTENT_TYPE, AGGREGATED_V2BETA1_CONTENT_TYPE, apiGroup, apiGroupList, apiResourceList, apiVersions } from './discovery';
import { openApiV2Json, openApiV2Protobuf, OPENAPI_V2_PROTO_CONTENT_TYPE } from './openapi';
import { handleCreate, handleDelete, handleDeleteCollection, handleGet, handleList, handlePatch, handlePodAction, handleReplace, handleScale, ResourceRequest } from './rest';
import { handleWatch } from './watch';
import { handleLogs } from './logs';
import { handleMetrics } from './metrics';
import { handleAuthz, isReviewPath } from './authz';
import { checkAccess, identify, reviewer, userOf, type IdentityConfig } from './access';
import { handleTokenRequest } from './token-request';
import type { TokenAuthority } from './authn';
import { RBAC_GROUP } from './rbac';
import { ExecServer } from './exec';
import type { MemoryStore } from './store';
import { authorize, classify, stripAdminPrefix, ViewConfig } from './views';
import { handleProxy, type ProxyBackend } from './proxy';
import { SERVER_VERSION, versionFor, type VersionInfo } from './version';

export { SERVER_VERSION, type VersionInfo };

export interface ApiServerOptions {
  store: MemoryStore;
  runtime: PodRuntime;
  /** Longest `logs -f` stream before the server ends it (ms). */
  followMaxMs?: number;
  version?: VersionInfo;
  /** Two views: with an admin token set, other callers cannot see the fault machinery (see views.ts). */
  views?: ViewConfig;
  /** What answers behind `services/<name>/proxy` and `pods/<name>/proxy` (see proxy.ts); default: nothing listens. */
  proxy?: ProxyBackend;
  /** Issues ServiceAccount tokens (TokenRequest) and, with `identities`, authenticates callers by them. */
  tokens?: TokenAuthority;
  /** Authentication by bearer token and RBAC for every request (the TLS twin); `views` is then ignored. */
  identities?: IdentityConfig;
  /** Serve HTTPS with this key and certificate (PEM). */
  tls?: { key: string; cert: string };
}

export interface ApiServer {
  server: http.Server;
  listen(port?: number, host?: string): Promise<number>;
  close(): Promise<void>;
}

interface Target {
  kind: 'resource';
  group: string;
  version: string;
  namespace?: string;
  resource: string;
  name?: string;
  subresource?: string;
  watchPrefix: boolean;
}

/** Splits `/api/v1/...` or `/apis/g/v/...` into the resource coordinates. */
function parseResourcePath(segs: string[], store: MemoryStore): Target | undefined {
  let group = '';
  let version: string;
  let rest: string[];
  if (segs[0] === 'api') { version = segs[1]; rest = segs.slice(2); }
  else { group = segs[1]; version = segs[2]; rest = segs.slice(3); }
  let watchPrefix = false;
  if (rest[0] === 'watch') { watchPrefix = true; rest = rest.slice(1); }
  if (!rest.length) return undefined;
  const reg = store.registry;
  if (rest[0] === 'namespaces' && rest.length >= 3) {
    const info = reg.byPath(group, version, rest[2]);
    if (info && info.namespaced) {
      if (rest.length > 5) return undefined;
      return { kind: 'resource', group, version, namespace: rest[1], resource: rest[2], name: rest[3], subresource: rest[4], watchPrefix };
    }
    if (!(group === '' && rest[0] === 'namespaces' && rest.length === 3)) return undefined;
  }
  if (rest.length > 3) return undefined;
  return { kind: 'resource', group, version, resource: rest[0], name: rest[1], subresource: rest[2], watchPrefix };
}

const ROOT_PATHS = ['/api', '/api/v1', '/apis', '/healthz', '/livez', '/openapi/v2', '/readyz', '/version'];

function verbOf(method: string, named: boolean, watch: boolean): string {
  switch (method) {
    case 'GET': case 'HEAD': return watch ? 'watch' : named ? 'get' : 'list';
    case 'POST': return 'create';
    case 'PUT': return 'update';
    case 'PATCH': return 'patch';
    case 'DELETE': return named ? 'delete' : 'deletecollection';
    default: return method.toLowerCase();
  }
}

/**
 * The HTTP answer refusing an exec/attach upgrade (401 bad token, 403 RBAC), or undefined to go on. kube-apiserver
 * 1.31 authorizes a websocket exec (a GET) as `get` on pods/exec and an SPDY one (a POST) as `create`; either grant
 * lets the exec through here, since kubectl falls back from one to the other.
 */
function upgradeRefusal(identities: IdentityConfig, req: http.IncomingMessage, segs: string[]): string | undefined {
  const res = {} as http.ServerResponse;
  try {
    const user = identify(req, res, identities);
    const a = { group: '', resource: 'pods', subresource: segs[6], name: decodeURIComponent(segs[5]), namespace: decodeURIComponent(segs[3]) };
    if (!identities.rbac.authorize(user, { ...a, verb: 'get' }).allowed) identities.rbac.check(user, { ...a, verb: 'create' });
    return undefined;
  } catch (e) {
    const err = toApiError(e);
    const body = JSON.stringify(err.toStatus());
    return `HTTP/1.1 ${err.code} ${http.STATUS_CODES[err.code] ?? ''}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`;
  }
}

/** Non-resource paths (discovery, version, health, OpenAPI) are authorized by path, as kube-apiserver does. */
function isNonResource(segs: string[]): boolean {
  if (segs[0] === 'api') return segs.length <= 2;
  if (segs[0] === 'apis') return segs.length <= 3;
  return true;
}

export function createApiServer(options: ApiServerOptions): ApiServer {
  const { store, runtime } = options;
  const ctx: ServerContext = {
    store,
    runtime,
    options,
    version: options.version ?? SERVER_VERSION,
    followMaxMs: options.followMaxMs ?? 10 * 60 * 1000,
    exec: new ExecServer(store, runtime),
  };
  const { exec } = ctx;

  const handler = (req: http.IncomingMessage, res: http.ServerResponse): void => {
    if (!options.identities) classify(req, res, options.views ?? {});
    route(ctx, req, res).catch((e: unknown) => respondWithError(req, res, e));
  };
  const server: http.Server = options.tls ? https.createServer({ key: options.tls.key, cert: options.tls.cert }, handler) : http.createServer(handler);
  server.on('upgrade', (req, socket, head) => handleUpgrade(ctx, req, socket, head));
  server.on('clientError', handleClientError);
  server.keepAliveTimeout = 30_000;

  return {
    server,
    listen(port = 0, host = '127.0.0.1') {
      return new Promise((resolve, reject) => {
        server.once('error', reject);
        server.listen(port, host, () => { server.off('error', reject); resolve((server.address() as AddressInfo).port); });
      });
    },
    close() {
      exec.close();
      return new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections?.();
      });
    },
  };
}

/** What the request handlers share: the store, the pod runtime, the server's options and version, the exec server. */
interface ServerContext {
  store: MemoryStore;
  runtime: ApiServerOptions['runtime'];
  options: ApiServerOptions;
  version: VersionInfo;
  followMaxMs: number;
  exec: ExecServer;
}

async function route(ctx: ServerContext, req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
  const { store, runtime, version, options } = ctx;
  const url = new URL(req.url ?? '/', 'http://127.0.0.1');
  const method = (req.method ?? 'GET').toUpperCase();
  const path = url.pathname.replace(/\/+$/, '') || '/';
  const segs = path.split('/').filter(Boolean).map((s) => { try { return decodeURIComponent(s); } catch { return s; } });
  const accept = String(req.headers.accept ?? '');
  const identities = options.identities;
  if (identities) {
    identify(req, res, identities);
    if (isNonResource(segs)) checkAccess(res, identities, { verb: method === 'GET' || method === 'HEAD' ? 'get' : method.toLowerCase(), path: url.pathname });
  }

  if (path === '/') { sendJson(res, 200, { paths: [...ROOT_PATHS, ...store.registry.groups().filter((g) => g.group).map((g) => `/apis/${g.group}`)].sort() }); return; }
  if (path === '/version') { if (method !== 'GET') throw methodNotAllowed(); sendJson(res, 200, versionFor(req.headers['user-agent'], version)); return; }
  if (/^\/(healthz|readyz|livez)(\/.*)?$/.test(path)) {
    res.writeHead(200, { 'Content-Type': 'text/plain; charset=utf-8', 'X-Content-Type-Options': 'nosniff' });
    res.end(isTrue(url.searchParams.get('verbose')) ? `[+]ping ok\n[+]etcd ok\n${segs[0]} check passed\n` : 'ok');
    return;
  }
  if (path === '/openapi/v2') {
    if (accept.includes('protobuf')) {
      const body = openApiV2Protobuf(version.gitVersion.replace(/^v/, 'v'));
      res.writeHead(200, { 'Content-Type': OPENAPI_V2_PROTO_CONTENT_TYPE, 'Content-Length': body.length });
      res.end(body);
    } else sendJson(res, 200, openApiV2Json(version.gitVersion));
    return;
  }
  if (segs[0] === 'api' || segs[0] === 'apis') {
    const aggregatedV2 = /as=APIGroupDiscoveryList/.test(accept) && /v=v2(?!beta)/.test(accept.split(',').find((p) => p.includes('as=APIGroupDiscoveryList')) ?? '');
    const aggregatedAny = /as=APIGroupDiscoveryList/.test(accept);
    if (segs.length === 1) {
      if (method !== 'GET') throw methodNotAllowed();
      if (aggregatedAny) {
        const v = aggregatedV2 ? 'v2' : 'v2beta1';
        sendJson(res, 200, aggregated(store.registry, segs[0] === 'api', v), v === 'v2' ? AGGREGATED_CONTENT_TYPE : AGGREGATED_V2BETA1_CONTENT_TYPE);
      } else sendJson(res, 200, segs[0] === 'api' ? apiVersions() : apiGroupList(store.registry));
      return;
    }
    if (segs[0] === 'apis' && segs.length === 2) {
      const g = apiGroup(store.registry, segs[1]);
      if (!g || method !== 'GET') throw pathNotFound();
      sendJson(res, 200, g);
      return;
    }
    if ((segs[0] === 'api' && segs.length === 2) || (segs[0] === 'apis' && segs.length === 3)) {
      const group = segs[0] === 'api' ? '' : segs[1];
      const v = segs[0] === 'api' ? segs[1] : segs[2];
      const list = apiResourceList(store.registry, group, v);
      if (!list || method !== 'GET') throw pathNotFound();
      sendJson(res, 200, list);
      return;
    }
    if (segs[0] === 'apis' && segs[1] === 'metrics.k8s.io' && segs[2] === 'v1beta1') {
      const rest = segs.slice(3);
      const namespace = rest[0] === 'namespaces' ? rest[1] : undefined;
      const tail = namespace !== undefined ? rest.slice(2) : rest;
      checkAccess(res, identities, { verb: tail[1] ? 'get' : 'list', group: 'metrics.k8s.io', resource: tail[0] ?? '', name: tail[1], namespace });
      handleMetrics(method, segs.slice(3), url, store, runtime, res);
      return;
    }
    if (segs[0] === 'apis' && segs.length === 4 && isReviewPath(segs[1], segs[2], segs[3])) {
      checkAccess(res, identities, { verb: 'create', group: segs[1], resource: segs[3] });
      await handleAuthz(segs[1], segs[3], method, req, res, reviewer(res, identities));
      return;
    }
    if (segs[6] === 'proxy') {
      checkAccess(res, identities, { verb: verbOf(method, true, false), group: '', resource: segs[4], subresource: 'proxy', name: segs[5].split(':').length === 3 ? segs[5].split(':')[1] : segs[5].split(':')[0], namespace: segs[3] });
      if (await handleProxy(store, options.proxy, req, res, url)) return;
    }
    const t = parseResourcePath(segs, store);
    if (!t) throw pathNotFound();
    await serveResource(ctx, t, req, res, url, method);
    return;
  }
  throw pathNotFound();
}

async function serveResource(ctx: ServerContext, t: Target, req: http.IncomingMessage, res: http.ServerResponse, url: URL, method: string): Promise<void> {
  const { store, runtime, followMaxMs } = ctx;
  const info = store.registry.byPath(t.group, t.version, t.resource);
  if (!info) throw pathNotFound();
  const r: ResourceRequest = { req, res, url, store, info, namespace: t.namespace, name: t.name, subresource: t.subresource };
  if (t.namespace !== undefined && !info.namespaced) throw pathNotFound();
  const watch = t.watchPrefix || isTrue(url.searchParams.get('watch'));
  const verb = verbOf(method, !!t.name, watch);
  const identities = ctx.options.identities;
  checkAccess(res, identities, { verb, group: info.group, resource: info.resource, subresource: t.subresource, name: t.name, namespace: t.namespace });
  authorize(res, info, verb, t.namespace, t.name, t.subresource);
  const user = userOf(res);
  if (identities && user && info.group === RBAC_GROUP && !t.subresource) r.admit = (obj) => identities.rbac.checkEscalation(user, info.resource, { ...obj, metadata: { ...obj.metadata, namespace: t.namespace } });
  if (t.subresource) {
    if (!info.subresources.includes(t.subresource)) throw pathNotFound();
    switch (t.subresource) {
      case 'status':
        if (method === 'GET') return handleGet(r);
        if (method === 'PUT') return handleReplace(r);
        if (method === 'PATCH') return handlePatch(r);
        throw methodNotAllowed();
      case 'scale': return handleScale(r);
      case 'log':
        if (method !== 'GET') throw methodNotAllowed();
        return handleLogs(r, runtime, { followMaxMs });
      case 'exec':
        if (method !== 'GET' && method !== 'POST') throw methodNotAllowed();
        if (!store.get('pods', t.namespace, t.name!)) throw (await import('./errors')).notFound('pods', '', t.name!);
        throw new ApiError(400, 'BadRequest', 'Upgrade request required');
      case 'eviction': case 'binding':
        return handlePodAction(r);
      case 'token':
        if (method !== 'POST') throw methodNotAllowed();
        if (!ctx.options.tokens) throw pathNotFound();
        return handleTokenRequest(r, ctx.options.tokens);
      case 'finalize':
        if (method !== 'PUT') throw methodNotAllowed();
        return handleReplace({ ...r, subresource: undefined });
      default: throw pathNotFound();
    }
  }
  if (!t.name) {
    if (info.namespaced && t.namespace === undefined && method !== 'GET') throw methodNotAllowed();
    switch (method) {
      case 'GET': return watch ? handleWatch(r) : handleList(r);
      case 'POST': return handleCreate(r);
      case 'DELETE': return handleDeleteCollection(r);
      default: throw methodNotAllowed();
    }
  }
  if (info.namespaced && t.namespace === undefined) throw pathNotFound();
  switch (method) {
    case 'GET': return watch ? handleWatch(r) : handleGet(r);
    case 'PUT': return handleReplace(r);
    case 'PATCH': return handlePatch(r);
    case 'DELETE': return handleDelete(r);
    default: throw methodNotAllowed();
  }
}

/** A failed request gets its Status; an unread body is read to its end first, so the connection stays in step. */
function respondWithError(req: http.IncomingMessage, res: http.ServerResponse, e: unknown): void {
  const err = toApiError(e);
  if (req.complete || req.readableEnded || err.code === 413) {
    if (err.code === 413) res.setHeader('Connection', 'close');
    sendError(res, err);
    return;
  }
  // Read an unread body to its end first, so the connection stays in step with the client.
  let sent = false;
  const respond = (): void => { if (!sent) { sent = true; sendError(res, err); } };
  req.on('end', respond);
  req.on('error', respond);
  req.on('close', respond);
  req.resume();
}

/** WebSocket upgrades: pods/exec goes to the exec server; attach and any other path are refused. */
function handleUpgrade(ctx: ServerContext, req: http.IncomingMessage, socket: Duplex, head: Buffer): void {
  const { options, exec } = ctx;
  if (!options.identities) stripAdminPrefix(req, options.views ?? {});
  const url = new URL(req.url ?? '/', 'http://127.0.0.1');
  const segs = url.pathname.split('/').filter(Boolean);
  // /api/v1/namespaces/NS/pods/NAME/exec
  if (segs.length === 7 && segs[0] === 'api' && segs[1] === 'v1' && segs[2] === 'namespaces' && segs[4] === 'pods' && (segs[6] === 'exec' || segs[6] === 'attach')) {
    const refusal = options.identities ? upgradeRefusal(options.identities, req, segs) : undefined;
    if (refusal) { socket.end(refusal); return; }
    if (segs[6] === 'attach') {
      socket.end('HTTP/1.1 400 Bad Request\r\nContent-Type: application/json\r\nConnection: close\r\n\r\n' + JSON.stringify(new ApiError(400, 'BadRequest', 'attach is not supported by this cluster').toStatus()));
      return;
    }
    exec.handleUpgrade(req, socket, head, { namespace: decodeURIComponent(segs[3]), pod: decodeURIComponent(segs[5]), url });
    return;
  }
  const body = JSON.stringify(pathNotFound().toStatus());
  socket.end(`HTTP/1.1 404 Not Found\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`);
}

/** A request Node's parser could not read: a 400 Status, unless the client is already gone. */
function handleClientError(e: NodeJS.ErrnoException, socket: Duplex): void {
  if (!socket.writable || e.code === 'HPE_CLOSED_CONNECTION' || e.code === 'ECONNRESET') { socket.destroy(); return; }
  const body = JSON.stringify(new ApiError(400, 'BadRequest', `malformed HTTP request: ${e.code ?? e.message}`).toStatus());
  try { socket.end(`HTTP/1.1 400 Bad Request\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`); } catch { /* gone */ }
}
