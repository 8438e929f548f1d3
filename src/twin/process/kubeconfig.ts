/**
 * Kubeconfig files for the twin. Plain http (per-session twins): `insecure-skip-tls-verify` (client-node needs it for
 * http) and a token kubectl does not send over http. HTTPS (detached twins): the twin's CA as
 * `certificate-authority-data` and a bearer token it authenticates.
 */
import fs from 'node:fs';
import path from 'node:path';
import { stringify } from 'yaml';

export interface KubeconfigOptions {
  server: string;
  /** Bearer token; absent: an anonymous user entry. */
  token?: string;
  namespace?: string;
  /** Context and cluster name (default `aiopslab-twin`). */
  contextName?: string;
  /** User entry name (default `aiopslab-admin`). */
  userName?: string;
  /** PEM of the CA that signed the server's certificate (HTTPS servers). */
  caPem?: string;
}

export function kubeconfigYaml(o: KubeconfigOptions): string {
  const ctx = o.contextName ?? 'aiopslab-twin';
  const user = o.userName ?? 'aiopslab-admin';
  return stringify({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name: ctx, cluster: o.caPem ? { server: o.server, 'certificate-authority-data': Buffer.from(o.caPem).toString('base64') } : { server: o.server, 'insecure-skip-tls-verify': true } }],
    users: [{ name: user, user: o.token ? { token: o.token } : {} }],
    contexts: [{ name: ctx, context: { cluster: ctx, user, namespace: o.namespace ?? 'default' } }],
    'current-context': ctx,
    preferences: {},
  });
}

export function writeKubeconfig(file: string, o: KubeconfigOptions): string {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, kubeconfigYaml(o), { mode: 0o600 });
  return file;
}

/**
 * Environment every kubectl against the twin gets besides KUBECONFIG: kubectl 1.29 runs `exec` over SPDY unless told
 * to use websockets (its alpha gate; the default from 1.30), and the twin speaks only websocket exec.
 */
export const KUBECTL_TWIN_ENV: Readonly<Record<string, string>> = { KUBECTL_REMOTE_COMMAND_WEBSOCKETS: 'true' };
