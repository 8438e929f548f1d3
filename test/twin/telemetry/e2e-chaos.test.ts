/**
 * End to end in the twin process (real clock, real kubectl): HotelReservation with 2 replicas of user, our
 * NetworkChaos delay injector (mode one), a wrk2 Job as the workload, and the traces read back through the API
 * server's service proxy — only calls into the pod the Chaos Mesh controller recorded are slow.
 */
import { strict as assert } from 'node:assert';
import * as path from 'node:path';
import type { TwinHandle } from '../../../src/twin';
import type { Kubectl } from '../../../src/env/kubectl';
import { injectorFor } from '../../../src/env/faults';
import type { FaultSpec } from '../../../src/core/problems/types';
import type { AppDefinition } from '../../../src/core/apps/types';
import { findAppsDir } from '../../../src/twin/sim/load-model';
import { eventually, faultContext, podsIn, useTwinProcess } from '../../support/twin-process';

const NS = 'test-hotel-reservation';
const app: AppDefinition = { id: 'hotel-reservation', name: 'Hotel', namespace: NS, description: '', supportedOperations: [], serviceLabel: 'io.kompose.service', deploy: { kind: 'none' } };

const until = <T>(what: string, probe: () => Promise<T | undefined | false>) => eventually(what, probe, 30_000);

interface JTrace { spans: Array<{ spanID: string; references: Array<{ spanID: string }>; duration: number; startTime: number; processID: string }>; processes: Record<string, { serviceName: string; tags: Array<{ key: string; value: unknown }> }> }

describe('twin process: NetworkChaos mode one on 2 replicas, seen through the service proxy (real kubectl)', function () {
  this.timeout(120_000);
  let twin: TwinHandle;
  let kubectl: Kubectl;

  useTwinProcess('aiopslab-e2e-chaos-', async (t) => {
    ({ twin, kubectl } = t);
    await kubectl.run(['create', 'namespace', NS]);
    await kubectl.run(['apply', '-R', '-f', path.join(findAppsDir(), 'hotel-reservation', 'manifests'), '-n', NS]);
    await kubectl.run(['scale', 'deployment', 'user', '-n', NS, '--replicas=2']);
    await until('every pod Ready', async () => {
      const pods = await podsIn(kubectl, NS);
      return pods.length >= 20 && pods.every((p) => p.status.containerStatuses?.every((c) => c.ready));
    });
  });

  it('only calls served by the recorded user pod take ≥ the delay; the other replica answers fast', async () => {
    const fault: FaultSpec = { kind: 'chaos-network-delay', target: 'user', params: { name: 'delay', latency: '3s', jitter: '0ms', correlation: '100', duration: '200s', mode: 'one', labelKey: 'io.kompose.service' } };
    const ctx = faultContext({ twin, kubectl }, app, fault);
    await injectorFor(fault.kind).inject(ctx);
    const record = await until('the delay injected', async () => {
      const o = await kubectl.json<{ status?: { experiment?: { containerRecords?: Array<{ id: string; phase: string }> } } }>(['get', 'networkchaos', `${NS}-delay`, '-n', 'chaos-mesh']);
      const first = o.status?.experiment?.containerRecords?.[0];
      return first?.phase === 'Injected' ? first : undefined;
    });
    const selected = record.id.split('/')[1];
    // Calls from before the delay (the twin simulates healthy history when a workload starts) do not count.
    const injectedUs = Date.now() * 1000;
    const users = (await podsIn(kubectl, NS, 'io.kompose.service=user')).map((p) => p.metadata.name);
    assert.equal(users.length, 2);
    assert.ok(users.includes(selected));

    // The workload: a wrk2 Job as the env layer launches it (1 % of the mixed workload touches user).
    await kubectl.run(['apply', '-f', '-'], JSON.stringify({
      apiVersion: 'batch/v1', kind: 'Job', metadata: { name: 'wrk2-job', namespace: 'default' },
      spec: { backoffLimit: 0, template: { spec: { restartPolicy: 'Never', containers: [{ name: 'wrk2', image: 'deathstarbench/wrk2-client:latest', args: ['wrk', '-D', 'exp', '-t', '2', '-c', '2', '-d', '10s', '-L', '-s', '/scripts/mixed-workload_type_1.lua', `http://frontend.${NS}.svc.cluster.local:5000`, '-R', '300', '--latency'] }] } } },
    }));
    const other = users.find((u) => u !== selected)!;
    // Calls into user, per serving pod (the Jaeger process hostname) and the caller's client span duration.
    const count = async () => {
      const raw = await kubectl.run(['get', '--raw', `/api/v1/namespaces/${NS}/services/jaeger:16686/proxy/api/traces?service=user&limit=5000&lookback=5m`]);
      const slow = new Map(users.map((u) => [u, 0]));
      const fast = new Map(users.map((u) => [u, 0]));
      for (const t of (JSON.parse(raw) as { data: JTrace[] }).data) {
        for (const server of t.spans.filter((x) => t.processes[x.processID].serviceName === 'user')) {
          const host = String(t.processes[server.processID].tags.find((x) => x.key === 'hostname')?.value);
          const client = t.spans.find((x) => x.spanID === server.references[0]?.spanID);
          if (!client || client.startTime < injectedUs) continue;
          if (client.duration >= 3_000_000) slow.set(host, (slow.get(host) ?? 0) + 1);
          else if (client.duration < 500_000) fast.set(host, (fast.get(host) ?? 0) + 1);
        }
      }
      return { slow, fast };
    };
    const { slow, fast } = await until('slow calls into the selected pod and fast ones into the other', async () => {
      const c = await count();
      return c.slow.get(selected)! > 0 && c.fast.get(other)! > 0 ? c : undefined;
    });
    assert.ok(slow.get(selected)! > 0, `slow calls into ${selected}: ${JSON.stringify([...slow])} fast: ${JSON.stringify([...fast])}`);
    assert.equal(fast.get(selected), 0, 'no fast call into the delayed pod');
    assert.ok(fast.get(other)! > 0, `fast calls into ${other}`);
    assert.equal(slow.get(other), 0, 'the other replica is not delayed');
    await injectorFor(fault.kind).recover(ctx);
  });
});
