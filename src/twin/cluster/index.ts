/**
 * The cluster-behaviour half of the embedded Kubernetes cluster: nodes, controllers, scheduler, volume binding,
 * kubelet and container runtime, acting on the API server's ObjectStore only through its contract.
 *
 *   const cluster = startCluster(store, { clock: new ManualClock(), seed: 1 });
 *   cluster.registerBehaviour('mongo:4.4.6', mongoBehaviour);
 *   server.usePodRuntime(cluster.runtime);
 *   ...
 *   cluster.stop();
 */
import type { ContainerBehaviour, ObjectStore, PodRuntime, StoreEvent } from '../contracts';
import { BehaviourRegistry, type ImagePattern } from './behaviours';
import { CachedStore } from './cache';
import { ManualClock, RealClock, type Clock } from './clock';
import { DEFAULT_TIMING, type ClusterContext, type Timing } from './context';
import { DaemonSetController } from './daemonset';
import { DeploymentController } from './deployment';
import { EndpointsController } from './endpoints';
import { eventRouter } from './event-routing';
import { EventRecorder } from './events';
import { JobController } from './job';
import { Kubelet } from './kubelet';
import { defaultNodes, NodeManager, type NodeConfig } from './nodes';
import { WorkQueue } from './queue';
import { ReplicaSetController } from './replicaset';
import { ClusterRuntime } from './runtime';
import { Scheduler } from './scheduler';
import { StatefulSetController } from './statefulset';
import { createSystemComponents } from './system';
import { Random, storeErrorCode } from './util';
import { VolumeController } from './volumes';

export { BehaviourRegistry, type ImagePattern } from './behaviours';
export { ManualClock, RealClock, type Clock } from './clock';
export { DEFAULT_TIMING, type Timing } from './context';
export { defaultBehaviour } from './default-behaviour';
export { defaultNodes, type NodeConfig } from './nodes';
export { Shell, type ShellEnv, type ShellResult } from './shell';

const RESYNC_MS = 30_000;

export interface ClusterOptions {
  /** Cluster time. Default: the real clock. Tests pass a ManualClock and call advance(). */
  clock?: Clock;
  /** Seed for generated names (pod suffixes, slice names). Default 'aiopslab'. */
  seed?: number | string;
  /** Nodes to create when absent. Default: kind-control-plane (tainted) + kind-worker. */
  nodes?: NodeConfig[];
  /** Overrides of the simulated durations. */
  timing?: Partial<Timing>;
  /** A registry to share (e.g. created by the apps layer before the cluster starts). */
  behaviours?: BehaviourRegistry;
  /**
   * Create kind's system components (control-plane static pods, kindnet, kube-proxy, CoreDNS + kube-dns Service,
   * local-path-provisioner) so `kubectl get pods -A` looks like a fresh kind cluster. Default true.
   */
  systemComponents?: boolean;
  /**
   * kind's storage: the local-path-provisioner in namespace local-path-storage and the default StorageClass
   * `standard`. Default true; false leaves the cluster without a StorageClass until one is created (claims of a class
   * whose provisioner is rancher.io/local-path or openebs.io/local are then provisioned).
   */
  defaultStorage?: boolean;
  /** Where controller errors go. Default: console.error. */
  log?: (message: string) => void;
}

export interface Cluster {
  /** Logs, exec and usage of the simulated containers, for the API server's pods/log, pods/exec and metrics.k8s.io. */
  runtime: PodRuntime;
  /** The container behaviour registry. */
  behaviours: BehaviourRegistry;
  /** Shorthand for behaviours.register: the most recent matching registration wins. Returns an unregister function. */
  registerBehaviour(pattern: ImagePattern, behaviour: ContainerBehaviour): () => void;
  /** Images matching the pattern do not exist: their pods go ErrImagePull → ImagePullBackOff. */
  registerMissingImage(pattern: ImagePattern): () => void;
  /**
   * Kills a running container from outside the API (Chaos Mesh container-kill → exit 137 `Error`; an OOM kill →
   * 137 `OOMKilled`). The pod's restart policy and the crash-loop back-off apply. False if it is not running.
   */
  killContainer: (namespace: string, pod: string, container: string, exitCode?: number, reason?: string) => boolean;
  clock: Clock;
  /** Advances a ManualClock by `ms`, running every controller step due (throws with a real clock). */
  advance(ms: number): void;
  /** Processes all pending work at the current instant (ManualClock only). */
  settle(): void;
  /** Work items processed so far (benchmarks). */
  workDone(): number;
  stop(): void;
}

export function startCluster(apiStore: ObjectStore, options: ClusterOptions = {}): Cluster {
  const store = new CachedStore(apiStore);
  const ctx = clusterContext(store, apiStore, options);
  const { clock, queue } = ctx;
  const behaviours = options.behaviours ?? new BehaviourRegistry();
  const { volumes, scheduler, kubelet, daemonsets } = registerControllers(ctx, behaviours);
  const nodes = new NodeManager(ctx, options.nodes ?? defaultNodes());
  queue.register('node-lifecycle', (name) => nodes.syncUnschedulableTaint(name));
  registerPodGc(ctx);

  const onEvent = eventRouter(ctx, { scheduler, kubelet, daemonsets });
  const unsubscribe = store.subscribe(onEvent);

  nodes.start();
  volumes.start(options.defaultStorage !== false);
  if (options.systemComponents !== false) {
    const images = createSystemComponents(ctx, options.defaultStorage !== false);
    for (const n of store.list('nodes')) kubelet.preload(n.metadata.name ?? '', images);
  }
  // Adopt whatever the store already holds.
  for (const r of [...RESYNCED, 'pods']) {
    if (!ctx.serves(r)) continue;
    for (const o of store.list(r)) onEvent({ type: 'ADDED', resource: r, object: o });
  }
  const stopResync = startResync(ctx, onEvent);

  const manual = () => {
    if (!(clock instanceof ManualClock)) throw new Error('advance()/settle() need a ManualClock (startCluster(store, { clock: new ManualClock() }))');
    return clock;
  };

  return {
    runtime: new ClusterRuntime(ctx, kubelet),
    behaviours,
    registerBehaviour: (pattern, behaviour) => behaviours.register(pattern, behaviour),
    registerMissingImage: (pattern) => behaviours.registerMissingImage(pattern),
    killContainer: (namespace, pod, container, exitCode, reason) => kubelet.kill(namespace, pod, container, exitCode, reason),
    clock,
    advance: (ms) => manual().advance(ms),
    settle: () => manual().advance(0),
    workDone: () => queue.processed,
    stop: () => {
      stopResync();
      unsubscribe();
      store.close();
      queue.stop();
      nodes.stop();
      kubelet.stop();
      if (clock instanceof RealClock) clock.clearAll();
    },
  };
}

/** The controllers' shared context: the cached store, the clock, the work queue (conflicts retried, 404s dropped). */
function clusterContext(store: CachedStore, apiStore: ObjectStore, options: ClusterOptions): ClusterContext {
  const clock = options.clock ?? new RealClock();
  const log = options.log ?? ((m: string) => console.error(`[twin/cluster] ${m}`));
  const served = new Set(store.resourceTypes().map((t) => (t.group ? `${t.resource}.${t.group}` : t.resource)));
  const queue: WorkQueue = new WorkQueue(clock, (controller, key, error) => {
    const code = storeErrorCode(error);
    if (code === 409) {
      queue.addAfter(controller, key, 100);
      return;
    }
    if (code === 404) return;
    log(`${controller} ${key}: ${(error as Error)?.stack ?? String(error)}`);
  }, options.timing?.controllerLagMs ?? DEFAULT_TIMING.controllerLagMs);
  return {
    store,
    apiStore,
    clock,
    rng: new Random(options.seed ?? 'aiopslab'),
    queue,
    events: new EventRecorder(store, clock),
    timing: { ...DEFAULT_TIMING, ...(options.timing ?? {}) },
    serves: (r) => served.has(r),
    log,
  };
}

/** Creates the controllers and registers their work queues. */
function registerControllers(ctx: ClusterContext, behaviours: BehaviourRegistry) {
  const volumes = new VolumeController(ctx);
  const scheduler = new Scheduler(ctx, volumes);
  const kubelet = new Kubelet(ctx, behaviours);
  const deployments = new DeploymentController(ctx);
  const replicasets = new ReplicaSetController(ctx);
  const statefulsets = new StatefulSetController(ctx);
  const daemonsets = new DaemonSetController(ctx);
  const jobs = new JobController(ctx);
  const endpoints = new EndpointsController(ctx);
  // In this order: the work queue serves its controllers in the order they registered.
  for (const c of [volumes, scheduler, kubelet, deployments, replicasets, statefulsets, daemonsets, jobs, endpoints]) c.register();
  return { volumes, scheduler, kubelet, daemonsets };
}

/** Pod garbage collection: pods bound to a node that no longer exists are deleted at once. */
function registerPodGc(ctx: ClusterContext): void {
  const { store } = ctx;
  ctx.queue.register('pod-gc', (name) => {
    if (store.get('nodes', undefined, name)) return;
    for (const p of store.list('pods')) {
      if (p.spec?.nodeName !== name) continue;
      try {
        store.delete('pods', p.metadata.namespace, p.metadata.name ?? '', { gracePeriodSeconds: 0 });
      } catch (e) {
        if (storeErrorCode(e) !== 404) throw e;
      }
    }
  });
}

/** The resources resynced periodically (and adopted at start, with the pods). */
const RESYNCED = ['deployments.apps', 'replicasets.apps', 'statefulsets.apps', 'daemonsets.apps', 'jobs.batch', 'services'];

/** Periodic resync, as informers resync: a safety net for any change a controller was not told about. Returns its stop. */
function startResync(ctx: ClusterContext, onEvent: (e: StoreEvent) => void): () => void {
  const { clock, store } = ctx;
  let resyncTimer: number | undefined;
  const resync = () => {
    for (const r of RESYNCED) {
      if (!ctx.serves(r)) continue;
      for (const o of store.list(r)) onEvent({ type: 'MODIFIED', resource: r, object: o });
    }
    resyncTimer = clock.setTimeout(resync, RESYNC_MS);
  };
  resyncTimer = clock.setTimeout(resync, RESYNC_MS);
  return () => {
    if (resyncTimer !== undefined) clock.clearTimeout(resyncTimer);
  };
}
