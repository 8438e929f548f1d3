/** The PodRuntime the API server serves over HTTP: logs, follow, exec and usage of the simulated containers. */
import type { ContainerUsage, ExecRequest, ExecResult, LogLine, LogRequest, PodRuntime } from '../contracts';
import { buildFiles } from './container-context';
import type { ClusterContext } from './context';
import { defaultBehaviour } from './default-behaviour';
import type { ContainerState, Kubelet, PodState } from './kubelet';
import { ContainerLog } from './logs';
import { makeStoreError } from './util';

const FOLLOW_POLL_MS = 1000;

export class ClusterRuntime implements PodRuntime {
  constructor(
    private readonly ctx: ClusterContext,
    private readonly kubelet: Kubelet,
  ) {}

  private find(namespace: string, pod: string, container: string): { st: PodState | undefined; c: ContainerState | undefined } {
    const obj = this.ctx.store.get('pods', namespace, pod);
    if (!obj) throw makeStoreError(404, 'NotFound', `pods "${pod}" not found`);
    const all = [...((obj.spec?.initContainers ?? []) as any[]), ...((obj.spec?.containers ?? []) as any[])].map((c) => c.name as string);
    let name = container;
    if (!name) {
      const apps = ((obj.spec?.containers ?? []) as any[]).map((c) => c.name as string);
      const dflt = obj.metadata.annotations?.['kubectl.kubernetes.io/default-container'];
      if (dflt && apps.includes(dflt)) name = dflt;
      else if (apps.length === 1) name = apps[0];
      else {
        const inits = ((obj.spec?.initContainers ?? []) as any[]).map((c) => c.name as string);
        throw makeStoreError(
          400,
          'BadRequest',
          `a container name must be specified for pod ${pod}, choose one of: [${apps.join(' ')}]${inits.length ? ` or one of the init containers: [${inits.join(' ')}]` : ''}`,
        );
      }
    }
    if (!all.includes(name)) throw makeStoreError(400, 'BadRequest', `container ${name} is not valid for pod ${pod}`);
    const st = this.kubelet.lookup(namespace, pod);
    if (st && st.uid !== obj.metadata.uid) return { st: undefined, c: undefined };
    return { st, c: st?.containers.find((x) => x.name === name) };
  }

  private waitingReason(c: ContainerState | undefined): string {
    const r = c?.reason || 'ContainerCreating';
    if (r === 'ErrImagePull' || r === 'ImagePullBackOff') return 'trying and failing to pull image';
    return r;
  }

  logs(request: LogRequest): LogLine[] {
    const { c } = this.find(request.namespace, request.pod, request.container);
    const name = c?.name ?? request.container;
    const now = this.ctx.clock.now();
    if (request.previous) {
      const prev = c?.log.previous();
      if (!prev) throw makeStoreError(400, 'BadRequest', `previous terminated container "${name}" in pod "${request.pod}" not found`);
      return ContainerLog.toLogLines(prev, { ...request, nowMs: now });
    }
    const cur = c?.log.current();
    if (!c || !cur) {
      throw makeStoreError(400, 'BadRequest', `container "${name}" in pod "${request.pod}" is waiting to start: ${this.waitingReason(c)}`);
    }
    c.log.poll(cur, now);
    return ContainerLog.toLogLines(cur, { ...request, nowMs: now });
  }

  followLogs(request: LogRequest, onLine: (line: LogLine) => void): () => void {
    for (const line of this.logs({ ...request, previous: false })) onLine(line);
    const { c } = this.find(request.namespace, request.pod, request.container);
    if (!c) return () => undefined;
    const inst = c.log.current();
    const unfollow = c.log.follow(onLine);
    let stopped = false;
    let handle: number | undefined;
    const tick = () => {
      if (stopped) return;
      if (inst) c.log.poll(inst, this.ctx.clock.now());
      handle = this.ctx.clock.setTimeout(tick, FOLLOW_POLL_MS);
    };
    handle = this.ctx.clock.setTimeout(tick, FOLLOW_POLL_MS);
    return () => {
      stopped = true;
      unfollow();
      if (handle !== undefined) this.ctx.clock.clearTimeout(handle);
    };
  }

  async exec(request: ExecRequest): Promise<ExecResult> {
    const { st, c } = this.find(request.namespace, request.pod, request.container);
    const obj = this.ctx.store.get('pods', request.namespace, request.pod);
    const phase = obj?.status?.phase;
    if (phase === 'Succeeded' || phase === 'Failed') {
      throw makeStoreError(400, 'BadRequest', `cannot exec into a container in a completed pod; current phase is ${phase}`);
    }
    if (!st || !c || c.phase !== 'running' || !c.context) {
      throw makeStoreError(400, 'BadRequest', `container not found ("${c?.name ?? request.container}")`);
    }
    // Mounted ConfigMaps/Secrets propagate to running containers.
    const context = { ...c.context, pod: obj ?? c.context.pod, files: { ...c.context.files, ...buildFiles(this.ctx.store, obj ?? c.context.pod, c.spec) }, restartCount: c.restartCount };
    const own = c.behaviour?.exec ? await c.behaviour.exec(context, request.command, request.stdin) : undefined;
    if (own) return own;
    return defaultBehaviour.exec!(context, request.command, request.stdin) as ExecResult;
  }

  podUsage(namespace: string, pod: string): ContainerUsage[] | undefined {
    const st = this.kubelet.lookup(namespace, pod);
    if (!st) return undefined;
    const now = this.ctx.clock.now();
    const out: ContainerUsage[] = [];
    for (const c of st.containers) {
      if (c.init || c.phase !== 'running' || !c.context) continue;
      const u = (c.behaviour?.usage ?? defaultBehaviour.usage!)(c.context, now);
      out.push({ name: c.name, cpuMillis: u.cpuMillis, memoryBytes: u.memoryBytes });
    }
    return out.length ? out : undefined;
  }

  nodeUsage(node: string): { cpuMillis: number; memoryBytes: number } | undefined {
    const obj = this.ctx.store.get('nodes', undefined, node);
    if (!obj) return undefined;
    const controlPlane = obj.metadata.labels?.['node-role.kubernetes.io/control-plane'] !== undefined;
    // System daemons (kubelet, containerd, and on the control plane the static control-plane pods).
    let cpu = controlPlane ? 160 : 40;
    let mem = (controlPlane ? 700 : 320) * 1024 * 1024;
    for (const st of this.kubelet.pods.values()) {
      if (st.node !== node) continue;
      for (const u of this.podUsage(st.namespace, st.name) ?? []) {
        cpu += u.cpuMillis;
        mem += u.memoryBytes;
      }
    }
    return { cpuMillis: cpu, memoryBytes: mem };
  }
}
