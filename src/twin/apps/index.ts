/**
 * The app containers' behaviours, registered by image in the cluster half's behaviour registry:
 *
 *   const { world, unregister } = registerAppBehaviours(cluster.behaviours, { store, clock: cluster.clock });
 *
 * One `AppWorld` per twin holds the app-level state faults change (Mongo users per volume, consul registrations,
 * load windows); every behaviour reads the rest from the store at the instant it acts.
 */
import { watchDiskFaults } from './disk';
import { registerTidb } from './tidb/index';
import type { Clock } from '../cluster/clock';
import type { ContainerBehaviour, KubeObject, ObjectStore } from '../contracts';
import type { BehaviourRegistry } from '../cluster/behaviours';
import { hotelBehaviour, hotelFrontendAnswer, HOTEL } from './hotel';
import { busyboxBehaviour, recheckWaitLoops, consulBehaviour, gitBehaviour, jaegerBehaviour, memcachedBehaviour, redisBehaviour } from './infra';
import { mongoBehaviour } from './mongo';
import { socialBehaviour, socialFrontendBehaviour, socialOracle, socialResponder } from './social';
import { astronomyBehaviour, flagdBehaviour } from './astronomy';
import { addResponder, type Responder } from './tools';
import { addWrk2Oracle, wrk2Behaviour, type Wrk2Oracle } from './wrk2';
import { hex, AppWorld, type AppClock, type SimHooks } from './world';


const hotelResponder: Responder = (w, pod, port, _method, path) => {
  const ctr = ((pod.spec?.containers ?? []) as any[]).find((c) => /yinfangchen\/(hotelreservation|geo)/.test(String(c.image ?? '')));
  if (!ctr) return undefined;
  const bin = String((ctr.command ?? [])[0] ?? '');
  if (bin === 'frontend' && port === 5000) return hotelFrontendAnswer(w, pod.metadata.namespace ?? '', path);
  if (HOTEL[bin]) return { curlExit: 1, curlText: 'curl: (1) Received HTTP/0.9 when not allowed' };
  return undefined;
};

const storeResponder: Responder = (_w, pod, port) => {
  const img = ((pod.spec?.containers ?? []) as any[]).map((c) => String(c.image ?? '')).join(' ');
  if (/mongo:/.test(img) && port === 27017) return { status: 200, body: 'It looks like you are trying to access MongoDB over HTTP on the native driver port.\n' };
  if (/memcached|redis|valkey/.test(img)) return { curlExit: 52, curlText: 'curl: (52) Empty reply from server' };
  return undefined;
};

/** wrk2 into the hotel frontend: mixed-workload_type_1 (search 60 %, recommend 39 %, login 0.5 %, reserve 0.5 %). */
const hotelOracle: Wrk2Oracle = (w, run, i) => {
  if (!run.targetNamespace || run.targetService !== 'frontend') return undefined;
  const ns = run.targetNamespace;
  const isFrontend = w.store.list('pods', ns).some((p) => ((p.spec?.containers ?? []) as any[]).some((c) => (c.command ?? [])[0] === 'frontend' && /hotelreservation/.test(String(c.image))));
  if (!isFrontend) return undefined;
  const x = (parseInt(hex(`${run.podUid}/${i}/mix`, 6), 16) % 1000) / 1000;
  const path = x < 0.6 ? '/hotels' : x < 0.99 ? '/recommendations' : x < 0.995 ? '/user' : '/reservation';
  const a = hotelFrontendAnswer(w, ns, path);
  const jitter = (parseInt(hex(`${run.podUid}/${i}/lat`, 6), 16) % 1000) / 1000;
  return { status: a.status, bytes: a.body.length, latencyMs: a.status >= 500 ? 0.9 + jitter * 0.8 : 2.1 + jitter * 3.2 };
};

/**
 * What the processes of a pod listen on now, as the behaviours know it (for the request simulation's
 * `ListeningPorts` option): undefined when no app behaviour runs in the pod.
 */
/** What a pod's processes listen on at `nowMs`; `noteChange` learns when that answer will change by itself. */
export type ListeningFn = (pod: KubeObject, nowMs: number, noteChange?: (atMs: number) => void) => number[] | undefined;

export function listeningPorts(world: AppWorld): ListeningFn {
  return (pod, nowMs, noteChange) => {
    let known = false;
    const ports: number[] = [];
    for (const c of (pod.spec?.containers ?? []) as any[]) {
      const info = world.instanceOf(pod, c.name);
      if (!info || info.image !== c.image) {
        ports.push(...((c.ports ?? []) as any[]).map((p) => Number(p.containerPort)));
        continue;
      }
      known = true;
      for (const t of [info.servingFromMs, info.servingUntilMs, info.reviewAtMs]) if (t !== undefined && t > nowMs && t !== Infinity) noteChange?.(t);
      if (nowMs >= info.servingFromMs && (info.servingUntilMs === undefined || nowMs < info.servingUntilMs)) ports.push(...info.ports);
    }
    return known ? ports : undefined;
  };
}

export { AppWorld } from './world';
export { stripAnsi } from './formats';

export interface AppBehaviourOptions {
  store: ObjectStore;
  clock: AppClock;
  sim?: SimHooks;
  /** The cluster's killContainer: lets init-container wait loops finish when their target comes up. */
  killContainer?: (namespace: string, pod: string, container: string, exitCode?: number, reason?: string) => boolean;
}

export interface AppBehaviours {
  world: AppWorld;
  /** For the request simulation (`startTelemetry({ listening })`): what each pod's processes listen on. */
  listening: ListeningFn;
  /** Connects the request simulation once it runs (e.g. `{ wrk2Oracle: wrk2OracleFor(telemetry) }`). */
  connectSim(hooks: SimHooks): void;
  unregister(): void;
}

/** Registers every app image's behaviour; later registrations win over the cluster half's defaults. */
export function registerAppBehaviours(registry: BehaviourRegistry, options: AppBehaviourOptions): AppBehaviours {
  const world = new AppWorld(options.store, options.clock, options.sim);
  world.killContainer = options.killContainer;
  const offs: Array<() => void> = [];
  // Wait loops re-check after changes of endpoints/pods (deferred: never inside the store's own notification).
  let pending = false;
  offs.push(
    options.store.subscribe((e) => {
      if (pending || world.waitLoops.length === 0 || !['endpoints', 'pods', 'services'].includes(e.resource)) return;
      pending = true;
      setImmediate(() => {
        pending = false;
        recheckWaitLoops(world);
      });
    }),
  );
  const reg = (pattern: string | RegExp, b: ContainerBehaviour) => offs.push(registry.register(pattern, b));
  const MONGO_IMAGE = /(^|\/)mongo:[^/]+$/;
  offs.push(watchDiskFaults(world, (image) => MONGO_IMAGE.test(image)));

  addResponder(hotelResponder);
  addResponder(storeResponder);
  addResponder(socialResponder);
  addWrk2Oracle(hotelOracle);
  addWrk2Oracle(socialOracle);

  reg('yinfangchen/hotelreservation:*', hotelBehaviour(world));
  reg('yinfangchen/geo:app3', hotelBehaviour(world, { mongoPort: 27777 }));
  reg(MONGO_IMAGE, mongoBehaviour(world));
  reg(/(^|\/)consul:[^/]+$/, consulBehaviour(world));
  reg(/(^|\/)jaegertracing\/all-in-one:[^/]+$/, jaegerBehaviour(world));
  reg(/(^|\/)memcached(:[^/]+)?$/, memcachedBehaviour(world));
  reg(/(^|\/)(redis|valkey)(:[^/]+)?$/, redisBehaviour(world));
  reg(/(^|\/)busybox(:[^/]+)?$/, busyboxBehaviour(world));
  reg(/(^|\/)alpine\/git(:[^/]+)?$/, gitBehaviour(world));
  reg(/(^|\/)deathstarbench\/social-network-microservices(:[^/]+)?$/, socialBehaviour(world));
  reg(/(^|\/)yg397\/(openresty-thrift|media-frontend)(:[^/]+)?$/, socialFrontendBehaviour(world));
  reg(/(^|\/)deathstarbench\/wrk2-client(:[^/]+)?$/, wrk2Behaviour(world));
  reg(/(^|\/)open-telemetry\/demo:[^/]+$/, astronomyBehaviour(world));
  reg(/(^|\/)open-feature\/flagd:[^/]+$/, flagdBehaviour(world));
  // The TiDB operator needs a scheduling clock (its work queue and back-off); without one it does not run.
  if (options.clock.setTimeout && 'clearTimeout' in options.clock) offs.push(registerTidb(registry, options.store, options.clock as Clock));

  return {
    world,
    listening: listeningPorts(world),
    connectSim: (hooks) => Object.assign(world.sim, hooks),
    unregister: () => {
      for (const off of offs.splice(0)) off();
    },
  };
}
