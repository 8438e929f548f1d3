import type { KubeJson } from '../core/ports/environment';
import type { Kubectl } from './kubectl';
import { diffAppAgainstManifests, type ObjectDifference } from './cluster-diff';

export interface RefreshResult {
  /** The app matches its manifests and was refreshed: the next session can use it as deployed. */
  clean: boolean;
  differences: ObjectDifference[];
  /** Pods replaced because they carried traces of an earlier session (restarts, not ready). */
  replacedPods: string[];
}

/**
 * Makes an app left deployed by an earlier session look freshly deployed, or says it cannot.
 *
 * Reuse saves the app's whole start-up per session (seconds on the embedded cluster, minutes on a real one), but a
 * session must never see what an earlier one left behind: objects that differ from the manifests (a fault whose
 * recovery failed, an agent's edits) make the app unusable, and it is redeployed; pods that restarted or are not
 * ready are replaced, so RESTARTS and AGE tell nothing about an earlier fault; the namespace's events are deleted.
 */
export async function refreshDeployedApp(options: {
  kubectl: Kubectl;
  namespace: string;
  manifestsDir: string;
  listPods: () => Promise<KubeJson[]>;
  /** Deletes these pods of the namespace (their controllers replace them); one already gone counts as deleted. */
  deletePods: (names: string[]) => Promise<void>;
  /** Deletes the namespace's events in one request (kubectl delete events --all deletes them one by one: 30 s+). */
  deleteEvents: () => Promise<void>;
}): Promise<RefreshResult> {
  const { kubectl, namespace } = options;
  const differences = await diffAppAgainstManifests({ kubectl, manifestsDir: options.manifestsDir, namespace });
  if (differences.length > 0) return { clean: false, differences, replacedPods: [] };
  const stale = (await options.listPods()).filter(carriesHistory).map((p) => String(p.metadata?.name));
  // A listed pod may finish terminating (or be replaced by its controller) before the delete reaches it: gone is fine.
  if (stale.length > 0) await options.deletePods(stale);
  await options.deleteEvents();
  return { clean: true, differences, replacedPods: stale };
}

/** A pod whose status shows an earlier session: it restarted, is not ready, failed, or is already going away. */
function carriesHistory(pod: KubeJson): boolean {
  if (pod.metadata?.deletionTimestamp) return false; // already being replaced
  if (pod.status?.phase === 'Succeeded') return false;
  if (pod.status?.phase !== 'Running') return true;
  const statuses = [...(pod.status?.initContainerStatuses ?? []), ...(pod.status?.containerStatuses ?? [])] as Array<{ restartCount?: number; ready?: boolean; name?: string }>;
  const init = new Set(((pod.status?.initContainerStatuses ?? []) as Array<{ name?: string }>).map((c) => c.name));
  return statuses.some((c) => (c.restartCount ?? 0) > 0 || (!init.has(c.name) && c.ready === false));
}
