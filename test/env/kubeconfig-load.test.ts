import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as os from 'node:os';
import * as path from 'node:path';
import { loadKubeConfig } from '../../src/env/kubeconfig-load';
import { faultApi } from '../../src/env/faults/api';

/** A kubeconfig for a plain-http API server (`kubectl proxy`) works for the engine's API calls as it does for kubectl. */
describe('kubeconfig loading for the engine', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'aiopslab-kc-'));
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  const write = (server: string) => {
    const file = path.join(dir, `kc-${Math.random().toString(36).slice(2)}`);
    fs.writeFileSync(file, [
      'apiVersion: v1', 'kind: Config', 'current-context: a', 'preferences: {}',
      'clusters:', `- name: a`, `  cluster: {server: "${server}"}`,
      'contexts:', '- name: a', '  context: {cluster: a, user: u}',
      'users:', '- name: u', '  user: {}',
    ].join('\n'));
    return file;
  };

  it('reads a Service from an http API server whose kubeconfig does not say insecure-skip-tls-verify', async () => {
    const server = http.createServer((req, res) => {
      res.setHeader('Content-Type', 'application/json');
      res.end(JSON.stringify({ apiVersion: 'v1', kind: 'Service', metadata: { name: 'user', namespace: 'ns' }, spec: { ports: [{ port: 80, targetPort: 9090 }] }, path: req.url }));
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    try {
      const port = (server.address() as { port: number }).port;
      const api = faultApi(loadKubeConfig(write(`http://127.0.0.1:${port}`)));
      const svc = await api.core.readNamespacedService({ name: 'user', namespace: 'ns' });
      assert.equal(svc.spec?.ports?.[0]?.targetPort, 9090);
    } finally {
      server.close();
    }
  });

  it('leaves TLS verification on for an https server', () => {
    const kc = loadKubeConfig(write('https://127.0.0.1:6443'));
    assert.equal(kc.getCurrentCluster()?.skipTLSVerify, false);
  });
});
