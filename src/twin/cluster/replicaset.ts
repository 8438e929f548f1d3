/** replicaset-controller: keeps `spec.replicas` pods named `<rs>-<5 chars>` and reports their readiness. */
import type { KubeObject } from '../contracts';
import { deleteObject, updateObject, writeStatus } from './context';
import { createGeneratedPod, deletionOrder, isActive, isPodAvailable, isPodReady } from './pods';
import { isOwnedBy, selectorMatches } from './util';
import { QueueController } from './controller';

export const REPLICASETS = 'replicaset';
const RS = 'replicasets.apps';
const SOURCE = { component: 'replicaset-controller' };

export class ReplicaSetController extends QueueController {
  protected readonly queueName = REPLICASETS;

  ownedPods(rs: KubeObject): KubeObject[] {
    return this.ctx.store.list('pods', rs.metadata.namespace).filter((p) => isOwnedBy(p, rs) && selectorMatches(rs.spec?.selector, p.metadata.labels));
  }

  private allOwnedPods(rs: KubeObject): KubeObject[] {
    return this.ctx.store.list('pods', rs.metadata.namespace).filter((p) => isOwnedBy(p, rs));
  }

  protected override sync(key: string): void {
    const [ns, name] = key.split('/');
    const rs = this.ctx.store.get(RS, ns, name);
    if (!rs || rs.metadata.deletionTimestamp) return;
    // Release owned pods whose labels no longer match the selector (they become orphans, as with ClaimPods).
    const pods = this.allOwnedPods(rs).filter((p) => {
      if (selectorMatches(rs.spec?.selector, p.metadata.labels)) return true;
      updateObject(this.ctx.store, 'pods', ns, p.metadata.name ?? '', (o) => {
        o.metadata.ownerReferences = (o.metadata.ownerReferences ?? []).filter((r) => r.uid !== rs.metadata.uid);
      });
      return false;
    });
    const active = pods.filter(isActive);
    const desired: number = rs.spec?.replicas ?? 1;
    const diff = active.length - desired;
    if (diff < 0) {
      for (let i = 0; i < -diff; i++) {
        const pod = createGeneratedPod(this.ctx, rs.spec?.template, ns, rs, `${name}-`);
        if (!pod) break;
        this.ctx.events.record(rs, 'Normal', 'SuccessfulCreate', `Created pod: ${pod.metadata.name}`, SOURCE);
      }
    } else if (diff > 0) {
      const victims = [...active].sort(deletionOrder).slice(0, diff);
      for (const p of victims) {
        if (deleteObject(this.ctx.store, 'pods', ns, p.metadata.name ?? '')) {
          this.ctx.events.record(rs, 'Normal', 'SuccessfulDelete', `Deleted pod: ${p.metadata.name}`, SOURCE);
        }
      }
    }
    this.updateStatus(rs);
  }

  private updateStatus(rs: KubeObject): void {
    const now = this.ctx.clock.now();
    const active = this.ownedPods(rs).filter(isActive);
    const minReady: number = rs.spec?.minReadySeconds ?? 0;
    const templateLabels = rs.spec?.template?.metadata?.labels ?? {};
    const ready = active.filter(isPodReady);
    const available = active.filter((p) => isPodAvailable(p, minReady, now));
    if (minReady > 0 && ready.length > available.length) {
      this.ctx.queue.addAfter(REPLICASETS, `${rs.metadata.namespace}/${rs.metadata.name}`, minReady * 1000);
    }
    const status: Record<string, unknown> = {
      replicas: active.length,
      fullyLabeledReplicas: active.filter((p) => selectorMatches({ matchLabels: templateLabels }, p.metadata.labels)).length,
      readyReplicas: ready.length,
      availableReplicas: available.length,
      observedGeneration: rs.metadata.generation ?? 1,
    };
    // The real API omits zero-valued counters.
    for (const k of ['fullyLabeledReplicas', 'readyReplicas', 'availableReplicas']) if (status[k] === 0) delete status[k];
    if (rs.status?.conditions) status.conditions = rs.status.conditions;
    writeStatus(this.ctx.store, RS, rs, status);
  }
}
