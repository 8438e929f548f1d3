import * as fs from 'node:fs';
import * as path from 'node:path';
import * as k8s from '@kubernetes/client-node';
import { loadKubeConfig } from './kubeconfig-load';
import type { AppDefinition } from '../core/apps/types';
import type { ProblemDefinition } from '../core/problems/types';
import { settleSeconds } from '../core/problems/fault-params';
import type { ActionRunContext, ClusterProbe, EnvironmentInfo, KubeJson, ProblemEnvironment } from '../core/ports/environment';
import type { ShellPolicy } from '../core/shell/policy';
import type { CleanupLeftover, SessionTelemetry } from '../core/session/types';
import { capOutput } from '../core/shell/output-cap';
import { Kubectl } from './kubectl';
import { execShellObservation } from './shell';
import { createAgentShell, isolationFor, type AgentShell } from './sandbox/agent-shell';
import type { SandboxSetting } from './sandbox/availability';
import { insideFolder } from './inside-folder';
import { dockerContainerLogs, isDockerNamespace, NO_DOCKER_SERVICE, startFlwrWorkload } from './flower';
import { injectorFor, type FaultContext } from './faults';
import { apiCall, faultApi, statusCode, type FaultApi } from './faults/api';
import { deletePods } from './faults/pods';
import { removeChaosTargeting } from './faults/chaos-mesh';
import { startWrk2, stopWrk2, type WorkloadObjects } from './workload/wrk2';
import { workloadObjects } from './workload/workload-objects';
import { csvToTable } from './telemetry/csv-table';
import { exportMetrics } from './telemetry/metrics-export';
import { exportTraces } from './telemetry/traces-export';
import { describeTelemetryError, jaegerEndpoint, prometheusEndpoint } from './telemetry/kube-proxy';
import { collectSessionSeries } from './telemetry/session-series';
import { compressLogs } from './log-compress';
import { appDir, appManifestsDir } from './app-paths';
import { releaseStaleVolumes } from './volumes';
import { explainNamespace, removeNamespaceAndVolumes } from './cleanup';
import { refreshDeployedApp } from './app-reuse';
import { waitUntil } from './wait';
import { installPrerequisites, readyConditionsMet } from './app-prerequisites';
import { agentRoleBinding } from './cluster-setup/agent-identity';
import { describeUnready, HOPELESS_REASONS, rolloutPending, unreadyPods, type UnreadyPod } from './readiness';

export interface KubeEnvironmentOptions {
  info: EnvironmentInfo;
  /** The orchestrator's kubeconfig (full view). */
  kubeconfigPath?: string;
  context?: string;
  /** The agent's kubeconfig (what exec_shell uses); defaults to the orchestrator's. */
  agentKubeconfigPath?: string;
  kubeCacheDir?: string;
  kubectl: string;
  projectRoot: string;
  shellPolicy: ShellPolicy;
  /** The OS sandbox around exec_shell under the guarded policy (default auto). */
  sandbox?: SandboxSetting;
  execTimeoutSec: number;
  execTimeoutCapSec: number;
  outputCapChars: number;
  logDedup: number;
  workloadMode?: 'steady' | 'original';
  /** Caps the original's post-injection waits (the embedded cluster shows symptoms faster than a real one). */
  maxInjectSettleSeconds?: number;
  /** Direct URLs of the telemetry APIs (the embedded cluster's); get_metrics/get_traces read them through the API server's service proxy all the same (telemetry/kube-proxy.ts). */
  telemetry?: { prometheusUrl?: string; jaegerUrls: Record<string, string> };
  /** Duration of the steady background load, seconds (at least the session's wall-clock budget). */
  steadyWorkloadSeconds?: number;
  /** How long to wait for an app's pods to become ready. */
  readyTimeoutMs?: number;
  /** The first pause between two looks at the cluster while waiting (readiness, a namespace's deletion); default 200 ms. */
  pollMs?: number;
  /** The longest pause between two looks (the pauses grow from pollMs); default ten times pollMs. */
  maxPollMs?: number;
  sleep?: (ms: number) => Promise<void>;
  /** The cluster's own `docker` executable (the embedded cluster's shim): on exec_shell's PATH for namespace docker (Flower), and the Flower faults' docker. */
  dockerShim?: string;
  /** Host files the cluster's agent tools (the docker shim) run, bound read-only in the agent's sandbox. */
  agentToolPaths?: string[];
  /**
   * Leave the app deployed after the session and reuse it in the next one when it still matches its manifests
   * (batch runs on one cluster). Without it every session deploys the app afresh and removes it at the end.
   */
  reuseApp?: boolean;
  /** How long the clean-up waits for the app's namespace and volumes to go before reporting what is left (default 120 s). */
  cleanupTimeoutMs?: number;
  /** Bind the agent's ServiceAccount to an SRE's role in the app namespace when it is made (real clusters). */
  agentNamespaceBinding?: boolean;
  onDispose?: () => Promise<void>;
}

/** How often a long deploy says what it is still waiting for. */
const PROGRESS_EVERY_MS = 15_000;
/** How often a deploy looks at why pods are not ready (events included), to fail at once when nothing can cure it. */
const LOOK_CLOSER_EVERY_MS = 2_000;

const NO_SERVICE = 'Error: Your service/namespace does not exist. Use kubectl to check.';

/**
 * The cluster world over any Kubernetes API server: the embedded twin or a real cluster. Reads with
 * @kubernetes/client-node, acts with the real kubectl, and answers the agent-facing actions.
 */
/** How far before a session's deploy its telemetry starts. */
const TELEMETRY_BEFORE_MS = 5 * 60_000;

export class KubeEnvironment implements ProblemEnvironment {
  readonly info: EnvironmentInfo;
  readonly probe: ClusterProbe;
  private readonly kc: k8s.KubeConfig;
  private readonly core: k8s.CoreV1Api;
  /** The agent's view (its kubeconfig): what get_logs / get_metrics / get_traces read on the agent's behalf. */
  private readonly agentKc: k8s.KubeConfig;
  private readonly agentCore: k8s.CoreV1Api;
  private readonly apps: k8s.AppsV1Api;
  private readonly kubectl: Kubectl;
  private readonly workloadObjects: WorkloadObjects;
  private readonly faultApi: FaultApi;
  private readonly sleep: (ms: number) => Promise<void>;
  /** This session found the app deployed and clean, and reuses it. */
  private reusing = false;
  private readonly isolation: ReturnType<typeof isolationFor>;
  /** The agent's shell, made at its first exec_shell (it needs the session folder) and kept for the session. */
  private agentShell?: AgentShell;

  constructor(private readonly options: KubeEnvironmentOptions) {
    this.isolation = isolationFor(options.shellPolicy, options.sandbox ?? 'auto', this.agentKubeconfigPath);
    this.info = { ...options.info, isolation: this.isolation.isolation, ...(this.isolation.isolation !== 'sandbox' ? { isolationReason: this.isolation.reason } : {}) };
    this.kc = loadKubeConfig(options.kubeconfigPath, options.context);
    this.core = this.kc.makeApiClient(k8s.CoreV1Api);
    this.apps = this.kc.makeApiClient(k8s.AppsV1Api);
    this.agentKc = options.agentKubeconfigPath ? loadKubeConfig(options.agentKubeconfigPath) : this.kc;
    this.agentCore = this.agentKc.makeApiClient(k8s.CoreV1Api);
    this.kubectl = new Kubectl({ kubectl: options.kubectl, kubeconfigPath: options.kubeconfigPath, context: options.context, kubeCacheDir: options.kubeCacheDir });
    this.sleep = options.sleep ?? ((ms) => new Promise((r) => setTimeout(r, ms)));
    this.workloadObjects = workloadObjects(this.kc);
    this.faultApi = faultApi(this.kc);
    this.probe = {
      listPods: async (namespace) => (await this.core.listNamespacedPod({ namespace })).items,
      getService: async (namespace, name) => this.orUndefined(() => this.core.readNamespacedService({ namespace, name })),
      getDeployment: async (namespace, name) => this.orUndefined(() => this.apps.readNamespacedDeployment({ namespace, name })),
      getConfigMap: async (namespace, name) => this.orUndefined(() => this.core.readNamespacedConfigMap({ namespace, name })),
    };
  }

  async preflight(_problem: ProblemDefinition, app: AppDefinition, signal?: AbortSignal): Promise<void> {
    if (app.metadataOnly) throw new Error(`App ${app.id} is metadata-only: it has no manifests to deploy.`);
    this.reusing = false;
    const existing = await this.orUndefined(() => this.core.readNamespace({ name: app.namespace }));
    if (!existing) return;
    if (this.options.reuseApp && !existing.metadata?.deletionTimestamp) {
      const fresh = await refreshDeployedApp({ kubectl: this.kubectl, namespace: app.namespace, manifestsDir: this.manifestsDir(app), listPods: () => this.probe.listPods(app.namespace),
        deletePods: (names) => deletePods(this.faultApi, app.namespace, names),
        deleteEvents: async () => { await this.core.deleteCollectionNamespacedEvent({ namespace: app.namespace }); } });
      if (fresh.clean) {
        this.reusing = true;
        return;
      }
    }
    // A problem never starts on a dirty cluster: leftovers of an earlier run are removed with their namespace, and
    // experiments (which live in Chaos Mesh's namespace) that still select it.
    await removeChaosTargeting(this.faultApi, app.namespace);
    await this.kubectl.run(['delete', 'namespace', app.namespace, '--ignore-not-found', '--wait=false']);
    await this.waitFor(async () => !(await this.orUndefined(() => this.core.readNamespace({ name: app.namespace }))), 120_000, signal, `namespace ${app.namespace} to be deleted`).catch(async (error: Error) => {
      if (signal?.aborted) throw error;
      const why = await explainNamespace(this.kubectl, app.namespace).catch(() => []);
      throw new Error(`${error.message}${why.length ? ` What holds it: ${why.map((l) => `${l.object}: ${l.reason} (${l.command})`).join('; ')}.` : ''}`);
    });
  }

  async deployApp(app: AppDefinition, signal?: AbortSignal, onProgress?: (detail: string) => void): Promise<void> {
    if (this.reusing) return this.waitForReady(app, signal, onProgress);
    const dir = this.manifestsDir(app);
    await installPrerequisites(this.kubectl, appDir(this.options.projectRoot, app), app);
    await this.createNamespace(app);
    await releaseStaleVolumes(this.core, app.namespace).catch(() => undefined); // volumes a deleted namespace left Released
    await this.kubectl.run(['apply', '-R', '-f', dir, '-n', app.namespace]);
    await this.waitForReady(app, signal, onProgress);
  }

  /**
   * Waits for the app's pods, saying every PROGRESS_EVERY_MS which are not ready yet and why (a real cluster may pull
   * images for minutes), and failing with each stuck pod and its reason: at once for a reason no wait cures (an
   * invalid image name), else at the timeout.
   */
  private async waitForReady(app: AppDefinition, signal?: AbortSignal, onProgress?: (detail: string) => void): Promise<void> {
    const timeoutMs = this.options.readyTimeoutMs ?? 300_000;
    const started = Date.now();
    let lastProgress = started;
    let lastLook = 0;
    let hopeless: UnreadyPod[] = [];
    try {
      await this.waitFor(async () => {
        // The app's own readiness (an operator's custom resource Ready) once its pods are.
        if ((await this.allPodsReady(app.namespace)) && await readyConditionsMet(this.kubectl, app)) return true;
        const now = Date.now();
        const due = onProgress && now - lastProgress >= PROGRESS_EVERY_MS;
        if (!due && now - lastLook < LOOK_CLOSER_EVERY_MS) return false;
        lastLook = now;
        const unready = await this.unready(app.namespace);
        hopeless = unready.filter((p) => HOPELESS_REASONS.has(p.reason));
        if (hopeless.length) throw new Error(`${hopeless.length} pod(s) of ${app.namespace} can never start: ${describeUnready(hopeless)}.`);
        if (due) {
          lastProgress = now;
          onProgress?.(`waiting ${Math.round((now - started) / 1000)} s of at most ${Math.round(timeoutMs / 1000)} s; not ready: ${await this.notReady(app.namespace, unready, 3)}`);
        }
        return false;
      }, timeoutMs, signal, `pods of ${app.namespace} to become ready`);
    } catch (error) {
      if (signal?.aborted || hopeless.length) throw error;
      const unready = await this.unready(app.namespace).catch(() => []);
      throw new Error(`${(error as Error).message} Not ready: ${await this.notReady(app.namespace, unready)}`);
    }
  }

  /** The pods not ready, or (when every pod is) the rollouts not done. */
  private async notReady(namespace: string, unready: UnreadyPod[], limit?: number): Promise<string> {
    if (unready.length) return describeUnready(unready, limit);
    const rollouts = await this.rolloutsPending(namespace).catch(() => []);
    return rollouts.length ? rollouts.slice(0, limit ?? 10).join(', ') : 'no pod yet, or the app\'s own ready condition is not met';
  }

  /** The app's pods that are not ready, each with its reason and the cluster's own explanation. */
  private async unready(namespace: string): Promise<UnreadyPod[]> {
    const [pods, events] = await Promise.all([
      this.core.listNamespacedPod({ namespace }),
      this.core.listNamespacedEvent({ namespace }).catch(() => ({ items: [] })),
    ]);
    return unreadyPods(pods.items, events.items);
  }

  async injectFault(problem: ProblemDefinition, app: AppDefinition): Promise<void> {
    await injectorFor(problem.fault.kind).inject(this.faultContext(problem, app));
    // The original waits after some injections so the symptom has appeared before the agent starts.
    const settle = settleSeconds(problem.fault);
    if (settle > 0) await this.sleep(Math.min(settle, this.options.maxInjectSettleSeconds ?? settle) * 1000);
  }

  async recoverFault(problem: ProblemDefinition, app: AppDefinition): Promise<void> {
    await injectorFor(problem.fault.kind).recover(this.faultContext(problem, app));
  }

  async startWorkload(problem: ProblemDefinition, app: AppDefinition): Promise<void> {
    const workload = problem.workload;
    if (workload.kind === 'flwr') return startFlwrWorkload(problem, this.faultContext(problem, app));
    if (workload.kind !== 'wrk2') return; // astronomy-shop has its own load generator; no-op problems may have none
    await startWrk2({
      workload,
      scriptsDir: path.join(appDir(this.options.projectRoot, app), 'workload'),
      appNamespace: app.namespace,
      objects: this.workloadObjects,
      mode: this.options.workloadMode ?? 'steady',
      steadySeconds: this.options.steadyWorkloadSeconds ?? 3600,
    });
  }

  /** Stops the load generator (wrk2) a session started, e.g. one left running by a session that was killed. */
  async stopWorkload(): Promise<void> {
    await stopWrk2(this.workloadObjects).catch(() => undefined);
  }

  async removeApp(app: AppDefinition): Promise<CleanupLeftover[]> {
    await stopWrk2(this.workloadObjects).catch(() => undefined);
    if (this.options.reuseApp) return []; // the next session checks it against its manifests before reusing it
    return removeNamespaceAndVolumes({ kubectl: this.kubectl, namespace: app.namespace, timeoutMs: this.options.cleanupTimeoutMs ?? 120_000, pollMs: this.options.pollMs ?? 200, sleep: this.sleep });
  }

  async runAction(name: string, args: Record<string, unknown>, context: ActionRunContext): Promise<string> {
    await fs.promises.mkdir(context.sessionDir, { recursive: true });
    switch (name) {
      case 'exec_shell': {
        const setup = {
          sessionDir: context.sessionDir,
          kubeconfigPath: this.agentKubeconfigPath,
          kubeCacheDir: this.options.kubeCacheDir,
          kubectlDir: path.dirname(this.options.kubectl),
          pathDirs: this.options.dockerShim && isDockerNamespace(context.namespace) ? [path.dirname(this.options.dockerShim)] : undefined,
          toolPaths: this.options.agentToolPaths,
        };
        this.agentShell ??= createAgentShell(setup, this.isolation);
        return execShellObservation(String(args.command ?? ''), args.timeout === undefined ? undefined : Number(args.timeout), {
          ...setup,
          policy: this.options.shellPolicy,
          shell: this.agentShell,
          timeoutSec: this.options.execTimeoutSec,
          timeoutCapSec: this.options.execTimeoutCapSec,
          outputCapChars: this.options.outputCapChars,
          signal: context.signal,
        });
      }
      case 'get_logs':
        return this.getLogs(String(args.namespace), String(args.service));
      case 'read_metrics':
        return this.readCsv(String(args.file_path), context.sessionDir, 'Metrics', 'metrics');
      case 'read_traces':
        return this.readCsv(String(args.file_path), context.sessionDir, 'Traces', 'traces');
      case 'get_metrics':
        return this.getMetrics(String(args.namespace), Number(args.duration ?? 5), context.sessionDir);
      case 'get_traces':
        return this.getTraces(String(args.namespace), Number(args.duration ?? 5), context.sessionDir);
      default:
        return `Invalid action: ${name}`;
    }
  }

  /** The kubeconfig the agent's shell is given. */
  private get agentKubeconfigPath(): string | undefined {
    return this.options.agentKubeconfigPath ?? this.options.kubeconfigPath;
  }

  async dispose(): Promise<void> {
    await this.agentShell?.dispose();
    this.agentShell = undefined;
    await this.options.onDispose?.();
  }

  /**
   * Per-service latency and error-rate series of the app for the session record (charts): from a few minutes before
   * `sinceMs` (the deploy), so that what the app did before the fault is there to compare with.
   */
  async collectTelemetry(app: AppDefinition, sinceMs: number, faultTarget?: string): Promise<SessionTelemetry> {
    const endpoint = prometheusEndpoint(this.kc, this.options.telemetry?.prometheusUrl);
    return collectSessionSeries({ prometheusUrl: endpoint.base, fetch: endpoint.fetch, namespace: app.namespace, startMs: sinceMs - TELEMETRY_BEFORE_MS, endMs: Date.now(), faultTarget });
  }

  private async getLogs(namespace: string, service: string): Promise<string> {
    if (isDockerNamespace(namespace)) {
      const text = await dockerContainerLogs(service, async (name) => String(await this.agentCore.readNamespacedPodLog({ name, namespace })));
      return text === NO_DOCKER_SERVICE ? text : capOutput(compressLogs(text, this.options.logDedup), this.options.outputCapChars);
    }
    try {
      const selector = namespace === 'default' && service.includes('wrk2-job') ? 'job-name=wrk2-job' : `${this.serviceLabel(namespace)}=${service}`;
      const pods = await this.agentCore.listNamespacedPod({ namespace, labelSelector: selector });
      const pod = pods.items[0];
      if (!pod?.metadata?.name) return NO_SERVICE;
      const text = await this.agentCore.readNamespacedPodLog({ name: pod.metadata.name, namespace });
      return capOutput(compressLogs(String(text ?? ''), this.options.logDedup), this.options.outputCapChars);
    } catch {
      return NO_SERVICE;
    }
  }

  private async getMetrics(namespace: string, durationMinutes: number, sessionDir: string): Promise<string> {
    // Service observe/prometheus-server through the API server's service proxy, on the embedded cluster too.
    const endpoint = prometheusEndpoint(this.agentKc, this.options.telemetry?.prometheusUrl);
    try {
      const pods = (await this.agentCore.listNamespacedPod({ namespace })).items.map((p) => p.metadata?.name ?? '');
      if (pods.length === 0) return NO_SERVICE;
      return (await exportMetrics({ prometheusUrl: endpoint.base, fetch: endpoint.fetch, namespace, durationMinutes, outDir: sessionDir, pods })).text;
    } catch (error) {
      return `Error: reading metrics from Prometheus failed: ${describeTelemetryError(error, endpoint)}`;
    }
  }

  private async getTraces(namespace: string, durationMinutes: number, sessionDir: string): Promise<string> {
    // The namespace's Jaeger query Service through the API server's service proxy, on the embedded cluster too.
    const readService = async (ns: string, name: string) => this.orUndefined(() => this.agentCore.readNamespacedService({ namespace: ns, name })).catch(() => undefined);
    const endpoint = await jaegerEndpoint(this.agentKc, namespace, readService, this.options.telemetry?.jaegerUrls[namespace]);
    if (!endpoint) return `Error: no Jaeger query service is reachable for namespace ${namespace}.`;
    try {
      return (await exportTraces({ jaegerUrl: endpoint.base, fetch: endpoint.fetch, namespace, durationMinutes, outDir: sessionDir })).text;
    } catch (error) {
      return `Error: reading traces from Jaeger failed: ${describeTelemetryError(error, endpoint)}`;
    }
  }

  private serviceLabelByNamespace = new Map<string, string>();

  /** Registers which pod label names a service in a namespace (from the app definitions). */
  registerApp(app: AppDefinition): void {
    if (app.serviceLabel) this.serviceLabelByNamespace.set(app.namespace, app.serviceLabel);
  }

  private serviceLabel(namespace: string): string {
    return this.serviceLabelByNamespace.get(namespace) ?? 'app';
  }

  /** read_metrics / read_traces: a CSV export of this session, nothing else on the host. */
  private async readCsv(filePath: string, sessionDir: string, label: string, lower: string): Promise<string> {
    const resolved = path.resolve(sessionDir, filePath);
    if (!fs.existsSync(resolved)) return `error: ${label} file '${filePath}' not found.`;
    if (!insideFolder(sessionDir, resolved)) {
      return `error: ${label} file '${filePath}' is outside this session's folder; read_${lower} reads only the files get_${lower} wrote (pass the path it printed).`;
    }
    try {
      return capOutput(csvToTable(await fs.promises.readFile(resolved, 'utf8')), this.options.outputCapChars);
    } catch (error) {
      return `Failed to read ${lower}: ${(error as Error).message}`;
    }
  }

  private manifestsDir(app: AppDefinition): string {
    const dir = appManifestsDir(this.options.projectRoot, app);
    if (!fs.existsSync(dir)) throw new Error(`App ${app.id} has no manifests at ${dir}; it cannot be deployed yet.`);
    return dir;
  }

  private faultContext(problem: ProblemDefinition, app: AppDefinition): FaultContext {
    return {
      fault: problem.fault,
      app,
      namespace: app.namespace,
      kubectl: this.kubectl,
      api: this.faultApi,
      sleep: this.sleep,
      deployApp: async (wait) => {
        await this.createNamespace(app);
        await this.kubectl.run(['apply', '-R', '-f', this.manifestsDir(app), '-n', app.namespace]);
        if (wait) await this.waitFor(() => this.allPodsReady(app.namespace), this.options.readyTimeoutMs ?? 300_000, undefined, `pods of ${app.namespace} to become ready`);
      },
      docker: this.options.dockerShim,
      deleteNamespace: async () => {
        await this.kubectl.run(['delete', 'namespace', app.namespace, '--ignore-not-found', '--wait=false']);
        await this.waitFor(async () => !(await this.orUndefined(() => this.core.readNamespace({ name: app.namespace }))), 300_000, undefined, `namespace ${app.namespace} to be deleted`);
      },
    };
  }

  /** Creates the app's namespace unless it exists (an earlier step or a reused app made it). */
  private async createNamespace(app: AppDefinition): Promise<void> {
    await apiCall(`Creating namespace ${app.namespace}`, () => this.core.createNamespace({ body: { metadata: { name: app.namespace } } }).catch((error: unknown) => {
      if (statusCode(error) !== 409) throw error;
    }));
    if (this.options.agentNamespaceBinding) await this.kubectl.run(['apply', '-f', '-'], JSON.stringify(agentRoleBinding(app.namespace)));
  }

  private async allPodsReady(namespace: string): Promise<boolean> {
    const pods = (await this.core.listNamespacedPod({ namespace })).items;
    if (pods.length === 0) return false;
    // A pod still terminating (replaced at the end of an earlier session on a reused app) is not settled: a fault
    // injected now could pick it and find it gone.
    if (!pods.every((p) => !p.metadata?.deletionTimestamp && (p.status?.phase === 'Succeeded' || (!!p.status?.containerStatuses?.length && p.status.containerStatuses.every((c) => c.ready))))) return false;
    // Between a pod's deletion and its replacement's creation the pods above can all be ready, and so can an old
    // ReplicaSet's pod beside the new one: every rollout must be done, as `kubectl rollout status` says.
    return (await this.rolloutsPending(namespace)).length === 0;
  }

  /** The namespace's Deployments and StatefulSets whose rollout is not done, each in `kubectl rollout status` words. */
  private async rolloutsPending(namespace: string): Promise<string[]> {
    const [deployments, statefulSets] = await Promise.all([this.apps.listNamespacedDeployment({ namespace }), this.apps.listNamespacedStatefulSet({ namespace })]);
    return [
      ...deployments.items.map((d) => rolloutPending(d, 'Deployment')),
      ...statefulSets.items.map((st) => rolloutPending(st, 'StatefulSet')),
    ].filter((why): why is string => why !== undefined);
  }

  private waitFor(condition: () => Promise<boolean>, timeoutMs: number, signal: AbortSignal | undefined, what: string): Promise<void> {
    const pollMs = this.options.pollMs ?? 200;
    return waitUntil(condition, { timeoutMs, what, signal, sleep: this.sleep, pollMs, maxPollMs: this.options.maxPollMs ?? pollMs * 10 });
  }

  private async orUndefined<T>(read: () => Promise<T>): Promise<(T & KubeJson) | undefined> {
    try {
      return (await read()) as T & KubeJson;
    } catch (error) {
      const code = (error as { code?: number }).code;
      if (code === 404) return undefined;
      throw error;
    }
  }
}
