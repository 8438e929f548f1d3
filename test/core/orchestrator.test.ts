import { strict as assert } from 'node:assert';
import type { Agent, AgentContext, AgentTurn } from '../../src/core/agents/types';
import { NEXT_ACTION, Orchestrator } from '../../src/core/orchestrator/orchestrator';
import type { SessionEvent } from '../../src/core/orchestrator/events';
import { loadCatalog } from '../../src/env/catalog';
import { renderSummary } from '../../src/cli/commands/run';
import { FakeEnvironment, MemoryJournal, MemoryStore, fastClock } from '../support/fake-environment';

const catalog = loadCatalog();
let counter = 0;

/** An agent that replies from a script and remembers what it was shown. */
class ScriptedAgent implements Agent {
  readonly name = 'scripted';
  readonly observations: string[] = [];
  context: AgentContext | undefined;
  constructor(private readonly replies: Array<string | AgentTurn | (() => Promise<string>)>) {}
  initContext(context: AgentContext): void {
    this.context = context;
  }
  async getAction(observation: string): Promise<string | AgentTurn> {
    this.observations.push(observation);
    const next = this.replies.shift();
    if (next === undefined) return '```\nexec_shell("kubectl get pods")\n```';
    return typeof next === 'function' ? next() : next;
  }
}

function setup(problemId: string) {
  const problem = catalog.problems.get(problemId);
  const app = catalog.apps.get(problem.app)!;
  const env = new FakeEnvironment();
  const journal = new MemoryJournal();
  const store = new MemoryStore();
  const orchestrator = new Orchestrator({ env, journal, store, clock: fastClock, newId: () => `session-${++counter}` });
  const events: SessionEvent[] = [];
  orchestrator.events.on((e) => events.push(e));
  return { problem, app, env, journal, store, orchestrator, events };
}

const fenced = (call: string) => `Thought: checking.\nAction:\n\`\`\`\n${call}\n\`\`\``;

describe('orchestrator', () => {
  it('runs init → loop → evaluate → cleanup in order and scores a correct detection', async () => {
    const { problem, app, env, journal, store, orchestrator, events } = setup('noop_detection_hotel_reservation-1');
    const agent = new ScriptedAgent([fenced('exec_shell("kubectl get pods -n test-hotel-reservation")'), fenced('submit("No")')]);
    const record = await orchestrator.run({ problem, app, agent, maxSteps: 10 });
    assert.equal(record.status, 'completed');
    assert.equal(record.results['Detection Accuracy'], 'Correct');
    assert.equal(record.verdict?.success, true);
    assert.deepEqual(env.calls, ['preflight', `deploy:${app.id}`, 'inject:noop', 'workload', 'action:exec_shell', 'recover:noop', `remove:${app.id}`]);
    assert.equal(journal.added.length, 1, 'the fault is written down before it is applied');
    assert.deepEqual(journal.entries, [], 'and cleared after recovery');
    assert.equal(store.records.length, 1);
    assert.deepEqual(Object.keys(record).slice(0, 7), ['agent', 'session_id', 'problem_id', 'start_time', 'end_time', 'trace', 'results']);
    assert.deepEqual(record.trace.map((t) => t.role), ['assistant', 'env', 'assistant', 'env']);
    assert.equal(record.steps[1].action?.name, 'submit');
    assert.deepEqual(events.map((e) => e.type).filter((t, i, a) => a.indexOf(t) === i), ['session-started', 'phase', 'step-parsed', 'observation', 'evaluated', 'session-ended']);
  });

  it('records what the clean-up could not remove, and the CLI summary shows each with why and the command', async () => {
    const { problem, app, env, orchestrator } = setup('noop_detection_hotel_reservation-1');
    env.leftovers = [{ object: 'persistentvolume/geo-pv', reason: 'Released, reclaim policy Retain; its deletion waits for finalizer example.com/keep', command: "kubectl patch persistentvolume geo-pv --type=merge -p '{\"metadata\":{\"finalizers\":null}}'" }];
    const record = await orchestrator.run({ problem, app, agent: new ScriptedAgent([fenced('submit("No")')]), maxSteps: 3 });
    assert.equal(record.status, 'completed', 'a leftover does not fail the session');
    assert.deepEqual(record.leftovers, env.leftovers);
    const summary = renderSummary(record);
    assert.match(summary, /Left on the cluster: 1 object\(s\) the clean-up could not remove\n {2}- persistentvolume\/geo-pv: Released, reclaim policy Retain; its deletion waits for finalizer example\.com\/keep\n {4}remove: kubectl patch persistentvolume geo-pv/);
    env.leftovers = [];
    const clean = await orchestrator.run({ problem, app, agent: new ScriptedAgent([fenced('submit("No")')]), maxSteps: 3 });
    assert.equal(clean.leftovers, undefined);
    assert.doesNotMatch(renderSummary(clean), /Left on the cluster/);
  });

  it('hands the agent the task description, instructions and APIs, and the original observations', async () => {
    const { problem, app, orchestrator } = setup('k8s_target_port-misconfig-localization-1');
    const agent = new ScriptedAgent([fenced('exec_shell("kubectl get svc")'), fenced('submit(["user-service"])')]);
    const record = await orchestrator.run({ problem, app, agent, maxSteps: 5 });
    assert.match(agent.context!.problemDescription, /test-social-network/);
    assert.ok(agent.context!.instructions.length > 0);
    assert.deepEqual(Object.keys(agent.context!.apis).sort(), ['exec_shell', 'get_logs', 'get_metrics', 'get_traces', 'read_metrics', 'read_traces', 'submit']);
    assert.equal(agent.observations[0], NEXT_ACTION);
    assert.equal(agent.observations[1], `ran: kubectl get svc\n\n${NEXT_ACTION}`);
    assert.equal(record.results['Localization Accuracy'], 100);
    assert.equal(record.results.success, true);
  });

  it('turns a malformed reply into an observation that tells the agent what to fix, consuming the step', async () => {
    const { problem, app, orchestrator } = setup('noop_detection_hotel_reservation-1');
    const agent = new ScriptedAgent(['I think everything is fine.', fenced('submit("No")')]);
    const record = await orchestrator.run({ problem, app, agent, maxSteps: 5 });
    assert.ok(record.steps[0].parseError);
    assert.equal(record.steps[0].observation, record.steps[0].parseError);
    assert.ok(agent.observations[1].startsWith(record.steps[0].parseError));
    assert.equal(record.steps.length, 2);
    assert.equal(record.results['Detection Accuracy'], 'Correct');
  });

  it('reports an unknown action and wrong arguments without ending the episode', async () => {
    const { problem, app, orchestrator } = setup('noop_detection_hotel_reservation-1');
    const agent = new ScriptedAgent([fenced('restart_everything()'), fenced('get_logs("test-hotel-reservation")'), fenced('submit("No")')]);
    const record = await orchestrator.run({ problem, app, agent, maxSteps: 5 });
    assert.match(record.steps[0].observation, /Invalid action: restart_everything/);
    assert.match(record.steps[1].observation, /service/);
    assert.equal(record.verdict?.success, true);
  });

  it('evaluates whatever was submitted when the step budget runs out (nothing: Invalid Format)', async () => {
    const { problem, app, env, orchestrator } = setup('pod_failure_hotel_res-detection-1');
    const agent = new ScriptedAgent([]);
    const record = await orchestrator.run({ problem, app, agent, maxSteps: 3 });
    assert.equal(record.status, 'completed');
    assert.equal(record.steps.length, 3);
    assert.equal(record.results['Detection Accuracy'], 'Invalid Format');
    assert.ok(env.calls.includes('recover:chaos-pod-failure'));
  });

  it('accepts a structured tool call as the action', async () => {
    const { problem, app, orchestrator } = setup('noop_detection_hotel_reservation-1');
    const agent = new ScriptedAgent([{ text: '', toolCall: { name: 'submit', arguments: { has_anomaly: 'No' } } }]);
    const record = await orchestrator.run({ problem, app, agent, maxSteps: 3 });
    assert.equal(record.steps[0].action?.structured, true);
    assert.equal(record.results['Detection Accuracy'], 'Correct');
  });

  it('judges mitigation from the cluster: a real fix passes, doing nothing fails', async () => {
    const fixed = setup('scale_pod_zero_social_net-mitigation-1');
    const fixer = new ScriptedAgent([fenced('exec_shell("kubectl scale deployment user-service -n test-social-network --replicas=1")'), fenced('submit()')]);
    const good = await fixed.orchestrator.run({ problem: fixed.problem, app: fixed.app, agent: fixer, maxSteps: 5, settle: { windowMs: 100, intervalMs: 10 } });
    assert.equal(good.results.success, true, good.verdict?.explanation);

    const idle = setup('scale_pod_zero_social_net-mitigation-1');
    const bad = await idle.orchestrator.run({ problem: idle.problem, app: idle.app, agent: new ScriptedAgent([fenced('submit()')]), maxSteps: 5, settle: { windowMs: 100, intervalMs: 10 } });
    assert.equal(bad.results.success, false);
    assert.ok(bad.verdict?.explanation);
    assert.ok(idle.env.calls.indexOf('recover:scale-to-zero') > idle.env.calls.indexOf('action:exec_shell') || !idle.env.calls.includes('action:exec_shell'));
  });

  it('recovers the fault and clears the journal when cancelled mid-episode', async () => {
    const { problem, app, env, journal, orchestrator } = setup('scale_pod_zero_social_net-detection-1');
    const controller = new AbortController();
    env.actionDelayMs = 5_000;
    const agent = new ScriptedAgent([async () => { setTimeout(() => controller.abort(), 20); return fenced('exec_shell("kubectl get pods")'); }]);
    const record = await orchestrator.run({ problem, app, agent, maxSteps: 5, signal: controller.signal });
    assert.equal(record.status, 'cancelled');
    assert.ok(env.calls.includes('recover:scale-to-zero'));
    assert.deepEqual(journal.entries, []);
    assert.equal(env.replicas, 1);
  });

  it('recovers the fault when the agent crashes, and records the error', async () => {
    const { problem, app, env, journal, orchestrator } = setup('scale_pod_zero_social_net-detection-1');
    const agent = new ScriptedAgent([async () => { throw new Error('model endpoint unreachable'); }]);
    const record = await orchestrator.run({ problem, app, agent, maxSteps: 5 });
    assert.equal(record.status, 'error');
    assert.match(record.error!, /model endpoint unreachable/);
    assert.ok(env.calls.includes('recover:scale-to-zero'));
    assert.deepEqual(journal.entries, []);
  });

  it('keeps the journal entry when recovery fails, so a later start can undo it', async () => {
    const { problem, app, env, journal, orchestrator } = setup('scale_pod_zero_social_net-detection-1');
    env.failRecover = new Error('apiserver down');
    const record = await orchestrator.run({ problem, app, agent: new ScriptedAgent([fenced('submit("Yes")')]), maxSteps: 3 });
    assert.equal(journal.entries.length, 1);
    assert.match(record.error!, /stays in the recovery journal/);
  });

  it('still recovers when the injection itself fails halfway', async () => {
    const { problem, app, env, journal, orchestrator } = setup('scale_pod_zero_social_net-detection-1');
    env.failInject = new Error('patch refused');
    const record = await orchestrator.run({ problem, app, agent: new ScriptedAgent([]), maxSteps: 3 });
    assert.equal(record.status, 'error');
    assert.ok(env.calls.includes('recover:scale-to-zero'));
    assert.deepEqual(journal.entries, []);
  });

  it('stops at the wall-clock budget even when the agent never answers', async () => {
    const { problem, app, env, orchestrator } = setup('noop_detection_hotel_reservation-1');
    const agent = new ScriptedAgent([() => new Promise<string>(() => undefined)]);
    const record = await orchestrator.run({ problem, app, agent, maxSteps: 5, wallClockMs: 50 });
    assert.equal(record.status, 'error');
    assert.match(record.error!, /wall-clock budget/);
    assert.ok(env.calls.includes('recover:noop'));
  });

  it('in until-solved mode only a correct submission ends the episode', async () => {
    const { problem, app, orchestrator } = setup('pod_failure_hotel_res-detection-1');
    const agent = new ScriptedAgent([fenced('submit("No")'), fenced('submit("Yes")')]);
    const record = await orchestrator.run({ problem, app, agent, maxSteps: 10, untilSolved: true });
    assert.equal(record.steps.length, 2);
    assert.match(record.steps[0].observation, /not accepted/);
    assert.equal(record.results['Detection Accuracy'], 'Correct');
  });
});
