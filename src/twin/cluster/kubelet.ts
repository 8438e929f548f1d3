/**
 * The kubelet simulation: for every pod bound to a node it mounts volumes (FailedMount when a ConfigMap/Secret is
 * missing), gives the pod an IP from the node's pod CIDR, runs init containers in order and then the app containers
 * through Pulling → Pulled → Created → Started, applies readiness/liveness probes, restarts exited containers with
 * the real crash-loop back-off (0, 10 s, 20 s, 40 s … capped at 5 min, reset after 10 min of running), fails pulls
 * into ErrImagePull → ImagePullBackOff, restarts a container whose spec changed, and finishes graceful deletion.
 * What a container does is decided by its behaviour (see behaviours.ts). It writes pod status and Events like the
 * real kubelet.
 */
import type { ContainerBehaviour, ContainerContext, ContainerStartOutcome, KubeObject } from '../contracts';
import type { BehaviourRegistry } from './behaviours';
import { buildEnv, buildFiles, expandVars, mountError } from './container-context';
import type { ClusterContext } from './context';
import { deleteObject, peek, setCondition, writeStatus } from './context';
import { defaultPullPolicy, imageID, imageSize, isValidImageReference, normalizeImage } from './images';
import { ContainerLog, type LogInstance } from './logs';
import { qosClass } from './resources';
import { bytesOf, hashableJson, clone, fnv32a, goDuration, hexHash, isoSeconds } from './util';

export const KUBELET = 'kubelet';
const OOM_CHECK_MS = 5000;

type Phase = 'waiting' | 'running' | 'terminated';

export interface ContainerState {
  name: string;
  init: boolean;
  spec: any;
  specHash: string;
  phase: Phase;
  reason: string;
  message?: string;
  startedAt?: number;
  finishedAt?: number;
  exitCode?: number;
  termReason?: string;
  ready: boolean;
  started: boolean;
  restartCount: number;
  last?: Record<string, unknown>;
  containerID?: string;
  imageID?: string;
  backoffMs: number;
  pullBackoffMs: number;
  epoch: number;
  busy: boolean;
  everStarted: boolean;
  context?: ContainerContext;
  behaviour?: ContainerBehaviour;
  log: ContainerLog;
  inst?: LogInstance;
  probeFailures: { readiness: number; liveness: number };
}

export interface PodState {
  uid: string;
  namespace: string;
  name: string;
  node: string;
  podIP?: string;
  hostIP: string;
  startMs: number;
  containers: ContainerState[];
  initDone: boolean;
  sandboxReady: boolean;
  terminating: boolean;
  terminal?: 'Succeeded' | 'Failed';
  mountBackoffMs: number;
  timers: Set<number>;
  pod: KubeObject;
}

function containerSpecHash(spec: any): string {
  return String(fnv32a(hashableJson(spec)));
}

function parseCIDR(cidr: string): { base: number[]; size: number } {
  const [ip, bits] = cidr.split('/');
  return { base: ip.split('.').map(Number), size: 2 ** (32 - Number(bits || 24)) };
}

export class Kubelet {
  readonly pods = new Map<string, PodState>();
  private readonly byName = new Map<string, string>();
  private readonly nodeImages = new Map<string, Set<string>>();
  private readonly ipCursor = new Map<string, number>();
  private readonly ipsInUse = new Set<string>();

  constructor(
    private readonly ctx: ClusterContext,
    private readonly behaviours: BehaviourRegistry,
  ) {}

  register(): void {
    this.ctx.queue.register(KUBELET, (key) => this.sync(key));
  }

  /** Images already on a node (kind's node image ships the system images): `already present on machine`. */
  preload(node: string, images: string[]): void {
    const cache = this.nodeImages.get(node) ?? new Set<string>();
    for (const i of images) cache.add(normalizeImage(i));
    this.nodeImages.set(node, cache);
  }

  lookup(namespace: string, name: string): PodState | undefined {
    const uid = this.byName.get(`${namespace}/${name}`);
    return uid ? this.pods.get(uid) : undefined;
  }

  /**
   * Kills a running container the way the runtime does (Chaos Mesh container-kill, an OOM kill): it terminates with
   * `exitCode`/`reason` and the restart policy and back-off apply. Returns false when the container is not running.
   */
  kill(namespace: string, pod: string, container: string, exitCode = 137, reason = 'Error'): boolean {
    const st = this.lookup(namespace, pod);
    const c = st?.containers.find((x) => x.name === container);
    if (!st || !c || c.phase !== 'running' || st.terminating) return false;
    this.exited(st, c, exitCode, reason);
    return true;
  }

  /** The pod object was removed from the store. */
  forget(pod: KubeObject): void {
    const uid = pod.metadata.uid ?? '';
    const st = this.pods.get(uid);
    if (!st) return;
    this.clearTimers(st);
    if (st.podIP) this.ipsInUse.delete(st.podIP);
    this.pods.delete(uid);
    if (this.byName.get(`${st.namespace}/${st.name}`) === uid) this.byName.delete(`${st.namespace}/${st.name}`);
  }

  stop(): void {
    for (const st of this.pods.values()) this.clearTimers(st);
  }

  private source(st: PodState) {
    return { component: 'kubelet', host: st.node };
  }

  private timer(st: PodState, delayMs: number, fn: () => void): void {
    const h = this.ctx.clock.setTimeout(() => {
      st.timers.delete(h);
      if (this.pods.get(st.uid) !== st) return;
      try {
        fn();
      } catch (e) {
        // A pod (or its namespace) going away mid-step must not stop the kubelet.
        this.ctx.log(`kubelet ${st.namespace}/${st.name}: ${(e as Error)?.stack ?? String(e)}`);
      }
    }, Math.max(0, delayMs));
    st.timers.add(h);
  }

  private clearTimers(st: PodState): void {
    for (const h of st.timers) this.ctx.clock.clearTimeout(h);
    st.timers.clear();
  }

  /** Runs `fn` later only if the container is still in the same incarnation. */
  private containerTimer(st: PodState, c: ContainerState, delayMs: number, fn: () => void): void {
    const epoch = c.epoch;
    this.timer(st, delayMs, () => {
      if (c.epoch !== epoch || st.terminating) return;
      fn();
    });
  }

  private event(st: PodState, type: 'Normal' | 'Warning', reason: string, message: string, c?: ContainerState): void {
    const fieldPath = c ? `spec.${c.init ? 'initContainers' : 'containers'}{${c.name}}` : undefined;
    const pod = peek(this.ctx.store, 'pods', st.namespace, st.name) ?? st.pod;
    this.ctx.events.record(pod, type, reason, message, this.source(st), fieldPath);
  }

  private sync(key: string): void {
    const [ns, name] = key.split('/');
    const pod = peek(this.ctx.store, 'pods', ns, name);
    if (!pod) return;
    const uid = pod.metadata.uid ?? '';
    const nodeName: string | undefined = pod.spec?.nodeName;
    if (!nodeName) return;
    let st = this.pods.get(uid);
    if (!st) {
      if (pod.status?.phase === 'Succeeded' || pod.status?.phase === 'Failed') return;
      const node = peek(this.ctx.store, 'nodes', undefined, nodeName);
      if (!node) return;
      st = this.admit(pod, node);
    }
    st.pod = pod;
    if (pod.metadata.deletionTimestamp) {
      if (!st.terminating) this.terminate(st, pod);
      return;
    }
    if (st.terminal) return;
    if (!st.sandboxReady) {
      this.trySandbox(st);
      return;
    }
    this.detectSpecChanges(st, pod);
    this.retryConfigErrors(st);
    this.writeStatus(st);
  }

  private admit(pod: KubeObject, node: KubeObject): PodState {
    const uid = pod.metadata.uid ?? '';
    const hostIP = ((node.status?.addresses ?? []) as any[]).find((a) => a.type === 'InternalIP')?.address ?? '172.18.0.2';
    const mk = (spec: any, init: boolean): ContainerState => ({
      name: spec.name,
      init,
      spec,
      specHash: containerSpecHash(spec),
      phase: 'waiting',
      reason: init ? 'PodInitializing' : (pod.spec?.initContainers ?? []).length ? 'PodInitializing' : 'ContainerCreating',
      ready: false,
      started: false,
      restartCount: 0,
      backoffMs: 0,
      pullBackoffMs: 0,
      epoch: 0,
      busy: false,
      everStarted: false,
      log: new ContainerLog(),
      probeFailures: { readiness: 0, liveness: 0 },
    });
    const st: PodState = {
      uid,
      namespace: pod.metadata.namespace ?? 'default',
      name: pod.metadata.name ?? '',
      node: node.metadata.name ?? '',
      hostIP,
      startMs: this.ctx.clock.now(),
      containers: [
        ...((pod.spec?.initContainers ?? []) as any[]).map((c) => mk(c, true)),
        ...((pod.spec?.containers ?? []) as any[]).map((c) => mk(c, false)),
      ],
      initDone: (pod.spec?.initContainers ?? []).length === 0,
      sandboxReady: false,
      terminating: false,
      mountBackoffMs: 0,
      timers: new Set(),
      pod,
    };
    const first = st.containers.find((c) => c.init);
    if (first) first.reason = 'ContainerCreating';
    this.pods.set(uid, st);
    this.byName.set(`${st.namespace}/${st.name}`, uid);
    this.trySandbox(st);
    return st;
  }

  private trySandbox(st: PodState): void {
    const err = mountError(this.ctx.store, st.pod);
    if (err) {
      this.event(st, 'Warning', 'FailedMount', err);
      st.mountBackoffMs = st.mountBackoffMs ? Math.min(st.mountBackoffMs * 2, 122_000) : 500;
      this.timer(st, st.mountBackoffMs, () => this.ctx.queue.add(KUBELET, `${st.namespace}/${st.name}`));
      this.writeStatus(st);
      return;
    }
    st.sandboxReady = true;
    st.podIP = st.pod.spec?.hostNetwork ? st.hostIP : this.allocateIP(st.node);
    this.startNext(st);
    this.writeStatus(st);
  }

  private allocateIP(nodeName: string): string {
    const node = peek(this.ctx.store, 'nodes', undefined, nodeName);
    const cidr: string = node?.spec?.podCIDR ?? '10.244.1.0/24';
    const { base, size } = parseCIDR(cidr);
    let cursor = this.ipCursor.get(nodeName) ?? 1;
    for (let tries = 0; tries < size; tries++) {
      cursor = cursor + 1 >= size - 1 ? 2 : cursor + 1;
      const n = ((base[0] << 24) >>> 0) + (base[1] << 16) + (base[2] << 8) + base[3] + cursor;
      const ip = [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.');
      if (!this.ipsInUse.has(ip)) {
        this.ipCursor.set(nodeName, cursor);
        this.ipsInUse.add(ip);
        return ip;
      }
    }
    return `${base[0]}.${base[1]}.${base[2]}.254`;
  }

  /** Starts the next init container, or all app containers once init is done. */
  private startNext(st: PodState): void {
    if (st.terminating || st.terminal) return;
    if (!st.initDone) {
      for (const c of st.containers.filter((x) => x.init)) {
        if (c.phase === 'terminated' && c.exitCode === 0) continue;
        if (c.phase === 'waiting' && !c.busy && !c.everStarted && c.restartCount === 0) this.beginContainer(st, c);
        return;
      }
      st.initDone = true;
    }
    for (const c of st.containers.filter((x) => !x.init)) {
      if (c.phase === 'waiting' && !c.busy && !c.everStarted && c.restartCount === 0 && c.reason !== 'CrashLoopBackOff') {
        c.reason = 'ContainerCreating';
        this.beginContainer(st, c);
      }
    }
  }

  private beginContainer(st: PodState, c: ContainerState): void {
    c.epoch++;
    c.busy = true;
    const image: string = c.spec.image ?? '';
    if (!isValidImageReference(image)) {
      c.busy = false;
      c.phase = 'waiting';
      c.reason = 'InvalidImageName';
      c.message = `Failed to apply default image tag "${image}": couldn't parse image name "${image}": invalid reference format`;
      this.event(st, 'Warning', 'InspectFailed', c.message, c);
      this.event(st, 'Warning', 'Failed', 'Error: InvalidImageName', c);
      this.writeStatus(st);
      return;
    }
    const node = peek(this.ctx.store, 'nodes', undefined, st.node);
    const envResult = buildEnv(this.ctx.store, st.pod, c.spec, node);
    const expand = (xs: unknown): string[] => ((xs ?? []) as unknown[]).map((x) => expandVars(String(x), envResult.env));
    const context: ContainerContext = {
      namespace: st.namespace,
      pod: clone(st.pod),
      containerName: c.name,
      image,
      command: expand(c.spec.command),
      args: expand(c.spec.args),
      env: envResult.env,
      files: buildFiles(this.ctx.store, st.pod, c.spec),
      restartCount: c.restartCount,
      store: this.ctx.apiStore,
      initContainer: c.init,
    };
    c.context = context;
    c.behaviour = this.behaviours.resolve(image);
    const policy: string = c.spec.imagePullPolicy ?? defaultPullPolicy(image);
    const cache = this.nodeImages.get(st.node) ?? new Set<string>();
    this.nodeImages.set(st.node, cache);
    const present = cache.has(normalizeImage(image));

    const afterPull = () => {
      const latestEnv = buildEnv(this.ctx.store, st.pod, c.spec, node);
      if (latestEnv.error) {
        c.busy = false;
        c.phase = 'waiting';
        c.reason = 'CreateContainerConfigError';
        c.message = latestEnv.error;
        this.event(st, 'Warning', 'Failed', `Error: ${latestEnv.error}`, c);
        this.containerTimer(st, c, 10_000, () => this.retryConfigErrors(st));
        this.writeStatus(st);
        return false;
      }
      return true;
    };

    if (policy === 'Never' && !present) {
      c.busy = false;
      c.reason = 'ErrImageNeverPull';
      c.message = `Container image "${image}" is not present with pull policy of Never`;
      this.event(st, 'Warning', 'ErrImageNeverPull', c.message, c);
      this.event(st, 'Warning', 'Failed', 'Error: ErrImageNeverPull', c);
      this.writeStatus(st);
      return;
    }
    if (policy !== 'Always' && present) {
      this.event(st, 'Normal', 'Pulled', `Container image "${image}" already present on machine`, c);
      if (!afterPull()) return;
      const outcome = this.callStart(c, context);
      if (outcome.kind === 'image-pull-error') this.pullFailed(st, c, outcome.message);
      else this.create(st, c, outcome);
      return;
    }
    this.event(st, 'Normal', 'Pulling', `Pulling image "${image}"`, c);
    const jitter = (fnv32a(normalizeImage(image)) % 1000) / 1000;
    const pullMs = Math.round((present ? this.ctx.timing.imagePullCachedMs : this.ctx.timing.imagePullMs) * (1 + jitter * 0.5));
    this.containerTimer(st, c, pullMs, () => {
      const outcome = this.callStart(c, context);
      if (outcome.kind === 'image-pull-error') {
        this.pullFailed(st, c, outcome.message);
        return;
      }
      cache.add(normalizeImage(image));
      const d = goDuration(pullMs);
      this.event(st, 'Normal', 'Pulled', `Successfully pulled image "${image}" in ${d} (${d} including waiting). Image size: ${imageSize(image)} bytes.`, c);
      if (!afterPull()) return;
      this.create(st, c, outcome);
    });
  }

  private callStart(c: ContainerState, context: ContainerContext): ContainerStartOutcome {
    try {
      return c.behaviour!.start(context);
    } catch (e) {
      this.ctx.log(`behaviour.start for ${c.name} (${context.image}) threw: ${(e as Error).message}`);
      return { kind: 'running', lines: [] };
    }
  }

  private pullFailed(st: PodState, c: ContainerState, message: string): void {
    const image: string = c.spec.image;
    c.busy = false;
    c.phase = 'waiting';
    c.reason = 'ErrImagePull';
    c.message = message;
    this.event(st, 'Warning', 'Failed', `Failed to pull image "${image}": ${message}`, c);
    this.event(st, 'Warning', 'Failed', 'Error: ErrImagePull', c);
    this.writeStatus(st);
    const delay = c.pullBackoffMs === 0 ? this.ctx.timing.backoffInitialMs : Math.min(c.pullBackoffMs * 2, this.ctx.timing.backoffMaxMs);
    c.pullBackoffMs = delay;
    const failedAt = this.ctx.clock.now();
    this.containerTimer(st, c, this.ctx.timing.kubeletSyncMs, () => {
      c.reason = 'ImagePullBackOff';
      c.message = `Back-off pulling image "${image}"`;
      this.event(st, 'Normal', 'BackOff', `Back-off pulling image "${image}"`, c);
      this.event(st, 'Warning', 'Failed', 'Error: ImagePullBackOff', c);
      this.writeStatus(st);
      this.repeatBackOff(st, c, failedAt + delay, 'image');
      this.containerTimer(st, c, failedAt + delay - this.ctx.clock.now(), () => this.beginContainer(st, c));
    });
  }

  /** The kubelet re-reports a back-off on its periodic syncs; the events aggregate into one with a growing count. */
  private repeatBackOff(st: PodState, c: ContainerState, until: number, kind: 'image' | 'crash'): void {
    const every = 10_000 + (fnv32a(c.name) % 5000);
    const next = this.ctx.clock.now() + every;
    if (next >= until) return;
    this.containerTimer(st, c, every, () => {
      if (kind === 'image') {
        this.event(st, 'Normal', 'BackOff', `Back-off pulling image "${c.spec.image}"`, c);
        this.event(st, 'Warning', 'Failed', 'Error: ImagePullBackOff', c);
      } else {
        this.event(st, 'Warning', 'BackOff', `Back-off restarting failed container ${c.name} in pod ${st.name}_${st.namespace}(${st.uid})`, c);
      }
      this.repeatBackOff(st, c, until, kind);
    });
  }

  private create(st: PodState, c: ContainerState, outcome: ContainerStartOutcome): void {
    c.pullBackoffMs = 0;
    c.containerID = `containerd://${hexHash(`${st.uid}/${c.name}/${c.restartCount}/${c.epoch}`, 64)}`;
    c.imageID = imageID(c.spec.image);
    this.event(st, 'Normal', 'Created', `Created container ${c.name}`, c);
    this.containerTimer(st, c, this.ctx.timing.containerStartMs, () => this.started(st, c, outcome));
  }

  private started(st: PodState, c: ContainerState, outcome: ContainerStartOutcome): void {
    const now = this.ctx.clock.now();
    if (outcome.kind === 'exit' && outcome.reason === 'StartError') {
      // The runtime could not start the process at all.
      c.busy = false;
      c.startedAt = now;
      c.everStarted = true;
      c.inst = c.log.start(c.containerID ?? '', now);
      this.event(st, 'Warning', 'Failed', `Error: failed to create containerd task: failed to create shim task: OCI runtime create failed: runc create failed: unable to start container process: exec: "${c.context?.command[0] ?? c.context?.args[0] ?? ''}": executable file not found in $PATH: unknown`, c);
      this.exited(st, c, 128, 'StartError');
      return;
    }
    this.event(st, 'Normal', 'Started', `Started container ${c.name}`, c);
    c.busy = false;
    c.phase = 'running';
    c.reason = '';
    c.message = undefined;
    c.startedAt = now;
    c.everStarted = true;
    c.started = !c.spec.startupProbe;
    c.probeFailures = { readiness: 0, liveness: 0 };
    const behaviour = c.behaviour!;
    const context = c.context!;
    c.inst = c.log.start(c.containerID ?? '', now, behaviour.logsBetween ? (from, to) => safeLines(() => behaviour.logsBetween!(context, from, to)) : undefined);
    const lines = outcome.kind === 'image-pull-error' ? [] : outcome.lines ?? [];
    if (lines.length) c.log.append(c.inst, now, lines);

    if (c.init) {
      c.ready = false;
    } else if (c.spec.readinessProbe) {
      c.ready = false;
      this.scheduleProbe(st, c, 'readiness', (c.spec.readinessProbe.initialDelaySeconds ?? 0) * 1000);
    } else {
      c.ready = true;
    }
    if (c.spec.startupProbe) {
      this.containerTimer(st, c, (c.spec.startupProbe.initialDelaySeconds ?? 0) * 1000, () => {
        c.started = true;
        this.writeStatus(st);
      });
    }
    if (c.spec.livenessProbe && behaviour.probe && !c.init) {
      this.scheduleProbe(st, c, 'liveness', (c.spec.livenessProbe.initialDelaySeconds ?? 0) * 1000 + (c.spec.livenessProbe.periodSeconds ?? 10) * 1000);
    }
    const memLimit = bytesOf(c.spec.resources?.limits?.memory);
    if (behaviour.usage && memLimit > 0 && !c.init) this.scheduleOomCheck(st, c, memLimit);
    this.scheduleExit(st, c, outcome);
    this.writeStatus(st);
  }

  /** A process that exits after a while, unless what it keeps retrying for comes first (its behaviour's `retry`). */
  private scheduleExit(st: PodState, c: ContainerState, outcome: ContainerStartOutcome): void {
    if (outcome.kind !== 'exit') return;
    const after = outcome.afterMs ?? this.ctx.timing.crashAfterMs;
    const startedAt = this.ctx.clock.now();
    let replaced = false;
    this.containerTimer(st, c, after, () => {
      if (!replaced) this.exited(st, c, outcome.exitCode, outcome.reason);
    });
    const retry = outcome.retry;
    if (!retry) return;
    const tryAgain = () => {
      if (replaced || c.phase !== 'running' || this.ctx.clock.now() - startedAt >= after) return;
      const next = safeOutcome(() => retry.check());
      if (!next) {
        this.containerTimer(st, c, retry.everyMs, tryAgain);
        return;
      }
      replaced = true;
      if (next.kind !== 'image-pull-error' && next.lines?.length && c.inst) c.log.append(c.inst, this.ctx.clock.now(), next.lines);
      this.scheduleExit(st, c, next);
    };
    this.containerTimer(st, c, retry.everyMs, tryAgain);
  }

  /** A container whose behaviour reports memory above its limit is OOM-killed (137, OOMKilled) like the kernel does. */
  private scheduleOomCheck(st: PodState, c: ContainerState, limit: number): void {
    this.containerTimer(st, c, OOM_CHECK_MS, () => {
      if (c.phase !== 'running' || !c.context || !c.behaviour?.usage) return;
      let used = 0;
      try {
        used = c.behaviour.usage(c.context, this.ctx.clock.now()).memoryBytes;
      } catch {
        used = 0;
      }
      if (used > limit) {
        this.exited(st, c, 137, 'OOMKilled');
        return;
      }
      this.scheduleOomCheck(st, c, limit);
    });
  }

  private probeResult(c: ContainerState, kind: 'readiness' | 'liveness'): { ok: boolean; message?: string } {
    const b = c.behaviour;
    if (!b?.probe || !c.context) return { ok: true };
    try {
      const r = b.probe(c.context, kind, this.ctx.clock.now());
      return typeof r === 'boolean' ? { ok: r } : r;
    } catch (e) {
      return { ok: false, message: (e as Error).message };
    }
  }

  private scheduleProbe(st: PodState, c: ContainerState, kind: 'readiness' | 'liveness', delayMs: number): void {
    const probe = kind === 'readiness' ? c.spec.readinessProbe : c.spec.livenessProbe;
    const period = (probe.periodSeconds ?? 10) * 1000;
    const failureThreshold: number = probe.failureThreshold ?? 3;
    const successThreshold: number = probe.successThreshold ?? 1;
    this.containerTimer(st, c, delayMs, () => {
      if (c.phase !== 'running') return;
      const r = this.probeResult(c, kind);
      if (kind === 'readiness') {
        if (r.ok) {
          c.probeFailures.readiness = Math.min(0, c.probeFailures.readiness) - 1;
          if (-c.probeFailures.readiness >= successThreshold && !c.ready) {
            c.ready = true;
            this.writeStatus(st);
          }
        } else {
          c.probeFailures.readiness = Math.max(0, c.probeFailures.readiness) + 1;
          this.event(st, 'Warning', 'Unhealthy', `Readiness probe failed: ${r.message ?? probeFailureText(probe, st.podIP)}`, c);
          if (c.probeFailures.readiness >= failureThreshold && c.ready) {
            c.ready = false;
            this.writeStatus(st);
          }
        }
      } else if (r.ok) {
        c.probeFailures.liveness = 0;
      } else {
        c.probeFailures.liveness++;
        this.event(st, 'Warning', 'Unhealthy', `Liveness probe failed: ${r.message ?? probeFailureText(probe, st.podIP)}`, c);
        if (c.probeFailures.liveness >= failureThreshold) {
          this.event(st, 'Normal', 'Killing', `Container ${c.name} failed liveness probe, will be restarted`, c);
          this.exited(st, c, 137, 'Error');
          return;
        }
      }
      // Probes only keep running when a behaviour can make them fail.
      if (c.behaviour?.probe) this.scheduleProbe(st, c, kind, period);
    });
  }

  private exited(st: PodState, c: ContainerState, exitCode: number, reason?: string): void {
    const now = this.ctx.clock.now();
    c.epoch++;
    c.busy = false;
    c.phase = 'terminated';
    c.exitCode = exitCode;
    c.termReason = reason ?? (exitCode === 0 ? 'Completed' : 'Error');
    c.finishedAt = now;
    c.ready = c.init && exitCode === 0;
    if (c.inst) {
      c.log.poll(c.inst, now);
      c.inst.finishedMs = now;
    }
    const policy: string = st.pod.spec?.restartPolicy ?? 'Always';
    if (c.init) {
      if (exitCode === 0) {
        this.writeStatus(st);
        this.startNext(st);
        this.writeStatus(st);
        return;
      }
      if (policy === 'Never') {
        st.terminal = 'Failed';
        this.writeStatus(st);
        return;
      }
      this.scheduleRestart(st, c);
      this.writeStatus(st);
      return;
    }
    const restart = policy === 'Always' || (policy === 'OnFailure' && exitCode !== 0);
    if (restart) {
      this.scheduleRestart(st, c);
    } else {
      const apps = st.containers.filter((x) => !x.init);
      if (apps.every((x) => x.phase === 'terminated')) {
        st.terminal = apps.every((x) => x.exitCode === 0) ? 'Succeeded' : 'Failed';
      }
    }
    this.writeStatus(st);
  }

  private scheduleRestart(st: PodState, c: ContainerState): void {
    const ran = (c.finishedAt ?? 0) - (c.startedAt ?? 0);
    if (ran >= this.ctx.timing.backoffResetMs) c.backoffMs = 0;
    const delay = c.backoffMs;
    c.backoffMs = delay === 0 ? this.ctx.timing.backoffInitialMs : Math.min(delay * 2, this.ctx.timing.backoffMaxMs);
    const finished = c.finishedAt ?? this.ctx.clock.now();
    this.containerTimer(st, c, this.ctx.timing.kubeletSyncMs, () => {
      if (delay === 0) {
        this.restartContainer(st, c);
        return;
      }
      // While backing off, Last State is the exit that just happened.
      c.last = { terminated: this.lastTerminated(c) };
      c.phase = 'waiting';
      c.reason = 'CrashLoopBackOff';
      c.message = `back-off ${goDuration(delay)} restarting failed container=${c.name} pod=${st.name}_${st.namespace}(${st.uid})`;
      this.event(st, 'Warning', 'BackOff', `Back-off restarting failed container ${c.name} in pod ${st.name}_${st.namespace}(${st.uid})`, c);
      this.writeStatus(st);
      this.repeatBackOff(st, c, finished + delay, 'crash');
      this.containerTimer(st, c, finished + delay - this.ctx.clock.now(), () => this.restartContainer(st, c));
    });
  }

  private lastTerminated(c: ContainerState): Record<string, unknown> {
    const t: Record<string, unknown> = {
      exitCode: c.exitCode ?? 0,
      reason: c.termReason ?? 'Error',
      startedAt: isoSeconds(c.startedAt ?? this.ctx.clock.now()),
      finishedAt: isoSeconds(c.finishedAt ?? this.ctx.clock.now()),
      containerID: c.containerID,
    };
    if (c.termReason === 'StartError') {
      t.message = `failed to create containerd task: failed to create shim task: OCI runtime create failed: runc create failed: unable to start container process: exec: "${c.context?.command[0] ?? ''}": executable file not found in $PATH: unknown`;
      t.startedAt = '1970-01-01T00:00:00Z';
    }
    return t;
  }

  private restartContainer(st: PodState, c: ContainerState): void {
    if (c.phase === 'terminated') c.last = { terminated: this.lastTerminated(c) };
    c.restartCount++;
    c.phase = 'waiting';
    this.beginContainer(st, c);
  }

  /** A changed container spec (e.g. `kubectl set image` on a bare pod, Chaos Mesh pod-failure) restarts it. */
  private detectSpecChanges(st: PodState, pod: KubeObject): void {
    const specs = new Map<string, any>([...((pod.spec?.initContainers ?? []) as any[]), ...((pod.spec?.containers ?? []) as any[])].map((c) => [c.name, c]));
    for (const c of st.containers) {
      const spec = specs.get(c.name);
      if (!spec) continue;
      const hash = containerSpecHash(spec);
      if (hash === c.specHash) continue;
      c.spec = spec;
      c.specHash = hash;
      if (c.init && st.initDone) continue;
      if (c.phase === 'running' || c.everStarted || c.reason === 'ImagePullBackOff' || c.reason === 'ErrImagePull' || c.reason === 'InvalidImageName') {
        if (c.phase === 'running') {
          this.event(st, 'Normal', 'Killing', `Container ${c.name} definition changed, will be restarted`, c);
          c.epoch++;
          c.phase = 'terminated';
          c.exitCode = 137;
          c.termReason = 'Error';
          c.finishedAt = this.ctx.clock.now();
          if (c.inst) c.inst.finishedMs = c.finishedAt;
          this.restartContainer(st, c);
        } else if (c.everStarted) {
          this.restartContainer(st, c);
        } else {
          c.pullBackoffMs = 0;
          this.beginContainer(st, c);
        }
      }
    }
  }

  private retryConfigErrors(st: PodState): void {
    for (const c of st.containers) {
      if (c.phase === 'waiting' && c.reason === 'CreateContainerConfigError' && !c.busy) {
        const err = buildEnv(this.ctx.store, st.pod, c.spec).error;
        if (!err) this.beginContainer(st, c);
      }
    }
  }

  private terminate(st: PodState, pod: KubeObject): void {
    st.terminating = true;
    this.clearTimers(st);
    for (const c of st.containers) {
      c.epoch++;
      if (c.phase === 'running') this.event(st, 'Normal', 'Killing', `Stopping container ${c.name}`, c);
    }
    const grace = (pod.metadata.deletionGracePeriodSeconds ?? pod.spec?.terminationGracePeriodSeconds ?? 30) * 1000;
    const delay = Math.min(grace, this.ctx.timing.terminationMs);
    this.timer(st, delay, () => {
      const now = this.ctx.clock.now();
      for (const c of st.containers) {
        if (c.phase === 'running') {
          c.phase = 'terminated';
          c.exitCode = 0;
          c.termReason = 'Completed';
          c.finishedAt = now;
          c.ready = false;
          if (c.inst) c.inst.finishedMs = now;
        }
      }
      this.writeStatus(st);
      deleteObject(this.ctx.store, 'pods', st.namespace, st.name, { gracePeriodSeconds: 0 });
    });
  }

  private containerStatus(c: ContainerState): Record<string, unknown> {
    let state: Record<string, unknown>;
    if (c.phase === 'running') {
      state = { running: { startedAt: isoSeconds(c.startedAt ?? 0) } };
    } else if (c.phase === 'terminated') {
      state = { terminated: this.lastTerminated(c) };
    } else {
      const waiting: Record<string, unknown> = { reason: c.reason || 'ContainerCreating' };
      if (c.message) waiting.message = c.message;
      state = { waiting };
    }
    const s: Record<string, unknown> = {
      name: c.name,
      state,
      lastState: c.last ?? {},
      ready: c.ready,
      restartCount: c.restartCount,
      image: isValidImageReference(c.spec.image ?? '') ? normalizeImage(c.spec.image) : c.spec.image,
      imageID: c.imageID ?? '',
      started: c.phase === 'running' ? c.started : false,
    };
    if (c.containerID) s.containerID = c.containerID;
    return s;
  }

  private writeStatus(st: PodState): void {
    const pod = peek(this.ctx.store, 'pods', st.namespace, st.name);
    if (!pod || pod.metadata.uid !== st.uid) return;
    st.pod = pod;
    const now = isoSeconds(this.ctx.clock.now());
    const apps = st.containers.filter((c) => !c.init);
    const inits = st.containers.filter((c) => c.init);
    let phase: string;
    if (st.terminal) phase = st.terminal;
    else if (!st.initDone) phase = 'Pending';
    else if (apps.some((c) => c.phase === 'running' || c.everStarted)) phase = 'Running';
    else phase = 'Pending';

    let conditions = (clone(pod.status?.conditions ?? []) as Array<Record<string, unknown>>).filter((c) =>
      ['PodReadyToStartContainers', 'Initialized', 'Ready', 'ContainersReady', 'PodScheduled'].includes(String(c.type)),
    );
    const cond = (type: string, ok: boolean, reason?: string, message?: string) => {
      conditions = setCondition(conditions, ok ? { type, status: 'True' } : { type, status: 'False', reason, message }, now);
    };
    const sandbox = st.sandboxReady && !(st.terminating && apps.every((c) => c.phase !== 'running'));
    cond('PodReadyToStartContainers', sandbox);
    const pendingInits = inits.filter((c) => !(c.phase === 'terminated' && c.exitCode === 0)).map((c) => c.name);
    if (st.terminal && phase === 'Succeeded') cond('Initialized', true);
    else cond('Initialized', st.initDone || pendingInits.length === 0, 'ContainersNotInitialized', `containers with incomplete status: [${pendingInits.join(' ')}]`);
    const unready = apps.filter((c) => !c.ready).map((c) => c.name);
    if (st.terminal) {
      cond('Ready', false, 'PodCompleted', '');
      cond('ContainersReady', false, 'PodCompleted', '');
    } else {
      const ok = unready.length === 0 && st.initDone;
      cond('Ready', ok, 'ContainersNotReady', `containers with unready status: [${unready.join(' ')}]`);
      cond('ContainersReady', ok, 'ContainersNotReady', `containers with unready status: [${unready.join(' ')}]`);
    }
    cond('PodScheduled', true);
    const order = ['PodReadyToStartContainers', 'Initialized', 'Ready', 'ContainersReady', 'PodScheduled'];
    conditions.sort((a, b) => order.indexOf(String(a.type)) - order.indexOf(String(b.type)));
    for (const c of conditions) {
      c.lastProbeTime = null;
      if (c.status === 'True') {
        delete c.reason;
        delete c.message;
      } else if (c.message === '') delete c.message;
    }

    const status: Record<string, unknown> = {
      phase,
      conditions,
      hostIP: st.hostIP,
      hostIPs: [{ ip: st.hostIP }],
      startTime: isoSeconds(st.startMs),
      containerStatuses: apps.map((c) => this.containerStatus(c)).sort((a, b) => String(a.name).localeCompare(String(b.name))),
      qosClass: qosClass(pod),
    };
    if (st.podIP) {
      status.podIP = st.podIP;
      status.podIPs = [{ ip: st.podIP }];
    }
    if (inits.length) status.initContainerStatuses = inits.map((c) => this.containerStatus(c));
    writeStatus(this.ctx.store, 'pods', pod, status);
  }
}

function safeLines(fn: () => string[]): string[] {
  try {
    return fn() ?? [];
  } catch {
    return [];
  }
}

function probeFailureText(probe: any, podIP?: string): string {
  if (probe?.httpGet) {
    return `Get "http://${podIP ?? ''}:${probe.httpGet.port}${probe.httpGet.path ?? '/'}": dial tcp ${podIP ?? ''}:${probe.httpGet.port}: connect: connection refused`;
  }
  if (probe?.tcpSocket) return `dial tcp ${podIP ?? ''}:${probe.tcpSocket.port}: connect: connection refused`;
  return 'command terminated with non-zero exit code';
}

/** A behaviour's retry check that throws counts as still waiting. */
function safeOutcome(check: () => ContainerStartOutcome | undefined): ContainerStartOutcome | undefined {
  try {
    return check();
  } catch {
    return undefined;
  }
}
