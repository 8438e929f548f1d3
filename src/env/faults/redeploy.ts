import { faultParams } from '../../core/problems/fault-params';
import type { FaultInjector } from './types';
import { apiCall } from './api';
import { ignoreNotFound } from '../races';

/**
 * redeploy_without_PV: delete the app's namespace while its PersistentVolumes stay behind (Released, still
 * claimed by the old PVCs' UIDs), then re-apply the manifests without waiting. Recovery is the app's full cleanup:
 * delete the namespace and the volumes it left.
 */
export const redeployWithoutPvFault: FaultInjector = {
  kind: 'redeploy-without-pv',
  async inject(c) {
    await c.deleteNamespace();
    await c.deployApp(false);
  },
  async recover(c) {
    await c.deleteNamespace();
    const pvs = faultParams(c.fault, 'redeploy-without-pv').persistentVolumes;
    // A volume already gone is deleted as far as recovery is concerned.
    await Promise.all(pvs.map((name) => apiCall(`Deleting PersistentVolume ${name}`, () => ignoreNotFound(c.api.core.deletePersistentVolume({ name })))));
  },
};
