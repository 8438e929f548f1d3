/**
 * Flower (Docker Compose in the original, pseudo-namespace `docker`) in a
 * session: the parts of the environment that differ for it. The stack is deployed as one Pod per compose container
 * in namespace `docker` (apps/flower/manifests); the agent inspects it with `docker` (on the embedded cluster the
 * twin's shim, src/twin/flower/docker-cli.ts, put on exec_shell's PATH) and with get_logs("docker", <container>).
 */
import type { ProblemDefinition } from '../core/problems/types';
import { injectedDuringWorkload } from '../core/problems/fault-params';
import type { FaultContext } from './faults/types';
import { startFlowerRun } from './faults/flower';

/** The original's pseudo-namespace of its Docker Compose apps. */
export const DOCKER_NAMESPACE = 'docker';

/** get_logs("docker", x) for an unknown container (the original's exact text). */
export const NO_DOCKER_SERVICE = 'Error: Your service does not exist. Use docker to check.';

export function isDockerNamespace(namespace: string): boolean {
  return namespace === DOCKER_NAMESPACE;
}

/**
 * get_logs for namespace `docker`: the whole log of the container named `service` (the original reads the Docker
 * SDK's `containers.get(service).logs()`; here the container is the pod of that name). Any failure → the original's
 * text for an unknown service.
 */
export async function dockerContainerLogs(service: string, readPodLog: (name: string) => Promise<string>): Promise<string> {
  if (!/^[a-zA-Z0-9][a-zA-Z0-9_.-]*$/.test(service)) return NO_DOCKER_SERVICE;
  try {
    return String((await readPodLog(service)) ?? '');
  } catch {
    return NO_DOCKER_SERVICE;
  }
}

/**
 * The `flwr` workload (`flwr run train local-deployment`): starts a training run. A problem whose fault is injected
 * during the workload (`injectDuringWorkload`, the model misconfiguration: the original starts the run inside its
 * start_workload, then seds) already started it in its injector, so nothing more happens here.
 */
export async function startFlwrWorkload(problem: ProblemDefinition, context: FaultContext): Promise<void> {
  if (injectedDuringWorkload(problem.fault)) return;
  await startFlowerRun(context);
}
