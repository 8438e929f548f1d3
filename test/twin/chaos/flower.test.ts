import { strict as assert } from 'node:assert';
import { spawn } from 'node:child_process';
import * as path from 'node:path';
import type { TwinHandle } from '../../../src/twin';
import type { Kubectl } from '../../../src/env/kubectl';
import { injectorFor } from '../../../src/env/faults';
import type { FaultSpec } from '../../../src/core/problems/types';
import type { AppDefinition } from '../../../src/core/apps/types';
import { flowerManifest } from '../../../src/twin/flower/manifest';
import { writeDockerShim } from '../../../src/twin/flower/docker-cli';
import { eventually, faultContext, useTwinProcess } from '../../support/twin-process';

const app: AppDefinition = { id: 'flower', name: 'Flower', namespace: 'docker', description: '', supportedOperations: [], deploy: { kind: 'none' } };

describe('Flower on the twin: docker shim and the two Flower faults', function () {
  this.timeout(60_000);
  let twin: TwinHandle;
  let kubectl: Kubectl;
  let shim: string;

  const docker = (args: string[]): Promise<{ code: number; stdout: string; stderr: string }> => new Promise((resolve) => {
    const child = spawn(shim, args, { env: { ...process.env, KUBECONFIG: twin.kubeconfigPath, KUBECACHEDIR: twin.kubeCacheDir, AIOPSLAB_KUBECTL: kubectl.options.kubectl } });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (b: Buffer) => out.push(b));
    child.stderr.on('data', (b: Buffer) => err.push(b));
    child.on('close', (code) => resolve({ code: code ?? 1, stdout: Buffer.concat(out).toString(), stderr: Buffer.concat(err).toString() }));
  });
  const ctx = (fault: FaultSpec) => faultContext({ twin, kubectl }, app, fault);
  const until = (what: string, probe: () => Promise<boolean>) => eventually(what, probe, 20_000);

  useTwinProcess('aiopslab-flower-', async (t) => {
    ({ twin, kubectl } = t);
    shim = writeDockerShim(path.join(t.dir, 'bin'));
    await kubectl.run(['apply', '-f', '-'], flowerManifest());
    await until('six containers up', async () => (await docker(['ps'])).stdout.split('\n').filter((l) => / Up /.test(l)).length === 6);
  });

  it('docker ps / inspect / logs show the compose containers', async () => {
    const ps = (await docker(['ps'])).stdout;
    assert.match(ps, /^CONTAINER ID\s+IMAGE\s+COMMAND\s+CREATED\s+STATUS\s+PORTS\s+NAMES/);
    assert.match(ps, /flwr\/supernode:1\.15\.2 .* Up .* supernode-1/);
    const inspect = JSON.parse((await docker(['inspect', 'superlink'])).stdout);
    assert.equal(inspect[0].State.Status, 'running');
    assert.match((await docker(['logs', 'superlink'])).stdout, /Starting Flower SuperLink/);
    const missing = await docker(['logs', 'nope']);
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /No such container: nope/);
  });

  it('flower-container-stop: supernode-1 Exited in docker ps -a, the round waits; recover starts it again', async () => {
    const fault: FaultSpec = { kind: 'flower-container-stop', target: 'supernode-1', params: { docker: shim } };
    await injectorFor(fault.kind).inject(ctx(fault));
    assert.doesNotMatch((await docker(['ps'])).stdout, /supernode-1/);
    assert.match((await docker(['ps', '-a'])).stdout, /Exited \(0\) .* supernode-1/);
    assert.equal((await docker(['exec', 'supernode-1', 'ls'])).code, 1);
    // Only supernode-1 (F13): the other five containers keep running.
    const up = (await docker(['ps'])).stdout;
    for (const c of ['superlink', 'serverapp', 'supernode-2', 'clientapp-1', 'clientapp-2']) assert.match(up, new RegExp(`Up .* ${c}$`, 'm'), c);
    await injectorFor(fault.kind).recover(ctx(fault));
    assert.match((await docker(['ps'])).stdout, /Up .* supernode-1/);
  });

  it('flower-model-misconfig: line 24 becomes Linear(80, 10); clientapp-1 logs the state_dict size mismatch; recover seds back', async () => {
    const fault: FaultSpec = { kind: 'flower-model-misconfig', target: 'clientapp-1', params: { docker: shim, waitMs: 30_000 } };
    await injectorFor(fault.kind).inject(ctx(fault));
    const line = (await docker(['exec', 'clientapp-1', 'sh', '-c', 'grep fc3 /app/.flwr/apps/*/task.py'])).stdout;
    assert.match(line, /nn\.Linear\(80, 10\)/);
    const logs = (await docker(['logs', 'clientapp-1'])).stdout;
    assert.match(logs, /ERROR : {5}ClientApp raised an exception/);
    assert.match(logs, /size mismatch for fc3\.weight: copying a param with shape torch\.Size\(\[10, 84\]\) from checkpoint, the shape in current model is torch\.Size\(\[10, 80\]\)/);
    assert.doesNotMatch((await docker(['logs', 'clientapp-2'])).stdout, /ERROR/);
    await until('aggregate_evaluate with a failure', async () => /aggregate_evaluate: received 1 results and 1 failures/.test((await docker(['logs', 'serverapp'])).stdout));
    await injectorFor(fault.kind).recover(ctx(fault));
    assert.match((await docker(['exec', 'clientapp-1', 'sh', '-c', 'grep fc3 /app/.flwr/apps/*/task.py'])).stdout, /nn\.Linear\(84, 10\)/);
  });
});
