/**
 * Protobuf request bodies as kubectl 1.33 sends them for `kubectl create configmap|deployment` (captured from
 * kubectl.1.33 against this twin), decoded into the objects the JSON path would create; and over HTTP.
 */
import assert from 'node:assert/strict';
import http from 'node:http';
import { decodeProtobuf } from '../../src/twin/apiserver/protobuf';
import { ApiError } from '../../src/twin/apiserver/errors';
import { serveTwin } from '../../src/twin/process/serve';
import { FakeRuntime } from './helpers';

const CONFIGMAP = '6b3873000a0f0a0276311209436f6e6669674d617012240a1a0a03636d3112001a0764656661756c7422002a0032003800420012060a01611201621a002200';
const DEPLOYMENT = '6b3873000a150a07617070732f7631120a4465706c6f796d656e7412c5010a260a0377656212001a0764656661756c7422002a003200380042005a0a0a036170701203776562128c010802120c0a0a0a0361707012037765621a720a1c0a0012001a0022002a003200380042005a0a0a036170701203776562125212340a056e67696e78120a6e67696e783a312e32352a00320b0a00100018903f22002a0042006a007200800100880100900100a201001a00320042004a0052005800600068008201008a01009a0100c2010022020a00280038001a0c0800100018002000280038001a002200';

describe('twin protobuf request bodies (kubectl >= 1.32 create)', () => {
  it('decodes a ConfigMap', () => {
    assert.deepEqual(decodeProtobuf(Buffer.from(CONFIGMAP, 'hex')), {
      apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cm1', namespace: 'default' }, data: { a: 'b' },
    });
  });

  it('decodes a Deployment with its pod template', () => {
    const d = decodeProtobuf(Buffer.from(DEPLOYMENT, 'hex')) as any; // eslint-disable-line @typescript-eslint/no-explicit-any
    assert.equal(d.kind, 'Deployment');
    assert.deepEqual(d.metadata, { name: 'web', namespace: 'default', labels: { app: 'web' } });
    assert.equal(d.spec.replicas, 2);
    assert.deepEqual(d.spec.selector, { matchLabels: { app: 'web' } });
    assert.deepEqual(d.spec.template.metadata, { labels: { app: 'web' } });
    assert.deepEqual(d.spec.template.spec.containers, [{ name: 'nginx', image: 'nginx:1.25', ports: [{ containerPort: 8080 }], resources: {} }]);
  });

  it('refuses garbage with a 400 Status and unknown kinds with 415', () => {
    assert.throws(() => decodeProtobuf(Buffer.from('k8s\0\xff\xff\xff', 'latin1')), (e: unknown) => e instanceof ApiError && e.code === 400);
    assert.throws(() => decodeProtobuf(Buffer.from('{}')), (e: unknown) => e instanceof ApiError && e.code === 400);
    const other = Buffer.concat([Buffer.from('k8s\0', 'latin1'), Buffer.from('0a0a0a0276311204506f64731200', 'hex')]);
    assert.throws(() => decodeProtobuf(other), (e: unknown) => e instanceof ApiError && e.code === 415);
  });

  it('creates from a protobuf POST over HTTP', async () => {
    const twin = await serveTwin({ runtime: new FakeRuntime(() => []) });
    try {
      const body = Buffer.from(CONFIGMAP, 'hex');
      const status = await new Promise<number>((resolve, reject) => {
        const req = http.request({ host: '127.0.0.1', port: twin.port, method: 'POST', path: '/api/v1/namespaces/default/configmaps',
          headers: { 'content-type': 'application/vnd.kubernetes.protobuf', 'content-length': body.length, accept: 'application/vnd.kubernetes.protobuf,application/json' } },
        (res) => { res.resume(); res.on('end', () => resolve(res.statusCode ?? 0)); });
        req.on('error', reject);
        req.end(body);
      });
      assert.equal(status, 201);
      assert.deepEqual(twin.store.get('configmaps', 'default', 'cm1')?.data, { a: 'b' });
    } finally { await twin.stop(); }
  });
});
