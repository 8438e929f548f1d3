/**
 * Every app, healthy, on the twin with the real kubectl (issue #4, "Must show"): deployed from apps/<id>/manifests,
 * every pod is Ready (READY n/n, Running, init containers completed) within 2 s of twin time — including the pods whose
 * init containers wait by the app's own design (SocialNetwork's git clone of the Lua handlers, AstronomyShop's
 * wait-for-kafka loops, which find their target up at the first try); under the app's own workload (the wrk2 Job the
 * engine launches, or AstronomyShop's load generator) the twin's Prometheus — reached through the API server's service
 * proxy to observe/prometheus-server:80, as get_metrics reads it — reports a frontend request rate near the configured
 * one, a plausible p99, no failed call anywhere in the app and container_* series for every pod, and its Jaeger query
 * API (service proxy to jaeger / jaeger-query) lists the app's services with traces whose spans are linked parent →
 * child and carry no error tag. Flower: readiness and a clean 3-round training run.
 *
 * The twin runs in-process on a manual clock (cluster, app behaviours, request simulation, Prometheus/Jaeger behind
 * the API server's proxy), so minutes of load cost no real waiting.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import YAML from 'yaml';
import { MemoryStore } from '../../../src/twin/apiserver/store';
import { createApiServer, type ApiServer } from '../../../src/twin/apiserver/server';
import { ManualClock, startCluster, type Cluster } from '../../../src/twin/cluster';
import { registerAppBehaviours } from '../../../src/twin/apps';
import { registerFlowerBehaviours } from '../../../src/twin/flower/behaviours';
import { createObservabilityObjects } from '../../../src/twin/process/observability';
import { startTelemetry, callErrorsHook, wrk2OracleFor, type TelemetryHandle } from '../../../src/twin/telemetry';
import { writeKubeconfig } from '../../../src/twin/process/kubeconfig';
import { resolveKubectl } from '../../../src/twin/kubectl-path';
import type { KubeObject } from '../../../src/twin/contracts';
import type { Wrk2Workload } from '../../../src/core/problems/types';
import { wrk2Job, SCRIPT_CONFIGMAP, JOB_NAME, WORKLOAD_NAMESPACE } from '../../../src/env/workload/wrk2';
import { APPS_DIR, kubectlRunner, type RunResult } from './harness';

/** What the readiness bound is, in twin milliseconds after `kubectl apply` returned. */
const READY_BOUND_MS = 2000;

interface Twin {
  clock: ManualClock;
  store: MemoryStore;
  tel: TelemetryHandle;
  k(args: string[], stdin?: string): Promise<RunResult>;
  /** Advances twin time in 100 ms steps, the request simulation along with it. */
  advance(ms: number): void;
  close(): Promise<void>;
}

/** The twin process's wiring (src/twin/process/serve.ts) on a manual clock, with the real kubectl against it. */
async function startTwin(): Promise<Twin> {
  // On a whole second, like the wrk2 Job's startTime (names and IPs still differ between runs: the store draws them).
  const clock = new ManualClock(Math.floor(Date.now() / 1000) * 1000 - 10 * 60 * 1000);
  const store = new MemoryStore({ finishGracefulDeletes: false, namespaceFinalizeDelayMs: 0 });
  const errors: string[] = [];
  const cluster: Cluster = startCluster(store, { clock, seed: 7, systemComponents: false, log: (m) => errors.push(m) });
  let tel: TelemetryHandle | undefined;
  const sim = {
    wrk2Oracle: (world: unknown, run: { targetNamespace?: string; startMs: number; rate: number }, index: number) => (tel ? wrk2OracleFor(tel)(world, run, index) : undefined),
    callErrors: (namespace: string, sinceMs: number) => (tel ? callErrorsHook(tel)(namespace, sinceMs) : []),
  };
  const apps = registerAppBehaviours(cluster.behaviours, { store, clock, sim, killContainer: cluster.killContainer });
  registerFlowerBehaviours(cluster.behaviours, () => clock.now());
  createObservabilityObjects(store);
  tel = await startTelemetry({ store, clock, listening: apps.listening, tickMs: 0, seed: 3 });
  const t = tel;
  const api: ApiServer = createApiServer({ store, runtime: cluster.runtime, followMaxMs: 2000, proxy: t.proxyBackend });
  const port = await api.listen(0, '127.0.0.1');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'twin-healthy-'));
  const kubeconfig = writeKubeconfig(path.join(dir, 'kubeconfig'), { server: `http://127.0.0.1:${port}`, token: 't' });
  const kubectl = await resolveKubectl();
  return {
    clock, store, tel: t,
    k: kubectlRunner(kubectl, kubeconfig, dir),
    advance(ms: number) {
      for (let s = 0; s < ms; s += 100) {
        cluster.advance(Math.min(100, ms - s));
        t.advance();
      }
      cluster.settle();
      if (errors.length) throw new Error(`cluster logged errors:\n${errors.join('\n')}`);
    },
    async close() {
      await t.stop();
      cluster.stop();
      await api.close();
      store.close();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Pods the manifests ask for: Deployment/StatefulSet replicas and bare Pods. */
function expectedPods(app: string): number {
  let n = 0;
  const dir = path.join(APPS_DIR, app, 'manifests');
  for (const f of fs.readdirSync(dir).filter((x) => /\.ya?ml$/.test(x))) {
    for (const doc of YAML.parseAllDocuments(fs.readFileSync(path.join(dir, f), 'utf8'))) {
      const o = doc.toJSON() as KubeObject | null;
      if (!o?.kind) continue;
      if (o.kind === 'Deployment' || o.kind === 'StatefulSet') n += o.spec?.replicas ?? 1;
      if (o.kind === 'Pod') n += 1;
    }
  }
  return n;
}

type Status = { name: string; ready?: boolean; state?: { running?: unknown; terminated?: { exitCode: number; reason?: string } } };

/** Every container ready and running, every init container terminated with exit code 0. */
function podReady(p: KubeObject): boolean {
  const cs = (p.status?.containerStatuses ?? []) as Status[];
  const init = (p.status?.initContainerStatuses ?? []) as Status[];
  return p.status?.phase === 'Running' && !p.metadata.deletionTimestamp
    && cs.length === (p.spec?.containers ?? []).length && cs.every((c) => c.ready && c.state?.running)
    && init.length === (p.spec?.initContainers ?? []).length && init.every((c) => c.state?.terminated?.exitCode === 0);
}

/**
 * Applies the manifests, then steps twin time (100 ms at a time) until every expected pod is ready, up to `limitMs`.
 * Returns when each pod first was ready (twin ms after `kubectl apply` returned).
 */
async function deployAndTime(twin: Twin, app: string, ns: string, limitMs: number): Promise<Map<string, number>> {
  let r = await twin.k(['create', 'namespace', ns]);
  assert.equal(r.code, 0, r.stderr);
  r = await twin.k(['apply', '-R', '-n', ns, '-f', path.join(APPS_DIR, app, 'manifests')]);
  assert.equal(r.code, 0, r.stderr);
  const want = expectedPods(app);
  const readyAt = new Map<string, number>();
  for (let t = 0; ; t += 100) {
    const pods = twin.store.list('pods', ns);
    for (const p of pods) if (!readyAt.has(p.metadata.name!) && podReady(p)) readyAt.set(p.metadata.name!, t);
    if (pods.length === want && pods.every(podReady)) return readyAt;
    if (t >= limitMs) break;
    twin.advance(100);
  }
  const notReady = twin.store.list('pods', ns).filter((p) => !podReady(p)).map((p) => `${p.metadata.name} ${p.status?.phase} ${JSON.stringify(p.status?.containerStatuses?.map((c: Status) => c.state))}`);
  assert.fail(`${app}: not every pod ready after ${limitMs} ms of twin time:\n${notReady.join('\n')}`);
}

/** `kubectl get pods`: READY n/n and Running for each; `-o json`: init containers Completed (exit 0). */
async function assertAllReady(twin: Twin, ns: string, count: number): Promise<void> {
  const r = await twin.k(['get', 'pods', '-n', ns, '--no-headers']);
  assert.equal(r.code, 0, r.stderr);
  const rows = r.stdout.trim().split('\n').map((l) => l.trim().split(/\s+/));
  assert.equal(rows.length, count, r.stdout);
  for (const [name, ready, status] of rows) {
    const [a, b] = ready.split('/');
    assert.ok(a === b && Number(b) > 0, `${name} READY ${ready}`);
    assert.equal(status, 'Running', name);
  }
  const pods = JSON.parse((await twin.k(['get', 'pods', '-n', ns, '-o', 'json'])).stdout).items as KubeObject[];
  for (const p of pods) {
    for (const c of (p.status?.initContainerStatuses ?? []) as Status[]) {
      assert.deepEqual([c.state?.terminated?.exitCode, c.state?.terminated?.reason], [0, 'Completed'], `${p.metadata.name} init ${c.name}`);
    }
  }
}

/** Starts the engine's wrk2 Job: ConfigMap with the app's own Lua script + Job, as src/env/workload/wrk2.ts builds them. */
async function applyWrk2(twin: Twin, app: string, ns: string, w: Wrk2Workload, seconds: number): Promise<void> {
  const ip = (await twin.k(['get', 'svc', w.url.service, '-n', ns, '-o', 'jsonpath={.spec.clusterIP}'])).stdout.trim();
  assert.match(ip, /^\d+\.\d+\.\d+\.\d+$/);
  const url = `http://${ip}:${w.url.port}${w.url.path === '/' ? '' : w.url.path}`;
  const cm = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: SCRIPT_CONFIGMAP, namespace: WORKLOAD_NAMESPACE }, data: { [w.script]: fs.readFileSync(path.join(APPS_DIR, app, 'workload', w.script), 'utf8') } };
  let r = await twin.k(['apply', '-f', '-'], YAML.stringify(cm));
  assert.equal(r.code, 0, r.stderr);
  r = await twin.k(['apply', '-f', '-'], YAML.stringify(wrk2Job(w, url, seconds)));
  assert.equal(r.code, 0, r.stderr);
}

/** One instant query through the API server's service proxy to observe/prometheus-server:80 (as get_metrics reads it). */
async function prom(twin: Twin, query: string): Promise<Array<{ metric: Record<string, string>; value: number }>> {
  const r = await twin.k(['get', '--raw', `/api/v1/namespaces/observe/services/prometheus-server:80/proxy/api/v1/query?${new URLSearchParams({ query })}`]);
  assert.equal(r.code, 0, `${query}: ${r.stderr}`);
  const body = JSON.parse(r.stdout) as { status: string; data: { resultType: string; result: Array<{ metric: Record<string, string>; value: [number, string] }> } };
  assert.equal(body.status, 'success');
  assert.equal(body.data.resultType, 'vector');
  return body.data.result.map((x) => ({ metric: x.metric, value: Number(x.value[1]) }));
}

async function one(twin: Twin, query: string): Promise<number> {
  const r = await prom(twin, query);
  assert.equal(r.length, 1, `${query}: ${JSON.stringify(r)}`);
  return r[0].value;
}

interface JSpan { traceID: string; spanID: string; operationName: string; references: Array<{ refType: string; spanID: string }>; tags: Array<{ key: string; value: unknown }>; processID: string; duration: number }
interface JTrace { traceID: string; spans: JSpan[]; processes: Record<string, { serviceName: string }> }

/** GET on the app's Jaeger query API through the service proxy (Service jaeger:16686, or the demo's jaeger-query under /jaeger/ui). */
async function jaeger<T>(twin: Twin, ns: string, svc: { name: string; basePath: string }, pathAndQuery: string): Promise<T> {
  const r = await twin.k(['get', '--raw', `/api/v1/namespaces/${ns}/services/${svc.name}:16686/proxy${svc.basePath}${pathAndQuery}`]);
  assert.equal(r.code, 0, `${pathAndQuery}: ${r.stderr}`);
  return (JSON.parse(r.stdout) as { data: T }).data;
}

interface Case {
  app: string;
  ns: string;
  frontend: string;
  /** The wrk2 Job's workload (the problems' values), or undefined for the app's own load generator. */
  wrk2?: Wrk2Workload;
  /** The request rate the frontend should see (req/s). */
  rate: number;
  /** Twin seconds of load. */
  loadSeconds: number;
  /** The PromQL range the checks read: the end of the load, after every pod was ready. */
  windowSeconds: number;
  jaegerService: { name: string; basePath: string };
  /** Services whose spans must appear in Jaeger. */
  traced: string[];
  /** Spans whose parent must be a given span of another service: [service, operation, parent service, parent operation]. */
  links?: Array<[string, string, string, string]>;
  /**
   * Init containers whose wait is the app's own documented behaviour, not the twin's start-up: their pods get
   * `boundMs` instead of READY_BOUND_MS (every other pod of the app still has to be ready within READY_BOUND_MS).
   */
  /** Init containers that wait for something (they too must be done within the bound). */
  waits?: string[];
}

const CASES: Case[] = [
  {
    // The problems run wrk2 at 10 req/s (100 for container_kill); 50 keeps the rate check tight and the login/reserve
    // paths (0.5 % each) visited. The Job runs loadSeconds (the engine's steady mode), not the one-shot 10 s.
    app: 'hotel-reservation', ns: 'test-hotel-reservation', frontend: 'frontend', rate: 50, loadSeconds: 30, windowSeconds: 30,
    wrk2: { kind: 'wrk2', rate: 50, dist: 'exp', connections: 2, duration: 10, threads: 2, script: 'mixed-workload_type_1.lua', url: { service: 'frontend', port: 5000, path: '/' } },
    jaegerService: { name: 'jaeger', basePath: '' },
    traced: ['frontend', 'search', 'geo', 'rate', 'profile', 'recommendation', 'user', 'reservation'],
  },
  {
    // Jaeger samples 1 % here (jaeger-config.yml): 100 req/s for 30 s gives ~30 sampled traces.
    app: 'social-network', ns: 'test-social-network', frontend: 'nginx-thrift', rate: 100, loadSeconds: 30, windowSeconds: 30,
    wrk2: { kind: 'wrk2', rate: 100, dist: 'exp', connections: 2, duration: 10, threads: 2, script: 'compose-post.lua', url: { service: 'nginx-thrift', port: 8080, path: '/wrk2-api/post/compose' } },
    jaegerService: { name: 'jaeger', basePath: '' },
    // nginx-thrift and media-frontend fetch their Lua handlers at deploy time: init container fetch-lua-scripts runs
    // `git clone --depth 1` of DeathStarBench (apps/social-network/manifests/README.md), a network download.
    waits: ['fetch-lua-scripts'],
    traced: ['nginx-thrift', 'compose-post-service', 'text-service', 'user-service', 'unique-id-service', 'media-service', 'url-shorten-service', 'user-mention-service', 'post-storage-service', 'user-timeline-service', 'home-timeline-service', 'social-graph-service'],
  },
  {
    // The demo's load generator (Locust) drives the traffic while its pod is Ready; the problems start no wrk2. At its
    // 2.5 req/s a 30 s window holds ~40 requests between two scrapes (±16 %), and the series of rare operations (checkout,
    // index) are born inside it, which rate() underestimates as Prometheus does: 2 min after a first half minute.
    app: 'astronomy-shop', ns: 'astronomy-shop', frontend: 'frontend-proxy', rate: 2.5, loadSeconds: 150, windowSeconds: 120,
    jaegerService: { name: 'jaeger-query', basePath: '/jaeger/ui' },
    // accounting, checkout, fraud-detection and cart wait in busybox init containers
    // (`until nc -z -v -w30 kafka 9092; do echo waiting for kafka; sleep 2; done`, as the demo's chart).
    waits: ['wait-for-kafka', 'wait-for-valkey-cart'],
    traced: ['frontend-proxy', 'frontend', 'product-catalog', 'recommendation', 'ad', 'cart', 'checkout', 'currency', 'shipping', 'quote', 'payment', 'email', 'image-provider', 'accounting', 'fraud-detection'],
    // The Kafka consumers continue the checkout's trace (the context travels in the message headers).
    links: [['accounting', 'orders receive', 'checkout', 'orders publish'], ['fraud-detection', 'orders process', 'checkout', 'orders publish']],
  },
];

describe('twin apps: every app deploys Ready within 2 s and is healthy under its workload (real kubectl, Prometheus and Jaeger through the service proxy)', function () {
  this.timeout(120_000);

  for (const c of CASES) {
    describe(c.app, () => {
      let twin: Twin;
      let deployed = false;
      const figures: Record<string, unknown> = {};

      before(async () => {
        twin = await startTwin();
        twin.advance(2000); // the observe namespace's Prometheus server starts
      });
      after(async () => {
        if (Object.keys(figures).length) console.log(`      ${c.app}: ${JSON.stringify(figures)}`);
        await twin?.close();
      });

      it(`deploy: every pod READY n/n Running, init containers completed${c.waits ? ` (${c.waits.join(', ')} too)` : ''}, within ${READY_BOUND_MS} ms of twin time`, async () => {
        const readyAt = await deployAndTime(twin, c.app, c.ns, READY_BOUND_MS);
        await assertAllReady(twin, c.ns, expectedPods(c.app));
        const waiting = twin.store.list('pods', c.ns).filter((p) => ((p.spec?.initContainers ?? []) as Array<{ name: string }>).some((i) => c.waits?.includes(i.name)));
        if (c.waits) assert.ok(waiting.length > 0, `pods with ${c.waits.join(', ')}`);
        const slow = [...readyAt].filter(([, ms]) => ms > READY_BOUND_MS).map(([n, ms]) => `${n} ${ms} ms`);
        assert.deepEqual(slow, [], `ready later than ${READY_BOUND_MS} ms`);
        figures.readyMs = Math.max(...readyAt.values());
        if (waiting.length) figures.readyMsWithWaits = Math.max(...waiting.map((p) => readyAt.get(p.metadata.name!)!));
        deployed = true;
      });

      it(`under ${c.wrk2 ? `wrk2 ${c.wrk2.script} at ${c.wrk2.rate} req/s` : 'the load generator'} for ${c.loadSeconds} s: frontend rate near the configured one, plausible p99, no errors, container_* for every pod`, async () => {
        assert.ok(deployed, 'deployed');
        if (c.wrk2) await applyWrk2(twin, c.app, c.ns, c.wrk2, c.loadSeconds);
        // wrk2 sends from 1 s after its Job starts; one more second for its report.
        twin.advance((c.loadSeconds + 2) * 1000);
        // The window lies inside the load and after every pod was ready.
        const w = `[${c.windowSeconds}s]`;
        const sel = `namespace="${c.ns}",service="${c.frontend}"`;
        const rate = await one(twin, `sum(rate(service_requests_total{${sel}}${w}))`);
        figures.rate = Number(rate.toFixed(2));
        assert.ok(rate > c.rate * 0.75 && rate < c.rate * 1.25, `frontend request rate ${rate} req/s, configured ${c.rate}`);
        const p99 = await one(twin, `histogram_quantile(0.99, sum by (le) (rate(service_request_duration_seconds_bucket{${sel}}${w})))`);
        figures.p99Ms = Number((p99 * 1000).toFixed(2));
        assert.ok(p99 > 0.0001 && p99 < 1, `frontend p99 ${p99} s`);
        const ratio = await one(twin, `sum(rate(service_request_errors_total{${sel}}${w})) / sum(rate(service_requests_total{${sel}}${w}))`);
        figures.errorRatio = ratio;
        assert.equal(ratio, 0, 'frontend error ratio');
        // No failed call anywhere in the app, server or client side.
        const failed = [
          ...await prom(twin, `sum by (service, operation) (increase(service_request_errors_total{namespace="${c.ns}"}${w})) > 0`),
          ...await prom(twin, `sum by (service, target, operation) (increase(service_client_request_errors_total{namespace="${c.ns}"}${w})) > 0`),
        ];
        assert.deepEqual(failed, [], 'errors in the namespace');
        const served = await prom(twin, `sum by (service) (rate(service_requests_total{namespace="${c.ns}"}${w})) > 0`);
        figures.servicesWithRequests = served.length;
        // cAdvisor-style series for every pod of the app (each running container), with CPU and memory in use.
        const pods = twin.store.list('pods', c.ns).map((p) => p.metadata.name!).sort();
        const cpu = await prom(twin, `sum by (pod) (rate(container_cpu_usage_seconds_total{namespace="${c.ns}",container!="",container!="POD"}${w}))`);
        assert.deepEqual(cpu.map((x) => x.metric.pod).sort(), pods);
        assert.ok(cpu.every((x) => x.value > 0), JSON.stringify(cpu.filter((x) => !(x.value > 0))));
        const mem = await prom(twin, `sum by (pod) (container_memory_working_set_bytes{namespace="${c.ns}",container!="",container!="POD"})`);
        assert.deepEqual(mem.map((x) => x.metric.pod).sort(), pods);
        assert.ok(mem.every((x) => x.value > 1024 * 1024), JSON.stringify(mem.filter((x) => !(x.value > 1024 * 1024))));
        if (c.wrk2) {
          // wrk2's own report (the Job's log): every request answered 2xx at the configured rate.
          const pod = (await twin.k(['get', 'pods', '-n', WORKLOAD_NAMESPACE, '-l', `job-name=${JOB_NAME}`, '-o', 'jsonpath={.items[0].metadata.name}'])).stdout.trim();
          const report = (await twin.k(['logs', pod, '-n', WORKLOAD_NAMESPACE])).stdout;
          assert.match(report, new RegExp(`^Running ${c.loadSeconds}s test @ `, 'm'));
          assert.doesNotMatch(report, /Non-2xx|Socket errors/);
          const rps = Number(/^Requests\/sec:\s+([\d.]+)$/m.exec(report)?.[1]);
          figures.wrk2RequestsPerSec = rps;
          assert.ok(rps > c.rate * 0.9 && rps < c.rate * 1.1, report);
        }
      });

      it('Jaeger lists the app\'s services; their traces link every span to a parent in the trace and carry no error tag', async () => {
        const services = await jaeger<string[]>(twin, c.ns, c.jaegerService, '/api/services');
        figures.jaegerServices = services.join(",");
        for (const s of c.traced) assert.ok(services.includes(s), `${s} in ${JSON.stringify(services)}`);
        let traces = 0;
        let spans = 0;
        let linked = 0;
        const ids = new Set<string>();
        for (const s of c.traced) {
          const data = await jaeger<JTrace[]>(twin, c.ns, c.jaegerService, `/api/traces?${new URLSearchParams({ service: s, lookback: '5m', limit: '50' })}`);
          assert.ok(data.length > 0, `traces of ${s}`);
          for (const t of data) {
            const spanIds = new Set(t.spans.map((x) => x.spanID));
            const roots = t.spans.filter((x) => !x.references.some((r) => r.refType === 'CHILD_OF'));
            assert.equal(roots.length, 1, `trace ${t.traceID} of ${s}: one root span`);
            for (const x of t.spans) {
              for (const r of x.references) assert.ok(spanIds.has(r.spanID), `span ${x.spanID} (${x.operationName}) of trace ${t.traceID}: parent ${r.spanID} in the trace`);
              const bad = x.tags.filter((g) => (g.key === 'error' && (g.value === true || g.value === 'true')) || (g.key === 'otel.status_code' && g.value === 'ERROR') || (g.key === 'http.status_code' && Number(g.value) >= 500));
              assert.deepEqual(bad, [], `span ${x.operationName} of ${t.processes[x.processID].serviceName}`);
              assert.ok(x.duration > 0, `span ${x.operationName} duration`);
            }
            assert.ok(t.spans.some((x) => t.processes[x.processID].serviceName === s));
            const byId = new Map(t.spans.map((x) => [x.spanID, x]));
            for (const [svc, op, parentSvc, parentOp] of c.links ?? []) {
              for (const x of t.spans.filter((y) => t.processes[y.processID].serviceName === svc && y.operationName === op)) {
                const parent = byId.get(x.references[0]?.spanID ?? '');
                assert.deepEqual(parent && [t.processes[parent.processID].serviceName, parent.operationName], [parentSvc, parentOp], `parent of ${svc} ${op}`);
                linked++;
              }
            }
            if (!ids.has(t.traceID)) { ids.add(t.traceID); traces++; spans += t.spans.length; }
          }
        }
        if (c.links) assert.ok(linked > 0, 'linked spans found');
        figures.distinctTracesRead = traces;
        figures.spansPerTrace = Number((spans / traces).toFixed(1));
      });
    });
  }
});

/**
 * Flower (Docker Compose in the original, one pod per compose container in namespace docker here): the same readiness
 * bound, and its workload (`flwr run train local-deployment`, which the env layer starts on the twin through ConfigMap
 * flwr-run) trains 3 federated rounds without a failure. The original has no Prometheus or Jaeger for Flower (compose
 * containers are not scraped, the app is not traced): its health shows only in the containers' logs.
 */
describe('twin apps: Flower deploys Ready within 2 s and trains healthily (real kubectl)', function () {
  this.timeout(120_000);
  const NS = 'docker';
  let twin: Twin;
  let deployed = false;

  before(async () => {
    twin = await startTwin();
  });
  after(async () => {
    await twin?.close();
  });

  it(`deploy: all 6 compose containers READY 1/1 Running within ${READY_BOUND_MS} ms of twin time`, async () => {
    const readyAt = await deployAndTime(twin, 'flower', NS, READY_BOUND_MS);
    assert.equal(readyAt.size, 6);
    await assertAllReady(twin, NS, 6);
    console.log(`      flower: ${JSON.stringify({ readyMs: Math.max(...readyAt.values()) })}`);
    deployed = true;
  });

  it('flwr run: 3 rounds, every fit and evaluate answered by the clients, [SUMMARY]; no client error', async () => {
    assert.ok(deployed, 'deployed');
    const started = new Date(twin.clock.now()).toISOString();
    const r = await twin.k(['create', 'configmap', 'flwr-run', '-n', NS, `--from-literal=started=${started}`]);
    assert.equal(r.code, 0, r.stderr);
    twin.advance(70_000);
    const server = (await twin.k(['logs', 'serverapp', '-n', NS])).stdout;
    assert.equal(server.match(/aggregate_fit: received 1 results and 0 failures/g)?.length, 3, server);
    assert.equal(server.match(/aggregate_evaluate: received 2 results and 0 failures/g)?.length, 3, server);
    assert.match(server, /\[SUMMARY\]\n.*Run finished 3 round\(s\)/);
    for (const client of ['clientapp-1', 'clientapp-2']) {
      const log = (await twin.k(['logs', client, '-n', NS])).stdout;
      assert.match(log, /Sent reply/, client);
      assert.doesNotMatch(log, /ERROR|Traceback/, client);
    }
  });
});
