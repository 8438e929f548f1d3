import type * as k8s from '@kubernetes/client-node';
import { ignoreNotFound } from './races';
import { MERGE_PATCH } from './faults/api';

/**
 * Makes the app's retained PersistentVolumes bindable again before it is deployed into `namespace`.
 *
 * Deleting an app's namespace (the end of every session, a preflight, or a session killed and cleaned up later)
 * deletes its PersistentVolumeClaims, and each volume with reclaim policy Retain turns `Released`, still naming the
 * deleted claim. Such a volume never binds again, so the next deployment's claims stay Pending and its databases
 * never start: the redeploy_without_PV fault, hit by accident on any cluster that outlives one session. An SRE clears
 * the stale claim reference (`kubectl patch pv <name> -p '{"spec":{"claimRef":null}}'`); the data is kept.
 *
 * Only volumes whose stale claim was in this namespace are touched. Returns their names.
 */
export async function releaseStaleVolumes(core: k8s.CoreV1Api, namespace: string): Promise<string[]> {
  const list = await core.listPersistentVolume();
  const stale = list.items.filter((pv) => pv.status?.phase === 'Released' && pv.spec?.claimRef?.namespace === namespace).map((pv) => pv.metadata?.name ?? '');
  for (const name of stale) {
    // A volume deleted since the list (a recovery removing it) needs no release.
    await ignoreNotFound(core.patchPersistentVolume({ name, body: { spec: { claimRef: null } } }, MERGE_PATCH));
  }
  return stale;
}
