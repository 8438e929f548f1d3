/**
 * Server-side Table conversion with the columns the real apiserver's printers produce for each kind
 * (priority 1 = the extra `-o wide` columns).
 */
/* eslint-disable @typescript-eslint/no-explicit-any */
import type { KubeObject } from '../contracts';
import type { ResourceInfo, PrinterColumn } from './registry';
import { since } from './duration';
import { selectorToString } from './selectors';

export interface ColumnDefinition { name: string; type: string; format: string; description: string; priority: number }
type Col = [name: string, type?: string, priority?: number, format?: string];
interface Printer { columns: Col[]; cells(o: any, now: number): unknown[] }

const NONE = '<none>';

function col(defs: Col[]): ColumnDefinition[] {
  return defs.map(([name, type = 'string', priority = 0, format = '']) => ({
    name, type, format: name === 'Name' ? 'name' : format, description: descriptions[name] ?? '', priority,
  }));
}
const descriptions: Record<string, string> = {
  Name: 'Name must be unique within a namespace. Is required when creating resources, although some resources may allow a client to request the generation of an appropriate name automatically. Name is primarily intended for creation idempotence and configuration definition. Cannot be updated. More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/names#names',
  Age: 'CreationTimestamp is a timestamp representing the server time when this object was created. It is not guaranteed to be set in happens-before order across separate operations. Clients may not set this value. It is represented in RFC3339 form and is in UTC.\n\nPopulated by the system. Read-only. Null for lists. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#metadata',
};

function labelsString(m: Record<string, string> | undefined): string {
  const keys = Object.keys(m ?? {}).sort();
  return keys.length ? keys.map((k) => `${k}=${m![k]}`).join(',') : NONE;
}
function selectorString(sel: any): string {
  const s = selectorToString(sel);
  return s || NONE;
}
function containersOf(tplSpec: any): [string, string] {
  const cs: any[] = tplSpec?.containers ?? [];
  return [cs.map((c) => c.name).join(','), cs.map((c) => c.image).join(',')];
}
const age = (o: any, now: number) => since(o.metadata?.creationTimestamp, now);
const n = (v: unknown) => (typeof v === 'number' ? v : 0);

function laterOf(a: string | undefined, b: string | undefined): string | undefined {
  if (!a) return b; if (!b) return a;
  return Date.parse(a) >= Date.parse(b) ? a : b;
}

export function podCells(pod: any, now: number, wide = true): unknown[] {
  const spec = pod.spec ?? {};
  const st = pod.status ?? {};
  let restarts = 0;
  let lastRestart: string | undefined;
  const total = (spec.containers ?? []).length;
  let ready = 0;
  let reason: string = st.reason || st.phase || '';
  let initializing = false;
  const initStatuses: any[] = st.initContainerStatuses ?? [];
  const initSpecs: any[] = spec.initContainers ?? [];
  let sidecarRestarts = 0;
  let sidecarLast: string | undefined;
  for (let i = 0; i < initStatuses.length; i++) {
    const c = initStatuses[i];
    restarts += n(c.restartCount);
    if (c.lastState?.terminated) lastRestart = laterOf(lastRestart, c.lastState.terminated.finishedAt);
    const isSidecar = initSpecs.find((s) => s.name === c.name)?.restartPolicy === 'Always';
    if (isSidecar) { sidecarRestarts += n(c.restartCount); if (c.lastState?.terminated) sidecarLast = laterOf(sidecarLast, c.lastState.terminated.finishedAt); }
    const term = c.state?.terminated;
    const wait = c.state?.waiting;
    if (term && term.exitCode === 0) continue;
    if (isSidecar && c.started) continue;
    if (term) { reason = term.reason ? `Init:${term.reason}` : term.signal ? `Init:Signal:${term.signal}` : `Init:ExitCode:${term.exitCode}`; initializing = true; }
    else if (wait?.reason && wait.reason !== 'PodInitializing') { reason = `Init:${wait.reason}`; initializing = true; }
    else { reason = `Init:${i}/${initSpecs.length}`; initializing = true; }
    break;
  }
  const initializedTrue = (st.conditions ?? []).some((c: any) => c.type === 'Initialized' && c.status === 'True');
  if (!initializing || initializedTrue) {
    restarts = sidecarRestarts;
    lastRestart = sidecarLast;
    let hasRunning = false;
    const cs: any[] = st.containerStatuses ?? [];
    for (let i = cs.length - 1; i >= 0; i--) {
      const c = cs[i];
      restarts += n(c.restartCount);
      if (c.lastState?.terminated) lastRestart = laterOf(lastRestart, c.lastState.terminated.finishedAt);
      const term = c.state?.terminated;
      if (c.state?.waiting?.reason) reason = c.state.waiting.reason;
      else if (term?.reason) reason = term.reason;
      else if (term) reason = term.signal ? `Signal:${term.signal}` : `ExitCode:${term.exitCode}`;
      else if (c.ready && c.state?.running) { hasRunning = true; ready++; }
    }
    if (reason === 'Completed' && hasRunning) {
      reason = (st.conditions ?? []).some((c: any) => c.type === 'Ready' && c.status === 'True') ? 'Running' : 'NotReady';
    }
  }
  if (pod.metadata?.deletionTimestamp && st.reason === 'NodeLost') reason = 'Unknown';
  else if (pod.metadata?.deletionTimestamp && st.phase !== 'Succeeded' && st.phase !== 'Failed') reason = 'Terminating';
  const restartsStr = restarts !== 0 && lastRestart ? `${restarts} (${since(lastRestart, now)} ago)` : String(restarts);
  const cells: unknown[] = [pod.metadata?.name, `${ready}/${total}`, reason, restartsStr, age(pod, now)];
  if (wide) {
    const gates: any[] = spec.readinessGates ?? [];
    let gatesStr = NONE;
    if (gates.length) {
      const trueConds = gates.filter((g) => (st.conditions ?? []).some((c: any) => c.type === g.conditionType && c.status === 'True')).length;
      gatesStr = `${trueConds}/${gates.length}`;
    }
    cells.push(st.podIP || NONE, spec.nodeName || NONE, st.nominatedNodeName || NONE, gatesStr);
  }
  return cells;
}

function servicePorts(spec: any): string {
  const ports: any[] = spec?.ports ?? [];
  if (!ports.length) return NONE;
  return ports.map((p) => (p.nodePort ? `${p.port}:${p.nodePort}/${p.protocol ?? 'TCP'}` : `${p.port}/${p.protocol ?? 'TCP'}`)).join(',');
}

function externalIP(svc: any): string {
  const spec = svc.spec ?? {};
  const ext: string[] = spec.externalIPs ?? [];
  switch (spec.type) {
    case 'NodePort': return ext.length ? ext.join(',') : NONE;
    case 'LoadBalancer': {
      const ing: any[] = svc.status?.loadBalancer?.ingress ?? [];
      const ips = [...ing.map((i) => i.ip || i.hostname).filter(Boolean), ...ext];
      return ips.length ? ips.join(',') : '<pending>';
    }
    case 'ExternalName': return spec.externalName ?? NONE;
    default: return ext.length ? ext.join(',') : NONE;
  }
}

function moreList(items: string[], empty: string, max = 3): string {
  if (!items.length) return empty;
  const shown = items.slice(0, max).join(',');
  return items.length > max ? `${shown} + ${items.length - max} more...` : shown;
}

function endpointsString(ep: any): string {
  const out: string[] = [];
  for (const s of ep.subsets ?? []) {
    const ports: any[] = s.ports?.length ? s.ports : [{}];
    for (const a of s.addresses ?? []) for (const p of ports) out.push(p.port !== undefined ? `${a.ip}:${p.port}` : a.ip);
  }
  return moreList(out, NONE);
}

const ACCESS: Record<string, string> = { ReadWriteOnce: 'RWO', ReadOnlyMany: 'ROX', ReadWriteMany: 'RWX', ReadWriteOncePod: 'RWOP' };
const accessModes = (m: string[] | undefined) => (m ?? []).map((x) => ACCESS[x] ?? x).join(',');

function jobStatus(job: any): string {
  const conds: any[] = job.status?.conditions ?? [];
  const has = (t: string) => conds.some((c) => c.type === t && c.status === 'True');
  if (has('Complete')) return 'Complete';
  if (has('Failed')) return 'Failed';
  if (job.metadata?.deletionTimestamp) return 'Terminating';
  if (has('SuccessCriteriaMet')) return 'SuccessCriteriaMet';
  if (has('FailureTarget')) return 'FailureTarget';
  if (has('Suspended') || job.spec?.suspend) return 'Suspended';
  return 'Running';
}

const PRINTERS: Record<string, Printer> = {
  'v1/Pod': {
    columns: [['Name'], ['Ready'], ['Status'], ['Restarts', 'string'], ['Age'], ['IP', 'string', 1], ['Node', 'string', 1], ['Nominated Node', 'string', 1], ['Readiness Gates', 'string', 1]],
    cells: (o, now) => podCells(o, now),
  },
  'v1/Service': {
    columns: [['Name'], ['Type'], ['Cluster-IP'], ['External-IP'], ['Port(s)'], ['Age'], ['Selector', 'string', 1]],
    cells: (o, now) => [o.metadata.name, o.spec?.type ?? 'ClusterIP', o.spec?.clusterIP || NONE, externalIP(o), servicePorts(o.spec), age(o, now), labelsString(o.spec?.selector)],
  },
  'v1/Endpoints': { columns: [['Name'], ['Endpoints'], ['Age']], cells: (o, now) => [o.metadata.name, endpointsString(o), age(o, now)] },
  'discovery.k8s.io/v1/EndpointSlice': {
    columns: [['Name'], ['AddressType'], ['Ports'], ['Endpoints'], ['Age']],
    cells: (o, now) => [
      o.metadata.name, o.addressType ?? '',
      moreList((o.ports ?? []).map((p: any) => (p.port === undefined || p.port === null ? '<unset>' : String(p.port))), '<unset>'),
      moreList((o.endpoints ?? []).flatMap((e: any) => e.addresses ?? []), '<unset>'),
      age(o, now),
    ],
  },
  'v1/Event': {
    columns: [['Last Seen'], ['Type'], ['Reason'], ['Object'], ['Message'], ['Subobject', 'string', 1], ['Source', 'string', 1], ['First Seen', 'string', 1], ['Count', 'integer', 1], ['Name', 'string', 1]],
    cells: (o, now) => {
      const first = o.firstTimestamp ? since(o.firstTimestamp, now) : since(o.eventTime, now);
      let last = o.lastTimestamp ? since(o.lastTimestamp, now) : first;
      let count = o.count ?? 0;
      if (o.series) { last = since(o.series.lastObservedTime, now); count = o.series.count ?? count; } else if (!count) count = 1;
      const io = o.involvedObject ?? {};
      const target = io.name ? `${String(io.kind ?? '').toLowerCase()}/${io.name}` : String(io.kind ?? '').toLowerCase();
      const comp = o.source?.component || o.reportingComponent || '';
      const host = o.source?.host || o.reportingInstance || '';
      return [last, o.type ?? '', o.reason ?? '', target, o.message ?? '', io.fieldPath ?? '', host ? `${comp}, ${host}` : comp, first, count, o.metadata.name];
    },
  },
  'v1/Node': {
    columns: [['Name'], ['Status'], ['Roles'], ['Age'], ['Version'], ['Internal-IP', 'string', 1], ['External-IP', 'string', 1], ['OS-Image', 'string', 1], ['Kernel-Version', 'string', 1], ['Container-Runtime', 'string', 1]],
    cells: (o, now) => {
      const status: string[] = [];
      const ready = (o.status?.conditions ?? []).find((c: any) => c.type === 'Ready');
      if (ready) status.push(ready.status === 'True' ? 'Ready' : 'NotReady');
      if (!status.length) status.push('Unknown');
      if (o.spec?.unschedulable) status.push('SchedulingDisabled');
      const roles = new Set<string>();
      for (const [k, v] of Object.entries<string>(o.metadata.labels ?? {})) {
        if (k.startsWith('node-role.kubernetes.io/')) roles.add(k.slice('node-role.kubernetes.io/'.length));
        else if (k === 'kubernetes.io/role' && v) roles.add(v);
      }
      const addr = (t: string) => (o.status?.addresses ?? []).find((a: any) => a.type === t)?.address ?? NONE;
      const info = o.status?.nodeInfo ?? {};
      return [o.metadata.name, status.join(','), roles.size ? [...roles].sort().join(',') : NONE, age(o, now), info.kubeletVersion ?? '',
        addr('InternalIP'), addr('ExternalIP'), info.osImage || '<unknown>', info.kernelVersion || '<unknown>', info.containerRuntimeVersion || '<unknown>'];
    },
  },
  'v1/Namespace': { columns: [['Name'], ['Status'], ['Age']], cells: (o, now) => [o.metadata.name, o.status?.phase ?? '', age(o, now)] },
  'v1/ConfigMap': { columns: [['Name'], ['Data', 'integer'], ['Age']], cells: (o, now) => [o.metadata.name, Object.keys(o.data ?? {}).length + Object.keys(o.binaryData ?? {}).length, age(o, now)] },
  'v1/Secret': { columns: [['Name'], ['Type'], ['Data', 'integer'], ['Age']], cells: (o, now) => [o.metadata.name, o.type ?? '', Object.keys(o.data ?? {}).length, age(o, now)] },
  'v1/ServiceAccount': { columns: [['Name'], ['Secrets', 'integer'], ['Age']], cells: (o, now) => [o.metadata.name, (o.secrets ?? []).length, age(o, now)] },
  'v1/PersistentVolume': {
    columns: [['Name'], ['Capacity'], ['Access Modes'], ['Reclaim Policy'], ['Status'], ['Claim'], ['StorageClass'], ['VolumeAttributesClass'], ['Reason'], ['Age'], ['VolumeMode', 'string', 1]],
    cells: (o, now) => {
      const c = o.spec?.claimRef;
      return [o.metadata.name, o.spec?.capacity?.storage ?? '', accessModes(o.spec?.accessModes), o.spec?.persistentVolumeReclaimPolicy ?? '', o.status?.phase ?? '',
        c ? `${c.namespace}/${c.name}` : '', o.spec?.storageClassName ?? '', o.spec?.volumeAttributesClassName || '<unset>', o.status?.reason ?? '', age(o, now), o.spec?.volumeMode ?? '<unset>'];
    },
  },
  'storage.k8s.io/v1/StorageClass': {
    columns: [['Name'], ['Provisioner'], ['ReclaimPolicy'], ['VolumeBindingMode'], ['AllowVolumeExpansion', 'boolean'], ['Age']],
    cells: (o, now) => [o.metadata.annotations?.['storageclass.kubernetes.io/is-default-class'] === 'true' ? `${o.metadata.name} (default)` : o.metadata.name,
      o.provisioner ?? '', o.reclaimPolicy ?? 'Delete', o.volumeBindingMode ?? 'Immediate', o.allowVolumeExpansion === true, age(o, now)],
  },
  'v1/PersistentVolumeClaim': {
    columns: [['Name'], ['Status'], ['Volume'], ['Capacity'], ['Access Modes'], ['StorageClass'], ['VolumeAttributesClass'], ['Age'], ['VolumeMode', 'string', 1]],
    cells: (o, now) => {
      const bound = o.status?.phase === 'Bound';
      return [o.metadata.name, o.metadata.deletionTimestamp ? 'Terminating' : o.status?.phase ?? '', o.spec?.volumeName ?? '',
        bound ? o.status?.capacity?.storage ?? '' : '', bound ? accessModes(o.status?.accessModes) : '', o.spec?.storageClassName ?? '',
        o.spec?.volumeAttributesClassName || '<unset>', age(o, now), o.spec?.volumeMode ?? '<unset>'];
    },
  },
  'apps/v1/Deployment': {
    columns: [['Name'], ['Ready'], ['Up-to-date', 'integer'], ['Available', 'integer'], ['Age'], ['Containers', 'string', 1], ['Images', 'string', 1], ['Selector', 'string', 1]],
    cells: (o, now) => {
      const [c, i] = containersOf(o.spec?.template?.spec);
      return [o.metadata.name, `${n(o.status?.readyReplicas)}/${n(o.spec?.replicas)}`, n(o.status?.updatedReplicas), n(o.status?.availableReplicas), age(o, now), c, i, selectorString(o.spec?.selector)];
    },
  },
  'apps/v1/ReplicaSet': {
    columns: [['Name'], ['Desired', 'integer'], ['Current', 'integer'], ['Ready', 'integer'], ['Age'], ['Containers', 'string', 1], ['Images', 'string', 1], ['Selector', 'string', 1]],
    cells: (o, now) => {
      const [c, i] = containersOf(o.spec?.template?.spec);
      return [o.metadata.name, n(o.spec?.replicas), n(o.status?.replicas), n(o.status?.readyReplicas), age(o, now), c, i, selectorString(o.spec?.selector)];
    },
  },
  'apps/v1/StatefulSet': {
    columns: [['Name'], ['Ready'], ['Age'], ['Containers', 'string', 1], ['Images', 'string', 1]],
    cells: (o, now) => {
      const [c, i] = containersOf(o.spec?.template?.spec);
      return [o.metadata.name, `${n(o.status?.readyReplicas)}/${n(o.spec?.replicas)}`, age(o, now), c, i];
    },
  },
  'apps/v1/DaemonSet': {
    columns: [['Name'], ['Desired', 'integer'], ['Current', 'integer'], ['Ready', 'integer'], ['Up-to-date', 'integer'], ['Available', 'integer'], ['Node Selector'], ['Age'], ['Containers', 'string', 1], ['Images', 'string', 1], ['Selector', 'string', 1]],
    cells: (o, now) => {
      const [c, i] = containersOf(o.spec?.template?.spec);
      const s = o.status ?? {};
      return [o.metadata.name, n(s.desiredNumberScheduled), n(s.currentNumberScheduled), n(s.numberReady), n(s.updatedNumberScheduled), n(s.numberAvailable),
        labelsString(o.spec?.template?.spec?.nodeSelector), age(o, now), c, i, selectorString(o.spec?.selector)];
    },
  },
  'batch/v1/Job': {
    columns: [['Name'], ['Status'], ['Completions'], ['Duration'], ['Age'], ['Containers', 'string', 1], ['Images', 'string', 1], ['Selector', 'string', 1]],
    cells: (o, now) => {
      const [c, i] = containersOf(o.spec?.template?.spec);
      const s = o.status ?? {};
      let completions: string;
      if (o.spec?.completions !== undefined && o.spec?.completions !== null) completions = `${n(s.succeeded)}/${o.spec.completions}`;
      else { const p = o.spec?.parallelism ?? 0; completions = p > 1 ? `${n(s.succeeded)}/1 of ${p}` : `${n(s.succeeded)}/1`; }
      let duration = '';
      if (s.startTime) duration = s.completionTime ? since(s.startTime, Date.parse(s.completionTime)) : since(s.startTime, now);
      return [o.metadata.name, jobStatus(o), completions, duration, age(o, now), c, i, selectorString(o.spec?.selector)];
    },
  },
  'batch/v1/CronJob': {
    columns: [['Name'], ['Schedule'], ['Timezone'], ['Suspend', 'boolean'], ['Active', 'integer'], ['Last Schedule'], ['Age'], ['Containers', 'string', 1], ['Images', 'string', 1], ['Selector', 'string', 1]],
    cells: (o, now) => {
      const [c, i] = containersOf(o.spec?.jobTemplate?.spec?.template?.spec);
      return [o.metadata.name, o.spec?.schedule ?? '', o.spec?.timeZone ?? '<none>', !!o.spec?.suspend, (o.status?.active ?? []).length,
        o.status?.lastScheduleTime ? since(o.status.lastScheduleTime, now) : NONE, age(o, now), c, i, selectorString(o.spec?.jobTemplate?.spec?.selector)];
    },
  },
  'v1/ReplicationController': {
    columns: [['Name'], ['Desired', 'integer'], ['Current', 'integer'], ['Ready', 'integer'], ['Age'], ['Containers', 'string', 1], ['Images', 'string', 1], ['Selector', 'string', 1]],
    cells: (o, now) => {
      const [c, i] = containersOf(o.spec?.template?.spec);
      return [o.metadata.name, n(o.spec?.replicas ?? 1), n(o.status?.replicas), n(o.status?.readyReplicas), age(o, now), c, i, labelsString(o.spec?.selector)];
    },
  },
  'autoscaling/v2/HorizontalPodAutoscaler': {
    columns: [['Name'], ['Reference'], ['Targets'], ['MinPods', 'integer'], ['MaxPods', 'integer'], ['Replicas', 'integer'], ['Age']],
    cells: (o, now) => {
      const ref = o.spec?.scaleTargetRef ?? {};
      const targets = (o.spec?.metrics ?? []).map((m: any, idx: number) => {
        const want = m.resource?.target?.averageUtilization;
        const cur = o.status?.currentMetrics?.[idx]?.resource?.current?.averageUtilization;
        return want !== undefined ? `${m.resource?.name ?? 'cpu'}: ${cur !== undefined ? cur + '%' : '<unknown>'}/${want}%` : '<unknown>';
      });
      return [o.metadata.name, `${ref.kind ?? ''}/${ref.name ?? ''}`, targets.length ? targets.join(', ') : NONE, o.spec?.minReplicas ?? 1, n(o.spec?.maxReplicas), n(o.status?.currentReplicas), age(o, now)];
    },
  },
  'networking.k8s.io/v1/Ingress': {
    columns: [['Name'], ['Class'], ['Hosts'], ['Address'], ['Ports'], ['Age']],
    cells: (o, now) => {
      const hosts = (o.spec?.rules ?? []).map((r: any) => r.host).filter(Boolean);
      const addr = (o.status?.loadBalancer?.ingress ?? []).map((i: any) => i.ip || i.hostname).filter(Boolean);
      return [o.metadata.name, o.spec?.ingressClassName ?? NONE, moreList(hosts, '*', 4), addr.join(','), o.spec?.tls?.length ? '80, 443' : '80', age(o, now)];
    },
  },
  'networking.k8s.io/v1/NetworkPolicy': {
    columns: [['Name'], ['Pod-Selector'], ['Age']],
    cells: (o, now) => [o.metadata.name, selectorToString(o.spec?.podSelector) || NONE, age(o, now)],
  },
  'policy/v1/PodDisruptionBudget': {
    columns: [['Name'], ['Min Available'], ['Max Unavailable'], ['Allowed Disruptions', 'integer'], ['Age']],
    cells: (o, now) => [o.metadata.name, o.spec?.minAvailable !== undefined ? String(o.spec.minAvailable) : 'N/A', o.spec?.maxUnavailable !== undefined ? String(o.spec.maxUnavailable) : 'N/A', n(o.status?.disruptionsAllowed), age(o, now)],
  },
  'coordination.k8s.io/v1/Lease': { columns: [['Name'], ['Holder'], ['Age']], cells: (o, now) => [o.metadata.name, o.spec?.holderIdentity ?? '', age(o, now)] },
  'apiextensions.k8s.io/v1/CustomResourceDefinition': {
    columns: [['Name'], ['Created At', 'date']],
    cells: (o) => [o.metadata.name, o.metadata.creationTimestamp ?? ''],
  },
};

const DEFAULT_PRINTER: Printer = { columns: [['Name'], ['Age']], cells: (o, now) => [o.metadata?.name, age(o, now)] };

/** A CRD column's JSONPath: fields, `[n]` and the `[?(@.field=="value")]` filter CRDs use for conditions. */
function jsonPathValue(o: unknown, path: string): unknown {
  let p = path.replace(/^\{/, '').replace(/\}$/, '');
  if (!p.startsWith('.')) p = `.${p}`;
  const segment = /\.([^.[]+)(?:\[(?:(\d+)|\?\(@\.([\w-]+)\s*==\s*["']([^"']*)["']\))\])?/y;
  const field = (x: unknown, k: string): unknown => (x && typeof x === 'object' ? (x as Record<string, unknown>)[k] : undefined);
  let cur: unknown = o;
  while (segment.lastIndex < p.length) {
    const m = segment.exec(p);
    if (!m || cur === undefined || cur === null) return undefined;
    cur = Array.isArray(cur) ? cur.map((x) => field(x, m[1])).filter((x) => x !== undefined) : field(cur, m[1]);
    if (m[2] !== undefined) cur = Array.isArray(cur) ? cur[Number(m[2])] : undefined;
    else if (m[3] !== undefined) cur = Array.isArray(cur) ? cur.filter((x) => { const v = field(x, m[3]); return (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') && String(v) === m[4]; }) : undefined;
  }
  // A filter's matches print as their values joined (one match: the value itself).
  if (Array.isArray(cur) && p.includes('[?(')) return cur.length === 0 ? undefined : cur.length === 1 ? cur[0] : cur.join(',');
  return cur;
}

function crdPrinter(cols: PrinterColumn[]): Printer {
  return {
    columns: [['Name'], ...cols.map((c): Col => [c.name.charAt(0).toUpperCase() + c.name.slice(1), c.type === 'date' ? 'date' : c.type, c.priority ?? 0])],
    cells: (o, now) => [o.metadata?.name, ...cols.map((c) => {
      const v = jsonPathValue(o, c.jsonPath);
      if (v === undefined || v === null) return c.type === 'date' ? '<unknown>' : null;
      if (c.type === 'date') return since(String(v), now);
      return typeof v === 'object' ? JSON.stringify(v) : v;
    })],
  };
}

function printerFor(info: ResourceInfo): Printer {
  if (info.custom) return info.printerColumns?.length ? crdPrinter(info.printerColumns) : DEFAULT_PRINTER;
  const key = `${info.group ? info.group + '/' : ''}${info.version}/${info.kind}`;
  return PRINTERS[key] ?? DEFAULT_PRINTER;
}

export type IncludeObject = 'Object' | 'Metadata' | 'None';

export function partialMetadata(o: KubeObject): Record<string, unknown> {
  const meta = { ...o.metadata };
  delete meta.managedFields;
  return { kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: meta };
}

export function toTable(info: ResourceInfo, objects: KubeObject[], opts: { includeObject?: IncludeObject; resourceVersion?: string; withColumns?: boolean; now?: number } = {}): Record<string, unknown> {
  const p = printerFor(info);
  const now = opts.now ?? Date.now();
  const include = opts.includeObject ?? 'Metadata';
  const table: Record<string, unknown> = {
    kind: 'Table', apiVersion: 'meta.k8s.io/v1',
    metadata: opts.resourceVersion ? { resourceVersion: opts.resourceVersion } : {},
  };
  if (opts.withColumns !== false) table.columnDefinitions = col(p.columns);
  table.rows = objects.map((o) => {
    const row: Record<string, unknown> = { cells: p.cells(o, now) };
    if (include === 'Object') row.object = o;
    else if (include === 'Metadata') row.object = partialMetadata(o);
    return row;
  });
  return table;
}
