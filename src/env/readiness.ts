/**
 * Why an app's pods are not ready, in the words a user would look for with `kubectl get pods` and `kubectl describe
 * pod`: the container's waiting reason and message (ImagePullBackOff: Back-off pulling image "…"), the scheduler's
 * verdict (Unschedulable: 0/2 nodes are available: 2 Insufficient cpu), a crashed container's exit, and the pod's
 * latest Warning event. Pure: the caller lists the pods and events.
 */
import type * as k8s from '@kubernetes/client-node';

/** Waiting reasons that no amount of waiting cures: the deploy fails at once instead of at its timeout. */
export const HOPELESS_REASONS = new Set(['InvalidImageName', 'ErrImageNeverPull']);

export interface UnreadyPod {
  name: string;
  /** The short reason (`ImagePullBackOff`, `Unschedulable`, `CrashLoopBackOff`, `Pending`). */
  reason: string;
  /** The longer explanation, when the cluster gives one. */
  message?: string;
}

export function isPodReady(pod: k8s.V1Pod): boolean {
  if (pod.status?.phase === 'Succeeded') return true;
  const statuses = pod.status?.containerStatuses ?? [];
  return statuses.length > 0 && statuses.every((c) => c.ready);
}

export function unreadyPods(pods: k8s.V1Pod[], events: k8s.CoreV1Event[] = []): UnreadyPod[] {
  return pods.filter((p) => !isPodReady(p)).map((pod) => explainPod(pod, events));
}

function explainPod(pod: k8s.V1Pod, events: k8s.CoreV1Event[]): UnreadyPod {
  const name = pod.metadata?.name ?? '?';
  const statuses = [...(pod.status?.initContainerStatuses ?? []), ...(pod.status?.containerStatuses ?? [])];
  const stuck = statuses.find((c) => c.state?.waiting && c.state.waiting.reason !== 'PodInitializing' && c.state.waiting.reason !== 'ContainerCreating')
    ?? statuses.find((c) => c.state?.terminated && c.state.terminated.exitCode !== 0);
  const latestWarning = events
    .filter((e) => e.type === 'Warning' && e.involvedObject?.kind === 'Pod' && e.involvedObject.name === name)
    .sort((a, b) => eventTime(b) - eventTime(a))[0];
  const warning = latestWarning ? `${latestWarning.reason}: ${latestWarning.message ?? ''}`.trim() : undefined;
  if (stuck?.state?.waiting) return { name, reason: stuck.state.waiting.reason ?? 'Waiting', message: join(stuck.state.waiting.message && `container ${stuck.name}: ${stuck.state.waiting.message}`, warning) };
  if (stuck?.state?.terminated) {
    const t = stuck.state.terminated;
    return { name, reason: t.reason ?? 'Error', message: join(`container ${stuck.name} exited with code ${t.exitCode}${t.message ? `: ${t.message}` : ''}`, warning) };
  }
  const scheduled = pod.status?.conditions?.find((c) => c.type === 'PodScheduled');
  if (scheduled?.status === 'False') return { name, reason: scheduled.reason ?? 'Unschedulable', message: join(scheduled.message, warning) };
  const notReady = statuses.find((c) => !c.ready && c.state?.running);
  if (notReady) return { name, reason: 'NotReady', message: join(`container ${notReady.name} is running but its readiness probe has not passed`, warning) };
  return { name, reason: pod.status?.phase ?? 'Unknown', message: warning };
}

function eventTime(e: k8s.CoreV1Event): number {
  const t = e.lastTimestamp ?? e.eventTime ?? e.firstTimestamp ?? e.metadata?.creationTimestamp;
  return t ? new Date(t).getTime() : 0;
}

function join(...parts: Array<string | undefined>): string | undefined {
  const kept = [...new Set(parts.filter((p): p is string => !!p && p.trim() !== ''))];
  return kept.length ? kept.join('; ') : undefined;
}

/** One line per pod (at most `limit`), e.g. `user-service-7d9 (ImagePullBackOff: container …: Back-off pulling …)`. */
export function describeUnready(pods: UnreadyPod[], limit = 10): string {
  const shown = pods.slice(0, limit).map((p) => `${p.name} (${p.reason}${p.message ? `: ${p.message}` : ''})`);
  return shown.join(', ') + (pods.length > limit ? `, and ${pods.length - limit} more` : '');
}

/**
 * What `kubectl rollout status` waits for, in its words; undefined once the rollout is done. Every pod of an app can be
 * ready while a Deployment still runs an old ReplicaSet's pod next to the new one (a recovery's `rollout restart` or
 * image fix): the controller deletes it only after it sees the new pod available, and until then the old pod may
 * still crash (a Go service that cannot reach its database exits after its dial timeout). A session that starts then
 * meets that crash, or a chaos experiment picks the pod about to go.
 */
export function rolloutPending(workload: k8s.V1Deployment | k8s.V1StatefulSet, kind: 'Deployment' | 'StatefulSet'): string | undefined {
  const name = `${kind} ${workload.metadata?.name ?? '?'}`;
  const want = workload.spec?.replicas ?? 1;
  const s = workload.status ?? {};
  if ((s.observedGeneration ?? 0) < (workload.metadata?.generation ?? 0)) return `${name}: waiting for the controller to see the new spec`;
  const ready = s.readyReplicas ?? 0;
  if (kind === 'Deployment') {
    const d = s as k8s.V1DeploymentStatus;
    const updated = d.updatedReplicas ?? 0;
    if (updated < want) return `${name}: ${updated} out of ${want} new replicas have been updated`;
    if ((d.replicas ?? 0) > updated) return `${name}: ${(d.replicas ?? 0) - updated} old replicas are pending termination`;
    if ((d.availableReplicas ?? 0) < updated || ready < want) return `${name}: ${d.availableReplicas ?? 0} of ${updated} updated replicas are available`;
    return undefined;
  }
  const st = s as k8s.V1StatefulSetStatus;
  if (ready < want) return `${name}: waiting for ${want - ready} pods to be ready`;
  // OnDelete: the controller never replaces pods itself, so their revision tells nothing about a rollout.
  const strategy = (workload as k8s.V1StatefulSet).spec?.updateStrategy?.type;
  if (strategy !== 'OnDelete' && st.updateRevision && st.currentRevision !== st.updateRevision) {
    return `${name}: waiting for the rolling update to complete, ${st.updatedReplicas ?? 0} pods at revision ${st.updateRevision}`;
  }
  return undefined;
}
