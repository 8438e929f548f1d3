import { spawn } from 'node:child_process';
import { faultParams } from '../../core/problems/fault-params';
import type { FaultContext, FaultInjector } from './types';
import { FaultError } from './types';
import { apiCall } from './api';
import { ignoreNotFound } from '../races';

/**
 * Flower faults (the original's last two registered problems, its VirtualizationFaultInjector): the stack runs under Docker Compose in the
 * pseudo-namespace `docker`. Both act through the `docker` CLI exactly as the original does — on a real host that is
 * Docker; on the embedded cluster it is the twin's shim (src/twin/flower/docker-cli.ts), pointed at the cluster
 * through KUBECONFIG and the session's context. The docker binary: param `docker`, else the cluster's own (FaultContext.docker: the embedded
 * cluster's shim), else $AIOPSLAB_DOCKER, else `docker` on PATH.
 */

interface Run { code: number; stdout: string; stderr: string }

/** A setting any Flower session may carry in its fault's parameters (the workload starts runs for every Flower problem). */
function flowerSetting(c: FaultContext, name: 'docker' | 'flowerDir'): string | undefined {
  const value = c.fault.params[name];
  return typeof value === 'string' ? value : undefined;
}

function docker(c: FaultContext, args: string[]): Promise<Run> {
  const bin = flowerSetting(c, 'docker') ?? c.docker ?? process.env.AIOPSLAB_DOCKER ?? 'docker';
  const env: NodeJS.ProcessEnv = { ...process.env };
  const { kubeconfigPath, context, kubectl } = c.kubectl.options;
  if (kubeconfigPath) env.KUBECONFIG = kubeconfigPath;
  // On a real cluster the session's context need not be the kubeconfig's current one: the docker shim must act on
  // the session's cluster, as the engine's kubectl does (a real Docker host ignores it).
  if (context) env.AIOPSLAB_KUBE_CONTEXT = context;
  else delete env.AIOPSLAB_KUBE_CONTEXT;
  env.AIOPSLAB_KUBECTL = kubectl;
  return new Promise((resolve, reject) => {
    const child = spawn(bin, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (b: Buffer) => out.push(b));
    child.stderr.on('data', (b: Buffer) => err.push(b));
    child.on('error', (e) => reject(new FaultError(`Cannot run docker (${bin}): ${e.message}. Flower faults need Docker (or the embedded cluster's docker shim).`)));
    child.on('close', (code) => resolve({ code: code ?? 1, stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8') }));
  });
}

async function mustDocker(c: FaultContext, args: string[]): Promise<string> {
  const r = await docker(c, args);
  if (r.code !== 0) throw new FaultError(`docker ${args.join(' ')} failed: ${r.stderr.trim() || r.stdout.trim()}`);
  return r.stdout;
}

/**
 * Starts a training run: `flwr run train local-deployment` in the Flower directory on a real Docker host; when the
 * stack runs as pods of namespace `docker` (the embedded cluster) the ConfigMap `flwr-run` (`started: <RFC 3339>`)
 * that the twin's Flower behaviours follow. Like `flwr run`, every call starts a new run (the ConfigMap is replaced),
 * so a run left from an earlier session on the same cluster does not stand in for this one.
 */
export async function startFlowerRun(c: FaultContext): Promise<void> {
  const namespace = 'docker';
  const asPods = await c.api.core.readNamespacedPod({ name: 'clientapp-1', namespace }).then(() => true, () => false);
  if (asPods) {
    const name = 'flwr-run';
    await apiCall(`Deleting ConfigMap ${namespace}/${name}`, () => ignoreNotFound(c.api.core.deleteNamespacedConfigMap({ name, namespace })));
    await apiCall(`Creating ConfigMap ${namespace}/${name}`, () => c.api.core.createNamespacedConfigMap({ namespace, body: { metadata: { name }, data: { started: new Date().toISOString() } } }));
    return;
  }
  const cwd = flowerSetting(c, 'flowerDir') ?? 'aiopslab-applications/flower';
  await new Promise<void>((resolve, reject) => {
    const child = spawn('flwr', ['run', 'train', 'local-deployment'], { cwd, stdio: 'ignore' });
    child.on('error', (e) => reject(new FaultError(`Cannot run flwr in ${cwd}: ${e.message}`)));
    child.on('close', (code) => (code === 0 ? resolve() : reject(new FaultError(`flwr run exited with ${code}`))));
  });
}

async function poll(what: string, timeoutMs: number, probe: () => Promise<boolean>): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await probe())) {
    if (Date.now() > end) throw new FaultError(`Timed out waiting for ${what}.`);
    await new Promise((r) => setTimeout(r, 1000));
  }
}

/**
 * `docker stop <container>` (default supernode-1); recover: `docker start`. The original's 15 s sleep after the stop
 * is the problem's `settleSeconds` (applied by the environment after every injection, capped on the embedded
 * cluster where the stop shows at once). Stopping a stopped container and starting a running one are no-ops.
 */
export const flowerContainerStopFault: FaultInjector = {
  kind: 'flower-container-stop',
  async inject(c) {
    await mustDocker(c, ['stop', c.fault.target ?? 'supernode-1']);
  },
  async recover(c) {
    await mustDocker(c, ['start', c.fault.target ?? 'supernode-1']);
  },
};

const TASK_GLOB = '/app/.flwr/apps/*/task.py';

/**
 * The model misconfiguration, injected as the original does inside its workload start: start the run, wait until the
 * app is installed in the clientapp (`/app/.flwr/apps`), sed line 24 (`nn.Linear(84, 10)` → 80), then wait until the
 * clientapp's log shows an error. Recover: sed back.
 */
export const flowerModelMisconfigFault: FaultInjector = {
  kind: 'flower-model-misconfig',
  async inject(c) {
    const name = c.fault.target ?? 'clientapp-1';
    const { startRun, waitForError, waitMs } = faultParams(c.fault, 'flower-model-misconfig');
    if (startRun) await startFlowerRun(c);
    await poll(`/app/.flwr/apps in ${name}`, 120_000, async () => (await docker(c, ['exec', name, 'sh', '-c', 'ls /app/.flwr/apps'])).code === 0 && true);
    await mustDocker(c, ['exec', name, 'sh', '-c', `sed -i '24s/84/80/' ${TASK_GLOB}`]);
    if (waitForError) {
      await poll(`an error in the logs of ${name}`, waitMs, async () => /error/i.test((await docker(c, ['logs', name])).stdout));
    }
  },
  async recover(c) {
    const name = c.fault.target ?? 'clientapp-1';
    // Not installed (the run never reached it) or the container was replaced: there is no edited file to undo.
    if ((await docker(c, ['exec', name, 'sh', '-c', 'ls /app/.flwr/apps'])).code !== 0) return;
    await mustDocker(c, ['exec', name, 'sh', '-c', `sed -i '24s/80/84/' ${TASK_GLOB}`]);
  },
};
