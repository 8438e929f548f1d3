import assert from 'node:assert/strict';
import { MemoryStore } from '../../../src/twin/apiserver/store';
import { startTelemetry } from '../../../src/twin/telemetry/servers';
import { ManualClock } from './fixtures';

/** The same simulation against the API server's own store (resource names, watch events as the twin emits them). */
describe('twin telemetry on the API server store', () => {
  it('sees pods, Services and a NetworkChaos created through the store and shows the delay in Jaeger', async () => {
    const store = new MemoryStore();
    const clock = new ManualClock(Date.now());
    const ns = 'test-hotel-reservation';
    store.create('namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } });
    const services: Array<[string, number]> = [['frontend', 5000], ['user', 8086]];
    services.forEach(([name, port], i) => {
      const labels = { 'io.kompose.service': name };
      store.create('services', { apiVersion: 'v1', kind: 'Service', metadata: { name, namespace: ns }, spec: { selector: labels, ports: [{ port, targetPort: port }] } });
      const pod = store.create('pods', {
        apiVersion: 'v1', kind: 'Pod', metadata: { name: `${name}-abc-${i}`, namespace: ns, labels },
        spec: { nodeName: 'kind-worker', containers: [{ name: `hotel-reserv-${name}`, image: 'yinfangchen/hotelreservation:latest', command: [name], ports: [{ containerPort: port }] }] },
      });
      store.updateStatus('pods', { ...pod, status: { phase: 'Running', podIP: `10.244.1.${10 + i}`, conditions: [{ type: 'Ready', status: 'True' }] } });
    });
    const tel = await startTelemetry({ store, clock, apps: ['hotel-reservation'], tickMs: 0 });
    try {
      tel.engines[ns].addWorkload({ rate: 10, entries: [{ name: 'login', weight: 1, service: 'frontend', operation: 'HTTP POST /user' }] });
      clock.advance(10_000);
      tel.advance();
      store.create('networkchaos.chaos-mesh.org', { apiVersion: 'chaos-mesh.org/v1alpha1', kind: 'NetworkChaos', metadata: { name: 'delay', namespace: ns }, spec: { action: 'delay', mode: 'one', duration: '200s', selector: { namespaces: [ns], labelSelectors: { 'io.kompose.service': 'user' } }, delay: { latency: '10s', correlation: '100', jitter: '0ms' } } });
      await new Promise((r) => setImmediate(r));
      clock.advance(30_000);
      const res = await fetch(`${tel.jaeger[ns].url}/api/traces?service=frontend&minDuration=10s&limit=3`);
      const body = (await res.json()) as { data: Array<{ spans: Array<{ duration: number }> }> };
      assert.equal(body.data.length, 3);
      assert.ok(body.data.every((t) => Math.max(...t.spans.map((s) => s.duration)) >= 10_000_000));
    } finally {
      await tel.stop();
      store.close();
    }
  });
});
