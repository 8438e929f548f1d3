/**
 * End to end in the twin process (real clock, real kubectl): HotelReservation with 2 replicas of user, our
 * NetworkChaos delay injector (mode one), a wrk2 Job as the workload, and the traces read back through the API
 * server's service proxy — only calls into the pod the Chaos Mesh controller recorded are slow.
 */
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { startTwin, type TwinHandle } from '../../../src/twin';
import { resolveKubectl } from '../../../src/twin/kubectl-path';
import { Kubectl } from '../../../src/env/kubectl';
import { injectorFor, type FaultContext } from '../../../src/env/faults';
import type { FaultSpec } from '../../../src/core/problems/types';
import type { AppDefinition } from '../../../src/core/apps/types';
import { findAppsDir } from '../../../src/twin/sim/load-model';
import { faultApiFromFile } from '../../../src/env/faults/api';

const NS = 'test-hotel-reservation';
const app: AppDefinition = { id: 'hotel-reservation', name: 'Hotel', namespace: NS, description: '', supportedOperations: [], serviceLabel: 'io.kompose.service', deploy: { kind: 'none' } };

async function until<T>(what: string, probe: () => Promise<T | undefined | false>, timeoutMs = 30_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await probe();
      if (v) return v;
    } catch (e) {
      last = e;
    }
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}${last ? `: ${(last as Error).message}` : ''}`);
    await new Promise((r) => setTimeout(r, 300));
  }
}

interface JTrace { spans: Array<{ spanID: string; references: Array<{ spanID: string }>; duration: number; startTime: number; processID: string }>; processes: Record<string, { serviceName: string; tags: Array<{ key: string; value: unknown }> }> }

describe('twin process: NetworkChaos mode one on 2 replicas, seen through the service proxy (real kubectl)', function () {
  this.timeout(120_000);
  let twin: TwinHandle;
  let kubectl: Kubectl;
  let dir: string;

  before(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'aiopslab-e2e-chaos-'));
    twin = await startTwin({ stateDir: dir });
    kubectl = new Kubectl({ kubectl: await resolveKubectl(), kubeconfigPath: twin.kubeconfigPath, kubeCacheDir: twin.kubeCacheDir });
    await kubectl.run(['create', 'namespace', NS]);
    await kubectl.run(['apply', '-R', '-f', path.join(findAppsDir(), 'hotel-reservation', 'manifests'), '-n', NS]);
    await kubectl.run(['scale', 'deployment', 'user', '-n', NS, '--replicas=2']);
    await until('every pod Ready', async () => {
      const pods = (await kubectl.json(['get', 'pods', '-n', NS])).items as any[]; // eslint-disable-line @typescript-eslint/no-explicit-any
      return pods.length >= 20 && pods.every((p) => p.status?.containerStatuses?.every((c: { ready: boolean }) => c.ready));
    });
  });
  after(async () => {
    await twin?.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('only calls served by the recorded user pod take ≥ the delay; the other replica answers fast', async () => {
    const ctx: FaultContext = { fault: { kind: '', params: {} }, app, namespace: NS, kubectl, api: faultApiFromFile(twin.kubeconfigPath), sleep: async () => undefined, deployApp: async () => undefined, deleteNamespace: async () => undefined };
    const fault: FaultSpec = { kind: 'chaos-network-delay', target: 'user', params: { name: 'delay', latency: '3s', jitter: '0ms', correlation: '100', duration: '200s', mode: 'one', labelKey: 'io.kompose.service' } };
    await injectorFor(fault.kind).inject({ ...ctx, fault });
    const chaos = await until('the delay injected', async () => {
      const o = await kubectl.json(['get', 'networkchaos', `${NS}-delay`, '-n', 'chaos-mesh']);
      return o.status?.experiment?.containerRecords?.[0]?.phase === 'Injected' ? o : undefined;
    });
    const selected = String(chaos.status.experiment.containerRecords[0].id).split('/')[1];
    // Calls from before the delay (the twin simulates healthy history when a workload starts) do not count.
    const injectedUs = Date.now() * 1000;
    const users = ((await kubectl.json(['get', 'pods', '-n', NS, '-l', 'io.kompose.service=user'])).items as Array<{ metadata: { name: string } }>).map((p) => p.metadata.name);
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
    await injectorFor(fault.kind).recover({ ...ctx, fault });
  });
});
