/**
 * default-scheduler: binds each unscheduled pod to a node that passes the filters (unschedulable, taints and
 * tolerations, nodeSelector and required node affinity, resource requests, volume binding), scoring by least
 * requested CPU. A pod that fits nowhere stays Pending with PodScheduled=False/Unschedulable and a FailedScheduling
 * event worded like the real scheduler's.
 */
import type { KubeObject } from '../contracts';
import type { ClusterContext } from './context';
import { isNotFound, setCondition, updateObject, writeStatus } from './context';
import { isTerminal, podRequests, qosClass } from './resources';
import { bytesOf, cpuMillis, isoSeconds, requirementMatches } from './util';
import type { VolumeController } from './volumes';

export const SCHEDULER = 'scheduler';
const SOURCE = { component: 'default-scheduler' };

interface Taint {
  key: string;
  value?: string;
  effect: string;
}

interface Toleration {
  key?: string;
  operator?: string;
  value?: string;
  effect?: string;
}

export function tolerates(tolerations: Toleration[] | undefined, taint: Taint): boolean {
  return (tolerations ?? []).some((t) => {
    if (t.effect && t.effect !== taint.effect) return false;
    if (t.operator === 'Exists') return !t.key || t.key === taint.key;
    return t.key === taint.key && (t.value ?? '') === (taint.value ?? '');
  });
}

export function nodeMatchesAffinity(pod: KubeObject, node: KubeObject): boolean {
  const labels = node.metadata.labels ?? {};
  for (const [k, v] of Object.entries((pod.spec?.nodeSelector ?? {}) as Record<string, string>)) {
    if (labels[k] !== v) return false;
  }
  const required = pod.spec?.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution;
  if (!required) return true;
  const terms: any[] = required.nodeSelectorTerms ?? [];
  return terms.some((term) => {
    const exprs: any[] = term.matchExpressions ?? [];
    const fields: any[] = term.matchFields ?? [];
    if (exprs.length === 0 && fields.length === 0) return false;
    return (
      exprs.every((e) => requirementMatches(e, labels)) &&
      fields.every((f) => requirementMatches({ ...f, key: 'metadata.name' }, { 'metadata.name': node.metadata.name ?? '' }))
    );
  });
}

export function isNodeReady(node: KubeObject): boolean {
  const c = (node.status?.conditions ?? []).find((x: any) => x.type === 'Ready');
  return !c || c.status === 'True';
}

/** Reasons one node rejects the pod, in the order the real filter plugins run (first failing plugin only). */
export function filterNode(pod: KubeObject, node: KubeObject, used: { cpu: number; mem: number; pods: number }): { reasons: string[]; resolvable: boolean } {
  const tolerations: Toleration[] = pod.spec?.tolerations ?? [];
  if (node.spec?.unschedulable && !tolerates(tolerations, { key: 'node.kubernetes.io/unschedulable', effect: 'NoSchedule' })) {
    return { reasons: ['node(s) were unschedulable'], resolvable: false };
  }
  const taints: Taint[] = node.spec?.taints ?? [];
  const untolerated = taints.find((t) => (t.effect === 'NoSchedule' || t.effect === 'NoExecute') && !tolerates(tolerations, t));
  if (untolerated) {
    return { reasons: [`node(s) had untolerated taint {${untolerated.key}: ${untolerated.value ?? ''}}`], resolvable: false };
  }
  if (!nodeMatchesAffinity(pod, node)) {
    return { reasons: ["node(s) didn't match Pod's node affinity/selector"], resolvable: false };
  }
  const alloc = node.status?.allocatable ?? {};
  const req = podRequests(pod);
  const reasons: string[] = [];
  if (used.pods + 1 > (parseInt(alloc.pods ?? '110', 10) || 110)) reasons.push('Too many pods');
  if (req.cpuMillis > 0 && used.cpu + req.cpuMillis > cpuMillis(alloc.cpu ?? '0')) reasons.push('Insufficient cpu');
  if (req.memoryBytes > 0 && used.mem + req.memoryBytes > bytesOf(alloc.memory ?? '0')) reasons.push('Insufficient memory');
  return { reasons, resolvable: true };
}

function histogram(items: string[]): string {
  const counts = new Map<string, number>();
  for (const r of items) counts.set(r, (counts.get(r) ?? 0) + 1);
  return [...counts.entries()]
    .map(([r, n]) => `${n} ${r}`)
    .sort()
    .join(', ');
}

export class Scheduler {
  constructor(
    private readonly ctx: ClusterContext,
    private readonly volumes: VolumeController,
  ) {}

  register(): void {
    this.ctx.queue.register(SCHEDULER, (key) => this.schedule(key));
  }

  /** Re-queues every pending pod (after a node, volume or capacity change). */
  retryAll(): void {
    for (const p of this.ctx.store.list('pods')) {
      if (this.wantsScheduling(p)) this.ctx.queue.add(SCHEDULER, `${p.metadata.namespace}/${p.metadata.name}`);
    }
  }

  wantsScheduling(pod: KubeObject): boolean {
    const schedulerName = pod.spec?.schedulerName ?? 'default-scheduler';
    return !pod.spec?.nodeName && !pod.metadata.deletionTimestamp && !isTerminal(pod) && schedulerName === 'default-scheduler';
  }

  private schedule(key: string): void {
    const [namespace, name] = key.split('/');
    const pod = this.ctx.store.get('pods', namespace, name);
    if (!pod || !this.wantsScheduling(pod)) return;
    const nodes = this.ctx.store.list('nodes').sort((a, b) => (a.metadata.name ?? '').localeCompare(b.metadata.name ?? ''));
    const total = nodes.length;

    const volume = this.volumes.checkPodVolumes(pod);
    if (volume.kind === 'error') {
      this.fail(pod, `0/${total} nodes are available: ${volume.message}. preemption: 0/${total} nodes are available: ${total} Preemption is not helpful for scheduling.`);
      return;
    }

    const usage = new Map<string, { cpu: number; mem: number; pods: number }>();
    for (const p of this.ctx.store.list('pods')) {
      const n = p.spec?.nodeName;
      if (!n || isTerminal(p)) continue;
      const u = usage.get(n) ?? { cpu: 0, mem: 0, pods: 0 };
      const r = podRequests(p);
      u.cpu += r.cpuMillis;
      u.mem += r.memoryBytes;
      u.pods += 1;
      usage.set(n, u);
    }

    const feasible: KubeObject[] = [];
    const reasons: string[] = [];
    const preemption: string[] = [];
    for (const node of nodes) {
      const used = usage.get(node.metadata.name ?? '') ?? { cpu: 0, mem: 0, pods: 0 };
      const r = filterNode(pod, node, used);
      if (r.reasons.length === 0) {
        feasible.push(node);
      } else {
        reasons.push(...r.reasons);
        preemption.push(r.resolvable ? 'No preemption victims found for incoming pod' : 'Preemption is not helpful for scheduling');
      }
    }
    if (feasible.length === 0) {
      const msg =
        total === 0
          ? 'no nodes available to schedule pods'
          : `0/${total} nodes are available: ${histogram(reasons)}. preemption: 0/${total} nodes are available: ${histogram(preemption)}.`;
      this.fail(pod, msg);
      return;
    }
    feasible.sort((a, b) => {
      const ua = usage.get(a.metadata.name ?? '') ?? { cpu: 0, mem: 0, pods: 0 };
      const ub = usage.get(b.metadata.name ?? '') ?? { cpu: 0, mem: 0, pods: 0 };
      const fa = ua.cpu / Math.max(1, cpuMillis(a.status?.allocatable?.cpu ?? '1'));
      const fb = ub.cpu / Math.max(1, cpuMillis(b.status?.allocatable?.cpu ?? '1'));
      return fa - fb || ua.pods - ub.pods || (a.metadata.name ?? '').localeCompare(b.metadata.name ?? '');
    });
    const chosen = feasible[0];
    const nodeName = chosen.metadata.name ?? '';

    if (volume.kind === 'wait-for-consumer') {
      // Volume binding happens before the pod is bound: ask the provisioner for this node and retry afterwards.
      this.volumes.selectNode(pod, volume.claims, nodeName);
      return;
    }

    let bound: KubeObject | undefined;
    try {
      bound = updateObject(this.ctx.store, 'pods', namespace, name, (p) => {
        p.spec = { ...(p.spec ?? {}), nodeName };
      });
    } catch (e) {
      if (isNotFound(e)) return;
      throw e;
    }
    if (!bound) return;
    const now = isoSeconds(this.ctx.clock.now());
    const conditions = setCondition((bound.status?.conditions ?? []) as Array<Record<string, unknown>>, { type: 'PodScheduled', status: 'True' }, now);
    for (const c of conditions) if (c.type === 'PodScheduled') c.lastProbeTime = null;
    writeStatus(this.ctx.store, 'pods', bound, { phase: 'Pending', ...(bound.status ?? {}), conditions });
    this.ctx.events.record(bound, 'Normal', 'Scheduled', `Successfully assigned ${namespace}/${name} to ${nodeName}`, SOURCE);
  }

  private fail(pod: KubeObject, message: string): void {
    const now = isoSeconds(this.ctx.clock.now());
    const conditions = setCondition(
      (pod.status?.conditions ?? []) as Array<Record<string, unknown>>,
      { type: 'PodScheduled', status: 'False', reason: 'Unschedulable', message },
      now,
    );
    for (const c of conditions) if (c.type === 'PodScheduled') c.lastProbeTime = null;
    writeStatus(this.ctx.store, 'pods', pod, { ...(pod.status ?? {}), phase: 'Pending', conditions, qosClass: pod.status?.qosClass ?? qosClass(pod) });
    this.ctx.events.record(pod, 'Warning', 'FailedScheduling', message, SOURCE);
    this.ctx.queue.addAfter(SCHEDULER, `${pod.metadata.namespace}/${pod.metadata.name}`, this.ctx.timing.schedulerRetryMs);
  }
}
