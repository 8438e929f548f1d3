/** Pod resource arithmetic shared by the scheduler, the kubelet (QoS) and usage defaults. */
import type { KubeObject } from '../contracts';
import { bytesOf, cpuMillis } from './util';

export interface Resources {
  cpuMillis: number;
  memoryBytes: number;
}

function containerRequests(c: any): Resources {
  const req = c?.resources?.requests ?? {};
  const lim = c?.resources?.limits ?? {};
  return {
    cpuMillis: cpuMillis(req.cpu ?? lim.cpu),
    memoryBytes: bytesOf(req.memory ?? lim.memory),
  };
}

/** The requests the scheduler counts: sum of app containers, or the largest init container if that is more. */
export function podRequests(pod: KubeObject): Resources {
  const containers: any[] = pod.spec?.containers ?? [];
  const inits: any[] = pod.spec?.initContainers ?? [];
  let cpu = 0;
  let mem = 0;
  for (const c of containers) {
    const r = containerRequests(c);
    cpu += r.cpuMillis;
    mem += r.memoryBytes;
  }
  for (const c of inits) {
    const r = containerRequests(c);
    cpu = Math.max(cpu, r.cpuMillis);
    mem = Math.max(mem, r.memoryBytes);
  }
  return { cpuMillis: cpu, memoryBytes: mem };
}

/** QoS class as the kubelet computes it. */
export function qosClass(pod: KubeObject): 'Guaranteed' | 'Burstable' | 'BestEffort' {
  const all: any[] = [...(pod.spec?.initContainers ?? []), ...(pod.spec?.containers ?? [])];
  let any = false;
  let guaranteed = true;
  for (const c of all) {
    const req = c?.resources?.requests ?? {};
    const lim = c?.resources?.limits ?? {};
    for (const r of ['cpu', 'memory']) {
      if (req[r] !== undefined || lim[r] !== undefined) any = true;
      const l = lim[r];
      const q = req[r] ?? l;
      if (l === undefined) guaranteed = false;
      else if (r === 'cpu' ? cpuMillis(q) !== cpuMillis(l) : bytesOf(q) !== bytesOf(l)) guaranteed = false;
    }
  }
  if (!any) return 'BestEffort';
  return guaranteed ? 'Guaranteed' : 'Burstable';
}

export function isTerminal(pod: KubeObject): boolean {
  const phase = pod.status?.phase;
  return phase === 'Succeeded' || phase === 'Failed';
}
