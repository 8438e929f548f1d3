/**
 * Fuzz of the twin's HTTP surface (loopback only, bounded count, seeded): random paths, verbs, queries, content types,
 * bodies and patches. Every answer must be a well-formed Status (errors) or JSON object/stream, and the server stays up.
 */
import assert from 'node:assert/strict';
import http from 'node:http';
import { serveTwin, ServedTwin } from '../../src/twin/process/serve';
import { FakeRuntime } from './helpers';
import { applyStrategicMergePatch, applyJsonPatch, applyMergePatch } from '../../src/twin/apiserver/patch';
import { ApiError } from '../../src/twin/apiserver/errors';
import { decodeProtobuf } from '../../src/twin/apiserver/protobuf';

function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => { s = (s + 0x6d2b79f5) >>> 0; let t = s; t = Math.imul(t ^ (t >>> 15), t | 1); t ^= t + Math.imul(t ^ (t >>> 7), t | 61); return ((t ^ (t >>> 14)) >>> 0) / 4294967296; };
}

interface Answer { status: number; headers: http.IncomingHttpHeaders; body: string; aborted: boolean }

function request(port: number, method: string, path: string, headers: Record<string, string>, body?: Buffer): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const h = body ? { ...headers, 'content-length': String(body.length) } : headers;
    const req = http.request({ host: '127.0.0.1', port, method, path, headers: h, agent: false }, (res) => {
      let data = '';
      let aborted = false;
      const timer = setTimeout(() => { aborted = true; res.destroy(); resolve({ status: res.statusCode ?? 0, headers: res.headers, body: data, aborted }); }, 600);
      res.setEncoding('utf8');
      res.on('data', (c) => { data += c; });
      res.on('end', () => { clearTimeout(timer); if (!aborted) resolve({ status: res.statusCode ?? 0, headers: res.headers, body: data, aborted: false }); });
      res.on('error', () => undefined);
    });
    req.on('error', reject);
    if (body) req.end(body); else req.end();
  });
}

const SEGMENTS = ['api', 'apis', 'v1', 'apps', 'v1beta1', 'namespaces', 'default', 'kube-system', 'fz', 'pods', 'services', 'deployments', 'configmaps',
  'nodes', 'events', 'status', 'scale', 'log', 'exec', 'watch', 'x', 'chaos-mesh.org', 'v1alpha1', 'podchaos', 'metrics.k8s.io', 'endpointslices',
  'discovery.k8s.io', 'openapi', 'v2', 'v3', 'version', 'healthz', '%00', '..', '%2F', encodeURIComponent('ünï'), 'a'.repeat(300), 'customresourcedefinitions', 'apiextensions.k8s.io'];
const QUERIES = ['', 'watch=true&timeoutSeconds=1', 'labelSelector=app%3Dx', 'labelSelector=%28%28', 'fieldSelector=status.phase!%3DRunning', 'fieldSelector=%3D%3D',
  'dryRun=All', 'tailLines=abc', 'tailLines=2', 'follow=true', 'resourceVersion=1&watch=1&timeoutSeconds=1', 'resourceVersion=abc&watch=true', 'includeObject=Object', 'propagationPolicy=Bogus', 'gracePeriodSeconds=0'];
const CTYPES = ['application/json', 'application/yaml', 'application/merge-patch+json', 'application/strategic-merge-patch+json', 'application/json-patch+json',
  'application/apply-patch+yaml', 'application/vnd.kubernetes.protobuf', 'text/plain', ''];
const ACCEPTS = ['application/json', 'application/json;as=Table;v=v1;g=meta.k8s.io,application/json', 'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList', '*/*', 'application/vnd.kubernetes.protobuf'];

function randomValue(r: () => number, depth = 0): unknown {
  const k = Math.floor(r() * (depth > 3 ? 5 : 8));
  switch (k) {
    case 0: return null;
    case 1: return Math.floor(r() * 1000) - 100;
    case 2: return ['x', '', 'web', 'Running', '$patch', 'delete', 'replace'][Math.floor(r() * 7)];
    case 3: return r() < 0.5;
    case 4: return 'v' + Math.floor(r() * 10);
    case 5: return Array.from({ length: Math.floor(r() * 4) }, () => randomValue(r, depth + 1));
    default: {
      const o: Record<string, unknown> = {};
      const keys = ['metadata', 'spec', 'status', 'name', 'namespace', 'labels', 'containers', 'ports', 'port', 'env', 'image', 'replicas', '$patch', '$setElementOrder/containers', '$retainKeys', 'kind', 'apiVersion', 'selector', 'template', 'data', 'op', 'path', 'value'];
      for (let i = 0; i < 1 + Math.floor(r() * 4); i++) o[keys[Math.floor(r() * keys.length)]] = randomValue(r, depth + 1);
      return o;
    }
  }
}

function randomBody(r: () => number): Buffer | undefined {
  const k = Math.floor(r() * 7);
  if (k === 0) return undefined;
  if (k === 1) return Buffer.from('{not json');
  if (k === 2) return Buffer.from('kind: ConfigMap\napiVersion: v1\nmetadata: {name: fz-cm}\ndata: {a: b}\n');
  if (k === 3) return Buffer.from(JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: `fz-${Math.floor(r() * 5)}` }, data: { a: 'b' } }));
  if (k === 4) return Buffer.from(JSON.stringify([{ op: ['add', 'remove', 'replace', 'move', 'test', 'bogus'][Math.floor(r() * 6)], path: ['/metadata/labels/x', '/spec/replicas', '/nope/0', '', 'bad'][Math.floor(r() * 5)], value: randomValue(r), from: '/metadata' }]));
  return Buffer.from(JSON.stringify(randomValue(r)));
}

function checkAnswer(a: Answer, what: string): void {
  assert.ok(a.status >= 200 && a.status < 600, `${what}: status ${a.status}`);
  const ct = String(a.headers['content-type'] ?? '');
  if (a.status >= 400) {
    assert.match(ct, /^application\/json/, `${what}: error content-type ${ct} status ${a.status} body ${a.body.slice(0, 200)}`);
    const s = JSON.parse(a.body);
    assert.equal(s.kind, 'Status', what);
    assert.equal(s.apiVersion, 'v1', what);
    assert.equal(s.status, 'Failure', what);
    assert.equal(s.code, a.status, what);
    assert.equal(typeof s.message, 'string', what);
    return;
  }
  if (ct.startsWith('text/plain') || ct.includes('protobuf')) return;
  assert.match(ct, /^application\/json/, `${what}: content-type ${ct}`);
  if (a.aborted || a.body.includes('\n{')) {
    for (const line of a.body.split('\n').filter(Boolean).slice(0, -1)) {
      const ev = JSON.parse(line);
      assert.ok(['ADDED', 'MODIFIED', 'DELETED', 'ERROR', 'BOOKMARK'].includes(ev.type), what);
    }
    return;
  }
  const o = JSON.parse(a.body);
  assert.equal(typeof o, 'object', what);
  assert.ok(o && (o.kind || o.paths || o.major || o.swagger), `${what}: ${a.body.slice(0, 200)}`);
}

describe('twin API server fuzz (HTTP surface)', function () {
  this.timeout(60000);
  let twin: ServedTwin;
  before(async () => {
    let t: ServedTwin | undefined;
    twin = t = await serveTwin({ runtime: new FakeRuntime(() => t?.store.list('pods') ?? []), followMaxMs: 300 });
    twin.store.create('namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'fz' } });
    twin.store.create('pods', { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'x', namespace: 'fz' }, spec: { containers: [{ name: 'c', image: 'busybox' }] } });
  });
  after(async () => { await twin?.stop(); });

  it('answers 1500 random requests with well-formed Status or objects and stays up', async () => {
    const r = rng(20261128);
    for (let i = 0; i < 1500; i++) {
      const n = 1 + Math.floor(r() * 7);
      const segs = Array.from({ length: n }, () => SEGMENTS[Math.floor(r() * SEGMENTS.length)]);
      const q = QUERIES[Math.floor(r() * QUERIES.length)];
      const path = '/' + segs.join('/') + (q ? '?' + q : '');
      const method = ['GET', 'GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS', 'HEAD'][Math.floor(r() * 8)];
      const body = ['POST', 'PUT', 'PATCH', 'DELETE'].includes(method) ? randomBody(r) : undefined;
      const headers: Record<string, string> = { accept: ACCEPTS[Math.floor(r() * ACCEPTS.length)] };
      const ct = CTYPES[Math.floor(r() * CTYPES.length)];
      if (ct) headers['content-type'] = ct;
      let a: Answer;
      try { a = await request(twin.port, method, path, headers, body); } catch (e) { throw new Error(`${method} ${path} ${ct} ${body?.toString().slice(0, 100)}: ${String(e)}`); }
      if (method === 'HEAD') { assert.ok(a.status >= 200 && a.status < 600); continue; }
      checkAnswer(a, `${method} ${path} ${ct}`);
    }
    const v = await request(twin.port, 'GET', '/version', {});
    assert.equal(v.status, 200);
  });

  it('refuses bodies over the size limit with 413 and keeps serving', async () => {
    const big = Buffer.alloc(4 * 1024 * 1024, 0x61);
    const a = await request(twin.port, 'POST', '/api/v1/namespaces/fz/configmaps', { 'content-type': 'application/json' }, big);
    assert.equal(a.status, 413);
    assert.equal(JSON.parse(a.body).reason, 'RequestEntityTooLarge');
    assert.equal((await request(twin.port, 'GET', '/healthz', {})).status, 200);
  });

  it('patch functions only ever throw ApiErrors on random documents and patches', () => {
    const r = rng(7);
    for (let i = 0; i < 3000; i++) {
      const doc = randomValue(r);
      const patch = randomValue(r);
      for (const f of [
        () => applyStrategicMergePatch(['Pod', 'Deployment', 'Service', 'Node'][i % 4], doc, patch),
        () => applyMergePatch(doc, patch),
        () => applyJsonPatch(doc, Array.isArray(patch) ? patch : [patch]),
      ]) {
        try { f(); } catch (e) { assert.ok(e instanceof ApiError, `non-ApiError: ${String(e)} for ${JSON.stringify(doc)} / ${JSON.stringify(patch)}`); }
      }
    }
  });

  it('protobuf decoding only ever throws ApiErrors on random bytes', () => {
    const r = rng(11);
    const kinds = ['0a0d0a0276311207436f6e6669674d6170', '0a150a07617070732f7631120a4465706c6f796d656e74', '0a0a0a02763112044a6f6273'];
    for (let i = 0; i < 3000; i++) {
      const noise = Buffer.from(Array.from({ length: Math.floor(r() * 64) }, () => Math.floor(r() * 256)));
      const head = Buffer.from(kinds[i % kinds.length], 'hex');
      const body = Buffer.concat([Buffer.from('k8s\0', 'latin1'), head, Buffer.from([0x12, noise.length]), noise]);
      try { decodeProtobuf(i % 5 === 0 ? noise : body); } catch (e) { assert.ok(e instanceof ApiError, `non-ApiError: ${String(e)}`); }
    }
  });
});
