/** daemonset-controller: one pod per eligible node, pinned with node affinity, replaced when the template changes. */
import type { KubeObject } from '../contracts';
import { deleteObject, writeStatus } from './context';
import { createGeneratedPod, isPodReady } from './pods';
import { nodeMatchesAffinity, tolerates } from './scheduler';
import { clone, isOwnedBy, templateHash } from './util';
import { QueueController } from './controller';

export const DAEMONSETS = 'daemonset';
const DS = 'daemonsets.apps';
const SOURCE = { component: 'daemonset-controller' };

const DAEMON_TOLERATIONS = [
  { key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoExecute' },
  { key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoExecute' },
  { key: 'node.kubernetes.io/disk-pressure', operator: 'Exists', effect: 'NoSchedule' },
  { key: 'node.kubernetes.io/memory-pressure', operator: 'Exists', effect: 'NoSchedule' },
  { key: 'node.kubernetes.io/pid-pressure', operator: 'Exists', effect: 'NoSchedule' },
  { key: 'node.kubernetes.io/unschedulable', operator: 'Exists', effect: 'NoSchedule' },
];

function nodeOf(pod: KubeObject): string | undefined {
  if (pod.spec?.nodeName) return pod.spec.nodeName;
  const terms = pod.spec?.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms ?? [];
  for (const t of terms) for (const f of t.matchFields ?? []) if (f.key === 'metadata.name') return f.values?.[0];
  return undefined;
}

export class DaemonSetController extends QueueController {
  protected readonly queueName = DAEMONSETS;

  syncAll(): void {
    for (const ds of this.ctx.store.list(DS)) this.ctx.queue.add(DAEMONSETS, `${ds.metadata.namespace}/${ds.metadata.name}`);
  }

  private eligible(ds: KubeObject, node: KubeObject): boolean {
    const probe: KubeObject = { apiVersion: 'v1', kind: 'Pod', metadata: {}, spec: ds.spec?.template?.spec ?? {} };
    if (!nodeMatchesAffinity(probe, node)) return false;
    const tolerations = [...(ds.spec?.template?.spec?.tolerations ?? []), ...DAEMON_TOLERATIONS];
    return ((node.spec?.taints ?? []) as any[]).every((t) => t.effect === 'PreferNoSchedule' || tolerates(tolerations, t));
  }

  protected override sync(key: string): void {
    const [ns, name] = key.split('/');
    const ds = this.ctx.store.get(DS, ns, name);
    if (!ds || ds.metadata.deletionTimestamp) return;
    const hash = templateHash(ds.spec?.template);
    const generation = String(ds.metadata.generation ?? 1);
    const nodes = this.ctx.store.list('nodes');
    const pods = this.ctx.store.list('pods', ns).filter((p) => isOwnedBy(p, ds) && !p.metadata.deletionTimestamp);
    const wanted = new Set(nodes.filter((n) => this.eligible(ds, n)).map((n) => n.metadata.name ?? ''));
    const byNode = new Map<string, KubeObject[]>();
    for (const p of pods) {
      const n = nodeOf(p) ?? '';
      byNode.set(n, [...(byNode.get(n) ?? []), p]);
    }
    for (const n of [...wanted].sort()) {
      if ((byNode.get(n) ?? []).length > 0) continue;
      const template = clone(ds.spec?.template ?? {});
      template.spec = template.spec ?? {};
      template.spec.tolerations = [...(template.spec.tolerations ?? []), ...DAEMON_TOLERATIONS];
      template.spec.affinity = {
        ...(template.spec.affinity ?? {}),
        nodeAffinity: {
          requiredDuringSchedulingIgnoredDuringExecution: {
            nodeSelectorTerms: [{ matchFields: [{ key: 'metadata.name', operator: 'In', values: [n] }] }],
          },
        },
      };
      const pod = createGeneratedPod(this.ctx, template, ns, ds, `${name}-`, { 'controller-revision-hash': hash, 'pod-template-generation': generation });
      if (pod) this.ctx.events.record(ds, 'Normal', 'SuccessfulCreate', `Created pod: ${pod.metadata.name}`, SOURCE);
    }
    for (const [n, list] of byNode) {
      const excess = wanted.has(n) ? list.slice(1) : list;
      for (const p of excess) {
        if (deleteObject(this.ctx.store, 'pods', ns, p.metadata.name ?? '')) {
          this.ctx.events.record(ds, 'Normal', 'SuccessfulDelete', `Deleted pod: ${p.metadata.name}`, SOURCE);
        }
      }
    }
    // RollingUpdate with maxUnavailable 1: replace one stale pod at a time when all are ready.
    if ((ds.spec?.updateStrategy?.type ?? 'RollingUpdate') === 'RollingUpdate') {
      const current = pods.filter((p) => wanted.has(nodeOf(p) ?? ''));
      if (current.length === wanted.size && current.every(isPodReady)) {
        const stale = current.find((p) => p.metadata.labels?.['controller-revision-hash'] !== hash);
        if (stale && deleteObject(this.ctx.store, 'pods', ns, stale.metadata.name ?? '')) {
          this.ctx.events.record(ds, 'Normal', 'SuccessfulDelete', `Deleted pod: ${stale.metadata.name}`, SOURCE);
        }
      }
    }
    const fresh = this.ctx.store.list('pods', ns).filter((p) => isOwnedBy(p, ds) && !p.metadata.deletionTimestamp);
    const scheduled = fresh.filter((p) => wanted.has(nodeOf(p) ?? ''));
    const ready = scheduled.filter(isPodReady).length;
    const status: Record<string, unknown> = {
      currentNumberScheduled: scheduled.length,
      desiredNumberScheduled: wanted.size,
      numberMisscheduled: fresh.length - scheduled.length,
      numberReady: ready,
      numberAvailable: ready,
      updatedNumberScheduled: scheduled.filter((p) => p.metadata.labels?.['controller-revision-hash'] === hash).length,
      observedGeneration: ds.metadata.generation ?? 1,
    };
    if (wanted.size - ready > 0) status.numberUnavailable = wanted.size - ready;
    if (status.numberAvailable === 0) delete status.numberAvailable;
    writeStatus(this.ctx.store, DS, ds, status);
  }
}
