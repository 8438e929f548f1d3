/** Watch over HTTP: replay from a resourceVersion, label-selector transitions, Table events, expiry and timeouts. */
import assert from 'node:assert/strict';
import http from 'node:http';
import { serveTwin, ServedTwin } from '../../src/twin/process/serve';
import { FakeRuntime } from './helpers';

function watch(port: number, path: string, accept = 'application/json', untilLines = Infinity, maxMs = 2000, onHeaders?: () => void): Promise<{ ended: boolean; lines: any[] }> { // eslint-disable-line @typescript-eslint/no-explicit-any
  return new Promise((resolve, reject) => {
    let ended = false;
    const req = http.get({ host: '127.0.0.1', port, path, headers: { accept } }, (res) => {
      onHeaders?.();
      let buf = '';
      const lines: unknown[] = [];
      const done = () => { clearTimeout(timer); req.destroy(); resolve({ ended, lines }); };
      const timer = setTimeout(done, maxMs);
      res.on('data', (c) => {
        buf += c;
        let i;
        while ((i = buf.indexOf('\n')) >= 0) { lines.push(JSON.parse(buf.slice(0, i))); buf = buf.slice(i + 1); }
        if (lines.length >= untilLines) done();
      });
      res.on('end', () => { ended = true; done(); });
    });
    req.on('error', (e) => { if (!String(e).includes('socket hang up')) reject(e); });
  });
}

describe('twin watch', function () {
  this.timeout(20000);
  let twin: ServedTwin;
  before(async () => {
    let t: ServedTwin | undefined;
    twin = t = await serveTwin({ runtime: new FakeRuntime(() => t?.store.list('pods') ?? []), store: { historySize: 50 } });
  });
  after(async () => { await twin?.stop(); });

  it('replays from a resourceVersion and reports selector transitions as ADDED/DELETED', async () => {
    const rv = twin.store.currentResourceVersion();
    const cm = twin.store.create('configmaps', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'w1', namespace: 'default', labels: { app: 'a' } } });
    cm.metadata.labels = { app: 'b' };
    const moved = twin.store.update('configmaps', cm);
    moved.metadata.labels = { app: 'a' };
    twin.store.update('configmaps', moved);
    twin.store.delete('configmaps', 'default', 'w1');
    const r = await watch(twin.port, `/api/v1/namespaces/default/configmaps?watch=true&labelSelector=app%3Da&resourceVersion=${rv}`, 'application/json', 4);
    assert.deepEqual(r.lines.map((l) => `${l.type} ${l.object.metadata.labels.app}`), ['ADDED a', 'DELETED b', 'ADDED a', 'DELETED a']);
  });

  it('sends headers before any event (the change is made only once they arrive), Table events, and ends at timeoutSeconds', async () => {
    const r = await watch(twin.port, `/api/v1/namespaces/default/configmaps?watch=true&resourceVersion=${twin.store.currentResourceVersion()}&timeoutSeconds=1`,
      'application/json;as=Table;v=v1;g=meta.k8s.io,application/json', Infinity, 10000,
      () => { twin.store.create('configmaps', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'tbl', namespace: 'default' }, data: { a: 'b' } }); });
    assert.equal(r.ended, true, 'the server ended the stream (timeoutSeconds), not the test');
    assert.equal(r.lines.length, 1);
    assert.equal(r.lines[0].object.kind, 'Table');
    assert.deepEqual(r.lines[0].object.rows[0].cells.slice(0, 2), ['tbl', 1]);
  });

  it('ends a bookmark-enabled watch with a BOOKMARK at the current resourceVersion', async () => {
    const r = await watch(twin.port, `/api/v1/namespaces/default/configmaps?watch=true&allowWatchBookmarks=true&resourceVersion=${twin.store.currentResourceVersion()}&timeoutSeconds=1`, 'application/json', Infinity, 10000);
    assert.equal(r.ended, true);
    assert.deepEqual(r.lines.map((l) => l.type), ['BOOKMARK']);
    assert.equal(r.lines[0].object.metadata.resourceVersion, twin.store.currentResourceVersion());
  });

  it('answers 410 Expired for a resourceVersion older than the history', async () => {
    const old = twin.store.currentResourceVersion();
    for (let i = 0; i < 60; i++) twin.store.create('configmaps', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: `x${i}`, namespace: 'default' } });
    const r = await watch(twin.port, `/api/v1/configmaps?watch=1&resourceVersion=${old}`, 'application/json', 1);
    assert.equal(r.lines[0].type, 'ERROR');
    assert.equal(r.lines[0].object.code, 410);
    assert.equal(r.lines[0].object.reason, 'Expired');
  });
});
