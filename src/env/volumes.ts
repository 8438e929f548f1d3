import type { Kubectl } from './kubectl';
import { ignoreNotFound } from './races';

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
export async function releaseStaleVolumes(kubectl: Kubectl, namespace: string): Promise<string[]> {
  const list = await kubectl.json<{ items?: Array<{ metadata: { name: string }; spec?: { claimRef?: { namespace?: string } }; status?: { phase?: string } }> }>(['get', 'persistentvolumes']);
  const stale = (list.items ?? []).filter((pv) => pv.status?.phase === 'Released' && pv.spec?.claimRef?.namespace === namespace).map((pv) => pv.metadata.name);
  for (const name of stale) {
    // A volume deleted since the list (a recovery removing it) needs no release.
    await ignoreNotFound(kubectl.run(['patch', 'persistentvolume', name, '--type=merge', '-p', '{"spec":{"claimRef":null}}']));
  }
  return stale;
}
