/**
 * The app-level state that faults change and fixes restore, shared by every app container behaviour of one twin:
 * Mongo users per data volume (persisting where the real data would persist), consul registrations per consul
 * instance, what each container instance is (binary, ports, whether it serves), and the wrk2 runs (the load windows).
 * Derived from the store and from exec'd commands; deterministic given the clock.
 */
import type { ContainerContext, KubeObject, ObjectStore } from '../contracts';

export interface AppClock {
  now(): number;
  /** The twin's clocks schedule in cluster time; a clock without it makes retry loops decide at start instead. */
  setTimeout?(fn: () => void, delayMs: number): unknown;
}

export interface MongoRole {
  role: string;
  db: string;
}

export interface MongoUser {
  user: string;
  db: string;
  pwd: string;
  roles: MongoRole[];
  /** Deterministic user id (UUID text). */
  userId: string;
}

/** One Mongo data directory: survives container restarts; with a PV also pod replacement. */
export interface MongoData {
  key: string;
  initialized: boolean;
  users: MongoUser[];
  /** Output of the init scripts (printed by the mongod container that runs them). */
  initLines?: string[];
  initLogged?: boolean;
}

export interface Registration {
  /** The registering pod (its IP may not be known yet when it registers). */
  podUid?: string;
  name: string;
  id: string;
  address: string;
  port: number;
  atMs: number;
}

/** What one container instance runs, recorded when it starts. */
export interface InstanceInfo {
  podUid: string;
  podName: string;
  namespace: string;
  container: string;
  image: string;
  /** The program (hotel binary, C++ service, mongod, …). */
  binary: string;
  /** Ports the process listens on once up (empty while it cannot serve). */
  ports: number[];
  /** Serving from this instant (Infinity when it never serves). */
  servingFromMs: number;
  /** Stops serving at this instant (process exit), if known. */
  servingUntilMs?: number;
  /** When its serving may change next without a cluster change (a retry loop's next try), if pending. */
  reviewAtMs?: number;
  startMs: number;
  extra?: Record<string, unknown>;
}

export interface Wrk2Run {
  podUid: string;
  namespace: string;
  startMs: number;
  durationMs: number;
  rate: number;
  url: string;
  /** Namespace and Service the URL points at. */
  targetNamespace?: string;
  targetService?: string;
  script?: string;
}

export interface SimHooks {
  /**
   * Optional: per-request outcomes of a wrk2 run from the request simulation (`wrk2OracleFor(telemetry)` in
   * src/twin/telemetry); when it answers, the wrk2 report uses it instead of the behaviours' own model.
   */
  wrk2Oracle?(world: unknown, run: { targetNamespace?: string; startMs: number; rate: number }, index: number): { status: number; bytes: number; latencyMs: number } | undefined;
  /** Optional: failed calls as the request simulator saw them (not used yet: callers' lines come from the behaviours' own view). */
  callErrors?(namespace: string, sinceMs: number): Array<{ caller: string; callee: string; message: string; count: number; firstMs: number; lastMs: number }>;
}

/** An init container looping `until nc -z host port` whose target did not answer when it started. */
export interface WaitLoop {
  namespace: string;
  pod: string;
  podUid: string;
  container: string;
  host: string;
  port: number;
  /** The line `nc -v` prints once the port answers. */
  openLine?: (ip: string) => string;
}

export class AppWorld {
  /** Wait loops to finish when their target comes up (needs `killContainer`). */
  readonly waitLoops: WaitLoop[] = [];
  /** Ends a running container from outside (the cluster's killContainer), when the twin provides it. */
  killContainer?: (namespace: string, pod: string, container: string, exitCode?: number, reason?: string) => boolean;
  readonly mongo = new Map<string, MongoData>();
  /** namespace → consul pod uid → registrations. */
  private readonly consul = new Map<string, { podUid: string; regs: Registration[] }>();
  readonly instances = new Map<string, InstanceInfo>();
  readonly byContext = new WeakMap<ContainerContext, InstanceInfo>();
  readonly wrk2: Wrk2Run[] = [];
  /** Lines other actors cause in a container's log (a client authenticating in mongod's log), by pod uid/container. */
  private readonly injected = new Map<string, Array<{ ms: number; text: string }>>();
  private seq = 0;

  constructor(
    readonly store: ObjectStore,
    readonly clock: AppClock,
    readonly sim: SimHooks = {},
  ) {}

  now(): number {
    return this.clock.now();
  }

  /** A deterministic UUID-looking id. */
  uuid(seed: string): string {
    const h = hex(`${seed}/${this.seq++}`, 32);
    return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
  }

  record(ctx: ContainerContext, info: Omit<InstanceInfo, 'podUid' | 'podName' | 'namespace' | 'container' | 'image' | 'startMs'> & { startMs?: number }): InstanceInfo {
    const full: InstanceInfo = {
      podUid: ctx.pod.metadata.uid ?? '',
      podName: ctx.pod.metadata.name ?? '',
      namespace: ctx.namespace,
      container: ctx.containerName,
      image: ctx.image,
      startMs: info.startMs ?? this.now(),
      ...info,
    };
    this.instances.set(`${full.podUid}/${ctx.containerName}`, full);
    this.byContext.set(ctx, full);
    return full;
  }

  /** The clock schedules in cluster time (the twin's clocks do): retry loops can run try by try. */
  get canSchedule(): boolean {
    return this.clock.setTimeout !== undefined;
  }

  /** Runs `fn` after `ms` of cluster time (when `canSchedule`). */
  later(ms: number, fn: () => void): void {
    this.clock.setTimeout?.(fn, ms);
  }

  /** Is this still the process of its container (not replaced by a restart, its pod not deleted)? */
  isCurrent(info: InstanceInfo): boolean {
    const pod = this.store.get('pods', info.namespace, info.podName);
    return this.instances.get(`${info.podUid}/${info.container}`) === info && pod?.metadata.uid === info.podUid && !pod.metadata.deletionTimestamp;
  }

  instanceOf(pod: KubeObject, container: string): InstanceInfo | undefined {
    return this.instances.get(`${pod.metadata.uid ?? ''}/${container}`);
  }

  /** Adds a line to a container's log at `ms` (shown when its log is read for that instant). */
  inject(podUid: string, container: string, ms: number, text: string): void {
    const k = `${podUid}/${container}`;
    const list = this.injected.get(k) ?? [];
    list.push({ ms, text });
    if (list.length > 5000) list.splice(0, list.length - 5000);
    this.injected.set(k, list);
  }

  /** Takes the injected lines due before `toMs` (each line shows once, in the instance that reads it first). */
  takeInjected(podUid: string, container: string, toMs: number): string[] {
    const k = `${podUid}/${container}`;
    const list = this.injected.get(k) ?? [];
    const due = list.filter((l) => l.ms < toMs).sort((a, b) => a.ms - b.ms);
    if (due.length) this.injected.set(k, list.filter((l) => l.ms >= toMs));
    return due.map((l) => l.text);
  }

  // ------------------------------------------------------------------ consul

  private consulFor(namespace: string): { podUid: string; regs: Registration[] } | undefined {
    const pod = this.store
      .list('pods', namespace)
      .find((p) => ((p.spec?.containers ?? []) as any[]).some((c) => /(^|\/)consul(:|$)/.test(String(c.image ?? ''))) && !p.metadata.deletionTimestamp);
    if (!pod) return undefined;
    let entry = this.consul.get(namespace);
    if (!entry || entry.podUid !== pod.metadata.uid) {
      entry = { podUid: pod.metadata.uid ?? '', regs: [] };
      this.consul.set(namespace, entry);
    }
    return entry;
  }

  register(namespace: string, reg: Registration): boolean {
    const c = this.consulFor(namespace);
    if (!c) return false;
    c.regs = c.regs.filter((r) => r.id !== reg.id);
    c.regs.push(reg);
    return true;
  }

  registrations(namespace: string, name?: string): Registration[] {
    const regs = this.consulFor(namespace)?.regs ?? [];
    for (const r of regs) {
      if (r.address || !r.podUid) continue;
      const pod = this.store.list('pods', namespace).find((p) => p.metadata.uid === r.podUid);
      if (pod?.status?.podIP) r.address = pod.status.podIP;
    }
    return name ? regs.filter((r) => r.name === name) : [...regs];
  }

  // ------------------------------------------------------------------ mongo data

  mongoData(key: string): MongoData {
    let d = this.mongo.get(key);
    if (!d) {
      d = { key, initialized: false, users: [] };
      this.mongo.set(key, d);
    }
    return d;
  }
}

export function hex(text: string, len: number): string {
  let out = '';
  let h = 0x811c9dc5;
  for (let round = 0; out.length < len; round++) {
    for (let i = 0; i < text.length; i++) {
      h ^= text.charCodeAt(i);
      h = Math.imul(h, 0x01000193) >>> 0;
    }
    h ^= round;
    h = Math.imul(h, 0x01000193) >>> 0;
    out += h.toString(16).padStart(8, '0');
  }
  return out.slice(0, len);
}
