/**
 * The endpoints and endpointslice controllers: for every Service with a selector, the IPs of the matching pods, with
 * each service port's targetPort resolved against the pod's container ports (a named port the pod lacks drops the
 * pod from that port; a numeric port is taken as is, listening or not — as on a real cluster). Ready pods are
 * `addresses`, unready ones `notReadyAddresses`; slices carry ready/serving/terminating conditions.
 */
import type { KubeObject } from '../contracts';
import { deleteObject, isConflictOrExists, updateObject } from './context';
import { isPodReady } from './pods';
import { isoSeconds, mapSelectorMatches, ownerRef } from './util';
import { QueueController } from './controller';

export const ENDPOINTS = 'endpoints';
const SLICES = 'endpointslices.discovery.k8s.io';
const SERVICE_NAME = 'kubernetes.io/service-name';
const MANAGED_BY = 'endpointslice.kubernetes.io/managed-by';
const MANAGER = 'endpointslice-controller.k8s.io';
const TRIGGER = 'endpoints.kubernetes.io/last-change-trigger-time';

interface ResolvedPort {
  name: string;
  port: number;
  protocol: string;
}

interface Member {
  pod: KubeObject;
  ready: boolean;
  serving: boolean;
  terminating: boolean;
}

function resolvePorts(svc: KubeObject, pod: KubeObject): ResolvedPort[] {
  const out: ResolvedPort[] = [];
  const containers: any[] = pod.spec?.containers ?? [];
  for (const sp of (svc.spec?.ports ?? []) as any[]) {
    const protocol = sp.protocol ?? 'TCP';
    const target = sp.targetPort ?? sp.port;
    let port: number | undefined;
    if (typeof target === 'number' || /^[0-9]+$/.test(String(target))) {
      port = Number(target);
    } else {
      for (const c of containers) {
        const cp = ((c.ports ?? []) as any[]).find((p) => p.name === target && (p.protocol ?? 'TCP') === protocol);
        if (cp) {
          port = cp.containerPort;
          break;
        }
      }
    }
    if (port !== undefined) out.push({ name: sp.name ?? '', port, protocol });
  }
  return out;
}

export class EndpointsController extends QueueController {
  protected readonly queueName = ENDPOINTS;

  protected override sync(key: string): void {
    const [ns, name] = key.split('/');
    const svc = this.ctx.store.get('services', ns, name);
    const slices = this.ctx.store
      .list(SLICES, ns)
      .filter((s) => s.metadata.labels?.[SERVICE_NAME] === name && s.metadata.labels?.[MANAGED_BY] === MANAGER);
    if (!svc || svc.metadata.deletionTimestamp) {
      for (const s of slices) deleteObject(this.ctx.store, SLICES, ns, s.metadata.name ?? '');
      if (this.ctx.store.get('endpoints', ns, name)) deleteObject(this.ctx.store, 'endpoints', ns, name);
      return;
    }
    const selector: Record<string, string> | undefined = svc.spec?.selector;
    if (!selector || Object.keys(selector).length === 0 || svc.spec?.type === 'ExternalName') return;

    const publishNotReady = !!svc.spec?.publishNotReadyAddresses;
    const groups = new Map<string, { ports: ResolvedPort[]; members: Member[] }>();
    for (const pod of this.ctx.store.list('pods', ns)) {
      if (!mapSelectorMatches(selector, pod.metadata.labels)) continue;
      if (!pod.status?.podIP) continue;
      const phase = pod.status?.phase;
      if (phase === 'Succeeded' || phase === 'Failed') continue;
      const terminating = !!pod.metadata.deletionTimestamp;
      const ready = isPodReady(pod);
      const ports = resolvePorts(svc, pod);
      const k = JSON.stringify(ports);
      const g = groups.get(k) ?? { ports, members: [] };
      g.members.push({ pod, ready: (ready || publishNotReady) && !terminating, serving: ready || publishNotReady, terminating });
      groups.set(k, g);
    }
    const now = isoSeconds(this.ctx.clock.now());
    this.writeEndpoints(svc, [...groups.values()], now);
    this.writeSlices(svc, slices, [...groups.values()], now);
  }

  private writeEndpoints(svc: KubeObject, groups: Array<{ ports: ResolvedPort[]; members: Member[] }>, now: string): void {
    const ns = svc.metadata.namespace ?? 'default';
    const name = svc.metadata.name ?? '';
    const address = (m: Member) => {
      const a: Record<string, unknown> = { ip: m.pod.status.podIP };
      // Pods of a StatefulSet behind its governing Service get a DNS hostname.
      if (m.pod.spec?.hostname && m.pod.spec?.subdomain === name) a.hostname = m.pod.spec.hostname;
      a.nodeName = m.pod.spec?.nodeName;
      a.targetRef = { kind: 'Pod', namespace: ns, name: m.pod.metadata.name, uid: m.pod.metadata.uid };
      return a;
    };
    const byIp = (a: Record<string, unknown>, b: Record<string, unknown>) => String(a.ip).localeCompare(String(b.ip), undefined, { numeric: true });
    const subsets = groups
      .filter((g) => g.ports.length > 0 || (svc.spec?.ports ?? []).length === 0)
      .map((g) => {
        const members = g.members.filter((m) => !m.terminating);
        const subset: Record<string, unknown> = {};
        const ready = members.filter((m) => m.ready).map(address).sort(byIp);
        const notReady = members.filter((m) => !m.ready).map(address).sort(byIp);
        if (ready.length) subset.addresses = ready;
        if (notReady.length) subset.notReadyAddresses = notReady;
        if (g.ports.length) subset.ports = g.ports.map((p) => (p.name ? { name: p.name, port: p.port, protocol: p.protocol } : { port: p.port, protocol: p.protocol }));
        return subset;
      })
      .filter((s) => s.addresses || s.notReadyAddresses);
    const labels = { ...(svc.metadata.labels ?? {}) };
    const existing = this.ctx.store.get('endpoints', ns, name);
    if (!existing) {
      const ep: KubeObject = { apiVersion: 'v1', kind: 'Endpoints', metadata: { name, namespace: ns, labels, annotations: { [TRIGGER]: now } } };
      if (subsets.length) ep.subsets = subsets;
      try {
        this.ctx.store.create('endpoints', ep);
      } catch (e) {
        if (!isConflictOrExists(e)) throw e;
      }
      return;
    }
    const same = JSON.stringify(existing.subsets ?? []) === JSON.stringify(subsets) && JSON.stringify(existing.metadata.labels ?? {}) === JSON.stringify(labels);
    if (same) return;
    updateObject(this.ctx.store, 'endpoints', ns, name, (o) => {
      o.metadata.labels = labels;
      o.metadata.annotations = { ...(o.metadata.annotations ?? {}), [TRIGGER]: now };
      if (subsets.length) o.subsets = subsets;
      else delete o.subsets;
    });
  }

  private writeSlices(svc: KubeObject, existing: KubeObject[], groups: Array<{ ports: ResolvedPort[]; members: Member[] }>, now: string): void {
    const ns = svc.metadata.namespace ?? 'default';
    const name = svc.metadata.name ?? '';
    const wanted = groups.length ? groups : [{ ports: [] as ResolvedPort[], members: [] as Member[] }];
    const remaining = [...existing].sort((a, b) => (a.metadata.name ?? '').localeCompare(b.metadata.name ?? ''));
    const labels = { ...(svc.metadata.labels ?? {}), [SERVICE_NAME]: name, [MANAGED_BY]: MANAGER };
    for (const g of wanted) {
      const endpoints = g.members
        .map((m) => ({
          addresses: [m.pod.status.podIP],
          conditions: { ready: m.ready, serving: m.serving, terminating: m.terminating },
          nodeName: m.pod.spec?.nodeName,
          targetRef: { kind: 'Pod', namespace: ns, name: m.pod.metadata.name, uid: m.pod.metadata.uid },
        }))
        .sort((a, b) => a.addresses[0].localeCompare(b.addresses[0], undefined, { numeric: true }));
      const body = {
        addressType: 'IPv4',
        endpoints: endpoints.length ? endpoints : null,
        ports: g.ports.length ? g.ports.map((p) => ({ name: p.name, port: p.port, protocol: p.protocol })) : null,
      };
      // Reuse the slice that already has these ports, else any leftover one.
      let idx = remaining.findIndex((s) => JSON.stringify(s.ports ?? null) === JSON.stringify(body.ports));
      if (idx < 0 && remaining.length) idx = 0;
      if (idx >= 0) {
        const s = remaining.splice(idx, 1)[0];
        const same =
          JSON.stringify(s.endpoints ?? null) === JSON.stringify(body.endpoints) &&
          JSON.stringify(s.ports ?? null) === JSON.stringify(body.ports) &&
          JSON.stringify(s.metadata.labels ?? {}) === JSON.stringify(labels);
        if (!same) {
          updateObject(this.ctx.store, SLICES, ns, s.metadata.name ?? '', (o) => {
            o.metadata.labels = labels;
            o.metadata.annotations = { ...(o.metadata.annotations ?? {}), [TRIGGER]: now };
            Object.assign(o, body);
          });
        }
        continue;
      }
      for (let attempt = 0; attempt < 5; attempt++) {
        const slice: KubeObject = {
          apiVersion: 'discovery.k8s.io/v1',
          kind: 'EndpointSlice',
          metadata: {
            name: `${name}-${this.ctx.rng.suffix(5)}`,
            generateName: `${name}-`,
            namespace: ns,
            labels,
            annotations: { [TRIGGER]: now },
            ownerReferences: [ownerRef(svc)],
          },
          ...body,
        };
        try {
          this.ctx.store.create(SLICES, slice);
          break;
        } catch (e) {
          if (!isConflictOrExists(e)) throw e;
        }
      }
    }
    for (const s of remaining) deleteObject(this.ctx.store, SLICES, ns, s.metadata.name ?? '');
  }
}
