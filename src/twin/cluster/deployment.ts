/**
 * deployment-controller: one ReplicaSet per pod template (name `<deploy>-<pod-template-hash>`, the hash taken over a
 * canonical form of the template so a client re-ordering keys never rolls out — P11), revision annotations on the
 * Deployment and its ReplicaSets (P10, needed by `rollout undo/history`), RollingUpdate honouring maxSurge /
 * maxUnavailable, Recreate, pause, scale, revisionHistoryLimit, status counters and the Available / Progressing
 * conditions with the real reasons and messages.
 */
import type { KubeObject } from '../contracts';
import { deleteObject, isConflictOrExists, setCondition, updateObject, writeStatus } from './context';
import { hashableJson, clone, isOwnedBy, isoSeconds, ownerRef, scaledValue, templateHash } from './util';
import { ObjectController } from './controller';

export const DEPLOYMENTS = 'deployment';
const DEPLOY = 'deployments.apps';
const RS = 'replicasets.apps';
const SOURCE = { component: 'deployment-controller' };
export const REVISION = 'deployment.kubernetes.io/revision';
const REVISION_HISTORY = 'deployment.kubernetes.io/revision-history';
const DESIRED = 'deployment.kubernetes.io/desired-replicas';
const MAX = 'deployment.kubernetes.io/max-replicas';
const HASH = 'pod-template-hash';
const SKIP_ANNOTATIONS = new Set(['kubectl.kubernetes.io/last-applied-configuration', REVISION, REVISION_HISTORY, DESIRED, MAX]);

function revisionOf(obj: KubeObject): number {
  return parseInt(obj.metadata.annotations?.[REVISION] ?? '0', 10) || 0;
}

function withoutHash(template: any): any {
  const t = clone(template ?? {});
  if (t.metadata?.labels) delete t.metadata.labels[HASH];
  return t;
}

export function templatesEqual(a: any, b: any): boolean {
  return hashableJson(withoutHash(a)) === hashableJson(withoutHash(b));
}

function replicasOf(rs: KubeObject): number {
  return rs.spec?.replicas ?? 0;
}

function createdAt(o: KubeObject): number {
  return Date.parse(o.metadata.creationTimestamp ?? '') || 0;
}

export class DeploymentController extends ObjectController {
  protected readonly queueName = DEPLOYMENTS;
  protected readonly resource = DEPLOY;

  protected reconcile(live: KubeObject, ns: string, name: string): void {
    let d = live;
    const desired: number = d.spec?.replicas ?? 1;
    // Shallow copies: scale() records the new replica count on them (the listed objects are the shared cache's).
    const all: KubeObject[] = this.ctx.store.list(RS, ns).filter((rs) => isOwnedBy(rs, d)).map((rs) => ({ ...rs, spec: { ...(rs.spec ?? {}) } }));
    let newRS: KubeObject | undefined = all.filter((rs) => templatesEqual(rs.spec?.template, d.spec?.template)).sort((a, b) => createdAt(a) - createdAt(b))[0];
    let olds = all.filter((rs) => rs !== newRS);
    const maxOldRevision = olds.reduce((m, rs) => Math.max(m, revisionOf(rs)), 0);
    const paused = !!d.spec?.paused;
    let createdNew = false;

    if (!newRS && !paused) {
      newRS = this.createReplicaSet(d, olds, maxOldRevision + 1);
      createdNew = !!newRS;
    } else if (newRS) {
      newRS = this.refreshReplicaSetAnnotations(d, newRS, maxOldRevision) ?? newRS;
    }
    d = this.ctx.store.get(DEPLOY, ns, name) ?? d;
    if (newRS) {
      const rev = String(revisionOf(newRS));
      if (d.metadata.annotations?.[REVISION] !== rev) {
        d = updateObject(this.ctx.store, DEPLOY, ns, name, (o) => {
          o.metadata.annotations = { ...(o.metadata.annotations ?? {}), [REVISION]: rev };
        }) ?? d;
      }
    }

    const strategy = d.spec?.strategy?.type ?? 'RollingUpdate';
    const { maxSurge, maxUnavailable } = this.fenceposts(d, desired);
    if (newRS && !paused) {
      if (strategy === 'Recreate') {
        this.recreate(d, newRS, olds, desired);
      } else {
        this.rollingUpdate(d, newRS, olds, desired, maxSurge, maxUnavailable);
      }
    } else if (newRS && paused) {
      // A paused Deployment still scales: only the current ReplicaSet follows spec.replicas.
      if (olds.every((rs) => replicasOf(rs) === 0) && replicasOf(newRS) !== desired) this.scale(d, newRS, desired, maxSurge);
    }

    // Re-read what we just wrote.
    const fresh = this.ctx.store.list(RS, ns).filter((rs) => isOwnedBy(rs, d));
    newRS = newRS ? fresh.find((rs) => rs.metadata.uid === newRS!.metadata.uid) : undefined;
    olds = fresh.filter((rs) => rs.metadata.uid !== newRS?.metadata.uid);
    this.cleanup(d, olds);
    this.updateStatus(d, newRS, olds, desired, maxUnavailable, createdNew);
  }

  private fenceposts(d: KubeObject, desired: number): { maxSurge: number; maxUnavailable: number } {
    if ((d.spec?.strategy?.type ?? 'RollingUpdate') !== 'RollingUpdate') return { maxSurge: 0, maxUnavailable: 0 };
    const ru = d.spec?.strategy?.rollingUpdate ?? {};
    const maxSurge = scaledValue(ru.maxSurge, desired, true, '25%');
    let maxUnavailable = scaledValue(ru.maxUnavailable, desired, false, '25%');
    if (maxSurge === 0 && maxUnavailable === 0) maxUnavailable = 1;
    return { maxSurge, maxUnavailable };
  }

  private createReplicaSet(d: KubeObject, olds: KubeObject[], revision: number): KubeObject | undefined {
    const ns = d.metadata.namespace ?? 'default';
    const desired: number = d.spec?.replicas ?? 1;
    const { maxSurge } = this.fenceposts(d, desired);
    let collisionCount: number = d.status?.collisionCount ?? 0;
    for (let attempt = 0; attempt < 5; attempt++) {
      const hash = templateHash(withoutHash(d.spec?.template), collisionCount);
      const name = `${d.metadata.name}-${hash}`;
      const template = clone(d.spec?.template ?? {});
      template.metadata = template.metadata ?? {};
      template.metadata.labels = { ...(template.metadata.labels ?? {}), [HASH]: hash };
      const selector = clone(d.spec?.selector ?? {});
      selector.matchLabels = { ...(selector.matchLabels ?? {}), [HASH]: hash };
      let replicas: number;
      const strategy = d.spec?.strategy?.type ?? 'RollingUpdate';
      const oldTotal = olds.reduce((n, rs) => n + replicasOf(rs), 0);
      if (strategy === 'Recreate') replicas = oldTotal > 0 ? 0 : desired;
      else if (d.spec?.paused) replicas = 0;
      else replicas = Math.max(0, Math.min(desired, desired + maxSurge - oldTotal));
      const annotations: Record<string, string> = {};
      for (const [k, v] of Object.entries(d.metadata.annotations ?? {})) if (!SKIP_ANNOTATIONS.has(k)) annotations[k] = v;
      annotations[DESIRED] = String(desired);
      annotations[MAX] = String(desired + maxSurge);
      annotations[REVISION] = String(revision);
      const rs: KubeObject = {
        apiVersion: 'apps/v1',
        kind: 'ReplicaSet',
        metadata: {
          name,
          namespace: ns,
          labels: { ...(template.metadata.labels ?? {}) },
          annotations,
          ownerReferences: [ownerRef(d)],
        },
        spec: { replicas, minReadySeconds: d.spec?.minReadySeconds, selector, template },
      };
      if (rs.spec.minReadySeconds === undefined) delete rs.spec.minReadySeconds;
      try {
        const created = this.ctx.store.create(RS, rs);
        if (replicas > 0) {
          this.ctx.events.record(d, 'Normal', 'ScalingReplicaSet', `Scaled up replica set ${name} to ${replicas} from 0`, SOURCE);
        }
        return created;
      } catch (e) {
        if (!isConflictOrExists(e)) throw e;
        const existing = this.ctx.store.get(RS, ns, name);
        if (existing && isOwnedBy(existing, d) && templatesEqual(existing.spec?.template, d.spec?.template)) return existing;
        collisionCount++;
        const current = this.ctx.store.get(DEPLOY, ns, d.metadata.name ?? '');
        if (current) writeStatus(this.ctx.store, DEPLOY, current, { ...(current.status ?? {}), collisionCount });
      }
    }
    return undefined;
  }

  /** Makes an old ReplicaSet that became current again (rollout undo) the newest revision, and syncs annotations. */
  private refreshReplicaSetAnnotations(d: KubeObject, rs: KubeObject, maxOldRevision: number): KubeObject | undefined {
    const current = revisionOf(rs);
    const desired: number = d.spec?.replicas ?? 1;
    const { maxSurge } = this.fenceposts(d, desired);
    return updateObject(this.ctx.store, RS, rs.metadata.namespace, rs.metadata.name ?? '', (o) => {
      const a: Record<string, string> = { ...(o.metadata.annotations ?? {}) };
      for (const [k, v] of Object.entries(d.metadata.annotations ?? {})) if (!SKIP_ANNOTATIONS.has(k)) a[k] = v;
      if (current <= maxOldRevision) {
        const history = a[REVISION_HISTORY] ? a[REVISION_HISTORY].split(',') : [];
        if (current > 0) history.push(String(current));
        a[REVISION_HISTORY] = history.join(',');
        a[REVISION] = String(maxOldRevision + 1);
      }
      a[DESIRED] = String(desired);
      a[MAX] = String(desired + maxSurge);
      o.metadata.annotations = a;
    });
  }

  private scale(d: KubeObject, rs: KubeObject, to: number, maxSurge: number): void {
    const from = replicasOf(rs);
    if (from === to) return;
    const desired: number = d.spec?.replicas ?? 1;
    const updated = updateObject(this.ctx.store, RS, rs.metadata.namespace, rs.metadata.name ?? '', (o) => {
      o.spec = { ...(o.spec ?? {}), replicas: to };
      o.metadata.annotations = { ...(o.metadata.annotations ?? {}), [DESIRED]: String(desired), [MAX]: String(desired + maxSurge) };
    });
    if (!updated) return;
    rs.spec = { ...(rs.spec ?? {}), replicas: to };
    const verb = to > from ? 'up' : 'down';
    this.ctx.events.record(d, 'Normal', 'ScalingReplicaSet', `Scaled ${verb} replica set ${rs.metadata.name} to ${to} from ${from}`, SOURCE);
  }

  private recreate(d: KubeObject, newRS: KubeObject, olds: KubeObject[], desired: number): void {
    const activeOld = olds.filter((rs) => replicasOf(rs) > 0);
    for (const rs of activeOld) this.scale(d, rs, 0, 0);
    const oldPodsRunning = olds.some((rs) => (rs.status?.replicas ?? 0) > 0) ||
      this.ctx.store.list('pods', d.metadata.namespace).some((p) => olds.some((rs) => isOwnedBy(p, rs)));
    if (activeOld.length > 0 || oldPodsRunning) {
      // Terminating pods do not change the ReplicaSet's status: look again once they may be gone.
      this.ctx.queue.addAfter(DEPLOYMENTS, `${d.metadata.namespace}/${d.metadata.name}`, 250);
      return;
    }
    this.scale(d, newRS, desired, 0);
  }

  private rollingUpdate(d: KubeObject, newRS: KubeObject, olds: KubeObject[], desired: number, maxSurge: number, maxUnavailable: number): void {
    const oldTotal = olds.reduce((n, rs) => n + replicasOf(rs), 0);
    if (oldTotal === 0) {
      // Not rolling (or done): plain scaling.
      this.scale(d, newRS, desired, maxSurge);
      return;
    }
    // Scale up the new ReplicaSet within maxSurge.
    const newReplicas = replicasOf(newRS);
    if (newReplicas > desired) {
      this.scale(d, newRS, desired, maxSurge);
    } else if (newReplicas < desired) {
      const current = newReplicas + oldTotal;
      const maxTotal = desired + maxSurge;
      if (current < maxTotal) {
        this.scale(d, newRS, newReplicas + Math.min(maxTotal - current, desired - newReplicas), maxSurge);
      }
    }
    // Scale down old ReplicaSets within maxUnavailable.
    const allTotal = replicasOf(newRS) + olds.reduce((n, rs) => n + replicasOf(rs), 0);
    const minAvailable = desired - maxUnavailable;
    const newUnavailable = replicasOf(newRS) - (newRS.status?.availableReplicas ?? 0);
    let maxScaledDown = allTotal - minAvailable - newUnavailable;
    if (maxScaledDown <= 0) return;
    const oldestFirst = [...olds].sort((a, b) => createdAt(a) - createdAt(b) || revisionOf(a) - revisionOf(b));
    // First the old pods that are not available anyway.
    for (const rs of oldestFirst) {
      if (maxScaledDown <= 0) break;
      const unhealthy = replicasOf(rs) - (rs.status?.availableReplicas ?? 0);
      if (unhealthy <= 0) continue;
      const down = Math.min(maxScaledDown, unhealthy);
      this.scale(d, rs, replicasOf(rs) - down, maxSurge);
      maxScaledDown -= down;
    }
    // Then available old pods, keeping minAvailable.
    const available = (newRS.status?.availableReplicas ?? 0) + olds.reduce((n, rs) => n + Math.min(replicasOf(rs), rs.status?.availableReplicas ?? 0), 0);
    if (available <= minAvailable) return;
    let toScaleDown = Math.min(available - minAvailable, maxScaledDown);
    for (const rs of oldestFirst) {
      if (toScaleDown <= 0) break;
      const n = replicasOf(rs);
      if (n === 0) continue;
      const down = Math.min(n, toScaleDown);
      this.scale(d, rs, n - down, maxSurge);
      toScaleDown -= down;
    }
  }

  private cleanup(d: KubeObject, olds: KubeObject[]): void {
    const limit: number = d.spec?.revisionHistoryLimit ?? 10;
    const idle = olds
      .filter((rs) => replicasOf(rs) === 0 && (rs.status?.replicas ?? 0) === 0 && !rs.metadata.deletionTimestamp)
      .sort((a, b) => revisionOf(a) - revisionOf(b));
    const excess = idle.length - limit;
    for (let i = 0; i < excess; i++) deleteObject(this.ctx.store, RS, idle[i].metadata.namespace, idle[i].metadata.name ?? '');
  }

  private updateStatus(d: KubeObject, newRS: KubeObject | undefined, olds: KubeObject[], desired: number, maxUnavailable: number, createdNew: boolean): void {
    const all = newRS ? [newRS, ...olds] : olds;
    const sum = (f: (rs: KubeObject) => number) => all.reduce((n, rs) => n + f(rs), 0);
    const replicas = sum((rs) => rs.status?.replicas ?? 0);
    const updated = newRS?.status?.replicas ?? 0;
    const ready = sum((rs) => rs.status?.readyReplicas ?? 0);
    const available = sum((rs) => rs.status?.availableReplicas ?? 0);
    const totalSpec = sum(replicasOf);
    const unavailable = Math.max(0, totalSpec - available);
    const now = this.ctx.clock.now();
    const nowIso = isoSeconds(now);
    const prev = d.status ?? {};
    let conditions = (prev.conditions ?? []) as Array<Record<string, unknown>>;

    // Available first, as the real controller writes it when the Deployment is created.
    const availableOk = available >= desired - maxUnavailable;
    conditions = setCondition(
      conditions,
      availableOk
        ? { type: 'Available', status: 'True', reason: 'MinimumReplicasAvailable', message: 'Deployment has minimum availability.' }
        : { type: 'Available', status: 'False', reason: 'MinimumReplicasUnavailable', message: 'Deployment does not have minimum availability.' },
      nowIso,
      true,
    );

    const rsName = newRS?.metadata.name ?? '';
    const generationSeen = (d.metadata.generation ?? 1);
    const complete = !!newRS && updated === desired && replicas === desired && available === desired;
    const progressDeadline: number | undefined = d.spec?.progressDeadlineSeconds ?? 600;
    const prevProg = conditions.find((c) => c.type === 'Progressing');
    if (d.spec?.paused) {
      conditions = setCondition(conditions, { type: 'Progressing', status: 'Unknown', reason: 'DeploymentPaused', message: 'Deployment is paused' }, nowIso, true);
    } else if (prevProg?.reason === 'DeploymentPaused') {
      conditions = setCondition(conditions, { type: 'Progressing', status: 'Unknown', reason: 'DeploymentResumed', message: 'Deployment is resumed' }, nowIso, true);
    } else if (complete) {
      conditions = setCondition(conditions, { type: 'Progressing', status: 'True', reason: 'NewReplicaSetAvailable', message: `ReplicaSet "${rsName}" has successfully progressed.` }, nowIso, true);
    } else if (newRS) {
      const progressed =
        createdNew ||
        updated > (prev.updatedReplicas ?? 0) ||
        replicas < (prev.replicas ?? 0) ||
        ready > (prev.readyReplicas ?? 0) ||
        available > (prev.availableReplicas ?? 0);
      if (createdNew) {
        conditions = setCondition(conditions, { type: 'Progressing', status: 'True', reason: 'NewReplicaSetCreated', message: `Created new replica set "${rsName}"` }, nowIso, true);
      } else if (progressed || !prevProg || prevProg.reason === 'NewReplicaSetAvailable' || prevProg.status !== 'True' && prevProg.reason !== 'ProgressDeadlineExceeded') {
        conditions = setCondition(conditions, { type: 'Progressing', status: 'True', reason: 'ReplicaSetUpdated', message: `ReplicaSet "${rsName}" is progressing.` }, nowIso, true);
        const c = conditions.find((x) => x.type === 'Progressing');
        if (c && progressed) c.lastUpdateTime = nowIso;
      } else if (progressDeadline !== undefined && prevProg.status === 'True') {
        const last = Date.parse(String(prevProg.lastUpdateTime ?? prevProg.lastTransitionTime ?? nowIso));
        if (now - last >= progressDeadline * 1000) {
          conditions = setCondition(conditions, { type: 'Progressing', status: 'False', reason: 'ProgressDeadlineExceeded', message: `ReplicaSet "${rsName}" has timed out progressing.` }, nowIso, true);
        } else {
          this.ctx.queue.addAfter(DEPLOYMENTS, `${d.metadata.namespace}/${d.metadata.name}`, last + progressDeadline * 1000 - now);
        }
      }
      if (progressed && progressDeadline !== undefined) {
        this.ctx.queue.addAfter(DEPLOYMENTS, `${d.metadata.namespace}/${d.metadata.name}`, progressDeadline * 1000 + 1000);
      }
    }

    const status: Record<string, unknown> = {
      observedGeneration: generationSeen,
      replicas,
      updatedReplicas: updated,
      readyReplicas: ready,
      availableReplicas: available,
      unavailableReplicas: unavailable,
      conditions,
    };
    for (const k of ['replicas', 'updatedReplicas', 'readyReplicas', 'availableReplicas', 'unavailableReplicas']) if (status[k] === 0) delete status[k];
    if (prev.collisionCount) status.collisionCount = prev.collisionCount;
    writeStatus(this.ctx.store, DEPLOY, d, status);
  }
}
