import { strict as assert } from 'node:assert';
import { OracleAgent, OracleEvidenceError, checkEvidence, excerptFor } from '../../src/agents/oracle';
import { NEXT_ACTION, Orchestrator } from '../../src/core/orchestrator/orchestrator';
import { parseResponse } from '../../src/core/parser';
import type { ProblemDefinition } from '../../src/core/problems/types';
import { loadCatalog } from '../../src/env/catalog';
import { FakeEnvironment, MemoryJournal, MemoryStore, fastClock } from '../support/fake-environment';

const catalog = loadCatalog();

function call(reply: string): { api: string; args: unknown[] } {
  const parsed = parseResponse(reply);
  return { api: parsed.api_name, args: parsed.args };
}

const PODS_BROKEN = 'NAME READY STATUS RESTARTS AGE\ngeo-5c86d97575-lt9f7 0/1 CrashLoopBackOff 3 1m\n';

function withInvestigation(id: string, investigation: ProblemDefinition['investigation']): ProblemDefinition {
  return { ...catalog.problems.get(id), investigation };
}

describe('agents / oracle: investigation with evidence', () => {
  const problem = withInvestigation('misconfig_app_hotel_res-localization-1', [
    { action: 'exec_shell', args: ['kubectl get pods -n test-hotel-reservation'], expect: 'geo-\\S+\\s+0/1\\s+(Error|CrashLoopBackOff)' },
    { action: 'get_traces', args: ['test-hotel-reservation', 5] },
    { action: 'read_traces', args: ['{exported}'] },
  ]);

  it('replays the steps, reads the file get_traces wrote, then submits the expected answer', async () => {
    const oracle = new OracleAgent(problem, 'solve');
    assert.deepEqual(call(await oracle.getAction(NEXT_ACTION)), { api: 'exec_shell', args: ['kubectl get pods -n test-hotel-reservation'] });
    assert.deepEqual(call(await oracle.getAction(`${PODS_BROKEN}\n${NEXT_ACTION}`)), { api: 'get_traces', args: ['test-hotel-reservation', 5] });
    assert.deepEqual(call(await oracle.getAction(`Traces data exported to: /r/s/trace_output/traces_1.csv\n${NEXT_ACTION}`)), { api: 'read_traces', args: ['/r/s/trace_output/traces_1.csv'] });
    assert.deepEqual(call(await oracle.getAction(`trace_id ...\n${NEXT_ACTION}`)), { api: 'submit', args: [['geo']] });
    assert.deepEqual(oracle.evidenceFound, [1]);
    assert.equal(OracleAgent.stepsToSolve(problem), 4);
  });

  it('fails with the step, the call, the pattern and an excerpt of what it saw when the evidence is missing', async () => {
    const oracle = new OracleAgent(problem, 'solve');
    await oracle.getAction(NEXT_ACTION);
    await assert.rejects(oracle.getAction(`NAME READY STATUS\ngeo-5c86d97575-lt9f7 1/1 Running 0 1m\n${NEXT_ACTION}`), (e: unknown) => {
      assert.ok(e instanceof OracleEvidenceError);
      assert.equal(e.step, 1);
      assert.match(e.message, /^Oracle evidence missing at investigation step 1 of 3, exec_shell\("kubectl get pods -n test-hotel-reservation"\): expected \/geo-/);
      assert.match(e.message, /the observation was: "… geo-5c86d97575-lt9f7 1\/1 Running 0 1m"$/);
      return true;
    });
    assert.ok(oracle.evidenceFailure);
  });

  it('quotes the observation from the line the pattern is about', () => {
    const obs = 'NAME READY UP-TO-DATE AVAILABLE AGE\ncompose-post-service 1/1 1 1 13s\nuser-service 1/1 1 1 13s\nuser-timeline-service 1/1 1 1 13s';
    assert.equal(excerptFor('user-service\\s+0/0\\s', obs), '… user-service 1/1 1 1 13s user-timeline-service 1/1 1 1 13s');
    assert.equal(excerptFor('nothing-like-it', 'a\nb'), 'a b');
  });

  it('within: looks again every half second while the symptom develops, and fails naming the tries once the time is up', async () => {
    const slow = withInvestigation('misconfig_app_hotel_res-detection-1', [
      { action: 'exec_shell', args: ['kubectl get pods -n test-hotel-reservation'], expect: 'geo-\\S+\\s+0/1\\s+(Error|CrashLoopBackOff)', within: 1.5 },
    ]);
    assert.equal(OracleAgent.stepsToSolve(slow), 1 + 4 + 1);
    const run = () => {
      const oracle = new OracleAgent(slow, 'solve');
      let t = 0;
      oracle.now = () => t;
      oracle.sleep = async (ms) => {
        t += ms;
      };
      return oracle;
    };
    const running = 'geo-6d97fc5449-n9fcb 1/1 Running 0 10s';
    const ok = run();
    const seen = [await ok.getAction(NEXT_ACTION), await ok.getAction(running), await ok.getAction(running), await ok.getAction('geo-6d97fc5449-n9fcb 0/1 Error 0 12s')];
    assert.deepEqual(seen.map((r) => call(r).api), ['exec_shell', 'exec_shell', 'exec_shell', 'submit']);
    const never = run();
    await never.getAction(NEXT_ACTION);
    await never.getAction(running);
    await never.getAction(running);
    await never.getAction(running);
    await assert.rejects(never.getAction(running), /step 1 of 1, exec_shell\("kubectl get pods -n test-hotel-reservation"\) \(4 tries over 2 s\): expected/);
  });

  it('expectNot: evidence of absence (no-fault problems)', () => {
    assert.equal(checkEvidence({ action: 'exec_shell', args: [], expectNot: 'CrashLoopBackOff|Error' }, 'all Running'), undefined);
    assert.match(checkEvidence({ action: 'exec_shell', args: [], expectNot: 'CrashLoopBackOff|Error' }, 'geo 0/1 CrashLoopBackOff')!, /expected no \/CrashLoopBackOff\|Error\/, found "CrashLoopBackOff"/);
  });

  it('mitigation: investigation, then the solution commands, then submit()', async () => {
    const mitigation = withInvestigation('scale_pod_zero_social_net-mitigation-1', [{ action: 'exec_shell', args: ['kubectl get deployments -n test-social-network'], expect: 'user-service\\s+0/0' }]);
    const oracle = new OracleAgent(mitigation, 'solve');
    const replies = [await oracle.getAction(NEXT_ACTION), await oracle.getAction('user-service   0/0   0   0   1m'), await oracle.getAction('scaled'), await oracle.getAction('rolled out'), await oracle.getAction('ok')];
    assert.deepEqual(replies.map((r) => call(r).api), ['exec_shell', 'exec_shell', 'exec_shell', 'submit', 'submit']);
    assert.equal(call(replies[1]).args[0], 'kubectl scale deployment user-service -n test-social-network --replicas=1');
    assert.equal(OracleAgent.stepsToSolve(mitigation), 4);
  });

  it('a session whose evidence is missing ends in error with that message (the fault is still recovered)', async () => {
    const p = withInvestigation('scale_pod_zero_social_net-detection-1', [{ action: 'exec_shell', args: ['kubectl get deployments -n test-social-network'], expect: 'user-service\\s+0/0' }]);
    const env = new FakeEnvironment();
    env.shell = () => 'NAME READY UP-TO-DATE AVAILABLE AGE\nuser-service 1/1 1 1 5m\n';
    const orchestrator = new Orchestrator({ env, journal: new MemoryJournal(), store: new MemoryStore(), clock: fastClock, newId: () => 'oracle-evidence' });
    const agent = new OracleAgent(p, 'solve');
    const record = await orchestrator.run({ problem: p, app: catalog.apps.get(p.app)!, agent, maxSteps: OracleAgent.stepsToSolve(p) + 1 });
    assert.equal(record.status, 'error');
    assert.match(record.error ?? '', /Oracle evidence missing at investigation step 1 of 1, exec_shell\("kubectl get deployments -n test-social-network"\): expected \/user-service\\s\+0\/0\/; the observation was: "… user-service 1\/1 1 1 5m"/);
    assert.notEqual(record.verdict?.success, true);
    assert.ok(env.calls.includes('recover:scale-to-zero'));
  });
});
