/**
 * The agent's view of a cluster: an HTTP server on loopback in front of any Kubernetes API server (the embedded
 * cluster's or a real one's) that forwards every request with the upstream kubeconfig's credentials and leaves the
 * fault machinery out of what comes back (rules.ts, filter.ts). kubectl and client-node use it like any plain-http API
 * server: get/describe/-o json|yaml|jsonpath/Table/watch, logs, exec and port-forward (connection upgrades are piped
 * through), patch/apply/scale/delete/rollout.
 *
 * The upstream credentials are whatever the given kubeconfig context holds: today the embedded cluster's agent
 * identity or the user's context; a ServiceAccount token of the agent's own later. Protobuf is avoided by asking the
 * upstream for JSON (only JSON can be filtered); OpenAPI's protobuf documents pass as they are (kubectl reads them
 * for validation only).
 */
import * as http from 'node:http';
import * as https from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import { randomBytes } from 'node:crypto';
import type { KubeConfig } from '@kubernetes/client-node';
import { filterBody, filterOpenApiIndex, filterWatchEvent } from './filter';
import { JsonValueSplitter } from './json-stream';
import { DEFAULT_VIEW_RULES, isHiddenGroup, parseTarget, type ViewRules } from './rules';

export interface ClusterViewOptions {
  /** The upstream API server and the credentials to forward with: a kubeconfig with its current context set. */
  upstream: KubeConfig;
  rules?: ViewRules;
}

export interface ClusterView {
  /** `http://127.0.0.1:PORT`: the server a kubeconfig for the agent names. */
  url: string;
  close(): Promise<void>;
}

const NOT_FOUND = { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: 'the server could not find the requested resource', reason: 'NotFound', details: {}, code: 404 };

export async function startClusterView(o: ClusterViewOptions): Promise<ClusterView> {
  const rules = o.rules ?? DEFAULT_VIEW_RULES;
  const server0 = o.upstream.getCurrentCluster()?.server;
  if (!server0) throw new Error('The upstream kubeconfig has no current cluster.');
  const upstream = new URL(server0);
  const basePath = upstream.pathname.replace(/\/+$/, '');
  // A hidden namespace is forwarded as one that cannot exist, so the upstream answers exactly as for a missing one;
  // the stand-in's name is put back in what comes back.
  const standIn = new Map([...rules.hiddenNamespaces].map((ns) => [ns, `aiopslab-absent-${randomBytes(6).toString('hex')}`]));
  const unhide = (text: string) => { for (const [ns, s] of standIn) text = text.split(s).join(ns); return text; };
  const sockets = new Set<Socket>();

  const prepare = async (req: http.IncomingMessage): Promise<{ path: string; options: https.RequestOptions } | { refuse: number; body: unknown }> => {
    const url = new URL(req.url ?? '/', 'http://view');
    const target = parseTarget(url.pathname);
    if (target.group !== undefined && isHiddenGroup(rules, target.group)) return { refuse: 404, body: NOT_FOUND };
    if (target.resource === 'customresourcedefinitions' && target.name && isHiddenGroup(rules, target.name.split('.').slice(1).join('.'))) {
      return { refuse: 404, body: { ...NOT_FOUND, message: `customresourcedefinitions.apiextensions.k8s.io "${target.name}" not found`, details: { name: target.name, group: 'apiextensions.k8s.io', kind: 'customresourcedefinitions' } } };
    }
    let pathname = url.pathname;
    for (const [ns, stand] of standIn) {
      const seg = `/namespaces/${ns}`;
      if (pathname.includes(`${seg}/`) || pathname.endsWith(seg)) pathname = pathname.split(seg).join(`/namespaces/${stand}`);
    }
    // Table rows of Events must carry the whole Event, or whom it involves cannot be seen.
    if (target.resource === 'events' && /as=Table/.test(String(req.headers.accept ?? ''))) url.searchParams.set('includeObject', 'Object');
    const headers: http.OutgoingHttpHeaders = { ...req.headers, host: upstream.host };
    delete headers.authorization;
    if (!target.openapi) headers.accept = jsonOnly(String(req.headers.accept ?? 'application/json'));
    delete headers['accept-encoding']; // bodies are read and rewritten here
    const options: https.RequestOptions = { headers: {} };
    await o.upstream.applyToHTTPSOptions(options);
    if (options.auth && !options.headers) options.headers = {};
    const auth = options.auth ? { authorization: `Basic ${Buffer.from(options.auth).toString('base64')}` } : {};
    return {
      path: `${basePath}${pathname}${url.search}`,
      options: { ...options, auth: undefined, method: req.method, headers: { ...headers, ...(options.headers as http.OutgoingHttpHeaders), ...auth } },
    };
  };

  const request = (path: string, options: https.RequestOptions) =>
    (upstream.protocol === 'https:' ? https : http).request({ ...options, protocol: upstream.protocol, hostname: upstream.hostname, port: upstream.port, path });

  const server = http.createServer((req, res) => {
    void (async () => {
      const prepared = await prepare(req);
      if ('refuse' in prepared) return refuse(req, res, prepared.refuse, prepared.body);
      const up = request(prepared.path, prepared.options);
      up.on('response', (upRes) => respond(rules, unhide, req, res, upRes));
      up.on('error', (error) => sendJson(res, 502, { ...NOT_FOUND, code: 502, reason: 'BadGateway', message: `the view could not reach the API server: ${error.message}` }));
      const target = parseTarget(new URL(req.url ?? '/', 'http://view').pathname);
      if (req.method !== 'POST' || target.resource !== 'namespaces' || target.name) { req.pipe(up); return; }
      // Creating a hidden namespace would answer AlreadyExists: refused as RBAC would, saying no more.
      const body = await readAll(req);
      const named = /"name"\s*:\s*"([^"]+)"/.exec(body.toString('utf8'));
      if (named && rules.hiddenNamespaces.has(named[1])) {
        up.destroy();
        return refuse(req, res, 0, undefined);
      }
      up.end(body);
    })().catch((error: Error) => sendJson(res, 500, { ...NOT_FOUND, code: 500, reason: 'InternalError', message: error.message }));
  });

  server.on('upgrade', (req: http.IncomingMessage, socket: Socket, head: Buffer) => {
    void (async () => {
      const prepared = await prepare(req);
      if ('refuse' in prepared) { socket.end('HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n'); return; }
      const up = request(prepared.path, prepared.options);
      up.on('upgrade', (upRes, upSocket, upHead) => {
        socket.write(`HTTP/1.1 ${upRes.statusCode} ${upRes.statusMessage}\r\n${rawHeaders(upRes.rawHeaders)}\r\n`);
        if (upHead.length) socket.write(upHead);
        if (head.length) upSocket.write(head);
        upSocket.pipe(socket).pipe(upSocket);
        upSocket.on('error', () => socket.destroy());
        socket.on('error', () => upSocket.destroy());
      });
      up.on('response', (upRes) => {
        socket.write(`HTTP/1.1 ${upRes.statusCode} ${upRes.statusMessage}\r\n${rawHeaders(upRes.rawHeaders)}\r\n`);
        upRes.pipe(socket);
      });
      up.on('error', () => socket.destroy());
      up.end();
    })().catch(() => socket.destroy());
  });
  server.on('connection', (s: Socket) => { sockets.add(s); s.on('close', () => sockets.delete(s)); });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () => new Promise<void>((resolve) => {
      for (const s of sockets) s.destroy();
      server.close(() => resolve());
    }),
  };
}

/** kubectl's Accept lists protobuf first; only JSON can be filtered, so that is all the upstream is asked for. */
function jsonOnly(accept: string): string {
  const kept = accept.split(',').map((s) => s.trim()).filter((s) => s && !/protobuf/.test(s));
  return kept.length ? kept.join(',') : 'application/json';
}

function rawHeaders(raw: string[]): string {
  let out = '';
  for (let i = 0; i + 1 < raw.length; i += 2) out += `${raw[i]}: ${raw[i + 1]}\r\n`;
  return out;
}

function sendJson(res: http.ServerResponse, code: number, body: unknown): void {
  if (res.headersSent) { res.destroy(); return; }
  const text = JSON.stringify(body);
  res.writeHead(code, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

function refuse(req: http.IncomingMessage, res: http.ServerResponse, code: number, body: unknown): void {
  req.resume();
  if (code) return sendJson(res, code, body);
  sendJson(res, 403, { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', reason: 'Forbidden', code: 403, message: 'namespaces is forbidden: this namespace is reserved' });
}

function readAll(req: http.IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function isWatch(req: http.IncomingMessage): boolean {
  const url = new URL(req.url ?? '/', 'http://view');
  return /^(true|1)$/.test(url.searchParams.get('watch') ?? '') || /\/watch\//.test(url.pathname);
}

/** Relays the upstream's answer: JSON filtered (watch streams event by event), anything else as it is. */
function respond(rules: ViewRules, unhide: (text: string) => string, req: http.IncomingMessage, res: http.ServerResponse, upRes: http.IncomingMessage): void {
  const type = String(upRes.headers['content-type'] ?? '');
  const headers = { ...upRes.headers };
  const json = /json/.test(type) && !/\/proxy(\/|$)/.test(new URL(req.url ?? '/', 'http://view').pathname);
  if (!json) {
    res.writeHead(upRes.statusCode ?? 502, headers);
    res.flushHeaders(); // logs -f and other streams
    upRes.pipe(res);
    return;
  }
  delete headers['content-length'];
  const resource = parseTarget(new URL(req.url ?? '/', 'http://view').pathname).resource;
  if (isWatch(req) && (upRes.statusCode ?? 0) < 300) {
    res.writeHead(upRes.statusCode ?? 200, headers);
    res.flushHeaders(); // a watch with nothing to report yet must still answer: clients wait for the headers
    const splitter = new JsonValueSplitter();
    upRes.setEncoding('utf8');
    upRes.on('data', (chunk: string) => {
      for (const text of splitter.push(chunk)) {
        const kept = filterWatchEvent(rules, JSON.parse(text), resource);
        if (kept) res.write(`${unhide(JSON.stringify(kept))}\n`);
      }
    });
    upRes.on('end', () => res.end());
    res.on('close', () => upRes.destroy());
    return;
  }
  const chunks: Buffer[] = [];
  upRes.on('data', (c: Buffer) => chunks.push(c));
  upRes.on('end', () => {
    let body: unknown;
    try {
      body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
    } catch {
      res.writeHead(upRes.statusCode ?? 502, upRes.headers);
      res.end(Buffer.concat(chunks));
      return;
    }
    const path = new URL(req.url ?? '/', 'http://view').pathname;
    const kept = path === '/openapi/v3' ? filterOpenApiIndex(rules, body) : filterBody(rules, body, resource);
    if (kept === undefined) return sendJson(res, 404, { ...NOT_FOUND, message: 'the server could not find the requested resource' });
    const text = unhide(JSON.stringify(kept));
    res.writeHead(upRes.statusCode ?? 200, { ...headers, 'content-length': Buffer.byteLength(text) });
    res.end(text);
  });
}
