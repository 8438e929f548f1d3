import { strict as assert } from 'node:assert';
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Engine } from '../../src/engine';
import { validateProblems, type RunBrief } from '../../src/engine/verify';
import { failedRows } from '../support/validate-rows';

/**
 * Zero flaky sessions under load: a problem of each kind of set-up, injection, recovery and clean-up the catalog has
 * (Chaos Mesh resources, re-created Deployments, Mongo scripts, the
 * namespace deleted and re-applied, and apps reused between sessions with their pods replaced), validated (oracle,
 * doing nothing, a wrong answer) while every core is busy with other work and the embedded cluster's controllers and
 * kubelet react late. Every session error is reported, not only the first. The experimental problems made runnable
 * (redeploy_without_PV localization, kernel_fault, disk_woreout) are among them: they are proven here, under load.
 */
const PROBLEMS = [
  'misconfig_app_hotel_res-analysis-1', // the app reused from the sessions before: pods with history are replaced
  'revoke_auth_mongodb-detection-1', // exec of a Mongo script, then pods deleted
  'assign_to_non_existent_node_social_net-detection-1', // a Deployment deleted and re-applied
  // The experimental problems made runnable here, proven under the same load:
  'redeploy_without_PV-localization-1', // the namespace deleted and re-applied, volumes released
  'kernel_fault_hotel_reservation-localization-1', // a Chaos Mesh resource (KernelChaos) created and deleted
  'disk_woreout-localization-1', // IOChaos: six Mongo pods crash-loop, then recover
];

/** The controllers act 100 ms after each change and pods take 1 s to terminate (a deleted pod lingers, then vanishes). */
const SLOW_CLUSTER = { controllerLagMs: 100, terminationMs: 1000 };

function saturateCores(): ChildProcess[] {
  return os.cpus().map(() => spawn(process.execPath, ['-e', 'for (;;) {}'], { stdio: 'ignore' }));
}

describe('set-up, injection, recovery and clean-up under load: no session errors (embedded cluster, cores saturated, slow controllers)', function () {
  this.timeout(240_000);
  let burners: ChildProcess[] = [];
  let previousTiming: string | undefined;
  const cwd = fs.mkdtempSync(path.join(os.tmpdir(), 'aiopslab-stress-'));

  before(() => {
    previousTiming = process.env.AIOPSLAB_TWIN_TIMING;
    process.env.AIOPSLAB_TWIN_TIMING = JSON.stringify(SLOW_CLUSTER);
    burners = process.env.AIOPSLAB_STRESS_NO_BURNERS ? [] : saturateCores();
  });

  after(() => {
    for (const b of burners) b.kill('SIGKILL');
    if (previousTiming === undefined) delete process.env.AIOPSLAB_TWIN_TIMING;
    else process.env.AIOPSLAB_TWIN_TIMING = previousTiming;
    fs.rmSync(cwd, { recursive: true, force: true, maxRetries: 5 });
  });

  it('validates a problem of every clean-up path, reusing apps between sessions, with every session error-free', async () => {
    const engine = Engine.create({ cwd, overrides: { settleSeconds: 2 } });
    const problems = PROBLEMS.map((id) => engine.problem(id).problem);
    const kinds = new Set(problems.map((p) => p.fault.kind));
    assert.ok(kinds.size >= 6, `the stress set covers ${kinds.size} injector kinds`);
    const results = await validateProblems(engine, problems, undefined, undefined, 2);
    assert.equal(results.length, PROBLEMS.length);
    for (const r of results) console.log(`      ${r.problemId}: ${r.seconds.toFixed(1)} s (oracle set-up ${r.oracle.phases.setup} s, clean-up ${r.oracle.phases.cleanup} s)`);
    const sessionErrors = results.flatMap((r) =>
      ([['oracle', r.oracle], ['do-nothing', r.idle], ['wrong answer', r.wrong]] as Array<[string, RunBrief | undefined]>)
        .filter(([, b]) => b && (b.status === 'error' || b.status === 'cancelled' || (b.error && !/evidence/i.test(b.error))))
        .map(([mode, b]) => `${r.problemId} (${mode}): ${b!.status}: ${b!.error}`));
    assert.deepEqual(sessionErrors, [], `session errors under load:\n${sessionErrors.join('\n')}`);
    assert.deepEqual(failedRows(results), []);
  });
});
