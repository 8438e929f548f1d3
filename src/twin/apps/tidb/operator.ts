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
/* eslint-disable @typescript-eslint/no-explicit-any */
import type { KubeObject, ObjectStore } from '../../contracts';
import type { Clock } from '../../cluster/clock';
import { EventRecorder } from '../../cluster/events';
import { clone } from '../../cluster/util';
import { COMPONENTS, configMap, desiredReplicas, discovery, imageOf, labelsOf, services, statefulSet, TC_RESOURCE, type Component } from './members';
import { OperatorLog } from './operator-log';

const STS = 'statefulsets.apps';
const LAST_APPLIED = 'pingcap.com/last-applied-configuration';
const SOURCE = { component: 'tidb-controller-manager' };
/** client-go's default per-item back-off of the work queue. */
const BACKOFF_BASE_MS = 5;
const BACKOFF_MAX_MS = 1000_000;
/** The operator's API client (kubeClientQPS 5, burst 10: the chart's defaults). */
const QPS = 5;
const BURST = 10;
/**
 * Every sync asks each TiDB member for its health (an HTTP call to its status port), so a sync takes longer as the
 * TiDB StatefulSet grows: this long per member. It paces a runaway scale-out the way it slows on a real cluster.
 */
const MEMBER_PROBE_MS = 10;
/** Informer resync of the controller manager. */
const RESYNC_MS = 30_000;

class SyncError extends Error {
  constructor(message: string, readonly requeue = false) {
    super(message);
  }
}

function errorText(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/** The StatefulSet fields the operator manages, as it records them in its last-applied annotation. */
function lastApplied(spec: any): string {
  return JSON.stringify({ replicas: spec.replicas, template: spec.template, updateStrategy: spec.updateStrategy });
}

function parseApplied(text: string | undefined): any {
  try {
    return text ? JSON.parse(text) : {};
  } catch {
    return {};
  }
}

function isOperatorPod(pod: KubeObject): boolean {
  return ((pod.spec?.containers ?? []) as any[]).some((c) => /(^|\/)pingcap\/tidb-operator:/.test(String(c.image)) && (c.command ?? []).some((a: string) => a.includes('tidb-controller-manager')));
}

function running(pod: KubeObject, container?: string): boolean {
  if (pod.metadata.deletionTimestamp || pod.status?.phase !== 'Running') return false;
  return ((pod.status?.containerStatuses ?? []) as any[]).filter((s) => !container || s.name === container).some((s) => s.state?.running);
}

export interface TidbOperator {
  log: OperatorLog;
  stop(): void;
}

export function startTidbOperator(store: ObjectStore, clock: Clock): TidbOperator {
  const events = new EventRecorder(store, clock);
  const log = new OperatorLog(clock);
  const timers = new Map<string, { at: number; handle: number }>();
  const failures = new Map<string, number>();
  /** Until when a cluster's last sync was still probing its members (the next one starts after it). */
  const busyUntil = new Map<string, number>();
  let tokens = BURST;
  let tokensAt = clock.now();
  let stopped = false;
  let wasRunning = false;

  const operatorRunning = () => store.list('pods').some((p) => isOperatorPod(p) && running(p));

  function take(n: number): void {
    const now = clock.now();
    tokens = Math.min(BURST, tokens + ((now - tokensAt) / 1000) * QPS) - n;
    tokensAt = now;
  }
  /** How long until the client may send its next request. */
  function throttleMs(): number {
    const now = clock.now();
    const available = Math.min(BURST, tokens + ((now - tokensAt) / 1000) * QPS);
    return available >= 1 ? 0 : Math.ceil(((1 - available) / QPS) * 1000);
  }

  function enqueue(key: string, delayMs = 0): void {
    if (stopped) return;
    const at = clock.now() + delayMs;
    const pending = timers.get(key);
    if (pending && pending.at <= at) return;
    if (pending) clock.clearTimeout(pending.handle);
    timers.set(key, { at, handle: clock.setTimeout(() => { timers.delete(key); process(key); }, delayMs) });
  }

  /** TidbClusters exist only once their CRD is installed (the store refuses an unknown resource type). */
  const served = () => store.resourceTypes().some((t) => t.resource === 'tidbclusters' && t.group === 'pingcap.com');

  function enqueueAll(): void {
    if (!served()) return;
    for (const tc of store.list(TC_RESOURCE)) enqueue(`${tc.metadata.namespace}/${tc.metadata.name}`);
  }

  function process(key: string): void {
    if (stopped || !served() || !operatorRunning()) return;
    const wait = Math.max(throttleMs(), (busyUntil.get(key) ?? 0) - clock.now());
    if (wait > 0) return enqueue(key, wait);
    const [namespace, name] = key.split('/');
    const tc = store.get(TC_RESOURCE, namespace, name);
    if (!tc || tc.metadata.deletionTimestamp) {
      busyUntil.delete(key);
      return;
    }
    const members = Number(store.get(STS, namespace, `${name}-tidb`)?.spec?.replicas ?? 0);
    busyUntil.set(key, clock.now() + members * MEMBER_PROBE_MS);
    try {
      syncCluster(clone(tc));
      failures.delete(key);
    } catch (e) {
      const n = failures.get(key) ?? 0;
      failures.set(key, n + 1);
      if (e instanceof SyncError && e.requeue) log.info('tidb_cluster_controller.go:145', `TidbCluster: ${key}, still need sync: ${e.message}, requeuing`);
      else log.error('tidb_cluster_controller.go:147', `TidbCluster: ${key}, sync failed ${errorText(e)}, requeuing`);
      enqueue(key, Math.min(BACKOFF_MAX_MS, BACKOFF_BASE_MS * 2 ** n));
    }
  }

  function record(tc: KubeObject, type: 'Normal' | 'Warning', reason: string, message: string): void {
    take(1);
    events.record(tc, type, reason, message, SOURCE);
    log.info('event.go:364', `Event(v1.ObjectReference{Kind:"TidbCluster", Namespace:"${tc.metadata.namespace}", Name:"${tc.metadata.name}", UID:"${tc.metadata.uid}", APIVersion:"pingcap.com/v1alpha1", ResourceVersion:"${tc.metadata.resourceVersion}", FieldPath:""}): type: '${type}' reason: '${reason}' ${message}`);
  }

  /** Creates an object the operator owns unless it exists (Services, ConfigMaps, the discovery objects). */
  function ensure(tc: KubeObject, resource: string, obj: KubeObject): void {
    if (store.get(resource, obj.metadata.namespace, String(obj.metadata.name))) return;
    take(1);
    try {
      store.create(resource, obj);
      record(tc, 'Normal', 'SuccessfulCreate', `create ${obj.kind} ${obj.metadata.name} in TidbCluster ${tc.metadata.name} successful`);
    } catch (e) {
      record(tc, 'Warning', 'FailedCreate', `create ${obj.kind} ${obj.metadata.name} in TidbCluster ${tc.metadata.name} failed error: ${errorText(e)}`);
      throw e;
    }
  }

  function podsOf(tc: KubeObject, component: string): KubeObject[] {
    const labels = labelsOf(tc, component);
    return store.list('pods', tc.metadata.namespace).filter((p) => Object.entries(labels).every(([k, v]) => p.metadata.labels?.[k] === v));
  }

  /** The StatefulSet step of one component: create it, or move it one replica towards the TidbCluster and apply its template. */
  function syncStatefulSet(tc: KubeObject, component: Component, status: any): void {
    const key = `${tc.metadata.namespace}/${tc.metadata.name}`;
    const want = statefulSet(tc, component);
    const existing = store.get(STS, tc.metadata.namespace, String(want.metadata.name));
    if (!existing) {
      want.metadata.annotations = { [LAST_APPLIED]: lastApplied(want.spec) };
      take(1);
      try {
        store.create(STS, want);
      } catch (e) {
        record(tc, 'Warning', 'FailedCreate', `create StatefulSet ${want.metadata.name} in TidbCluster ${tc.metadata.name} failed error: ${errorText(e)}`);
        throw e;
      }
      record(tc, 'Normal', 'SuccessfulCreate', `create StatefulSet ${want.metadata.name} in TidbCluster ${tc.metadata.name} successful`);
      status.phase = 'Normal';
      return;
    }
    const current = Number(existing.spec?.replicas ?? 0);
    const target = Number(want.spec.replicas);
    let replicas = current;
    if (target > current) {
      replicas = current + 1;
      status.phase = 'Scale';
      log.info(`${component}_scaler.go:68`, `scaling out ${component} statefulset ${existing.metadata.namespace}/${existing.metadata.name}, ordinal: [${current}] (replicas: ${replicas}, scale out parallelism: 1, delete slots: [])`);
      log.info('scaler.go:216', `scale statefulset: ordinals: [${current}], finishedOrdinals: [${current}], StatefulSet: ${existing.metadata.namespace}/${existing.metadata.name}`);
    } else if (target < current) {
      replicas = current - 1;
      status.phase = 'Scale';
      log.info(`${component}_scaler.go:131`, `scaling in ${component} statefulset ${existing.metadata.namespace}/${existing.metadata.name}, ordinal: [${replicas}] (replicas: ${replicas}, scale in parallelism: 1, delete slots: [])`);
    }
    const before = parseApplied(existing.metadata.annotations?.[LAST_APPLIED]);
    const templateChanged = JSON.stringify(before.template) !== JSON.stringify(want.spec.template);
    if (templateChanged && replicas === current) status.phase = 'Upgrade';
    const strategy = clone(want.spec.updateStrategy);
    if (strategy.rollingUpdate) strategy.rollingUpdate.partition = templateChanged ? 0 : replicas;
    const next = clone(existing);
    next.spec.replicas = replicas;
    next.spec.updateStrategy = strategy;
    next.spec.template = want.spec.template;
    const applied = lastApplied(next.spec);
    next.metadata.annotations = { ...(existing.metadata.annotations ?? {}), [LAST_APPLIED]: applied, 'tidb.pingcap.com/owner-generation': String(tc.metadata.generation ?? 1) };
    const rolledOut = !existing.status?.updateRevision || existing.status.currentRevision === existing.status.updateRevision;
    // Compared with what was last applied, as the operator does: the stored spec carries the API server's defaults.
    if (applied === existing.metadata.annotations?.[LAST_APPLIED]) {
      if (replicas === target && rolledOut) status.phase = 'Normal';
      return;
    }
    take(1);
    try {
      store.update(STS, next);
    } catch (e) {
      record(tc, 'Warning', 'FailedUpdate', `update StatefulSet ${existing.metadata.name} in TidbCluster ${tc.metadata.name} failed error: ${errorText(e)}`);
      throw e;
    }
    record(tc, 'Normal', 'SuccessfulUpdate', `update StatefulSet ${existing.metadata.name} in TidbCluster ${tc.metadata.name} successful`);
    if (replicas === target && !templateChanged && rolledOut) status.phase = 'Normal';
  }

  /** The component's status block: image, StatefulSet status, members and their health. */
  function componentStatus(tc: KubeObject, component: Component, previous: any): any {
    const sts = store.get(STS, tc.metadata.namespace, `${tc.metadata.name}-${component}`);
    const status: any = { phase: previous?.phase ?? 'Normal', image: imageOf(tc, component) };
    if (!sts) return status;
    const s = sts.status ?? {};
    status.statefulSet = {
      replicas: s.replicas ?? 0, readyReplicas: s.readyReplicas ?? 0, currentReplicas: s.currentReplicas ?? 0, updatedReplicas: s.updatedReplicas ?? 0,
      currentRevision: s.currentRevision, updateRevision: s.updateRevision, observedGeneration: s.observedGeneration, collisionCount: 0, availableReplicas: s.availableReplicas ?? 0,
    };
    const pods = podsOf(tc, component).sort((a, b) => String(a.metadata.name).localeCompare(String(b.metadata.name), undefined, { numeric: true }));
    const peer = `${tc.metadata.name}-${component}-peer`;
    if (component === 'pd') {
      status.members = Object.fromEntries(pods.map((p, i) => [p.metadata.name, { name: p.metadata.name, id: String(1000 + i), clientURL: `http://${p.metadata.name}.${peer}.${tc.metadata.namespace}.svc:2379`, health: running(p, 'pd') }]));
      status.leader = Object.values(status.members).find((m: any) => m.health) ?? {};
      status.synced = true;
    } else if (component === 'tikv') {
      status.stores = Object.fromEntries(pods.filter((p) => p.status?.podIP || running(p, 'tikv')).map((p, i) => [String(i + 1), { id: String(i + 1), podName: p.metadata.name, ip: `${p.metadata.name}.${peer}.${tc.metadata.namespace}.svc`, state: running(p, 'tikv') ? 'Up' : 'Down' }]));
      status.synced = true;
    } else {
      status.members = Object.fromEntries(pods.filter((p) => p.spec?.nodeName).map((p) => [p.metadata.name, { name: p.metadata.name, health: ((p.status?.containerStatuses ?? []) as any[]).some((c) => c.name === 'tidb' && c.ready), node: p.spec?.nodeName }]));
    }
    return status;
  }

  function pdAvailable(status: any, tc: KubeObject): boolean {
    const members = Object.values(status.members ?? {}) as any[];
    const lower = Math.floor(desiredReplicas(tc, 'pd') / 2) + 1;
    return members.length >= lower && members.filter((m) => m.health).length >= lower && (status.statefulSet?.readyReplicas ?? 0) >= lower;
  }

  function tikvAvailable(status: any): boolean {
    return (Object.values(status.stores ?? {}) as any[]).some((s) => s.state === 'Up') && (status.statefulSet?.readyReplicas ?? 0) >= 1;
  }

  function readyCondition(tc: KubeObject, status: any): Record<string, string> {
    const upToDate = COMPONENTS.every((c) => !status[c]?.statefulSet || status[c].statefulSet.currentRevision === status[c].statefulSet.updateRevision);
    const allHealthy = (c: Component, count: number) => count === desiredReplicas(tc, c);
    const pd = Object.values(status.pd?.members ?? {}) as any[];
    const stores = Object.values(status.tikv?.stores ?? {}) as any[];
    const tidb = Object.values(status.tidb?.members ?? {}) as any[];
    const [reason, message] =
      !upToDate ? ['StatefulSetNotUpToDate', 'Statefulset(s) are in progress']
        : !(allHealthy('pd', pd.length) && pd.every((m) => m.health)) ? ['PDUnhealthy', 'PD(s) are not healthy']
          : !(allHealthy('tikv', stores.length) && stores.every((s) => s.state === 'Up')) ? ['TiKVStoreNotUp', 'TiKV store(s) are not up']
            : !(allHealthy('tidb', tidb.length) && tidb.every((m) => m.health)) ? ['TiDBUnhealthy', 'TiDB(s) are not healthy']
              : ['Ready', 'TiDB cluster is fully up and running'];
    const previous = ((tc.status?.conditions ?? []) as any[]).find((c) => c.type === 'Ready');
    const state = reason === 'Ready' ? 'True' : 'False';
    const now = new Date(clock.now()).toISOString().replace(/\.\d+Z$/, 'Z');
    return {
      type: 'Ready', status: state, reason, message,
      lastUpdateTime: previous?.reason === reason ? previous.lastUpdateTime : now,
      lastTransitionTime: previous?.status === state ? previous.lastTransitionTime : now,
    };
  }

  /** The volume modifier's check that runs after every member sync: each storage class named must exist. */
  function checkVolumes(tc: KubeObject, status: any): void {
    const scServed = store.resourceTypes().some((t) => t.resource === 'storageclasses' && t.group === 'storage.k8s.io');
    const errors: string[] = [];
    for (const c of COMPONENTS) {
      const id = `${tc.metadata.namespace}/${tc.metadata.name}:${c}`;
      const sc = tc.spec?.[c]?.storageClassName;
      if (sc && scServed && !store.get('storageclasses.storage.k8s.io', undefined, sc)) {
        errors.push(`build ctx used by modifier for ${id} failed: cannot get sc ${sc}`);
        continue;
      }
      if (status[c] && status[c].phase !== 'Normal') errors.push(`modify volumes for ${id} failed: component phase is not Normal`);
    }
    if (errors.length === 1) throw new SyncError(errors[0]);
    if (errors.length > 1) throw new SyncError(`[${errors.join(', ')}]`);
  }

  function syncCluster(tc: KubeObject): void {
    const ns = String(tc.metadata.namespace);
    const name = String(tc.metadata.name);
    const status: any = { ...(tc.status ?? {}) };
    const before = JSON.stringify(tc.status ?? {});
    let failure: unknown;
    try {
      for (const obj of discovery(tc)) ensure(tc, obj.kind === 'Deployment' ? 'deployments.apps' : obj.kind === 'Service' ? 'services' : 'serviceaccounts', obj);
      for (const c of COMPONENTS) {
        if (!tc.spec?.[c]) continue;
        status[c] = componentStatus(tc, c, status[c]);
        if (c === 'tikv' && !pdAvailable(status.pd ?? {}, tc)) throw new SyncError(`TidbCluster: [${ns}/${name}], waiting for PD cluster running`, true);
        if (c === 'tidb' && tc.spec?.tikv && !tikvAvailable(status.tikv ?? {})) throw new SyncError(`TidbCluster: [${ns}/${name}], waiting for TiKV cluster running`, true);
        for (const svc of services(tc, c)) ensure(tc, 'services', svc);
        ensure(tc, 'configmaps', configMap(tc, c));
        syncStatefulSet(tc, c, status[c]);
        status[c] = { ...componentStatus(tc, c, status[c]), phase: status[c].phase };
      }
      checkVolumes(tc, status);
    } catch (e) {
      failure = e;
    }
    status.conditions = [readyCondition(tc, status)];
    if (JSON.stringify(status) !== before) {
      take(1);
      try {
        const latest = store.get(TC_RESOURCE, ns, name);
        if (latest) store.updateStatus(TC_RESOURCE, { ...clone(latest), status });
      } catch (e) {
        failure ??= e;
      }
    }
    if (failure) throw failure;
    // Still scaling: the next step comes with the next sync.
    if (COMPONENTS.some((c) => status[c]?.phase === 'Scale')) enqueue(`${ns}/${name}`, 0);
    else if (COMPONENTS.some((c) => status[c]?.phase === 'Upgrade')) enqueue(`${ns}/${name}`, 1000);
  }

  const unsubscribe = store.subscribe((e) => {
    if (stopped) return;
    if (e.resource === TC_RESOURCE) return enqueue(`${e.object.metadata.namespace}/${e.object.metadata.name}`, 50);
    if (e.resource === 'pods' && isOperatorPod(e.object)) {
      const now = operatorRunning();
      if (now && !wasRunning) {
        log.start();
        enqueueAll();
      }
      wasRunning = now;
      return;
    }
    if (e.resource !== 'pods' && e.resource !== STS && e.resource !== 'storageclasses.storage.k8s.io') return;
    const instance = e.object.metadata.labels?.['app.kubernetes.io/instance'];
    if (e.object.metadata.labels?.['app.kubernetes.io/managed-by'] === 'tidb-operator' && instance) enqueue(`${e.object.metadata.namespace}/${instance}`, 100);
    else if (e.resource === 'storageclasses.storage.k8s.io') enqueueAll();
  });
  let resync = 0;
  const tick = () => {
    if (stopped) return;
    enqueueAll();
    resync = clock.setTimeout(tick, RESYNC_MS);
  };
  resync = clock.setTimeout(tick, RESYNC_MS);

  return {
    log,
    stop() {
      stopped = true;
      unsubscribe();
      clock.clearTimeout(resync);
      for (const t of timers.values()) clock.clearTimeout(t.handle);
      timers.clear();
    },
  };
}
