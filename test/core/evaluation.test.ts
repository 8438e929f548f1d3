import { strict as assert } from 'assert';
import * as path from 'path';
import { countTokens, evaluate, expectedSubmission, runCheck, traceStats, wrongSubmission } from '../../src/core/evaluation';
import { bindArguments } from '../../src/core/actions';
import { submitFor } from '../../src/core/actions/submit';
import type { Clock, ClusterProbe, KubeJson } from '../../src/core/ports/environment';
import type { MitigationCheck, ProblemDefinition } from '../../src/core/problems/types';
import type { TraceItem } from '../../src/core/session/types';
import { loadCatalog } from '../../src/env/catalog';

const catalog = loadCatalog(path.resolve(__dirname, '..', '..', '..'));

/** A clock that only moves when someone sleeps. */
class ManualClock implements Clock {
  t = 1_000_000;
  now(): number {
    return this.t;
  }
  async sleep(ms: number): Promise<void> {
    this.t += ms;
  }
}

interface World {
  pods: KubeJson[];
  services?: Record<string, KubeJson>;
  deployments?: Record<string, KubeJson>;
  configMaps?: Record<string, KubeJson>;
}

/** A ClusterProbe whose state is a function of the clock's elapsed milliseconds. */
function probeOf(clock: ManualClock, world: (elapsedMs: number) => World): ClusterProbe & { reads: number } {
  const start = clock.t;
  const w = () => world(clock.t - start);
  const p = {
    reads: 0,
    async listPods() {
      p.reads++;
      return w().pods;
    },
    async getService(_ns: string, name: string) {
      return w().services?.[name];
    },
    async getDeployment(_ns: string, name: string) {
      return w().deployments?.[name];
    },
    async getConfigMap(_ns: string, name: string) {
      return w().configMaps?.[name];
    },
  };
  return p;
}

const ready = (name: string, extra: Partial<KubeJson> = {}): KubeJson => ({
  metadata: { name },
  status: { phase: 'Running', containerStatuses: [{ name: 'main', ready: true, state: { running: {} } }] },
  ...extra,
});
const crashing = (name: string): KubeJson => ({
  metadata: { name },
  status: { phase: 'Running', containerStatuses: [{ name: 'main', ready: false, state: { waiting: { reason: 'CrashLoopBackOff' } } }] },
});
const pending = (name: string): KubeJson => ({ metadata: { name }, status: { phase: 'Pending' } });
const svc = (targetPort: number): KubeJson => ({ metadata: { name: 'user-service' }, spec: { ports: [{ port: 9090, targetPort }] } });

const trace: TraceItem[] = [
  { role: 'assistant', content: '```\nexec_shell("kubectl get pods")\n```' },
  { role: 'env', content: 'NAME READY STATUS' },
  { role: 'assistant', content: '```\nsubmit("Yes")\n```' },
  { role: 'env', content: '1' },
];

async function run(id: string, solution: unknown, opts: { submitted?: boolean; probe?: ClusterProbe; clock?: Clock; trace?: TraceItem[] } = {}) {
  const clock = opts.clock ?? new ManualClock();
  const problem = catalog.problems.get(id);
  return evaluate({
    problem,
    solution,
    submitted: opts.submitted ?? solution !== undefined,
    trace: opts.trace ?? trace,
    durationSec: 12.5,
    probe: opts.probe ?? probeOf(clock as ManualClock, () => ({ pods: [] })),
    clock,
    namespace: catalog.apps.get(problem.app)!.namespace,
  });
}

describe('evaluation', () => {
  describe('common metrics', () => {
    it('counts assistant steps and cl100k tokens of the two sides of the trace', () => {
      assert.equal(countTokens(''), 0);
      assert.equal(countTokens('hello world'), 2);
      assert.ok(countTokens('<|endoftext|>') > 1, 'special tokens are counted as text, never an error');
      const s = traceStats(trace);
      assert.equal(s.steps, 2);
      assert.equal(s.in_tokens, countTokens('NAME READY STATUS1'));
      assert.equal(s.out_tokens, countTokens(trace[0].content + trace[2].content));
    });
  });

  it('for every detection, localization and analysis problem (experimental too), the ground truth scores success and a wrong answer fails', async () => {
    let n = 0;
    for (const problem of catalog.problems.all({ includeExperimental: true })) {
      if (problem.task === 'mitigation') continue;
      const right = expectedSubmission(problem);
      const bound = bindArguments(submitFor(problem.task), [right], {});
      assert.ok(bound.ok, `${problem.id}: the expected answer must be a valid submit`);
      const ok = await run(problem.id, right);
      assert.equal(ok.verdict.success, true, `${problem.id}: ${ok.verdict.explanation}`);
      const bad = await run(problem.id, wrongSubmission(problem));
      assert.equal(bad.verdict.success, false, `${problem.id}: ${bad.verdict.explanation}`);
      n++;
    }
    assert.equal(n, 75 + 15);
  });

  describe('detection', () => {
    const id = 'pod_failure_hotel_res-detection-1';
    it('scores Correct, with the original keys in order', async () => {
      const { results, verdict } = await run(id, ' yes ');
      assert.deepEqual(Object.keys(results), ['Detection Accuracy', 'TTD', 'steps', 'in_tokens', 'out_tokens']);
      assert.equal(results['Detection Accuracy'], 'Correct');
      assert.equal(results.TTD, 12.5);
      assert.equal(results.steps, 2);
      assert.equal(verdict.success, true);
      assert.equal(verdict.expected, 'Yes');
    });
    it('scores Incorrect and says why', async () => {
      const { results, verdict } = await run(id, 'No');
      assert.equal(results['Detection Accuracy'], 'Incorrect');
      assert.equal(verdict.explanation, `Expected 'Yes' (a fault was injected); the agent answered "No".`);
    });
    it('no-op problems expect No', async () => {
      assert.equal((await run('noop_detection_social_network-1', 'no')).results['Detection Accuracy'], 'Correct');
      const wrong = await run('noop_detection_social_network-1', 'Yes');
      assert.equal(wrong.results['Detection Accuracy'], 'Incorrect');
      assert.match(wrong.verdict.explanation, /nothing was injected/);
    });
    it('a missing or non-string answer is Invalid Format', async () => {
      const none = await run(id, undefined, { submitted: false });
      assert.equal(none.results['Detection Accuracy'], 'Invalid Format');
      assert.match(none.verdict.explanation, /never submitted/);
      assert.equal((await run(id, null)).results['Detection Accuracy'], 'Invalid Format');
      assert.equal((await run(id, ['Yes'])).results['Detection Accuracy'], 'Invalid Format');
      assert.equal((await run(id, true)).results['Detection Accuracy'], 'Invalid Format');
    });
    it('a keyword-form submit (normalised by the orchestrator to its value) scores like the positional one', async () => {
      assert.equal((await run(id, 'Yes')).results['Detection Accuracy'], 'Correct');
    });
  });

  describe('localization', () => {
    const id = 'revoke_auth_mongodb-localization-1'; // mongodb-geo, alias geo
    it('an exact list scores 100 with success and top-k', async () => {
      const { results, verdict } = await run(id, ['mongodb-geo']);
      assert.deepEqual(Object.keys(results), ['Localization Accuracy', 'TTL', 'steps', 'in_tokens', 'out_tokens', 'success', 'is_subset', 'Acc@1', 'Acc@3']);
      assert.equal(results['Localization Accuracy'], 100);
      assert.equal(results.success, true);
      assert.equal(results.is_subset, true);
      assert.equal(results['Acc@1'], 100);
      assert.equal(verdict.success, true);
    });
    it('compares case-insensitively and accepts the aliases', async () => {
      assert.equal((await run(id, ['MongoDB-Geo'])).results.success, true);
      assert.equal((await run(id, ['geo'])).results.success, true);
      assert.equal((await run(id, [' GEO '])).results.success, true);
      assert.equal((await run('k8s_target_port-misconfig-localization-1', ['User-Service'])).results.success, true);
      assert.equal((await run('k8s_target_port-misconfig-localization-1', ['text-service'])).results.success, false);
    });
    it('a string answer is one service, not a set of characters', async () => {
      const { results } = await run(id, 'geo');
      assert.equal(results.success, true);
      assert.equal(results['Localization Accuracy'], 100);
      assert.equal(results.is_subset, true);
      assert.equal('Acc@1' in results, false, 'top-k only for ranked lists');
      const wrong = await run('astronomy_shop_ad_service_failure-localization-1', 'adx');
      assert.equal(wrong.results.is_subset, false);
    });
    it('a longer list containing the service gets partial credit, no success, and Acc@k by rank', async () => {
      const { results, verdict } = await run(id, ['frontend', 'search', 'geo', 'rate']);
      assert.equal(results['Localization Accuracy'], 25);
      assert.equal(results.success, false);
      assert.equal(results.is_subset, true);
      assert.equal(results['Acc@1'], 0);
      assert.equal(results['Acc@3'], 100);
      assert.match(verdict.explanation, /so are 3 others \(partial credit 25\.0%\)/);
      const deep = await run(id, ['a', 'b', 'c', 'mongodb-geo']);
      assert.equal(deep.results['Acc@3'], 0);
    });
    it('a wrong or empty list scores 0', async () => {
      const wrong = await run(id, ['user']);
      assert.deepEqual([wrong.results['Localization Accuracy'], wrong.results.success, wrong.results.is_subset], [0, false, false]);
      assert.match(wrong.verdict.explanation, /^Expected 'mongodb-geo' \(also accepted: geo\); the agent answered \["user"\]: none of the named services is the faulty one\.$/);
      const empty = await run(id, []);
      assert.equal(empty.results['Localization Accuracy'], 0);
      assert.equal(empty.results['Acc@1'], 0);
    });
    it('no answer, or one of another shape, scores 0 with the original key order', async () => {
      const none = await run(id, undefined, { submitted: false });
      assert.deepEqual(Object.keys(none.results), ['Localization Accuracy', 'success', 'is_subset', 'TTL', 'steps', 'in_tokens', 'out_tokens']);
      assert.equal(none.results['Localization Accuracy'], 0);
      assert.equal(none.results.success, false);
      const dict = await run(id, { service: 'geo' });
      assert.equal(dict.results.success, false);
      assert.match(dict.verdict.explanation, /not a list of service names/);
      const mixed = await run(id, ['geo', 7]);
      assert.equal(mixed.results.success, false, 'a non-string item is a wrong entry, not a crash');
    });
  });

  describe('analysis', () => {
    const id = 'revoke_auth_mongodb-analysis-1'; // Application / Authentication Issue
    it('both fields right (trimmed, any case) is success, with the original keys in order', async () => {
      const { results, verdict } = await run(id, { system_level: ' application', fault_type: 'authentication issue ' });
      assert.deepEqual(Object.keys(results), ['system_level_correct', 'fault_type_correct', 'success', 'TTA', 'steps', 'in_tokens', 'out_tokens']);
      assert.deepEqual([results.system_level_correct, results.fault_type_correct, results.success], [true, true, true]);
      assert.deepEqual(verdict.expected, { system_level: 'Application', fault_type: 'Authentication Issue' });
    });
    it('one field wrong', async () => {
      const { results, verdict } = await run(id, { system_level: 'Application', fault_type: 'Misconfiguration' });
      assert.deepEqual([results.system_level_correct, results.fault_type_correct, results.success], [true, false, false]);
      assert.match(verdict.explanation, /fault_type "Misconfiguration" is wrong/);
    });
    it('non-dict answers and non-string values are false, never a crash', async () => {
      for (const s of [undefined, null, 'None', ['Application'], 3]) {
        const { results } = await run(id, s, { submitted: s !== undefined });
        assert.deepEqual([results.system_level_correct, results.fault_type_correct, results.success], [false, false, false], String(s));
      }
      const { results, verdict } = await run(id, { system_level: null, fault_type: 42 });
      assert.equal(results.success, false);
      assert.match(verdict.explanation, /system_level None is wrong and fault_type 42 is wrong/);
      const missing = await run(id, {});
      assert.match(missing.verdict.explanation, /system_level is missing/);
    });
  });

  describe('mitigation over a settle window', () => {
    const id = 'k8s_target_port-misconfig-mitigation-1';
    const healthyPods = [ready('user-service-1'), ready('compose-post-service-1')];

    it('a do-nothing cluster (still broken) fails and says what is wrong', async () => {
      const clock = new ManualClock();
      const probe = probeOf(clock, () => ({ pods: healthyPods, services: { 'user-service': svc(9999) } }));
      const { results, verdict } = await run(id, undefined, { submitted: false, clock, probe });
      assert.deepEqual(Object.keys(results), ['TTM', 'steps', 'in_tokens', 'out_tokens', 'success']);
      assert.equal(results.success, false);
      assert.match(verdict.explanation, /Service user-service targetPort is 9999/);
      assert.match(verdict.explanation, /never submitted; the cluster was checked anyway/);
    });

    it('a healed cluster passes after staying healthy through the window', async () => {
      const clock = new ManualClock();
      const probe = probeOf(clock, () => ({ pods: healthyPods, services: { 'user-service': svc(9090) } }));
      const t0 = clock.now();
      const { results, verdict } = await run(id, undefined, { submitted: true, clock, probe });
      assert.equal(results.success, true);
      assert.equal(verdict.success, true);
      assert.equal(clock.now() - t0, 10_000, 'checked for the whole default window');
      assert.equal(probe.reads, 6, 'checks at 0, 2, 4, 6, 8 and 10 s');
    });

    it('a crash-looping container that is Ready between crashes fails: it restarts during the window', async () => {
      const clock = new ManualClock();
      const restarting = (restarts: number): KubeJson => ({
        metadata: { name: 'geo-1' },
        status: { phase: 'Running', containerStatuses: [{ name: 'main', ready: true, restartCount: restarts, state: { running: {} } }] },
      });
      // Every probe sees it Ready, but its restart count goes up at 4 s: it crashed and came back in between.
      const probe = probeOf(clock, (ms) => ({ pods: [restarting(ms >= 4_000 ? 3 : 2), healthyPods[1]], services: { 'user-service': svc(9090) } }));
      const { results, verdict } = await run(id, undefined, { submitted: true, clock, probe });
      assert.equal(results.success, false);
      assert.match(verdict.explanation, /container main of pod geo-1 restarted \(it is crash-looping\)/);
    });

    it('a container that crashed moments ago is not healthy yet: fixed in place it passes once it stays up, crash-looping it fails', async () => {
      const clock = new ManualClock();
      const t0 = clock.now();
      const after = (crashedAtMs: number): KubeJson => ({
        metadata: { name: 'geo-1' },
        status: { phase: 'Running', containerStatuses: [{ name: 'main', ready: true, restartCount: 1, state: { running: {} }, lastState: { terminated: { exitCode: 2, finishedAt: new Date(crashedAtMs).toISOString() } } }] },
      });
      const fixed = probeOf(clock, () => ({ pods: [after(t0 - 5_000), healthyPods[1]], services: { 'user-service': svc(9090) } }));
      const good = await run(id, undefined, { submitted: true, clock, probe: fixed });
      assert.equal(good.results.success, true, good.verdict.explanation);
      assert.ok(clock.now() - t0 >= 25_000, 'waited for the crash to age');

      const clock2 = new ManualClock();
      const looping = probeOf(clock2, () => ({ pods: [after(clock2.now() - 3_000), healthyPods[1]], services: { 'user-service': svc(9090) } }));
      const bad = await run(id, undefined, { submitted: true, clock: clock2, probe: looping });
      assert.equal(bad.results.success, false);
      assert.match(bad.verdict.explanation, /exited with code 2 3 s ago \(it is crash-looping\)/);
    });

    it('a cluster that flaps during the window fails', async () => {
      const clock = new ManualClock();
      const probe = probeOf(clock, (ms) => ({
        pods: ms >= 6_000 ? [crashing('user-service-1'), healthyPods[1]] : healthyPods,
        services: { 'user-service': svc(9090) },
      }));
      const { results, verdict } = await run(id, undefined, { submitted: true, clock, probe });
      assert.equal(results.success, false);
      assert.match(verdict.explanation, /looked healthy at first, but 6 s later container main of pod user-service-1 is in CrashLoopBackOff/);
    });

    it('strict health fails (instead of crashing) on a pod without container statuses; guarded skips it', async () => {
      const clock = new ManualClock();
      const strict: MitigationCheck = { kind: 'all-pods-healthy', mode: 'strict' };
      const guarded: MitigationCheck = { kind: 'all-pods-healthy', mode: 'guarded' };
      const probe = probeOf(clock, () => ({ pods: [ready('a'), pending('user-service-x')] }));
      const s = await runCheck(strict, probe, 'ns');
      assert.equal(s.ok, false);
      assert.match(s.detail, /pod user-service-x has no container statuses \(phase Pending\)/);
      assert.equal((await runCheck(guarded, probe, 'ns')).ok, true);
      const empty = probeOf(clock, () => ({ pods: [] }));
      assert.match((await runCheck(guarded, empty, 'ns')).detail, /no pods/);
      const term = probeOf(clock, () => ({
        pods: [{ metadata: { name: 'j' }, status: { containerStatuses: [{ name: 'c', ready: false, state: { terminated: { reason: 'OOMKilled' } } }] } }],
      }));
      assert.match((await runCheck(strict, term, 'ns')).detail, /terminated \(OOMKilled\)/);
      const done = probeOf(clock, () => ({
        pods: [ready('a'), { metadata: { name: 'old', deletionTimestamp: 'x' }, status: { phase: 'Running' } }],
      }));
      assert.equal((await runCheck(strict, done, 'ns')).ok, true, 'terminating pods are not judged');
      const broken: ClusterProbe = { listPods: async () => Promise.reject(new Error('connection refused')), getService: async () => undefined, getDeployment: async () => undefined };
      assert.match((await runCheck(strict, broken, 'ns')).detail, /could not read the cluster: connection refused/);
    });

    it('assign-to-non-existent-node: the Pending pod no longer passes as it did in the original', async () => {
      const clock = new ManualClock();
      const probe = probeOf(clock, () => ({
        pods: [ready('compose-post-service-1'), pending('user-service-abc')],
        deployments: { 'user-service': { spec: { replicas: 1 }, status: { availableReplicas: 0 } } },
      }));
      const { results, verdict } = await run('assign_to_non_existent_node_social_net-mitigation-1', undefined, { clock, probe, submitted: true });
      assert.equal(results.success, false);
      assert.match(verdict.explanation, /Deployment user-service has 1 replica\(s\), 0 available/);
    });

    it('scale to zero: replicas and availability', async () => {
      const clock = new ManualClock();
      const dep = (r: number, a: number) => ({ 'user-service': { spec: { replicas: r }, status: { availableReplicas: a } } });
      const broken = probeOf(clock, () => ({ pods: [ready('x')], deployments: dep(0, 0) }));
      assert.equal((await run('scale_pod_zero_social_net-mitigation-1', undefined, { clock, probe: broken })).results.success, false);
      const healed = probeOf(clock, () => ({ pods: [ready('x'), ready('user-service-1')], deployments: dep(1, 1) }));
      assert.equal((await run('scale_pod_zero_social_net-mitigation-1', undefined, { clock, probe: healed })).results.success, true);
    });

    it('pods-ready-within waits up to its limit for the first healthy check', async () => {
      const clock = new ManualClock();
      const geo = (ok: boolean) => (ok ? ready('geo-1') : crashing('geo-1'));
      const slow = probeOf(clock, (ms) => ({ pods: [ready('frontend-1'), geo(ms >= 20_000)] }));
      const t0 = clock.now();
      const ok = await run('misconfig_app_hotel_res-mitigation-1', undefined, { clock, probe: slow, submitted: true });
      assert.equal(ok.results.success, true);
      assert.equal(clock.now() - t0, 30_000, '20 s to become healthy + 10 s window');
      const clock2 = new ManualClock();
      const never = probeOf(clock2, () => ({ pods: [ready('frontend-1'), geo(false)] }));
      const bad = await run('misconfig_app_hotel_res-mitigation-1', undefined, { clock: clock2, probe: never, submitted: true });
      assert.equal(bad.results.success, false);
      assert.match(bad.verdict.explanation, /after waiting 60 s/);
    });

    it('wrong_bin_usage: the command must contain profile and no container may be stuck', async () => {
      const clock = new ManualClock();
      const dep = (cmd: string) => ({ profile: { spec: { template: { spec: { containers: [{ name: 'hotel-reserv-profile', command: [cmd] }] } } } } });
      const podWith = (cmd: string) => ({ ...ready('profile-abc'), spec: { containers: [{ name: 'hotel-reserv-profile', command: [cmd] }] } });
      const broken = probeOf(clock, () => ({ pods: [podWith('geo')], deployments: dep('geo') }));
      const r1 = await run('wrong_bin_usage-mitigation-1', undefined, { clock, probe: broken, submitted: true });
      assert.equal(r1.results.success, false);
      assert.match(r1.verdict.explanation, /container hotel-reserv-profile runs \["geo"\]/);
      const healed = probeOf(clock, () => ({ pods: [podWith('profile')], deployments: dep('profile') }));
      assert.equal((await run('wrong_bin_usage-mitigation-1', undefined, { clock, probe: healed, submitted: true })).results.success, true);
      const pulling = probeOf(clock, () => ({
        pods: [podWith('profile'), { metadata: { name: 'geo-1' }, status: { containerStatuses: [{ name: 'g', ready: false, state: { waiting: { reason: 'ImagePullBackOff' } } }] } }],
        deployments: dep('profile'),
      }));
      assert.match((await runCheck({ kind: 'container-command-contains', deployment: 'profile', value: 'profile' }, pulling, 'ns')).detail, /waiting: ImagePullBackOff/);
    });

    it('kafka: the flag must be off in flagd-config, not only the pods healthy', async () => {
      const clock = new ManualClock();
      const cm = (variant: string) => ({ 'flagd-config': { data: { 'demo.flagd.json': JSON.stringify({ flags: { kafkaQueueProblems: { defaultVariant: variant } } }) } } });
      const on = probeOf(clock, () => ({ pods: [ready('kafka-1')], configMaps: cm('on') }));
      const r = await run('astronomy_shop_kafka_queue_problems-mitigation-1', undefined, { clock, probe: on, submitted: true });
      assert.equal(r.results.success, false);
      assert.match(r.verdict.explanation, /flag kafkaQueueProblems is "on"/);
      const off = probeOf(clock, () => ({ pods: [ready('kafka-1')], configMaps: cm('off') }));
      assert.equal((await run('astronomy_shop_kafka_queue_problems-mitigation-1', undefined, { clock, probe: off, submitted: true })).results.success, true);
    });

    it('auth_miss_mongodb: requireTLS must be gone from the Mongo ConfigMap; a probe without ConfigMaps cannot pass', async () => {
      const clock = new ManualClock();
      const conf = (mode: string) => ({ 'url-shorten-mongodb': { data: { 'mongod.conf': `net:\n  tls:\n    mode: ${mode}\n` } } });
      const broken = probeOf(clock, () => ({ pods: [ready('url-shorten-service-1')], configMaps: conf('requireTLS') }));
      const r = await run('auth_miss_mongodb-mitigation-1', undefined, { clock, probe: broken, submitted: true });
      assert.equal(r.results.success, false);
      assert.match(r.verdict.explanation, /key mongod\.conf still contains "requireTLS"/);
      const healed = probeOf(clock, () => ({ pods: [ready('url-shorten-service-1')], configMaps: conf('disabled') }));
      assert.equal((await run('auth_miss_mongodb-mitigation-1', undefined, { clock, probe: healed, submitted: true })).results.success, true);
      const blind: ClusterProbe = { listPods: async () => [ready('a')], getService: async () => undefined, getDeployment: async () => undefined };
      assert.match((await runCheck({ kind: 'configmap-not-contains', configMap: 'x', text: 'y' }, blind, 'ns')).detail, /cannot read ConfigMaps/);
    });

    it('honours a custom settle window', async () => {
      const clock = new ManualClock();
      const probe = probeOf(clock, () => ({ pods: [ready('a')], services: { 'user-service': svc(9090) } }));
      const problem: ProblemDefinition = catalog.problems.get(id);
      const t0 = clock.now();
      const r = await evaluate({ problem, solution: undefined, submitted: true, trace: [], durationSec: 1, probe, clock, namespace: 'test-social-network', settle: { windowMs: 0, intervalMs: 1000 } });
      assert.equal(r.results.success, true);
      assert.equal(clock.now(), t0, 'a zero window is one snapshot');
      assert.equal(r.results.steps, 0);
    });
  });
});
