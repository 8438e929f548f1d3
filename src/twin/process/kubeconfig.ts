/** Kubeconfig files for the twin: plain http on loopback, `insecure-skip-tls-verify` (client-node needs it for http), a dummy token. */
import fs from 'node:fs';
import path from 'node:path';
import { stringify } from 'yaml';

export interface KubeconfigOptions {
  server: string;
  token: string;
  namespace?: string;
  /** Context, cluster and user names. */
  contextName?: string;
  userName?: string;
}

export function kubeconfigYaml(o: KubeconfigOptions): string {
  const ctx = o.contextName ?? 'aiopslab-twin';
  const user = o.userName ?? 'aiopslab-admin';
  return stringify({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name: ctx, cluster: { server: o.server, 'insecure-skip-tls-verify': true } }],
    users: [{ name: user, user: { token: o.token } }],
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
