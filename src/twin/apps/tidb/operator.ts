/**
 * The TiDB Operator's controller manager (v1.6) on the embedded cluster: it reconciles every TidbCluster into its
 * discovery service, PD, TiKV and TiDB members the way the real one's sync does, through the store like a client of
 * the API server, and only while an operator pod (`pingcap/tidb-operator`, `tidb-controller-manager`) runs.
 *
 * What users see, as on a real cluster:
 * - order: PD first; TiKV only once PD is available ("waiting for PD cluster running"); TiDB only once a TiKV store is
 *   up ("waiting for TiKV cluster running");
 * - scaling one replica per sync (`scaling out tidb statefulset …, ordinal: [n]`), so a huge replica count grows the
 *   StatefulSet step by step, at the pace of the operator's API client (5 requests/s, burst 10);
 * - pod-template fields copied from the TidbCluster unchecked (tolerations, podSecurityContext …): a value the API
 *   server refuses fails the StatefulSet's create/update (`FailedUpdate` event on the TidbCluster with the API
 *   server's message) while the running pods stay as they were;
 * - `statefulSetUpdateStrategy`: only `OnDelete` is honoured, anything else silently becomes RollingUpdate;
 * - a `storageClassName` naming no StorageClass: the volume modifier fails every sync (`cannot get sc …`); existing
 *   claims keep their class, the StatefulSet's claim templates are never updated;
 * - failed syncs are retried with the work queue's per-item back-off (5 ms doubling, up to 1000 s);
 * - klog lines in the operator pod's log, Events from `tidb-controller-manager`, and the TidbCluster's status with its
 *   Ready condition (`kubectl get tc`).
 */
import type { KubeObject, ObjectStore } from '../../contracts';
import type { Clock } from '../../cluster/clock';
import { EventRecorder } from '../../cluster/events';
import { TokenBucket } from '../../cluster/token-bucket';
import { clone } from '../../cluster/util';
import { COMPONENTS, configMap, desiredReplicas, discovery, imageOf, labelsOf, services, specOf, statefulSet, TC_RESOURCE, type Component } from './members';
import { OperatorLog } from './operator-log';

const STS = 'statefulsets.apps';
const LAST_APPLIED = 'pingcap.com/last-applied-configuration';
const SOURCE = { component: 'tidb-controller-manager' };
/** client-go's default per-item back-off of the work queue: 5 ms doubling, up to 1000 s. */
const backoffMs = (failures: number) => Math.min(1000_000, 5 * 2 ** failures);
/**
 * Every sync asks each TiDB member for its health (an HTTP call to its status port), so a sync takes longer as the
 * TiDB StatefulSet grows: this long per member. It paces a runaway scale-out the way it slows on a real cluster.
 */
const MEMBER_PROBE_MS = 10;
/** Informer resync of the controller manager. */
const RESYNC_MS = 30_000;

interface StatefulSetStatus {
  replicas: number;
  readyReplicas: number;
  currentReplicas: number;
  updatedReplicas: number;
  availableReplicas: number;
  currentRevision?: string;
  updateRevision?: string;
  observedGeneration?: number;
}

interface ComponentStatus {
  phase: 'Normal' | 'Scale' | 'Upgrade';
  image: string;
  statefulSet?: StatefulSetStatus;
  members?: Record<string, { name: string; id?: string; clientURL?: string; health: boolean; node?: string }>;
  stores?: Record<string, { id: string; podName: string; ip: string; state: 'Up' | 'Down' }>;
  leader?: unknown;
  synced?: boolean;
}

interface Condition {
  type: string;
  status: string;
  reason: string;
  message: string;
  lastUpdateTime: string;
  lastTransitionTime: string;
}

type ClusterStatus = Partial<Record<Component, ComponentStatus>> & { conditions?: Condition[] };

interface ContainerStatus {
  name: string;
  ready?: boolean;
  state?: { running?: unknown };
}

class SyncError extends Error {
  constructor(message: string, readonly requeue = false) {
    super(message);
  }
}

function errorText(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/** The StatefulSet fields the operator manages, as it records them in its last-applied annotation. */
function lastApplied(spec: KubeObject['spec']): string {
  const s = spec as { replicas?: number; template?: unknown; updateStrategy?: unknown };
  return JSON.stringify({ replicas: s.replicas, template: s.template, updateStrategy: s.updateStrategy });
}

function appliedTemplate(text: string | undefined): string {
  try {
    return JSON.stringify((text ? (JSON.parse(text) as { template?: unknown }) : {}).template);
  } catch {
    return '';
  }
}

function containerStatuses(pod: KubeObject): ContainerStatus[] {
  return ((pod.status as { containerStatuses?: ContainerStatus[] } | undefined)?.containerStatuses) ?? [];
}

function isOperatorPod(pod: KubeObject): boolean {
  const containers = ((pod.spec as { containers?: Array<{ image?: string; command?: string[] }> } | undefined)?.containers) ?? [];
  return containers.some((c) => /(^|\/)pingcap\/tidb-operator:/.test(String(c.image)) && (c.command ?? []).some((a) => a.includes('tidb-controller-manager')));
}

function running(pod: KubeObject, container?: string): boolean {
  if (pod.metadata.deletionTimestamp || (pod.status as { phase?: string } | undefined)?.phase !== 'Running') return false;
  return containerStatuses(pod).filter((s) => !container || s.name === container).some((s) => !!s.state?.running);
}

function isoSecondsOf(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d+Z$/, 'Z');
}

export interface TidbOperator {
  log: OperatorLog;
  stop(): void;
}

export function startTidbOperator(store: ObjectStore, clock: Clock): TidbOperator {
  const controller = new TidbClusterController(store, clock);
  return { log: controller.log, stop: () => controller.stop() };
}

/** The controller manager's TidbCluster controller: work queue, client rate limit, sync. */
class TidbClusterController {
  readonly log: OperatorLog;
  private readonly events: EventRecorder;
  private readonly timers = new Map<string, { at: number; handle: number }>();
  private readonly failures = new Map<string, number>();
  /** Until when a cluster's last sync was still probing its members (the next one starts after it). */
  private readonly busyUntil = new Map<string, number>();
  /** The operator's API client: kubeClientQPS 5, burst 10 (the chart's defaults). */
  private readonly client: TokenBucket;
  private stopped = false;
  private wasRunning = false;
  private resync = 0;
  private readonly unsubscribe: () => void;

  constructor(private readonly store: ObjectStore, private readonly clock: Clock) {
    this.events = new EventRecorder(store, clock);
    this.log = new OperatorLog(clock);
    this.client = new TokenBucket(clock, 5, 10);
    this.unsubscribe = store.subscribe((e) => this.onChange(e.resource, e.object));
    const tick = () => {
      if (this.stopped) return;
      this.enqueueAll();
      this.resync = clock.setTimeout(tick, RESYNC_MS);
    };
    this.resync = clock.setTimeout(tick, RESYNC_MS);
  }

  stop(): void {
    this.stopped = true;
    this.unsubscribe();
    this.clock.clearTimeout(this.resync);
    for (const t of this.timers.values()) this.clock.clearTimeout(t.handle);
    this.timers.clear();
  }

  private onChange(resource: string, object: KubeObject): void {
    if (this.stopped) return;
    if (resource === TC_RESOURCE) return this.enqueue(`${object.metadata.namespace}/${object.metadata.name}`, 50);
    if (resource === 'pods' && isOperatorPod(object)) {
      const now = this.operatorRunning();
      if (now && !this.wasRunning) {
        this.log.start();
        this.enqueueAll();
      }
      this.wasRunning = now;
      return;
    }
    if (resource === 'storageclasses.storage.k8s.io') return this.enqueueAll();
    if (resource !== 'pods' && resource !== STS) return;
    const instance = object.metadata.labels?.['app.kubernetes.io/instance'];
    if (object.metadata.labels?.['app.kubernetes.io/managed-by'] === 'tidb-operator' && instance) this.enqueue(`${object.metadata.namespace}/${instance}`, 100);
  }

  /** TidbClusters exist only once their CRD is installed (the store refuses an unknown resource type). */
  private served(): boolean {
    return this.store.resourceTypes().some((t) => t.resource === 'tidbclusters' && t.group === 'pingcap.com');
  }

  private operatorRunning(): boolean {
    return this.store.list('pods').some((p) => isOperatorPod(p) && running(p));
  }

  private enqueue(key: string, delayMs = 0): void {
    if (this.stopped) return;
    const at = this.clock.now() + delayMs;
    const pending = this.timers.get(key);
    if (pending && pending.at <= at) return;
    if (pending) this.clock.clearTimeout(pending.handle);
    this.timers.set(key, { at, handle: this.clock.setTimeout(() => { this.timers.delete(key); this.process(key); }, delayMs) });
  }

  private enqueueAll(): void {
    if (!this.served()) return;
    for (const tc of this.store.list(TC_RESOURCE)) this.enqueue(`${tc.metadata.namespace}/${tc.metadata.name}`);
  }

  private process(key: string): void {
    if (this.stopped || !this.served() || !this.operatorRunning()) return;
    const wait = Math.max(this.client.waitMs(), (this.busyUntil.get(key) ?? 0) - this.clock.now());
    if (wait > 0) return this.enqueue(key, wait);
    const [namespace, name] = key.split('/');
    const tc = this.store.get(TC_RESOURCE, namespace, name);
    if (!tc || tc.metadata.deletionTimestamp) {
      this.busyUntil.delete(key);
      return;
    }
    const members = Number((this.store.get(STS, namespace, `${name}-tidb`)?.spec as { replicas?: number } | undefined)?.replicas ?? 0);
    this.busyUntil.set(key, this.clock.now() + members * MEMBER_PROBE_MS);
    try {
      this.syncCluster(clone(tc));
      this.failures.delete(key);
    } catch (e) {
      const n = this.failures.get(key) ?? 0;
      this.failures.set(key, n + 1);
      if (e instanceof SyncError && e.requeue) this.log.info('tidb_cluster_controller.go:145', `TidbCluster: ${key}, still need sync: ${e.message}, requeuing`);
      else this.log.error('tidb_cluster_controller.go:147', `TidbCluster: ${key}, sync failed ${errorText(e)}, requeuing`);
      this.enqueue(key, backoffMs(n));
    }
  }

  private record(tc: KubeObject, type: 'Normal' | 'Warning', reason: string, message: string): void {
    this.client.take(1);
    this.events.record(tc, type, reason, message, SOURCE);
    this.log.info('event.go:364', `Event(v1.ObjectReference{Kind:"TidbCluster", Namespace:"${tc.metadata.namespace}", Name:"${tc.metadata.name}", UID:"${tc.metadata.uid}", APIVersion:"pingcap.com/v1alpha1", ResourceVersion:"${tc.metadata.resourceVersion}", FieldPath:""}): type: '${type}' reason: '${reason}' ${message}`);
  }

  /** Creates an object the operator owns unless it exists (Services, ConfigMaps, the discovery objects). */
  private ensure(tc: KubeObject, resource: string, obj: KubeObject): void {
    if (this.store.get(resource, obj.metadata.namespace, String(obj.metadata.name))) return;
    this.write(tc, 'create', resource, obj);
  }

  /** One write of the operator's client (a request of its rate limit), with the Event it records either way. */
  private write(tc: KubeObject, verb: 'create' | 'update', resource: string, obj: KubeObject): void {
    this.client.take(1);
    const what = `${verb} ${obj.kind} ${obj.metadata.name} in TidbCluster ${tc.metadata.name}`;
    const reason = verb === 'create' ? 'Create' : 'Update';
    try {
      if (verb === 'create') this.store.create(resource, obj);
      else this.store.update(resource, obj);
    } catch (e) {
      this.record(tc, 'Warning', `Failed${reason}`, `${what} failed error: ${errorText(e)}`);
      throw e;
    }
    this.record(tc, 'Normal', `Successful${reason}`, `${what} successful`);
  }

  private podsOf(tc: KubeObject, component: string): KubeObject[] {
    const labels = labelsOf(tc, component);
    return this.store.list('pods', tc.metadata.namespace).filter((p) => Object.entries(labels).every(([k, v]) => p.metadata.labels?.[k] === v));
  }

  /** The StatefulSet step of one component: create it, or move it one replica towards the TidbCluster and apply its template. */
  private syncStatefulSet(tc: KubeObject, component: Component, status: ComponentStatus): void {
    const want = statefulSet(tc, component);
    const wantSpec = want.spec as { replicas: number; template: unknown; updateStrategy: { type: string; rollingUpdate?: { partition: number } } };
    const existing = this.store.get(STS, tc.metadata.namespace, String(want.metadata.name));
    if (!existing) {
      want.metadata.annotations = { [LAST_APPLIED]: lastApplied(want.spec) };
      this.write(tc, 'create', STS, want);
      status.phase = 'Normal';
      return;
    }
    const where = `${existing.metadata.namespace}/${existing.metadata.name}`;
    const current = Number((existing.spec as { replicas?: number }).replicas ?? 0);
    const target = wantSpec.replicas;
    let replicas = current;
    if (target > current) {
      replicas = current + 1;
      status.phase = 'Scale';
      this.log.info(`${component}_scaler.go:68`, `scaling out ${component} statefulset ${where}, ordinal: [${current}] (replicas: ${replicas}, scale out parallelism: 1, delete slots: [])`);
      this.log.info('scaler.go:216', `scale statefulset: ordinals: [${current}], finishedOrdinals: [${current}], StatefulSet: ${where}`);
    } else if (target < current) {
      replicas = current - 1;
      status.phase = 'Scale';
      this.log.info(`${component}_scaler.go:131`, `scaling in ${component} statefulset ${where}, ordinal: [${replicas}] (replicas: ${replicas}, scale in parallelism: 1, delete slots: [])`);
    }
    const templateChanged = appliedTemplate(existing.metadata.annotations?.[LAST_APPLIED]) !== JSON.stringify(wantSpec.template);
    if (templateChanged && replicas === current) status.phase = 'Upgrade';
    // The operator's pod-by-pod upgrade is left to the StatefulSet's own rolling update (partition 0 while it runs).
    const strategy = clone(wantSpec.updateStrategy);
    if (strategy.rollingUpdate) strategy.rollingUpdate.partition = templateChanged ? 0 : replicas;
    const next = clone(existing);
    next.spec = { ...(next.spec as object), replicas, updateStrategy: strategy, template: wantSpec.template };
    const applied = lastApplied(next.spec);
    next.metadata.annotations = { ...(existing.metadata.annotations ?? {}), [LAST_APPLIED]: applied, 'tidb.pingcap.com/owner-generation': String(tc.metadata.generation ?? 1) };
    const stsStatus = existing.status as { currentRevision?: string; updateRevision?: string } | undefined;
    const rolledOut = !stsStatus?.updateRevision || stsStatus.currentRevision === stsStatus.updateRevision;
    // Compared with what was last applied, as the operator does: the stored spec carries the API server's defaults.
    if (applied === existing.metadata.annotations?.[LAST_APPLIED]) {
      if (replicas === target && rolledOut) status.phase = 'Normal';
      return;
    }
    this.write(tc, 'update', STS, next);
    if (replicas === target && !templateChanged && rolledOut) status.phase = 'Normal';
  }

  /** The component's status block: image, StatefulSet status, members and their health. */
  private componentStatus(tc: KubeObject, component: Component, previous: ComponentStatus | undefined): ComponentStatus {
    const sts = this.store.get(STS, tc.metadata.namespace, `${tc.metadata.name}-${component}`);
    const status: ComponentStatus = { phase: previous?.phase ?? 'Normal', image: imageOf(tc, component) };
    if (!sts) return status;
    const s = (sts.status ?? {}) as Partial<StatefulSetStatus>;
    status.statefulSet = {
      replicas: s.replicas ?? 0, readyReplicas: s.readyReplicas ?? 0, currentReplicas: s.currentReplicas ?? 0, updatedReplicas: s.updatedReplicas ?? 0,
      availableReplicas: s.availableReplicas ?? 0, currentRevision: s.currentRevision, updateRevision: s.updateRevision, observedGeneration: s.observedGeneration,
    };
    const pods = this.podsOf(tc, component).sort((a, b) => String(a.metadata.name).localeCompare(String(b.metadata.name), undefined, { numeric: true }));
    const peer = `${tc.metadata.name}-${component}-peer.${tc.metadata.namespace}.svc`;
    const podName = (p: KubeObject) => String(p.metadata.name);
    if (component === 'pd') {
      status.members = Object.fromEntries(pods.map((p, i) => [podName(p), { name: podName(p), id: String(1000 + i), clientURL: `http://${podName(p)}.${peer}:2379`, health: running(p, 'pd') }]));
      status.leader = Object.values(status.members).find((m) => m.health) ?? {};
      status.synced = true;
    } else if (component === 'tikv') {
      const stores = pods.filter((p) => running(p, 'tikv') || (p.status as { podIP?: string } | undefined)?.podIP);
      status.stores = Object.fromEntries(stores.map((p, i) => [String(i + 1), { id: String(i + 1), podName: podName(p), ip: `${podName(p)}.${peer}`, state: running(p, 'tikv') ? 'Up' as const : 'Down' as const }]));
      status.synced = true;
    } else {
      const scheduled = pods.filter((p) => (p.spec as { nodeName?: string } | undefined)?.nodeName);
      status.members = Object.fromEntries(scheduled.map((p) => [podName(p), { name: podName(p), health: containerStatuses(p).some((c) => c.name === 'tidb' && !!c.ready), node: (p.spec as { nodeName?: string }).nodeName }]));
    }
    return status;
  }

  private pdAvailable(tc: KubeObject, status: ComponentStatus | undefined): boolean {
    const members = Object.values(status?.members ?? {});
    const lower = Math.floor(desiredReplicas(tc, 'pd') / 2) + 1;
    return members.length >= lower && members.filter((m) => m.health).length >= lower && (status?.statefulSet?.readyReplicas ?? 0) >= lower;
  }

  private tikvAvailable(status: ComponentStatus | undefined): boolean {
    return Object.values(status?.stores ?? {}).some((s) => s.state === 'Up') && (status?.statefulSet?.readyReplicas ?? 0) >= 1;
  }

  /** The Ready condition with the operator's reasons, in its order. */
  private readyCondition(tc: KubeObject, status: ClusterStatus, previous: Condition | undefined): Condition {
    const upToDate = COMPONENTS.every((c) => !status[c]?.statefulSet || status[c]?.statefulSet?.currentRevision === status[c]?.statefulSet?.updateRevision);
    const complete = (c: Component, count: number) => count === desiredReplicas(tc, c);
    const pd = Object.values(status.pd?.members ?? {});
    const stores = Object.values(status.tikv?.stores ?? {});
    const tidb = Object.values(status.tidb?.members ?? {});
    const [reason, message] =
      !upToDate ? ['StatefulSetNotUpToDate', 'Statefulset(s) are in progress']
        : !(complete('pd', pd.length) && pd.every((m) => m.health)) ? ['PDUnhealthy', 'PD(s) are not healthy']
          : !(complete('tikv', stores.length) && stores.every((s) => s.state === 'Up')) ? ['TiKVStoreNotUp', 'TiKV store(s) are not up']
            : !(complete('tidb', tidb.length) && tidb.every((m) => m.health)) ? ['TiDBUnhealthy', 'TiDB(s) are not healthy']
              : ['Ready', 'TiDB cluster is fully up and running'];
    const state = reason === 'Ready' ? 'True' : 'False';
    const now = isoSecondsOf(this.clock.now());
    return {
      type: 'Ready', status: state, reason, message,
      lastUpdateTime: previous?.reason === reason ? previous.lastUpdateTime : now,
      lastTransitionTime: previous?.status === state ? previous.lastTransitionTime : now,
    };
  }

  /** The volume modifier's check that runs after every member sync: each storage class named must exist. */
  private checkVolumes(tc: KubeObject, status: ClusterStatus): void {
    const scServed = this.store.resourceTypes().some((t) => t.resource === 'storageclasses' && t.group === 'storage.k8s.io');
    const errors: string[] = [];
    for (const c of COMPONENTS) {
      const id = `${tc.metadata.namespace}/${tc.metadata.name}:${c}`;
      const sc = specOf(tc)[c]?.storageClassName;
      if (sc && scServed && !this.store.get('storageclasses.storage.k8s.io', undefined, sc)) {
        errors.push(`build ctx used by modifier for ${id} failed: cannot get sc ${sc}`);
        continue;
      }
      if (status[c] && status[c]?.phase !== 'Normal') errors.push(`modify volumes for ${id} failed: component phase is not Normal`);
    }
    if (errors.length === 1) throw new SyncError(errors[0]);
    if (errors.length > 1) throw new SyncError(`[${errors.join(', ')}]`);
  }

  /** The members in the operator's order; throws what the sync fails with (the status is written either way). */
  private syncMembers(tc: KubeObject, status: ClusterStatus): void {
    const where = `${tc.metadata.namespace}/${tc.metadata.name}`;
    for (const obj of discovery(tc)) this.ensure(tc, obj.kind === 'Deployment' ? 'deployments.apps' : obj.kind === 'Service' ? 'services' : 'serviceaccounts', obj);
    for (const c of COMPONENTS) {
      if (!specOf(tc)[c]) continue;
      const before = this.componentStatus(tc, c, status[c]);
      status[c] = before;
      if (c === 'tikv' && !this.pdAvailable(tc, status.pd)) throw new SyncError(`TidbCluster: [${where}], waiting for PD cluster running`, true);
      if (c === 'tidb' && specOf(tc).tikv && !this.tikvAvailable(status.tikv)) throw new SyncError(`TidbCluster: [${where}], waiting for TiKV cluster running`, true);
      for (const svc of services(tc, c)) this.ensure(tc, 'services', svc);
      this.ensure(tc, 'configmaps', configMap(tc, c));
      this.syncStatefulSet(tc, c, before);
      status[c] = { ...this.componentStatus(tc, c, before), phase: before.phase };
    }
    this.checkVolumes(tc, status);
  }

  private syncCluster(tc: KubeObject): void {
    const ns = String(tc.metadata.namespace);
    const name = String(tc.metadata.name);
    const previous = (tc.status ?? {}) as ClusterStatus;
    const status: ClusterStatus = { ...previous };
    let failure: unknown;
    try {
      this.syncMembers(tc, status);
    } catch (e) {
      failure = e;
    }
    status.conditions = [this.readyCondition(tc, status, previous.conditions?.find((c) => c.type === 'Ready'))];
    if (JSON.stringify(status) !== JSON.stringify(previous)) {
      this.client.take(1);
      try {
        const latest = this.store.get(TC_RESOURCE, ns, name);
        if (latest) this.store.updateStatus(TC_RESOURCE, { ...clone(latest), status });
      } catch (e) {
        failure ??= e;
      }
    }
    if (failure) throw failure instanceof Error ? failure : new Error(errorText(failure));
    // Still scaling: the next step comes with the next sync.
    if (COMPONENTS.some((c) => status[c]?.phase === 'Scale')) this.enqueue(`${ns}/${name}`, 0);
    else if (COMPONENTS.some((c) => status[c]?.phase === 'Upgrade')) this.enqueue(`${ns}/${name}`, 1000);
  }
}
