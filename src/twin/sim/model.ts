/**
 * The behaviour model of one app (`apps/<app-id>/model.yaml`) as data: services, the operations each serves and the
 * calls each operation makes (the call graph), per-service latency distributions and resource use, the workload mixes
 * that drive the entry operations, and the effects of the app's feature flags. The simulation engine reads only this.
 */

/** Service discovery used by callers: consul (HotelReservation: pod IPs registered at start) or Kubernetes Service DNS. */
export type Discovery = 'consul' | 'dns';
export type ServiceKind = 'app' | 'mongodb' | 'memcached' | 'redis' | 'kafka' | 'proxy' | 'infra';
export type Protocol = 'http' | 'grpc' | 'thrift' | 'mongo' | 'memcached' | 'redis' | 'kafka';

export interface LatencySpec {
  /** Median of the service's own processing time, ms. */
  medianMs: number;
  /** 99th percentile, ms (lognormal). */
  p99Ms: number;
}

export interface CallSpec {
  /** Callee service (a key of `services`). */
  service: string;
  /** Operation served by the callee; for untraced datastores the name of the caller's client span. */
  operation: string;
  /** Name of the caller's client span (gRPC: the method; Thrift: `<x>_client`); default `operation`. */
  clientSpan?: string;
  /** Probability that the call happens at all (cache misses, optional lookups); default 1. */
  probability?: number;
  /** A failure of this call does not fail the caller (e.g. checkout ignores EmptyCart errors). */
  ignoreErrors?: boolean;
}

/** A step of an operation: one call, or calls made in parallel (the step ends when the slowest ends). */
export type StepSpec = CallSpec | { parallel: CallSpec[] };

export interface OperationSpec {
  steps: StepSpec[];
  /** Extra own processing time for this operation, multiplies the service's latency (default 1). */
  latencyFactor?: number;
}

export interface ServiceSpec {
  kind: ServiceKind;
  protocol: Protocol;
  /** The port callers dial (the Kubernetes Service port; for consul discovery the registered container port). */
  port: number;
  /** Name under which the service reports spans; datastores are not traced (their spans are the caller's). */
  traced: boolean;
  /** Consul discovery: the binary (container command[0]) that registers this service (default: the service name). */
  binary?: string;
  latency: LatencySpec;
  /** Probability that an operation fails on its own (healthy background error rate), default 0. */
  errorRate?: number;
  operations: Record<string, OperationSpec>;
  resources: ResourceSpec;
  /**
   * A message broker's consumer groups (kafka): every message published here is processed once per entry, by one
   * serving pod of that service, right after the publish; the publisher does not wait. The consumer's span is a child
   * of the publisher's client span (the trace context travels in the message headers).
   */
  consumers?: CallSpec[];
}

export interface ResourceSpec {
  /** Idle CPU, millicores. */
  cpuIdleMillis: number;
  /** CPU time per request served, ms. */
  cpuPerRequestMs: number;
  /** Resident memory at idle, MiB. */
  memoryMiB: number;
  /** Page cache, MiB. */
  cacheMiB: number;
  threads: number;
  /** Bytes received / sent per request served. */
  rxBytesPerRequest: number;
  txBytesPerRequest: number;
}

export interface EntrySpec {
  name: string;
  weight: number;
  service: string;
  operation: string;
  /** HTTP method and path as wrk2/Locust send them (for HTTP entry spans). */
  method?: string;
  path?: string;
}

export interface WorkloadMix {
  /** The wrk2 Lua script (or `locust`) that produces this mix. */
  script: string;
  entries: EntrySpec[];
}

/** What a flag variant does, applied to one service (and optionally one operation or one outgoing call). */
export interface FlagEffect {
  service: string;
  operation?: string;
  /** Only the call from `service` to this callee is affected. */
  call?: string;
  /** Probability the operation (or call) fails with `error`. */
  errorRate?: number;
  error?: string;
  /** gRPC status name reported on the failure (UNAVAILABLE, INTERNAL, ...). */
  grpcCode?: string;
  /** Added latency, ms. */
  addLatencyMs?: number;
  /** Multiplies the service's own latency. */
  latencyFactor?: number;
  /** Extra CPU, millicores. */
  cpuMillis?: number;
  /** Memory growth while the flag is on, MiB per minute (capped at the container limit). */
  memoryGrowthMiBPerMin?: number;
  /** Multiplies the workload weight of these entries. */
  entryWeightFactor?: Record<string, number>;
}

export interface FlagSpec {
  /** Variant name → effects; variants without effects (off) do nothing. */
  variants: Record<string, FlagEffect[]>;
}

export interface AppModel {
  app: string;
  namespace: string;
  discovery: Discovery;
  /** Pod label whose value names the service (io.kompose.service, service, app.kubernetes.io/name). */
  serviceLabel: string;
  tracing: { sampleRatio: number };
  /** Client call timeout, ms; null = no deadline (calls into a silent peer hang until it answers). */
  callTimeoutMs: number | null;
  /** The Service the workload targets. */
  frontend: { service: string; port: number };
  services: Record<string, ServiceSpec>;
  workloads: WorkloadMix[];
  /** Continuous load generator of the app itself (AstronomyShop's Locust), driven while its Deployment is ready. */
  loadGenerator?: { deployment: string; ratePerSec: number; script: string };
  /** flagd flags (AstronomyShop): read from ConfigMap `flagd-config` key `demo.flagd.json`. */
  flags?: Record<string, FlagSpec>;
}

export class ModelError extends Error {}

const KINDS = new Set<ServiceKind>(['app', 'mongodb', 'memcached', 'redis', 'kafka', 'proxy', 'infra']);
const PROTOCOLS = new Set<Protocol>(['http', 'grpc', 'thrift', 'mongo', 'memcached', 'redis', 'kafka']);

const DEFAULT_RESOURCES: Record<ServiceKind, ResourceSpec> = {
  app: { cpuIdleMillis: 2, cpuPerRequestMs: 0.6, memoryMiB: 18, cacheMiB: 4, threads: 12, rxBytesPerRequest: 420, txBytesPerRequest: 900 },
  mongodb: { cpuIdleMillis: 6, cpuPerRequestMs: 0.4, memoryMiB: 95, cacheMiB: 60, threads: 33, rxBytesPerRequest: 300, txBytesPerRequest: 1400 },
  memcached: { cpuIdleMillis: 1, cpuPerRequestMs: 0.05, memoryMiB: 3, cacheMiB: 0.2, threads: 10, rxBytesPerRequest: 120, txBytesPerRequest: 800 },
  redis: { cpuIdleMillis: 2, cpuPerRequestMs: 0.05, memoryMiB: 4, cacheMiB: 0.5, threads: 5, rxBytesPerRequest: 150, txBytesPerRequest: 600 },
  kafka: { cpuIdleMillis: 30, cpuPerRequestMs: 0.3, memoryMiB: 420, cacheMiB: 80, threads: 90, rxBytesPerRequest: 900, txBytesPerRequest: 900 },
  proxy: { cpuIdleMillis: 3, cpuPerRequestMs: 0.3, memoryMiB: 25, cacheMiB: 6, threads: 8, rxBytesPerRequest: 600, txBytesPerRequest: 2400 },
  infra: { cpuIdleMillis: 5, cpuPerRequestMs: 0.1, memoryMiB: 40, cacheMiB: 10, threads: 20, rxBytesPerRequest: 200, txBytesPerRequest: 200 },
};

function fail(where: string, msg: string): never {
  throw new ModelError(`model ${where}: ${msg}`);
}

function num(v: unknown, where: string, dflt?: number): number {
  if (v === undefined || v === null) {
    if (dflt !== undefined) return dflt;
    fail(where, 'a number is required');
  }
  if (typeof v !== 'number' || !Number.isFinite(v)) fail(where, `expected a number, got ${JSON.stringify(v)}`);
  return v;
}

function str(v: unknown, where: string, dflt?: string): string {
  if (v === undefined || v === null) {
    if (dflt !== undefined) return dflt;
    fail(where, 'a string is required');
  }
  if (typeof v !== 'string' || v === '') fail(where, `expected a non-empty string, got ${JSON.stringify(v)}`);
  return v;
}

function obj(v: unknown, where: string): Record<string, unknown> {
  if (!v || typeof v !== 'object' || Array.isArray(v)) fail(where, 'expected a mapping');
  return v as Record<string, unknown>;
}

function arr(v: unknown, where: string): unknown[] {
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v)) fail(where, 'expected a list');
  return v;
}

function parseCall(raw: unknown, where: string): CallSpec {
  const o = obj(raw, where);
  const c: CallSpec = { service: str(o.service, `${where}.service`), operation: str(o.operation, `${where}.operation`) };
  if (o.clientSpan !== undefined) c.clientSpan = str(o.clientSpan, `${where}.clientSpan`);
  if (o.probability !== undefined) c.probability = num(o.probability, `${where}.probability`);
  if (o.ignoreErrors !== undefined) c.ignoreErrors = Boolean(o.ignoreErrors);
  return c;
}

function parseService(name: string, raw: unknown): ServiceSpec {
  const w = `services.${name}`;
  const o = obj(raw, w);
  const kind = str(o.kind, `${w}.kind`, 'app') as ServiceKind;
  if (!KINDS.has(kind)) fail(`${w}.kind`, `unknown kind ${kind} (one of ${[...KINDS].join(', ')})`);
  const protocol = str(o.protocol, `${w}.protocol`) as Protocol;
  if (!PROTOCOLS.has(protocol)) fail(`${w}.protocol`, `unknown protocol ${protocol} (one of ${[...PROTOCOLS].join(', ')})`);
  const lat = obj(o.latency ?? { medianMs: 0.5, p99Ms: 3 }, `${w}.latency`);
  const latency = { medianMs: num(lat.medianMs, `${w}.latency.medianMs`), p99Ms: num(lat.p99Ms, `${w}.latency.p99Ms`) };
  if (latency.medianMs <= 0 || latency.p99Ms < latency.medianMs) fail(`${w}.latency`, 'need 0 < medianMs <= p99Ms');
  const operations: Record<string, OperationSpec> = {};
  const ops = o.operations === undefined ? {} : obj(o.operations, `${w}.operations`);
  for (const [opName, rawOp] of Object.entries(ops)) {
    const ow = `${w}.operations.${opName}`;
    const op = rawOp === null ? {} : obj(rawOp, ow);
    const steps: StepSpec[] = arr(op.steps ?? op.calls, `${ow}.steps`).map((s, i) => {
      const so = obj(s, `${ow}.steps[${i}]`);
      if (so.parallel !== undefined) return { parallel: arr(so.parallel, `${ow}.steps[${i}].parallel`).map((c, j) => parseCall(c, `${ow}.steps[${i}].parallel[${j}]`)) };
      return parseCall(so, `${ow}.steps[${i}]`);
    });
    operations[opName] = { steps, ...(op.latencyFactor !== undefined ? { latencyFactor: num(op.latencyFactor, `${ow}.latencyFactor`) } : {}) };
  }
  const res = o.resources === undefined ? {} : obj(o.resources, `${w}.resources`);
  const d = DEFAULT_RESOURCES[kind];
  const resources: ResourceSpec = {
    cpuIdleMillis: num(res.cpuIdleMillis, `${w}.resources.cpuIdleMillis`, d.cpuIdleMillis),
    cpuPerRequestMs: num(res.cpuPerRequestMs, `${w}.resources.cpuPerRequestMs`, d.cpuPerRequestMs),
    memoryMiB: num(res.memoryMiB, `${w}.resources.memoryMiB`, d.memoryMiB),
    cacheMiB: num(res.cacheMiB, `${w}.resources.cacheMiB`, d.cacheMiB),
    threads: num(res.threads, `${w}.resources.threads`, d.threads),
    rxBytesPerRequest: num(res.rxBytesPerRequest, `${w}.resources.rxBytesPerRequest`, d.rxBytesPerRequest),
    txBytesPerRequest: num(res.txBytesPerRequest, `${w}.resources.txBytesPerRequest`, d.txBytesPerRequest),
  };
  const spec: ServiceSpec = {
    kind, protocol, port: num(o.port, `${w}.port`), traced: o.traced === undefined ? kind === 'app' || kind === 'proxy' : Boolean(o.traced),
    latency, operations, resources,
  };
  if (o.binary !== undefined) spec.binary = str(o.binary, `${w}.binary`);
  if (o.consumers !== undefined) spec.consumers = arr(o.consumers, `${w}.consumers`).map((c, i) => parseCall(c, `${w}.consumers[${i}]`));
  if (o.errorRate !== undefined) spec.errorRate = num(o.errorRate, `${w}.errorRate`);
  return spec;
}

function parseEffect(raw: unknown, where: string): FlagEffect {
  const o = obj(raw, where);
  const e: FlagEffect = { service: str(o.service, `${where}.service`) };
  for (const k of ['operation', 'call', 'error', 'grpcCode'] as const) if (o[k] !== undefined) e[k] = str(o[k], `${where}.${k}`);
  for (const k of ['errorRate', 'addLatencyMs', 'latencyFactor', 'cpuMillis', 'memoryGrowthMiBPerMin'] as const) if (o[k] !== undefined) e[k] = num(o[k], `${where}.${k}`);
  if (o.entryWeightFactor !== undefined) {
    const f = obj(o.entryWeightFactor, `${where}.entryWeightFactor`);
    e.entryWeightFactor = Object.fromEntries(Object.entries(f).map(([k, v]) => [k, num(v, `${where}.entryWeightFactor.${k}`)]));
  }
  return e;
}

/** Validates a parsed model.yaml (plain data) and fills defaults; throws ModelError naming the field. */
export function parseModel(raw: unknown): AppModel {
  const o = obj(raw, '(root)');
  const discoveryText = str(o.discovery, 'discovery');
  if (discoveryText !== 'consul' && discoveryText !== 'dns') fail('discovery', `must be consul or dns, got ${discoveryText}`);
  const discovery = discoveryText;
  const services: Record<string, ServiceSpec> = {};
  for (const [name, s] of Object.entries(obj(o.services, 'services'))) services[name] = parseService(name, s);
  const fe = obj(o.frontend, 'frontend');
  const tracing = o.tracing === undefined ? {} : obj(o.tracing, 'tracing');
  const model: AppModel = {
    app: str(o.app, 'app'),
    namespace: str(o.namespace, 'namespace'),
    discovery,
    serviceLabel: str(o.serviceLabel, 'serviceLabel'),
    tracing: { sampleRatio: num(tracing.sampleRatio, 'tracing.sampleRatio', 1) },
    callTimeoutMs: o.callTimeoutMs === null || o.callTimeoutMs === undefined ? null : num(o.callTimeoutMs, 'callTimeoutMs'),
    frontend: { service: str(fe.service, 'frontend.service'), port: num(fe.port, 'frontend.port') },
    services,
    workloads: arr(o.workloads, 'workloads').map((w, i) => {
      const wo = obj(w, `workloads[${i}]`);
      return {
        script: str(wo.script, `workloads[${i}].script`),
        entries: arr(wo.entries, `workloads[${i}].entries`).map((e, j) => {
          const ew = `workloads[${i}].entries[${j}]`;
          const eo = obj(e, ew);
          const entry: EntrySpec = { name: str(eo.name, `${ew}.name`), weight: num(eo.weight, `${ew}.weight`), service: str(eo.service, `${ew}.service`), operation: str(eo.operation, `${ew}.operation`) };
          if (eo.method !== undefined) entry.method = str(eo.method, `${ew}.method`);
          if (eo.path !== undefined) entry.path = str(eo.path, `${ew}.path`);
          return entry;
        }),
      };
    }),
  };
  if (o.loadGenerator !== undefined) {
    const lg = obj(o.loadGenerator, 'loadGenerator');
    model.loadGenerator = { deployment: str(lg.deployment, 'loadGenerator.deployment'), ratePerSec: num(lg.ratePerSec, 'loadGenerator.ratePerSec'), script: str(lg.script, 'loadGenerator.script') };
  }
  if (o.flags !== undefined) {
    model.flags = {};
    for (const [flag, rf] of Object.entries(obj(o.flags, 'flags'))) {
      const variants: Record<string, FlagEffect[]> = {};
      for (const [variant, effects] of Object.entries(obj(obj(rf, `flags.${flag}`).variants, `flags.${flag}.variants`))) {
        variants[variant] = arr(effects, `flags.${flag}.variants.${variant}`).map((e, i) => parseEffect(e, `flags.${flag}.variants.${variant}[${i}]`));
      }
      model.flags[flag] = { variants };
    }
  }
  checkReferences(model);
  return model;
}

function checkReferences(m: AppModel): void {
  const has = (s: string): boolean => Object.prototype.hasOwnProperty.call(m.services, s);
  if (!has(m.frontend.service)) fail('frontend.service', `unknown service ${m.frontend.service}`);
  for (const [name, s] of Object.entries(m.services)) {
    for (const [opName, op] of Object.entries(s.operations)) {
      for (const step of op.steps) {
        for (const c of 'parallel' in step ? step.parallel : [step]) {
          const w = `services.${name}.operations.${opName}`;
          if (!has(c.service)) fail(w, `calls unknown service ${c.service}`);
          const callee = m.services[c.service];
          if (callee.traced && !callee.operations[c.operation]) fail(w, `calls ${c.service} operation ${c.operation}, which ${c.service} does not serve`);
        }
      }
    }
  }
  for (const [name, s] of Object.entries(m.services)) {
    (s.consumers ?? []).forEach((c, i) => {
      const w = `services.${name}.consumers[${i}]`;
      if (!has(c.service)) fail(w, `unknown service ${c.service}`);
      if (!m.services[c.service].traced || !m.services[c.service].operations[c.operation]) fail(w, `${c.service} does not serve ${c.operation}`);
    });
  }
  m.workloads.forEach((w, i) => w.entries.forEach((e, j) => {
    if (!has(e.service)) fail(`workloads[${i}].entries[${j}]`, `unknown service ${e.service}`);
    if (!m.services[e.service].operations[e.operation]) fail(`workloads[${i}].entries[${j}]`, `${e.service} does not serve ${e.operation}`);
  }));
  for (const [flag, f] of Object.entries(m.flags ?? {})) {
    for (const [v, effects] of Object.entries(f.variants)) for (const e of effects) if (!has(e.service)) fail(`flags.${flag}.variants.${v}`, `unknown service ${e.service}`);
  }
}
