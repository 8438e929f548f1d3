/** The kubeconfig the agent is given: the view's loopback URL over plain http, no credentials of any kind. */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { stringify } from 'yaml';

export function writeAgentKubeconfig(file: string, viewUrl: string, namespace = 'default'): string {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const name = 'aiopslab-agent';
  fs.writeFileSync(file, stringify({
    apiVersion: 'v1',
    kind: 'Config',
    // insecure-skip-tls-verify means nothing over http, but client-node refuses http without it.
    clusters: [{ name, cluster: { server: viewUrl, 'insecure-skip-tls-verify': true } }],
    users: [{ name, user: {} }],
    contexts: [{ name, context: { cluster: name, user: name, namespace } }],
    'current-context': name,
    preferences: {},
  }), { mode: 0o600 });
  return file;
}
