/**
 * PersistentVolume / PersistentVolumeClaim binding (the persistentvolume-controller) and a dynamic provisioner.
 *
 * Decisions (documented for the apps layer):
 * - A claim binds to the smallest Available PV with the same storageClassName, enough capacity, the access modes and
 *   matching selector; a PV pre-bound to the claim (claimRef name/namespace without uid) wins.
 * - A PV whose claimRef names a claim that no longer exists (or has another uid) is `Released` (reclaim policy
 *   Retain) and never binds again until its claimRef is cleared — the AIOpsLab "redeploy without PV cleanup" fault.
 *   With reclaim policy Delete it is deleted.
 * - Dynamic provisioning: like kind, the cluster has a default StorageClass `standard` (provisioner
 *   `rancher.io/local-path`, volumeBindingMode WaitForFirstConsumer, reclaim Delete). When the store serves
 *   storageclasses.storage.k8s.io the object is created at start; otherwise the class is implied. Claims without a
 *   class get `standard`. A claim naming a class that does not exist stays Pending with `ProvisioningFailed`.
 */
import type { KubeObject } from '../contracts';
import type { ClusterContext } from './context';
import { deleteObject, isConflictOrExists, updateObject, writeStatus } from './context';
import { bytesOf, selectorMatches } from './util';

export const VOLUMES = 'volumes';
const PV = 'persistentvolumes';
const PVC = 'persistentvolumeclaims';
const SC = 'storageclasses.storage.k8s.io';
const SOURCE = { component: 'persistentvolume-controller' };
const PROVISIONER = 'rancher.io/local-path';
/** Provisioners the twin provisions for: kind's local-path and OpenEBS LocalPV (what `cluster setup` may install). */
const LOCAL_PROVISIONERS = new Set([PROVISIONER, 'openebs.io/local']);
const PROVISIONER_SOURCE = { component: `${PROVISIONER}_local-path-provisioner-7577fdbbfb-8x9cs_5b2e53f4-0c1a-4c55-9f44-2d8c1d6d4b47` };
export const SELECTED_NODE = 'volume.kubernetes.io/selected-node';

const DEFAULT_CLASS: KubeObject = {
  apiVersion: 'storage.k8s.io/v1',
  kind: 'StorageClass',
  metadata: {
    name: 'standard',
    annotations: { 'storageclass.kubernetes.io/is-default-class': 'true' },
  },
  provisioner: PROVISIONER,
  reclaimPolicy: 'Delete',
  volumeBindingMode: 'WaitForFirstConsumer',
};

export type PodVolumeCheck =
  | { kind: 'ok' }
  | { kind: 'error'; message: string }
  | { kind: 'wait-for-consumer'; claims: KubeObject[] };

export class VolumeController {
  private readonly announced = new Set<string>();

  constructor(private readonly ctx: ClusterContext) {}

  register(): void {
    this.ctx.queue.register(VOLUMES, (key) => {
      if (key.startsWith('pvc:')) this.syncClaim(key.slice(4));
      else if (key.startsWith('pv:')) this.syncVolume(key.slice(3));
    });
  }

  /** `defaultClass`: create kind's default StorageClass `standard` when no default class exists. */
  start(defaultClass = true): void {
    if (defaultClass && this.ctx.serves(SC) && !this.ctx.store.list(SC).some(isDefaultClass)) {
      try {
        this.ctx.store.create(SC, DEFAULT_CLASS);
      } catch (e) {
        if (!isConflictOrExists(e)) throw e;
      }
    }
    for (const pv of this.ctx.store.list(PV)) this.ctx.queue.add(VOLUMES, `pv:${pv.metadata.name}`);
    for (const pvc of this.ctx.store.list(PVC)) this.ctx.queue.add(VOLUMES, `pvc:${pvc.metadata.namespace}/${pvc.metadata.name}`);
  }

  private storageClass(name: string | undefined): KubeObject | undefined {
    if (this.ctx.serves(SC)) {
      if (name === undefined) return this.ctx.store.list(SC).find(isDefaultClass);
      return this.ctx.store.get(SC, undefined, name);
    }
    if (name === undefined || name === 'standard') return DEFAULT_CLASS;
    return undefined;
  }

  /** What the scheduler needs to know about a pod's claims. */
  checkPodVolumes(pod: KubeObject): PodVolumeCheck {
    const ns = pod.metadata.namespace;
    const waiting: KubeObject[] = [];
    for (const v of (pod.spec?.volumes ?? []) as any[]) {
      const claimName = v?.persistentVolumeClaim?.claimName;
      if (!claimName) continue;
      const claim = this.ctx.store.get(PVC, ns, claimName);
      if (!claim) return { kind: 'error', message: `persistentvolumeclaim "${claimName}" not found` };
      if (claim.metadata.deletionTimestamp) return { kind: 'error', message: `persistentvolumeclaim "${claimName}" is being deleted` };
      if (claim.status?.phase === 'Bound' && claim.spec?.volumeName) continue;
      const cls = this.storageClass(claim.spec?.storageClassName ?? undefined);
      if (cls && cls.volumeBindingMode === 'WaitForFirstConsumer' && claim.spec?.storageClassName !== '') {
        waiting.push(claim);
        continue;
      }
      return { kind: 'error', message: 'pod has unbound immediate PersistentVolumeClaims' };
    }
    return waiting.length ? { kind: 'wait-for-consumer', claims: waiting } : { kind: 'ok' };
  }

  /** The scheduler picked a node for a pod whose claims wait for their first consumer. */
  selectNode(_pod: KubeObject, claims: KubeObject[], nodeName: string): void {
    for (const c of claims) {
      if (c.metadata.annotations?.[SELECTED_NODE] !== nodeName) {
        updateObject(this.ctx.store, PVC, c.metadata.namespace, c.metadata.name ?? '', (o) => {
          o.metadata.annotations = { ...(o.metadata.annotations ?? {}), [SELECTED_NODE]: nodeName };
        });
      }
      this.ctx.queue.add(VOLUMES, `pvc:${c.metadata.namespace}/${c.metadata.name}`);
    }
  }

  private syncClaim(key: string): void {
    const [ns, name] = key.split('/');
    let claim = this.ctx.store.get(PVC, ns, name);
    if (!claim || claim.metadata.deletionTimestamp) return;

    if (claim.spec?.volumeName) {
      const pv = this.ctx.store.get(PV, undefined, claim.spec.volumeName);
      if (!pv) {
        if (claim.status?.phase === 'Bound') {
          writeStatus(this.ctx.store, PVC, claim, { ...claim.status, phase: 'Lost' });
          this.ctx.events.record(claim, 'Warning', 'ClaimLost', 'Bound claim has lost its PersistentVolume. Data on the volume is lost!', SOURCE);
        }
        return;
      }
      const ref = pv.spec?.claimRef;
      if (!ref || (ref.name === name && ref.namespace === ns && (!ref.uid || ref.uid === claim.metadata.uid))) {
        this.bind(claim, pv);
      } else {
        writeStatus(this.ctx.store, PVC, claim, { phase: 'Pending' });
      }
      return;
    }

    // Retroactive default class assignment (1.28+): an unset class becomes the default class.
    if (claim.spec?.storageClassName === undefined || claim.spec?.storageClassName === null) {
      const dflt = this.storageClass(undefined);
      if (dflt) {
        claim = updateObject(this.ctx.store, PVC, ns, name, (o) => {
          o.spec = { ...(o.spec ?? {}), storageClassName: dflt.metadata.name };
        });
        if (!claim) return;
      }
    }
    const className: string = claim.spec?.storageClassName ?? '';

    const pv = this.findVolume(claim, className);
    if (pv) {
      this.bind(claim, pv);
      return;
    }

    writeStatus(this.ctx.store, PVC, claim, { phase: 'Pending' });
    const uid = claim.metadata.uid ?? '';
    if (className === '') {
      this.once(`${uid}:nobind`, () =>
        this.ctx.events.record(claim, 'Normal', 'FailedBinding', 'no persistent volumes available for this claim and no storage class is set', SOURCE),
      );
      return;
    }
    const cls = this.storageClass(className);
    if (!cls) {
      this.ctx.events.record(claim, 'Warning', 'ProvisioningFailed', `storageclass.storage.k8s.io "${className}" not found`, SOURCE);
      return;
    }
    const selected = claim.metadata.annotations?.[SELECTED_NODE];
    if (cls.volumeBindingMode === 'WaitForFirstConsumer' && !selected) {
      this.once(`${uid}:wffc`, () =>
        this.ctx.events.record(claim, 'Normal', 'WaitForFirstConsumer', 'waiting for first consumer to be created before binding', SOURCE),
      );
      return;
    }
    if (!LOCAL_PROVISIONERS.has(String(cls.provisioner))) {
      this.ctx.events.record(
        claim,
        'Normal',
        'ExternalProvisioning',
        `Waiting for a volume to be created either by the external provisioner '${String(cls.provisioner)}' or manually by the system administrator. If volume creation is delayed, please verify that the provisioner is running and correctly registered.`,
        SOURCE,
      );
      return;
    }
    this.provision(claim, cls, selected);
  }

  private once(key: string, fn: () => void): void {
    if (this.announced.has(key)) return;
    this.announced.add(key);
    fn();
  }

  private findVolume(claim: KubeObject, className: string): KubeObject | undefined {
    const ns = claim.metadata.namespace;
    const name = claim.metadata.name;
    const request = bytesOf(claim.spec?.resources?.requests?.storage ?? '0');
    const modes: string[] = claim.spec?.accessModes ?? [];
    const candidates = this.ctx.store.list(PV).filter((pv) => {
      if (pv.metadata.deletionTimestamp) return false;
      const ref = pv.spec?.claimRef;
      if (ref) {
        if (ref.name !== name || ref.namespace !== ns) return false;
        if (ref.uid && ref.uid !== claim.metadata.uid) return false;
      } else if (pv.status?.phase && pv.status.phase !== 'Available' && pv.status.phase !== 'Pending') {
        return false;
      }
      if ((pv.spec?.storageClassName ?? '') !== className) return false;
      if (bytesOf(pv.spec?.capacity?.storage ?? '0') < request) return false;
      const pvModes: string[] = pv.spec?.accessModes ?? [];
      if (!modes.every((m) => pvModes.includes(m))) return false;
      if ((pv.spec?.volumeMode ?? 'Filesystem') !== (claim.spec?.volumeMode ?? 'Filesystem')) return false;
      if (claim.spec?.selector && !selectorMatches(claim.spec.selector, pv.metadata.labels)) return false;
      return true;
    });
    candidates.sort((a, b) => {
      const pa = a.spec?.claimRef ? 0 : 1;
      const pb = b.spec?.claimRef ? 0 : 1;
      return pa - pb || bytesOf(a.spec?.capacity?.storage) - bytesOf(b.spec?.capacity?.storage) || (a.metadata.name ?? '').localeCompare(b.metadata.name ?? '');
    });
    return candidates[0];
  }

  private provision(claim: KubeObject, cls: KubeObject, selectedNode: string | undefined): void {
    const ns = claim.metadata.namespace ?? 'default';
    const name = claim.metadata.name ?? '';
    const pvName = `pvc-${claim.metadata.uid}`;
    this.ctx.events.record(claim, 'Normal', 'Provisioning', `External provisioner is provisioning volume for claim "${ns}/${name}"`, PROVISIONER_SOURCE);
    const spec: Record<string, unknown> = {
      capacity: { storage: claim.spec?.resources?.requests?.storage ?? '1Gi' },
      accessModes: claim.spec?.accessModes ?? ['ReadWriteOnce'],
      persistentVolumeReclaimPolicy: cls.reclaimPolicy ?? 'Delete',
      storageClassName: cls.metadata.name,
      volumeMode: claim.spec?.volumeMode ?? 'Filesystem',
      hostPath: { path: `/var/local-path-provisioner/${pvName}_${ns}_${name}`, type: 'DirectoryOrCreate' },
      claimRef: { apiVersion: 'v1', kind: 'PersistentVolumeClaim', namespace: ns, name, uid: claim.metadata.uid, resourceVersion: claim.metadata.resourceVersion },
    };
    if (selectedNode) {
      spec.nodeAffinity = {
        required: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'kubernetes.io/hostname', operator: 'In', values: [selectedNode] }] }] },
      };
    }
    let pv = this.ctx.store.get(PV, undefined, pvName);
    if (!pv) {
      try {
        pv = this.ctx.store.create(PV, {
          apiVersion: 'v1',
          kind: 'PersistentVolume',
          metadata: {
            name: pvName,
            annotations: { 'pv.kubernetes.io/provisioned-by': PROVISIONER, ...(selectedNode ? { 'local.path.provisioner/selected-node': selectedNode } : {}) },
          },
          spec,
        });
      } catch (e) {
        if (!isConflictOrExists(e)) throw e;
        pv = this.ctx.store.get(PV, undefined, pvName);
      }
    }
    if (!pv) return;
    this.ctx.events.record(claim, 'Normal', 'ProvisioningSucceeded', `Successfully provisioned volume ${pvName}`, PROVISIONER_SOURCE);
    updateObject(this.ctx.store, PVC, ns, name, (o) => {
      o.metadata.annotations = {
        ...(o.metadata.annotations ?? {}),
        'volume.beta.kubernetes.io/storage-provisioner': PROVISIONER,
        'volume.kubernetes.io/storage-provisioner': PROVISIONER,
      };
    });
    const fresh = this.ctx.store.get(PVC, ns, name);
    if (fresh) this.bind(fresh, pv);
  }

  private bind(claim: KubeObject, pv: KubeObject): void {
    const ns = claim.metadata.namespace ?? 'default';
    const name = claim.metadata.name ?? '';
    const pvName = pv.metadata.name ?? '';
    const byController = !pv.spec?.claimRef || !pv.spec.claimRef.uid;
    const boundPv = updateObject(this.ctx.store, PV, undefined, pvName, (o) => {
      o.spec = {
        ...(o.spec ?? {}),
        claimRef: {
          apiVersion: 'v1',
          kind: 'PersistentVolumeClaim',
          namespace: ns,
          name,
          uid: claim.metadata.uid,
          resourceVersion: claim.metadata.resourceVersion,
        },
      };
      if (byController && !o.metadata.annotations?.['pv.kubernetes.io/provisioned-by']) {
        o.metadata.annotations = { ...(o.metadata.annotations ?? {}), 'pv.kubernetes.io/bound-by-controller': 'yes' };
      }
    });
    if (!boundPv) return;
    writeStatus(this.ctx.store, PV, boundPv, { phase: 'Bound' });
    const boundClaim = updateObject(this.ctx.store, PVC, ns, name, (o) => {
      o.spec = { ...(o.spec ?? {}), volumeName: pvName };
      o.metadata.annotations = {
        ...(o.metadata.annotations ?? {}),
        'pv.kubernetes.io/bind-completed': 'yes',
        ...(o.metadata.annotations?.['volume.kubernetes.io/storage-provisioner'] ? {} : { 'pv.kubernetes.io/bound-by-controller': 'yes' }),
      };
    });
    if (!boundClaim) return;
    writeStatus(this.ctx.store, PVC, boundClaim, {
      phase: 'Bound',
      accessModes: boundPv.spec?.accessModes ?? claim.spec?.accessModes,
      capacity: boundPv.spec?.capacity ?? {},
    });
  }

  private syncVolume(name: string): void {
    const pv = this.ctx.store.get(PV, undefined, name);
    if (!pv) return;
    const ref = pv.spec?.claimRef;
    if (!ref) {
      writeStatus(this.ctx.store, PV, pv, { phase: 'Available' });
      // A volume became available: pending claims may bind now.
      for (const c of this.ctx.store.list(PVC)) {
        if (c.status?.phase !== 'Bound') this.ctx.queue.add(VOLUMES, `pvc:${c.metadata.namespace}/${c.metadata.name}`);
      }
      return;
    }
    const claim = this.ctx.store.get(PVC, ref.namespace, ref.name);
    if (claim && (!ref.uid || ref.uid === claim.metadata.uid)) {
      if (claim.spec?.volumeName === name) {
        writeStatus(this.ctx.store, PV, pv, { phase: 'Bound' });
      } else {
        if (!pv.status?.phase) writeStatus(this.ctx.store, PV, pv, { phase: 'Available' });
        this.ctx.queue.add(VOLUMES, `pvc:${ref.namespace}/${ref.name}`);
      }
      return;
    }
    if (!ref.uid) {
      // Pre-bound to a claim that does not exist yet.
      writeStatus(this.ctx.store, PV, pv, { phase: 'Available' });
      return;
    }
    // The claim is gone (or was recreated with another uid): the volume is released.
    const policy = pv.spec?.persistentVolumeReclaimPolicy ?? 'Retain';
    if (policy === 'Delete') {
      if (pv.metadata.finalizers?.length) {
        updateObject(this.ctx.store, PV, undefined, name, (o) => {
          o.metadata.finalizers = [];
        });
      }
      deleteObject(this.ctx.store, PV, undefined, name);
      return;
    }
    writeStatus(this.ctx.store, PV, pv, { phase: 'Released' });
  }
}

function isDefaultClass(sc: KubeObject): boolean {
  const a = sc.metadata.annotations ?? {};
  return a['storageclass.kubernetes.io/is-default-class'] === 'true' || a['storageclass.beta.kubernetes.io/is-default-class'] === 'true';
}
