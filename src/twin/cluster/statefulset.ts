/**
 * statefulset-controller: pods `<sts>-<ordinal>` created in order (OrderedReady waits for each to be Running and
 * Ready; Parallel does not), PVCs `<template>-<sts>-<ordinal>` from volumeClaimTemplates (kept on scale-down),
 * highest-ordinal-first deletion, rolling update by deleting out-of-date pods from the top.
 */
import type { KubeObject } from '../contracts';
import { deleteObject, isConflictOrExists, writeStatus } from './context';
import { isPodReady, podFromTemplate } from './pods';
import { clone, isOwnedBy, templateHash } from './util';
import { ObjectController } from './controller';

export const STATEFULSETS = 'statefulset';
const STS = 'statefulsets.apps';
const SOURCE = { component: 'statefulset-controller' };
const REVISION_LABEL = 'controller-revision-hash';

export class StatefulSetController extends ObjectController {
  protected readonly queueName = STATEFULSETS;
  protected readonly resource = STS;

  protected reconcile(sts: KubeObject, ns: string, name: string): void {
    const replicas: number = sts.spec?.replicas ?? 1;
    const ordered = (sts.spec?.podManagementPolicy ?? 'OrderedReady') === 'OrderedReady';
    const revision = `${name}-${templateHash(sts.spec?.template)}`;
    const re = new RegExp(`^${name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}-([0-9]+)$`);
    const byOrdinal = new Map<number, KubeObject>();
    for (const p of this.ctx.store.list('pods', ns)) {
      if (!isOwnedBy(p, sts)) continue;
      const m = re.exec(p.metadata.name ?? '');
      if (m) byOrdinal.set(Number(m[1]), p);
    }
    const healthy = (p: KubeObject | undefined) => !!p && !p.metadata.deletionTimestamp && p.status?.phase === 'Running' && isPodReady(p);

    let blocked = false;
    for (let ord = 0; ord < replicas && !blocked; ord++) {
      const pod = byOrdinal.get(ord);
      if (pod && (pod.status?.phase === 'Failed' || pod.status?.phase === 'Succeeded') && !pod.metadata.deletionTimestamp) {
        deleteObject(this.ctx.store, 'pods', ns, pod.metadata.name ?? '');
        this.ctx.events.record(sts, 'Normal', 'SuccessfulDelete', `delete Pod ${pod.metadata.name} in StatefulSet ${name} successful`, SOURCE);
        blocked = ordered;
        continue;
      }
      if (!pod) {
        this.createPod(sts, ord, revision);
        blocked = ordered;
        continue;
      }
      if (ordered && !healthy(pod)) blocked = true;
    }
    // Scale down from the highest ordinal.
    const extra = [...byOrdinal.keys()].filter((o) => o >= replicas).sort((a, b) => b - a);
    for (const ord of extra) {
      const pod = byOrdinal.get(ord)!;
      if (pod.metadata.deletionTimestamp) {
        if (ordered) break;
        continue;
      }
      if (ordered && [...byOrdinal.entries()].some(([o, p]) => o < replicas && !healthy(p))) break;
      deleteObject(this.ctx.store, 'pods', ns, pod.metadata.name ?? '');
      this.ctx.events.record(sts, 'Normal', 'SuccessfulDelete', `delete Pod ${pod.metadata.name} in StatefulSet ${name} successful`, SOURCE);
      if (ordered) break;
    }
    // Rolling update: replace the highest out-of-date pod once everything is healthy.
    if ((sts.spec?.updateStrategy?.type ?? 'RollingUpdate') === 'RollingUpdate') {
      const partition: number = sts.spec?.updateStrategy?.rollingUpdate?.partition ?? 0;
      const current = [...byOrdinal.entries()].filter(([o]) => o < replicas);
      if (current.length === replicas && current.every(([, p]) => healthy(p))) {
        const stale = current.filter(([o, p]) => o >= partition && p.metadata.labels?.[REVISION_LABEL] !== revision).sort((a, b) => b[0] - a[0]);
        if (stale.length) {
          const p = stale[0][1];
          deleteObject(this.ctx.store, 'pods', ns, p.metadata.name ?? '');
          this.ctx.events.record(sts, 'Normal', 'SuccessfulDelete', `delete Pod ${p.metadata.name} in StatefulSet ${name} successful`, SOURCE);
        }
      }
    }
    this.updateStatus(sts, revision);
  }

  private createPod(sts: KubeObject, ord: number, revision: string): void {
    const ns = sts.metadata.namespace ?? 'default';
    const name = sts.metadata.name ?? '';
    const podName = `${name}-${ord}`;
    const pod = podFromTemplate(sts.spec?.template, ns, sts, podName);
    pod.metadata.labels = {
      ...(pod.metadata.labels ?? {}),
      'apps.kubernetes.io/pod-index': String(ord),
      [REVISION_LABEL]: revision,
      'statefulset.kubernetes.io/pod-name': podName,
    };
    pod.spec = { ...(pod.spec ?? {}), hostname: podName };
    if (sts.spec?.serviceName) pod.spec.subdomain = sts.spec.serviceName;
    const volumes: any[] = clone(pod.spec.volumes ?? []);
    for (const tmpl of (sts.spec?.volumeClaimTemplates ?? []) as KubeObject[]) {
      const claimName = `${tmpl.metadata?.name}-${name}-${ord}`;
      if (!this.ctx.store.get('persistentvolumeclaims', ns, claimName)) {
        try {
          this.ctx.store.create('persistentvolumeclaims', {
            apiVersion: 'v1',
            kind: 'PersistentVolumeClaim',
            metadata: { name: claimName, namespace: ns, labels: { ...(sts.spec?.selector?.matchLabels ?? {}), ...(tmpl.metadata?.labels ?? {}) } },
            spec: clone(tmpl.spec ?? {}),
          });
          this.ctx.events.record(sts, 'Normal', 'SuccessfulCreate', `create Claim ${claimName} Pod ${podName} in StatefulSet ${name} success`, SOURCE);
        } catch (e) {
          if (!isConflictOrExists(e)) throw e;
        }
      }
      const idx = volumes.findIndex((v) => v.name === tmpl.metadata?.name);
      const vol = { name: tmpl.metadata?.name, persistentVolumeClaim: { claimName } };
      if (idx >= 0) volumes[idx] = vol;
      else volumes.push(vol);
    }
    if (volumes.length) pod.spec.volumes = volumes;
    try {
      this.ctx.store.create('pods', pod);
      this.ctx.events.record(sts, 'Normal', 'SuccessfulCreate', `create Pod ${podName} in StatefulSet ${name} successful`, SOURCE);
    } catch (e) {
      if (!isConflictOrExists(e)) throw e;
    }
  }

  private updateStatus(sts: KubeObject, revision: string): void {
    const pods = this.ctx.store.list('pods', sts.metadata.namespace).filter((p) => isOwnedBy(p, sts) && !p.metadata.deletionTimestamp);
    const ready = pods.filter(isPodReady).length;
    const updated = pods.filter((p) => p.metadata.labels?.[REVISION_LABEL] === revision).length;
    const replicas: number = sts.spec?.replicas ?? 1;
    const currentRevision = updated === pods.length && pods.length >= replicas ? revision : sts.status?.currentRevision ?? revision;
    const status: Record<string, unknown> = {
      observedGeneration: sts.metadata.generation ?? 1,
      replicas: pods.length,
      readyReplicas: ready,
      currentReplicas: currentRevision === revision ? updated : pods.length - updated,
      updatedReplicas: updated,
      availableReplicas: ready,
      currentRevision,
      updateRevision: revision,
      collisionCount: 0,
    };
    for (const k of ['readyReplicas', 'currentReplicas', 'updatedReplicas']) if (status[k] === 0) delete status[k];
    writeStatus(this.ctx.store, STS, sts, status);
  }
}
