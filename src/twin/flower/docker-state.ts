/**
 * Docker container state for the twin's Docker Compose stand-ins (Flower, pseudo-namespace `docker`): each compose
 * container is a bare Pod (restartPolicy Never) in namespace `docker`. `docker stop <name>` (the shim in
 * docker-cli.ts) sets the pod annotation STOP_ANNOTATION to the exit code; this watcher then stops the container
 * through the runtime (`killContainer`), so the pod shows Terminated / Succeeded|Failed and `docker ps -a` shows
 * `Exited (<code>)`. `docker start` recreates the pod from its spec (a Pod cannot restart a terminated container).
 */
import type { ObjectStore, StoreEvent } from '../contracts';
import type { Clock } from '../cluster/clock';

export const DOCKER_NAMESPACE = 'docker';
export const STOP_ANNOTATION = 'twin.aiopslab.io/docker-stop';

export function watchDockerStops(store: ObjectStore, clock: Clock, killContainer: (ns: string, pod: string, container: string, exitCode?: number, reason?: string) => boolean): () => void {
  const check = (ns: string, name: string) => {
    const pod = store.get('pods', ns, name);
    const code = pod?.metadata.annotations?.[STOP_ANNOTATION];
    if (!pod || code === undefined || pod.metadata.deletionTimestamp) return;
    const exitCode = Number.parseInt(code, 10) || 0;
    let pendingStart = false;
    for (const c of (pod.spec?.containers ?? []) as Array<{ name: string }>) {
      const st = ((pod.status?.containerStatuses ?? []) as Array<{ name: string; state?: Record<string, unknown> }>).find((s) => s.name === c.name);
      if (st?.state?.terminated) continue;
      if (!killContainer(ns, name, c.name, exitCode, exitCode === 0 ? 'Completed' : 'Error')) pendingStart = true;
    }
    // A container still starting cannot be killed yet: look again shortly.
    if (pendingStart) clock.setTimeout(() => check(ns, name), 500);
  };
  const onEvent = (e: StoreEvent) => {
    if (e.resource !== 'pods' || e.type === 'DELETED' || e.object.metadata.annotations?.[STOP_ANNOTATION] === undefined) return;
    const { namespace, name } = e.object.metadata;
    clock.setTimeout(() => check(namespace ?? DOCKER_NAMESPACE, name ?? ''), 0);
  };
  return store.subscribe(onEvent);
}
