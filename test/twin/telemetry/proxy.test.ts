import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as k8s from '@kubernetes/client-node';
import type { TwinHandle } from '../../../src/twin';
import { resolveKubectl } from '../../../src/twin/kubectl-path';
import { Kubectl } from '../../../src/env/kubectl';
import { KubeEnvironment } from '../../../src/env/kube-environment';
import * as http from 'node:http';
import * as https from 'node:https';
import { execFileSync } from 'node:child_process';
import { jaegerEndpoint, KubeProxyError, kubeFetch, prometheusEndpoint } from '../../../src/env/telemetry/kube-proxy';
import { findAppsDir } from '../../../src/twin/sim/load-model';
import { eventually, podsIn, useTwinProcess } from '../../support/twin-process';

const NS = 'test-hotel-reservation';
const PROM = '/api/v1/namespaces/observe/services/prometheus-server:80/proxy';
const until = <T>(what: string, probe: () => Promise<T | undefined | false>) => eventually(what, probe, 15_000);

/** The kubectl error text of a failing command. */
async function failure(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (e) {
    return (e as Error).message;
  }
  throw new Error('expected the command to fail');
}

describe('telemetry through the API server service proxy (twin, real kubectl, client-node)', function () {
  this.timeout(90_000);
  let twin: TwinHandle;
  let kubectl: Kubectl;
  let dir: string;

  useTwinProcess('aiopslab-proxy-', async (t) => {
    ({ twin, kubectl, dir } = t);
    await kubectl.run(['create', 'namespace', NS]);
    // Only the app's Jaeger: enough for the query API behind Service jaeger.
    await kubectl.run(['apply', '-n', NS, '-f', path.join(findAppsDir(), 'hotel-reservation', 'manifests', 'jaeger.yaml')]);
    await until('prometheus-server and jaeger endpoints', async () => {
      const eps = await kubectl.json<k8s.V1EndpointsList>(['get', 'endpoints', '-A']);
      const ready = (ns: string, name: string) => eps.items.some((e) => e.metadata?.namespace === ns && e.metadata.name === name && e.subsets?.some((s) => s.addresses?.length));
      return ready('observe', 'prometheus-server') && ready(NS, 'jaeger');
    });
  });

  it('kubectl get --raw reaches Prometheus by port number and by port name, and Jaeger in the app namespace', async () => {
    const up = JSON.parse(await kubectl.run(['get', '--raw', `${PROM}/api/v1/query?query=up`]));
    assert.equal(up.status, 'success');
    assert.equal(up.data.resultType, 'vector');
    const one = JSON.parse(await kubectl.run(['get', '--raw', `${PROM}/api/v1/query?query=${encodeURIComponent('vector(1) * 2')}`]));
    assert.deepEqual(one.data.result[0].value[1], '2');
    const byName = JSON.parse(await kubectl.run(['get', '--raw', '/api/v1/namespaces/observe/services/prometheus-server:http/proxy/api/v1/labels']));
    assert.equal(byName.status, 'success');
    // Prometheus's own 400 (not a Status object) passes through; kubectl words a non-Status 400 like this.
    assert.match(await failure(kubectl.run(['get', '--raw', `${PROM}/api/v1/query?query=sum(`])), /Error from server \(BadRequest\): the server rejected our request for an unknown reason/);
    const services = JSON.parse(await kubectl.run(['get', '--raw', `/api/v1/namespaces/${NS}/services/jaeger:16686/proxy/api/services`]));
    assert.ok(Array.isArray(services.data), JSON.stringify(services));
    // The agent's own kubeconfig (the restricted view) reaches them the same way, as an SRE's kubectl would.
    const agent = new Kubectl({ kubectl: await resolveKubectl(), kubeconfigPath: twin.agentKubeconfigPath, kubeCacheDir: twin.kubeCacheDir });
    assert.equal(JSON.parse(await agent.run(['get', '--raw', `${PROM}/api/v1/query?query=up`])).status, 'success');
    const ui = JSON.parse(await kubectl.run(['get', '--raw', `/api/v1/namespaces/${NS}/pods/${(await podsIn(kubectl, NS))[0].metadata.name}:16686/proxy/api/services`]));
    assert.deepEqual(ui, services, 'the pod proxy reaches the same query API');
  });

  it('answers as kube-apiserver does when the Service cannot be reached', async () => {
    assert.match(await failure(kubectl.run(['get', '--raw', '/api/v1/namespaces/observe/services/prometheus-server:81/proxy/api/v1/query?query=up'])),
      /Error from server \(ServiceUnavailable\): no service port 81 found for service "prometheus-server"/);
    assert.match(await failure(kubectl.run(['get', '--raw', '/api/v1/namespaces/observe/services/nope:80/proxy/'])), /Error from server \(NotFound\): services "nope" not found/);
    // A Service port whose pods listen on nothing there: the dial fails.
    assert.match(await failure(kubectl.run(['get', '--raw', `/api/v1/namespaces/${NS}/services/jaeger:14269/proxy/`])),
      /Error from server \(ServiceUnavailable\): error trying to reach service: dial tcp [0-9.]+:14269: connect: connection refused/);
  });

  it('get_metrics / get_traces of KubeEnvironment go through the service proxy (with or without direct URLs); no endpoints → 503 text', async () => {
    const kc = new k8s.KubeConfig();
    kc.loadFromFile(twin.kubeconfigPath);
    const prom = prometheusEndpoint(kc);
    assert.equal(prom.via, 'apiserver');
    assert.match(prom.base, /\/api\/v1\/namespaces\/observe\/services\/prometheus-server:80\/proxy$/);
    const jaeger = await jaegerEndpoint(kc, NS, async (ns, name) => (await kubectl.json(['get', 'service', name, '-n', ns, '--ignore-not-found']).catch(() => undefined)) as never);
    assert.equal(jaeger?.via, 'apiserver');
    assert.match(jaeger.base, /services\/jaeger:16686\/proxy$/);

    const env = new KubeEnvironment({
      info: { kind: 'kubernetes', cluster: 'twin' }, kubeconfigPath: twin.kubeconfigPath, kubeCacheDir: twin.kubeCacheDir, kubectl: await resolveKubectl(),
      projectRoot: path.dirname(findAppsDir()), shellPolicy: 'open', execTimeoutSec: 30, execTimeoutCapSec: 60, outputCapChars: 100_000, logDedup: 0,
    });
    const sessionDir = path.join(dir, 'session');
    const ctx = { sessionDir } as never;
    const metrics = await env.runAction('get_metrics', { namespace: NS, duration: 5 }, ctx);
    assert.match(metrics, /^Metrics data exported to directory: .*metrics_output\/metric_\d{8}_\d{6}/, metrics);
    const traces = await env.runAction('get_traces', { namespace: NS, duration: 5 }, ctx);
    assert.match(traces, /^Traces data exported to: .*trace_output\/traces_\d+\.csv$/, traces);
    const csv = fs.readFileSync(traces.slice('Traces data exported to: '.length), 'utf8');
    assert.equal(csv.split('\n')[0], 'trace_id,span_id,parent_span,service_name,operation_name,start_time,duration,has_error,response');
    assert.equal(await env.runAction('get_traces', { namespace: 'default', duration: 5 }, ctx), 'Error: no Jaeger query service is reachable for namespace default.');

    await kubectl.run(['scale', 'deployment', 'prometheus-server', '-n', 'observe', '--replicas=0']);
    await until('no prometheus endpoints', async () => !(await kubectl.json<{ subsets?: unknown[] }>(['get', 'endpoints', 'prometheus-server', '-n', 'observe'])).subsets);
    assert.match(await failure(kubectl.run(['get', '--raw', `${PROM}/api/v1/query?query=up`])),
      /Error from server \(ServiceUnavailable\): no endpoints available for service "prometheus-server"/);
    assert.equal(await env.runAction('get_metrics', { namespace: NS, duration: 5 }, ctx),
      'Error: reading metrics from Prometheus failed: Service observe/prometheus-server:80 through the Kubernetes API server: no endpoints available for service "prometheus-server"');
    await kubectl.run(['scale', 'deployment', 'prometheus-server', '-n', 'observe', '--replicas=1']);
    await until('prometheus back', async () => (JSON.parse(await kubectl.run(['get', '--raw', `${PROM}/api/v1/query?query=up`])) as { status: string }).status === 'success');
    await env.dispose();
  });
});

describe('telemetry endpoints through the API server (no cluster)', () => {
  const kc = new k8s.KubeConfig();
  kc.loadFromOptions({
    clusters: [{ name: 'c', server: 'https://10.0.0.1:6443', skipTLSVerify: false }],
    users: [{ name: 'u', token: 'secret-token' }],
    contexts: [{ name: 'x', cluster: 'c', user: 'u' }],
    currentContext: 'x',
  });

  it('Prometheus: prometheus-server:80 in observe through the API server; a direct URL only when preferred', () => {
    assert.equal(prometheusEndpoint(kc).base, 'https://10.0.0.1:6443/api/v1/namespaces/observe/services/prometheus-server:80/proxy');
    assert.equal(prometheusEndpoint(kc, { directUrl: 'http://127.0.0.1:9' }).via, 'apiserver', 'the same path as a real cluster by default');
    assert.deepEqual([prometheusEndpoint(kc, { directUrl: 'http://127.0.0.1:9', prefer: 'direct' }).via, prometheusEndpoint(kc, { directUrl: 'http://127.0.0.1:9', prefer: 'direct' }).base], ['direct', 'http://127.0.0.1:9']);
  });

  it('Jaeger: Service jaeger, else the OpenTelemetry demo\'s jaeger-query under /jaeger/ui, else the direct URL or none', async () => {
    const services: Record<string, { spec: { ports: Array<{ port: number }> } }> = { 'astronomy-shop/jaeger-query': { spec: { ports: [{ port: 16686 }] } }, 'test-social-network/jaeger': { spec: { ports: [{ port: 5775 }, { port: 16686 }] } } };
    const read = async (ns: string, name: string) => services[`${ns}/${name}`];
    assert.equal((await jaegerEndpoint(kc, 'astronomy-shop', read))!.base, 'https://10.0.0.1:6443/api/v1/namespaces/astronomy-shop/services/jaeger-query:16686/proxy/jaeger/ui');
    assert.equal((await jaegerEndpoint(kc, 'test-social-network', read))!.base, 'https://10.0.0.1:6443/api/v1/namespaces/test-social-network/services/jaeger:16686/proxy');
    assert.equal(await jaegerEndpoint(kc, 'default', read), undefined);
    assert.equal((await jaegerEndpoint(kc, 'default', read, { directUrl: 'http://127.0.0.1:7' }))!.base, 'http://127.0.0.1:7', 'no Service: the direct URL if there is one');
  });

  it('kubeFetch sends the kubeconfig\'s credentials and turns the API server\'s own Status failures into errors', async () => {
    const seen: string[] = [];
    const server = http.createServer((req, res) => {
      seen.push(`${req.url} ${req.headers.authorization}`);
      if (req.url!.includes('/down/')) {
        res.writeHead(503, { 'Content-Type': 'application/json' });
        res.end(JSON.stringify({ kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: 'no endpoints available for service "down"', reason: 'ServiceUnavailable', code: 503 }));
        return;
      }
      res.writeHead(400, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify({ status: 'error', errorType: 'bad_data', error: 'parse error' }));
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    try {
      const port = (server.address() as { port: number }).port;
      const local = new k8s.KubeConfig();
      local.loadFromOptions({ clusters: [{ name: 'c', server: `http://127.0.0.1:${port}`, skipTLSVerify: true }], users: [{ name: 'u', token: 'tok-1' }], contexts: [{ name: 'x', cluster: 'c', user: 'u' }], currentContext: 'x' });
      const f = kubeFetch(local);
      // The proxied server's own error body passes through untouched.
      const res = await f(`http://127.0.0.1:${port}/api/v1/namespaces/observe/services/prometheus-server:80/proxy/api/v1/query?query=sum(`);
      assert.equal(res.status, 400);
      assert.equal(((await res.json()) as { errorType: string }).errorType, 'bad_data');
      await assert.rejects(f(`http://127.0.0.1:${port}/api/v1/namespaces/x/services/down/proxy/`), (e: unknown) => e instanceof KubeProxyError && e.code === 503 && e.message === 'no endpoints available for service "down"');
      assert.deepEqual(seen.map((l) => l.split(' ')[1]), ['Bearer', 'Bearer']);
      assert.ok(seen.every((l) => l.endsWith('Bearer tok-1')));
    } finally {
      server.close();
    }
  });

  it('kubeFetch over https: verifies the server with the kubeconfig\'s CA and sends the client certificate', async function () {
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'aiopslab-tls-'));
    try {
      const gen = (args: string[]) => execFileSync('openssl', args, { cwd: tmp, stdio: 'pipe' });
      try {
        gen(['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'ca.key', '-out', 'ca.crt', '-days', '2', '-subj', '/CN=test-ca']);
        gen(['req', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'server.key', '-out', 'server.csr', '-subj', '/CN=127.0.0.1']);
        fs.writeFileSync(path.join(tmp, 'san.ext'), 'subjectAltName=IP:127.0.0.1\n');
        gen(['x509', '-req', '-in', 'server.csr', '-CA', 'ca.crt', '-CAkey', 'ca.key', '-CAcreateserial', '-out', 'server.crt', '-days', '2', '-extfile', 'san.ext']);
        gen(['req', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'client.key', '-out', 'client.csr', '-subj', '/CN=aiopslab/O=system:masters']);
        gen(['x509', '-req', '-in', 'client.csr', '-CA', 'ca.crt', '-CAkey', 'ca.key', '-CAcreateserial', '-out', 'client.crt', '-days', '2']);
      } catch {
        this.skip(); // no openssl here
      }
      const read = (f: string) => fs.readFileSync(path.join(tmp, f));
      const seen: string[] = [];
      const server = https.createServer({ key: read('server.key'), cert: read('server.crt'), ca: read('ca.crt'), requestCert: true, rejectUnauthorized: true }, (req, res) => {
        const peer = (req.socket as import('node:tls').TLSSocket).getPeerCertificate();
        seen.push(`${req.url} ${String(peer.subject?.CN)}`);
        res.writeHead(200, { 'Content-Type': 'application/json' });
        res.end('{"status":"success","data":{"resultType":"vector","result":[]}}');
      });
      await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
      try {
        const port = (server.address() as { port: number }).port;
        const local = new k8s.KubeConfig();
        local.loadFromOptions({
          clusters: [{ name: 'c', server: `https://127.0.0.1:${port}`, caData: read('ca.crt').toString('base64'), skipTLSVerify: false }],
          users: [{ name: 'u', certData: read('client.crt').toString('base64'), keyData: read('client.key').toString('base64') }],
          contexts: [{ name: 'x', cluster: 'c', user: 'u' }], currentContext: 'x',
        });
        const ep = prometheusEndpoint(local);
        const res = await ep.fetch(`${ep.base}/api/v1/query?query=up`);
        assert.equal(((await res.json()) as { status: string }).status, 'success');
        assert.deepEqual(seen, ['/api/v1/namespaces/observe/services/prometheus-server:80/proxy/api/v1/query?query=up aiopslab']);
        // A kubeconfig with another CA refuses the server.
        const wrong = new k8s.KubeConfig();
        wrong.loadFromOptions({ clusters: [{ name: 'c', server: `https://127.0.0.1:${port}`, skipTLSVerify: false }], users: [{ name: 'u', token: 't' }], contexts: [{ name: 'x', cluster: 'c', user: 'u' }], currentContext: 'x' });
        await assert.rejects(kubeFetch(wrong)(`https://127.0.0.1:${port}/`), /certificate|self.signed|unable to verify/i);
      } finally {
        server.close();
      }
    } finally {
      fs.rmSync(tmp, { recursive: true, force: true });
    }
  });
});
