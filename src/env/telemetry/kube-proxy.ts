/**
 * Reaching the telemetry APIs of a cluster through the Kubernetes API server's service proxy
 * (`<server>/api/v1/namespaces/<ns>/services/<name>:<port>/proxy/<path>`) with the session's kubeconfig: its
 * credentials and TLS settings (client-node's `applyToHTTPSOptions`), so nothing has to be port-forwarded. This is how
 * get_metrics / get_traces read Prometheus (`prometheus-server:80` in namespace `observe`, the original's Helm
 * release) and Jaeger (`jaeger:16686` in the app namespace, or the OpenTelemetry demo's `jaeger-query:16686` under
 * `/jaeger/ui`) — on a real cluster and on the embedded one alike, so both exercise the same path. The embedded
 * cluster also hands out direct URLs; they are not faster (measured on the twin: ~31–71 ms vs ~37–100 ms per
 * get_metrics of 27 range queries over 60 min, through the API server vs direct), so they are used only when asked
 * for (`prefer: 'direct'`) or when the namespace has no Jaeger Service.
 */
import * as http from 'node:http';
import * as https from 'node:https';
import type { KubeConfig } from '@kubernetes/client-node';

/** Where a telemetry API answers and how to call it. */
export interface TelemetryEndpoint {
  /** Base URL: the API's paths (`/api/v1/query_range`, `/api/traces`) are appended to it. */
  base: string;
  fetch: typeof fetch;
  via: 'direct' | 'apiserver';
  /** What it is, for messages (`Service observe/prometheus-server:80 through the Kubernetes API server`). */
  describe: string;
}

export const PROMETHEUS_SERVICE = { namespace: 'observe', name: 'prometheus-server', port: 80 };

/** The Jaeger query Services looked for in an app namespace, in order (name, port, base path of the query API). */
export const JAEGER_SERVICES: ReadonlyArray<{ name: string; port: number; basePath: string }> = [
  { name: 'jaeger', port: 16686, basePath: '' },
  { name: 'jaeger-query', port: 16686, basePath: '/jaeger/ui' },
];

/** An error answered by the API server itself (a `Status` object), e.g. 503 no endpoints available. */
export class KubeProxyError extends Error {
  constructor(readonly code: number, readonly reason: string, message: string) {
    super(message);
  }
}

/** The service proxy URL of a Service port (plus an optional base path inside the proxied server). */
export function serviceProxyBase(server: string, namespace: string, service: string, port: number | string, basePath = ''): string {
  return `${server.replace(/\/+$/, '')}/api/v1/namespaces/${encodeURIComponent(namespace)}/services/${encodeURIComponent(service)}:${port}/proxy${basePath}`;
}

/**
 * A `fetch` over node's http/https with the kubeconfig's current cluster and user applied (CA, client certificate,
 * bearer token or exec credentials, proxy-url, insecure-skip-tls-verify). Responses that are the API server's own
 * `Status` failures (not the proxied server's) reject with a KubeProxyError carrying its message.
 */
export function kubeFetch(kc: KubeConfig): typeof fetch {
  let prepared: Promise<https.RequestOptions> | undefined;
  const prepare = () => (prepared ??= (async () => {
    const opts: https.RequestOptions = { headers: {} };
    await kc.applyToHTTPSOptions(opts);
    return opts;
  })());
  const impl = async (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
    const url = new URL(typeof input === 'string' || input instanceof URL ? String(input) : input.url);
    const base = await prepare();
    const headers: Record<string, string> = { ...(base.headers as Record<string, string>) };
    new Headers(init?.headers).forEach((v, k) => { headers[k] = v; });
    if (base.auth && !headers.authorization && !headers.Authorization) headers.Authorization = `Basic ${Buffer.from(base.auth).toString('base64')}`;
    const body = init?.body === undefined || init.body === null ? undefined : typeof init.body === 'string' ? init.body : String(init.body);
    const mod = url.protocol === 'https:' ? https : http;
    const { status, statusText, responseHeaders, buf } = await new Promise<{ status: number; statusText: string; responseHeaders: Headers; buf: Buffer }>((resolve, reject) => {
      const req = mod.request(url, { ...base, auth: undefined, method: init?.method ?? 'GET', headers, signal: init?.signal ?? undefined }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('error', reject);
        res.on('end', () => {
          const h = new Headers();
          for (const [k, v] of Object.entries(res.headers)) if (v !== undefined) h.set(k, Array.isArray(v) ? v.join(', ') : String(v));
          resolve({ status: res.statusCode ?? 0, statusText: res.statusMessage ?? '', responseHeaders: h, buf: Buffer.concat(chunks) });
        });
      });
      req.on('error', reject);
      req.setTimeout(60_000, () => req.destroy(new Error(`no answer from ${url.host} within 60 s`)));
      req.end(body);
    });
    if (status >= 400) {
      const apiStatus = parseStatus(buf);
      if (apiStatus) throw new KubeProxyError(status, apiStatus.reason ?? '', apiStatus.message ?? `HTTP ${status}`);
    }
    return new Response(status === 204 || status === 304 ? null : new Uint8Array(buf), { status, statusText, headers: responseHeaders });
  };
  return impl;
}

function parseStatus(buf: Buffer): { message?: string; reason?: string } | undefined {
  try {
    const o = JSON.parse(buf.toString('utf8')) as { kind?: string; apiVersion?: string; message?: string; reason?: string };
    return o && o.kind === 'Status' && o.apiVersion === 'v1' ? o : undefined;
  } catch {
    return undefined;
  }
}

function serverOf(kc: KubeConfig): string {
  const cluster = kc.getCurrentCluster();
  if (!cluster?.server) throw new Error('the kubeconfig has no current cluster');
  return cluster.server;
}

export interface EndpointChoice {
  /** A direct URL of the API (the embedded cluster's). */
  directUrl?: string;
  /** Default 'apiserver': the service proxy; 'direct': the direct URL when there is one. */
  prefer?: 'apiserver' | 'direct';
}

/** A bare string is a direct URL (still behind the API server path unless `prefer: 'direct'`). */
function normalize(choice: EndpointChoice | string | undefined): EndpointChoice {
  return typeof choice === 'string' ? { directUrl: choice } : choice ?? {};
}

/** Prometheus: Service observe/prometheus-server:80 through the API server (or the direct URL when preferred). */
export function prometheusEndpoint(kc: KubeConfig, choice: EndpointChoice | string | undefined = {}): TelemetryEndpoint {
  choice = normalize(choice);
  const directUrl = choice.directUrl;
  if (directUrl && choice.prefer === 'direct') return { base: directUrl, fetch, via: 'direct', describe: directUrl };
  const { namespace, name, port } = PROMETHEUS_SERVICE;
  return {
    base: serviceProxyBase(serverOf(kc), namespace, name, port),
    fetch: kubeFetch(kc),
    via: 'apiserver',
    describe: `Service ${namespace}/${name}:${port} through the Kubernetes API server`,
  };
}

/**
 * Jaeger of an app namespace: the first Jaeger query Service of JAEGER_SERVICES that exists there and has the port,
 * through the API server (`readService` reads a Service, undefined when absent); the direct URL when preferred or when
 * no such Service exists; undefined when there is neither.
 */
export async function jaegerEndpoint(kc: KubeConfig, namespace: string, readService: (namespace: string, name: string) => Promise<{ spec?: { ports?: Array<{ port: number }> } } | undefined>, choice: EndpointChoice | string | undefined = {}): Promise<TelemetryEndpoint | undefined> {
  choice = normalize(choice);
  const directUrl = choice.directUrl;
  if (directUrl && choice.prefer === 'direct') return { base: directUrl, fetch, via: 'direct', describe: directUrl };
  for (const s of JAEGER_SERVICES) {
    const svc = await readService(namespace, s.name);
    if (!svc || !(svc.spec?.ports ?? []).some((p) => Number(p.port) === s.port)) continue;
    return {
      base: serviceProxyBase(serverOf(kc), namespace, s.name, s.port, s.basePath),
      fetch: kubeFetch(kc),
      via: 'apiserver',
      describe: `Service ${namespace}/${s.name}:${s.port} through the Kubernetes API server`,
    };
  }
  return directUrl ? { base: directUrl, fetch, via: 'direct', describe: directUrl } : undefined;
}

/** The text after "failed: " for an error reaching a telemetry API. */
export function describeTelemetryError(error: unknown, endpoint: TelemetryEndpoint): string {
  if (error instanceof KubeProxyError) {
    if (error.code === 404) return `${endpoint.describe}: ${error.message} (is it installed?)`;
    return `${endpoint.describe}: ${error.message}`;
  }
  return (error as Error).message;
}
