import { strict as assert } from 'node:assert';
import type { Agent } from '../../src/core/agents/types';
import { Orchestrator } from '../../src/core/orchestrator/orchestrator';
import type { SessionEvent } from '../../src/core/orchestrator/events';
import { loadCatalog } from '../../src/env/catalog';
import { collectSessionSeries } from '../../src/env/telemetry/session-series';
import { FakeEnvironment, MemoryJournal, MemoryStore, fastClock } from '../support/fake-environment';
import { startFakePrometheus } from '../support/fake-prometheus';

const catalog = loadCatalog();
const fenced = (call: string) => `Action:\n\`\`\`\n${call}\n\`\`\``;

function agentOf(replies: string[]): Agent {
  return { name: 'scripted', initContext: () => undefined, getAction: async () => replies.shift() ?? fenced('submit("Yes")') };
}

function setup() {
  const problem = catalog.problems.get('k8s_target_port-misconfig-detection-1');
  const app = catalog.apps.get(problem.app)!;
  const env = new FakeEnvironment();
  const store = new MemoryStore();
  let n = 0;
  const orchestrator = new Orchestrator({ env, journal: new MemoryJournal(), store, clock: fastClock, newId: () => `tel-${++n}` });
  const events: SessionEvent[] = [];
  orchestrator.events.on((e) => events.push(e));
  return { problem, app, env, store, orchestrator, events };
}

describe('orchestrator: the session records the app\'s telemetry for the charts', () => {
  it('stores per-service latency and error-rate series read from Prometheus since the deploy, after the fault was injected', async () => {
    const { problem, app, env, store, orchestrator, events } = setup();
    const now = Date.now();
    const prom = await startFakePrometheus({ namespace: app.namespace, services: ['compose-post-service', 'user-service'], fromMs: now - 600_000, toMs: now + 600_000, faulty: 'user-service', faultAtMs: now - 300_000 });
    const asked: Array<{ namespace: string; sinceMs: number }> = [];
    env.collectTelemetry = async (a, sinceMs) => {
      asked.push({ namespace: a.namespace, sinceMs });
      // The episode of this test takes milliseconds; chart the ten minutes before it instead.
      return collectSessionSeries({ prometheusUrl: prom.url, namespace: a.namespace, startMs: sinceMs - 600_000, endMs: Date.now() });
    };
    try {
      const record = await orchestrator.run({ problem, app, agent: agentOf([fenced('exec_shell("kubectl get pods")'), fenced('submit("Yes")')]), maxSteps: 5 });
      assert.equal(record.status, 'completed');
      assert.equal(asked.length, 1);
      assert.equal(asked[0].namespace, app.namespace);
      assert.ok(asked[0].sinceMs <= record.timeline!.injectedAt!, 'the window starts before the injection');
      const saved = store.records[0];
      assert.deepEqual(saved.telemetry?.services.map((s) => s.service), ['compose-post-service', 'user-service']);
      const user = saved.telemetry.services[1];
      assert.equal(user.errorRate[user.errorRate.length - 1], 0.5);
      assert.equal(saved.notes, undefined);
      const ended = events.find((e) => e.type === 'session-ended');
      assert.ok(ended && ended.type === 'session-ended' && ended.record.telemetry, 'the live transcript gets it with the final record');
      assert.deepEqual(Object.keys(saved).slice(0, 7), ['agent', 'session_id', 'problem_id', 'start_time', 'end_time', 'trace', 'results'], "the original's keys stay first");
    } finally {
      await prom.close();
    }
  });

  it('emits the telemetry while the agent works, for live charts, and stops when the episode ends', async () => {
    const { problem, app, env, orchestrator, events } = setup();
    let reads = 0;
    env.collectTelemetry = async () => {
      reads++;
      return { source: 'prometheus', namespace: app.namespace, startMs: 0, endMs: 1000, stepMs: 5000, windowSec: 30, services: [{ service: 'frontend', p50Ms: [reads], p99Ms: [reads], errorRate: [0] }] };
    };
    let seen: () => void = () => undefined;
    const firstLive = new Promise<void>((resolve) => (seen = resolve));
    orchestrator.events.on((e) => e.type === 'telemetry' && seen());
    // The agent answers once the first live reading has come (or after 5 s, and the assertion below fails).
    const agent: Agent = { name: 'waits', initContext: () => undefined, getAction: async () => { await Promise.race([firstLive, new Promise((r) => setTimeout(r, 5000))]); return fenced('submit("Yes")'); } };
    const record = await orchestrator.run({ problem, app, agent, maxSteps: 5, liveTelemetryMs: 10 });
    const types = events.map((e) => e.type);
    const live = events.filter((e) => e.type === 'telemetry');
    assert.ok(live.length >= 1, types.join(','));
    assert.ok(types.lastIndexOf('telemetry') < types.indexOf('evaluated'), 'none after the episode');
    const first = live[0];
    assert.ok(first.type === 'telemetry' && first.injectedAt === record.timeline?.injectedAt);
    assert.equal(record.telemetry?.services[0].service, 'frontend', 'the final reading is recorded');
  });

  it('a telemetry failure never fails the session: nothing is recorded, and a note says why', async () => {
    const { problem, app, env, store, orchestrator } = setup();
    env.collectTelemetry = async () => {
      throw new Error('Prometheus at http://127.0.0.1:1 could not be queried (ECONNREFUSED).');
    };
    const record = await orchestrator.run({ problem, app, agent: agentOf([fenced('submit("Yes")')]), maxSteps: 5 });
    assert.equal(record.status, 'completed');
    assert.equal(record.verdict?.success, true);
    assert.equal(record.error, undefined);
    assert.equal(store.records[0].telemetry, undefined);
    assert.deepEqual(store.records[0].notes, ['No telemetry recorded: Prometheus at http://127.0.0.1:1 could not be queried (ECONNREFUSED).']);
  });

  it('does not ask for telemetry when the session never got to inject its fault', async () => {
    const { problem, app, env, orchestrator } = setup();
    let asked = 0;
    env.collectTelemetry = async () => {
      asked++;
      throw new Error('unexpected');
    };
    env.failInject = new Error('inject failed');
    const record = await orchestrator.run({ problem, app, agent: agentOf([]), maxSteps: 5 });
    assert.equal(record.status, 'error');
    assert.equal(asked, 0);
    assert.equal(record.notes, undefined);
  });
});
