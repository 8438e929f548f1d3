/**
 * The contracts between the two halves of the embedded cluster:
 *  - the API server (`src/twin/apiserver/`), which owns the object store and speaks the Kubernetes HTTP protocol, and
 *  - the cluster behaviour (`src/twin/cluster/`): controllers, scheduler, kubelet simulation and the container runtime,
 *    which act only through the store, exactly as real controllers act only through the API server.
 * Neither half imports the other's internals; both import this file.
 */

export interface ObjectMeta {
  name?: string;
  generateName?: string;
  namespace?: string;
  uid?: string;
  resourceVersion?: string;
  generation?: number;
  creationTimestamp?: string;
  deletionTimestamp?: string;
  deletionGracePeriodSeconds?: number;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  ownerReferences?: OwnerReference[];
  finalizers?: string[];
  [key: string]: unknown;
}

export interface OwnerReference {
  apiVersion: string;
  kind: string;
  name: string;
  uid: string;
  controller?: boolean;
  blockOwnerDeletion?: boolean;
}

/** Any Kubernetes object as JSON. Controllers read `spec`/`status` with their own narrow types. */
export interface KubeObject {
  apiVersion: string;
  kind: string;
  metadata: ObjectMeta;
  spec?: any; // eslint-disable-line @typescript-eslint/no-explicit-any
  status?: any; // eslint-disable-line @typescript-eslint/no-explicit-any
  [key: string]: unknown;
}

/**
 * A resource type as the store knows it. `resource` is the plural REST name (`pods`, `deployments`);
 * `group` is '' for the core group.
 */
export interface ResourceType {
  group: string;
  version: string;
  resource: string;
  kind: string;
  namespaced: boolean;
}

/** Identifies a resource type in store calls: `pods`, `deployments.apps`, `podchaos.chaos-mesh.org`. */
export type ResourceName = string;

export type WatchEventType = 'ADDED' | 'MODIFIED' | 'DELETED';

export interface StoreEvent {
  type: WatchEventType;
  resource: ResourceName;
  object: KubeObject;
}

export interface ListOptions {
  /** Kubernetes label selector syntax: `a=b,c!=d,e in (x,y),!f`. */
  labelSelector?: string;
  /** Kubernetes field selector syntax: `metadata.name=x,status.phase!=Running`. */
  fieldSelector?: string;
}

/**
 * Errors the store raises carry the HTTP status and reason the API server will put into a `Status` object,
 * so a controller sees the same failures a real client would.
 */
export interface StoreError extends Error {
  code: number;
  reason: 'NotFound' | 'AlreadyExists' | 'Conflict' | 'Invalid' | 'BadRequest' | 'Forbidden' | 'MethodNotAllowed';
}

/**
 * The store's surface for in-process actors (controllers, the kubelet simulation, fault effects).
 * Semantics follow the real API server: create assigns uid/resourceVersion/creationTimestamp (and generation
 * for objects with a spec); update of an unchanged object keeps its resourceVersion; spec changes bump
 * `metadata.generation`; delete honours finalizers (sets deletionTimestamp) and cascades to owned objects.
 */
export interface ObjectStore {
  get(resource: ResourceName, namespace: string | undefined, name: string): KubeObject | undefined;
  list(resource: ResourceName, namespace?: string, options?: ListOptions): KubeObject[];
  create(resource: ResourceName, object: KubeObject): KubeObject;
  /** Replaces the whole object (spec and metadata); `status` is kept from the stored object. */
  update(resource: ResourceName, object: KubeObject): KubeObject;
  /** Replaces only `status` (the `/status` subresource). */
  updateStatus(resource: ResourceName, object: KubeObject): KubeObject;
  delete(resource: ResourceName, namespace: string | undefined, name: string, options?: { propagationPolicy?: 'Background' | 'Foreground' | 'Orphan'; gracePeriodSeconds?: number }): KubeObject | undefined;
  /** Subscribes to every change of every resource; returns an unsubscribe function. */
  subscribe(listener: (event: StoreEvent) => void): () => void;
  /** The resource types the store serves (built-in, Chaos Mesh, and those added by CRDs). */
  resourceTypes(): ResourceType[];
  /** Finds the type for a kind (`Pod`, `Deployment`, `PodChaos`), used for ownerReferences and events. */
  typeForKind(apiVersion: string, kind: string): ResourceType | undefined;
}

/** What `kubectl logs` can ask for (query parameters of `pods/log`). */
export interface LogRequest {
  namespace: string;
  pod: string;
  container: string;
  tailLines?: number;
  sinceSeconds?: number;
  timestamps?: boolean;
  previous?: boolean;
}

export interface LogLine {
  /** RFC 3339 with nanoseconds, as `kubectl logs --timestamps` prints. */
  time: string;
  text: string;
}

export interface ExecRequest {
  namespace: string;
  pod: string;
  container: string;
  command: string[];
  stdin?: string;
}

export interface ExecResult {
  stdout: string;
  stderr: string;
  exitCode: number;
}

export interface ContainerUsage {
  name: string;
  /** CPU in millicores. */
  cpuMillis: number;
  memoryBytes: number;
}

/**
 * The running containers, as the API server needs them for `pods/log`, `pods/exec` and metrics.k8s.io.
 * Implemented by the kubelet simulation; what a container prints or answers comes from its behaviour hook.
 */
export interface PodRuntime {
  /** Log lines of a container (current or previous instance); throws a StoreError when the pod or container is unknown. */
  logs(request: LogRequest): LogLine[];
  /** Follow mode: calls `onLine` for each new line until the returned function is called. */
  followLogs(request: LogRequest, onLine: (line: LogLine) => void): () => void;
  exec(request: ExecRequest): Promise<ExecResult>;
  podUsage(namespace: string, pod: string): ContainerUsage[] | undefined;
  nodeUsage(node: string): { cpuMillis: number; memoryBytes: number } | undefined;
}

/**
 * The behaviour of one container, supplied per image by the apps layer (issue 4) and by a plain default.
 * The kubelet simulation calls it; it never touches the store directly.
 */
export interface ContainerBehaviour {
  /** Decides what happens when the container starts: keep running, or exit with a code after printing lines. */
  start(context: ContainerContext): ContainerStartOutcome;
  /** Lines the container prints while it runs, for the given interval of twin time. */
  logsBetween?(context: ContainerContext, fromMs: number, toMs: number): string[];
  exec?(context: ContainerContext, command: string[], stdin?: string): ExecResult | Promise<ExecResult> | undefined;
  usage?(context: ContainerContext, nowMs: number): { cpuMillis: number; memoryBytes: number };
  /**
   * Optional (added by the cluster half): the result of the container's readiness / liveness / startup probe at
   * `nowMs`, called only when the pod spec declares that probe. Without it every declared probe succeeds.
   */
  probe?(context: ContainerContext, kind: 'readiness' | 'liveness' | 'startup', nowMs: number): boolean | { ok: boolean; message?: string };
}

export interface ContainerContext {
  namespace: string;
  pod: KubeObject;
  containerName: string;
  image: string;
  command: string[];
  args: string[];
  env: Record<string, string>;
  /** Files visible in the container from ConfigMap, Secret and projected volumes: path → content. */
  files: Record<string, string>;
  restartCount: number;
  store: ObjectStore;
  /** Optional (added by the cluster half): true for an init container. */
  initContainer?: boolean;
}

export type ContainerStartOutcome =
  | { kind: 'running'; lines?: string[] }
  /** `afterMs` (optional, added by the cluster half): how long the process runs before it exits (default: ~0.1 s). */
  | {
    kind: 'exit'; exitCode: number; lines: string[]; reason?: string; afterMs?: number;
    /**
     * A process that keeps trying for what it waits for (a client dialling its database) and gives up at `afterMs`:
     * `check` is asked every `everyMs` until then; the outcome it returns (it got what it waited for) replaces this one.
     */
    retry?: { everyMs: number; check(): ContainerStartOutcome | undefined };
  }
  | { kind: 'image-pull-error'; message: string };
