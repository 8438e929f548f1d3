import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Engine } from './engine';
import { openCluster } from './cluster';
import { Kubectl } from '../env/kubectl';
import { sandboxAvailability } from '../env/sandbox/availability';

/** Whether model agents' exec_shell runs in the OS sandbox here, and how to get it when it does not. */
function sandboxCheck(engine: Engine): DoctorCheck {
  const name = 'shell sandbox';
  if (engine.config.shellPolicy === 'open') {
    return { name, ok: true, warning: true, detail: 'shell policy is open: exec_shell runs anything on this machine (isolation: none)', fix: 'Set shellPolicy: guarded (the default) in aiopslab.config.yaml.' };
  }
  const availability = sandboxAvailability(engine.config.sandbox);
  if (availability.available) return { name, ok: true, detail: `exec_shell runs in a bubblewrap sandbox (${availability.bwrap}); isolation: sandbox` };
  return { name, ok: true, warning: true, detail: `no sandbox: ${availability.reason}; sessions run with the guarded policy alone (isolation: policy-only)`, fix: availability.fix };
}

export interface DoctorCheck {
  name: string;
  ok: boolean;
  /** A weakness that does not stop sessions from running (they say so in their record); does not fail doctor. */
  warning?: boolean;
  detail: string;
  /** What to do when it failed. */
  fix?: string;
}

/**
 * Preflight for a cluster: can we run kubectl, reach the API server, find what the problems need (Chaos Mesh for the
 * symptom faults, Prometheus and Jaeger for telemetry), write results, and is the recovery journal clean.
 */
export async function runDoctor(engine: Engine): Promise<DoctorCheck[]> {
  const checks: DoctorCheck[] = [];
  try {
    fs.mkdirSync(engine.config.resultsDir, { recursive: true });
    fs.accessSync(engine.config.resultsDir, fs.constants.W_OK);
    checks.push({ name: 'results folder', ok: true, detail: engine.config.resultsDir });
  } catch (error) {
    checks.push({ name: 'results folder', ok: false, detail: (error as Error).message, fix: 'Set resultsDir in aiopslab.config.yaml or pass --results to a writable folder.' });
  }
  checks.push(sandboxCheck(engine));
  const leftovers = await engine.journal.list().catch(() => []);
  checks.push(leftovers.length
    ? { name: 'recovery journal', ok: false, detail: `${leftovers.length} fault(s) left behind: ${leftovers.map((e) => `${e.fault.kind} of ${e.problemId}`).join(', ')}`, fix: 'Run: aiopslab recover' }
    : { name: 'recovery journal', ok: true, detail: 'no leftover faults' });
  if (engine.config.cluster !== 'embedded') {
    const { realClusterChecks } = await import('./doctor-cluster');
    const { resolveKubectl } = await import('../twin/kubectl-path');
    let kubectlPath: string;
    try {
      kubectlPath = await resolveKubectl();
    } catch (error) {
      checks.push({ name: 'kubectl', ok: false, detail: (error as Error).message, fix: 'Install kubectl 1.29 or newer (or set aiopslab.kubectlPath / AIOPSLAB_KUBECTL to one), then retry.' });
      return checks;
    }
    checks.push({ name: 'kubectl', ok: true, detail: kubectlPath });
    checks.push(...(await realClusterChecks(new Kubectl({ kubectl: kubectlPath, context: engine.config.cluster, kubeCacheDir: path.join(engine.stateDir, 'kube-cache') }), engine.config.cluster)));
    return checks;
  }
  checks.push(...(await embeddedClusterChecks(engine)));
  return checks;
}

/** The embedded cluster brings Chaos Mesh and Prometheus built in: this proves it starts and serves them. */
async function embeddedClusterChecks(engine: Engine): Promise<DoctorCheck[]> {
  const checks: DoctorCheck[] = [];
  let cluster;
  try {
    cluster = await openCluster(engine.config, engine.stateDir);
  } catch (error) {
    return [{ name: 'cluster', ok: false, detail: (error as Error).message, fix: 'Install kubectl 1.29 or newer (or set aiopslab.kubectlPath / AIOPSLAB_KUBECTL to one), then retry.' }];
  }
  try {
    const kubectl = new Kubectl({ kubectl: cluster.kubectl, kubeconfigPath: cluster.kubeconfigPath, kubeCacheDir: cluster.kubeCacheDir });
    checks.push({ name: 'kubectl', ok: true, detail: cluster.kubectl });
    try {
      const version = JSON.parse(await kubectl.run(['version', '-o', 'json'], undefined, 20_000)) as { serverVersion?: { gitVersion?: string } };
      checks.push({ name: 'API server', ok: true, detail: `embedded cluster, Kubernetes ${version.serverVersion?.gitVersion ?? '?'}` });
    } catch (error) {
      checks.push({ name: 'API server', ok: false, detail: (error as Error).message, fix: 'This is a bug of the embedded cluster; please report it.' });
      return checks;
    }
    const resources = await kubectl.run(['api-resources', '-o', 'name'], undefined, 30_000).catch(() => '');
    const chaos = /podchaos\.chaos-mesh\.org/.test(resources);
    checks.push({ name: 'Chaos Mesh', ok: chaos, detail: chaos ? 'built in: PodChaos, NetworkChaos and the other kinds are served' : 'not served (a bug of the embedded cluster; please report it)' });
    const prometheus = await kubectl.run(['get', 'service', 'prometheus-server', '-n', 'observe', '-o', 'name'], undefined, 20_000).then(() => true, () => false);
    checks.push({ name: 'Prometheus', ok: prometheus, detail: prometheus ? 'built in: Service prometheus-server in namespace observe' : 'no Service prometheus-server in namespace observe (a bug of the embedded cluster; please report it)' });
  } finally {
    await cluster.release();
  }
  return checks;
}
