import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import YAML from 'yaml';

/** An API server the agent's kubeconfig names, and where the sandbox answers for it on its own loopback. */
export interface ApiEndpoint {
  /** As written in the kubeconfig (host name or address) and its port. */
  host: string;
  port: number;
  /** The loopback address inside the sandbox that stands for it (the host itself when it is a loopback address). */
  innerAddress: string;
}

export type EndpointsOrReason = { ok: true; endpoints: ApiEndpoint[]; files: string[] } | { ok: false; reason: string };

/**
 * The API servers an agent kubeconfig names, and the files it refers to (CA, client certificate and key, token file),
 * which the sandbox binds read-only. A kubeconfig the sandbox cannot serve (no server, an exec credential plugin or
 * auth provider, a non-loopback IP address) gives the reason instead.
 */
export function kubeconfigEndpoints(kubeconfigPath: string | undefined): EndpointsOrReason {
  if (!kubeconfigPath) return { ok: false, reason: 'the cluster gives the agent no kubeconfig of its own' };
  let doc: {
    clusters?: Array<{ cluster?: Record<string, unknown> }>;
    users?: Array<{ user?: Record<string, unknown> }>;
  };
  try {
    doc = YAML.parse(fs.readFileSync(kubeconfigPath, 'utf8')) ?? {};
  } catch (error) {
    return { ok: false, reason: `the agent kubeconfig ${kubeconfigPath} cannot be read: ${(error as Error).message}` };
  }
  const base = path.dirname(kubeconfigPath);
  const files: string[] = [];
  const endpoints: ApiEndpoint[] = [];
  const named = new Map<string, string>();
  for (const { cluster } of doc.clusters ?? []) {
    const server = typeof cluster?.server === 'string' ? cluster.server : '';
    let url: URL;
    try {
      url = new URL(server);
    } catch {
      return { ok: false, reason: `the agent kubeconfig names a server that is not a URL: "${server}"` };
    }
    const host = url.hostname.replace(/^\[|\]$/g, '');
    const port = Number(url.port || (url.protocol === 'http:' ? 80 : 443));
    let innerAddress: string;
    if (host === 'localhost' || isLoopback(host)) innerAddress = host === 'localhost' ? '127.0.0.1' : host;
    else if (net.isIP(host)) return { ok: false, reason: `the agent kubeconfig names the API server by a non-loopback address (${host}); the sandbox can open only loopback addresses and host names` };
    else {
      if (!named.has(host)) named.set(host, `127.0.1.${named.size + 1}`);
      innerAddress = named.get(host)!;
    }
    if (!endpoints.some((e) => e.innerAddress === innerAddress && e.port === port)) endpoints.push({ host, port, innerAddress });
    if (typeof cluster?.['certificate-authority'] === 'string') files.push(path.resolve(base, cluster['certificate-authority']));
  }
  for (const { user } of doc.users ?? []) {
    if (user?.exec || user?.['auth-provider']) return { ok: false, reason: 'the agent kubeconfig gets its credentials from a plugin (exec or auth-provider), which cannot run inside the sandbox' };
    for (const key of ['client-certificate', 'client-key', 'tokenFile']) {
      const file = user?.[key];
      if (typeof file === 'string') files.push(path.resolve(base, file));
    }
  }
  if (endpoints.length === 0) return { ok: false, reason: 'the agent kubeconfig names no API server' };
  return { ok: true, endpoints, files };
}

function isLoopback(host: string): boolean {
  return (net.isIPv4(host) && host.startsWith('127.')) || host === '::1';
}
