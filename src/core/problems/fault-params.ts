/**
 * The parameters of every fault kind: one strict zod schema per kind, with the defaults the injectors use. A problem
 * file's parameters are checked against their kind's schema when the catalog loads (a misspelt or unknown parameter
 * is an error naming the file and the field, where it used to fall back to its default in silence), and injectors,
 * descriptions and manual-undo texts read them through `faultParams`, typed and with the defaults filled in.
 * Defaults that depend on the fault's target (the Service of a targetPort fault, ...) stay with the code that knows it.
 */
import { z } from 'zod';
import type { FaultKind } from './fault-kinds';
import type { FaultSpec } from './types';

const text = z.string({ error: 'expected a string' });
const nonEmpty = text.min(1, { error: 'expected a non-empty string' });
const names = z.array(nonEmpty, { error: 'expected a list of names' });
const int = z.number({ error: 'expected a number' }).int({ error: 'expected an integer' });
const port = int.min(1, { error: 'expected a port number' }).max(65535, { error: 'expected a port number' });
const replicas = int.min(0, { error: 'expected a replica count (0 or more)' });
/** Chaos Mesh writes these as strings ("99", "100"); a YAML number is taken as its decimal text. */
const numericText = z.union([text, z.number()], { error: 'expected a number or a string' }).transform(String);
const object = z.record(z.string(), z.unknown(), { error: 'expected a mapping' });

/** Read by the environment for every kind: the wait after the injection, and whether the workload injects it. */
const common = {
  settleSeconds: z.number({ error: 'expected a number of seconds' }).min(0, { error: 'expected a number of seconds (0 or more)' }).optional(),
  injectDuringWorkload: z.boolean({ error: 'expected true or false' }).optional(),
};

/** Which pods a Chaos Mesh experiment selects, how many of them, for how long. */
const chaos = {
  name: nonEmpty.optional(),
  mode: nonEmpty.default('one'),
  labelKey: nonEmpty.optional(),
  duration: nonEmpty.default('200s'),
};

/** The docker executable and the Flower checkout (defaults: the cluster's docker, aiopslab-applications/flower). */
const flower = { docker: nonEmpty.optional(), flowerDir: nonEmpty.optional() };

const tidb = { cluster: nonEmpty.optional(), version: nonEmpty.optional(), crName: nonEmpty.optional() };

const kind = <T extends z.ZodRawShape>(shape: T) => z.strictObject({ ...common, ...shape });

export const FAULT_PARAMS = {
  'k8s-target-port': kind({ service: nonEmpty.optional(), from: port.default(9090), to: port.default(9999) }),
  'scale-to-zero': kind({ deployment: nonEmpty.optional(), replicas: replicas.default(0), originalReplicas: replicas.default(1) }),
  'assign-non-existent-node': kind({ deployment: nonEmpty.optional(), nodeSelector: z.record(z.string(), text, { error: 'expected a mapping of node labels' }).default({ 'kubernetes.io/hostname': 'extra-node' }) }),
  'image-change': kind({ deployment: nonEmpty.optional(), container: nonEmpty, image: nonEmpty, originalImage: nonEmpty }),
  'wrong-bin-usage': kind({ deployment: nonEmpty.optional(), container: nonEmpty.optional(), from: nonEmpty.optional(), to: nonEmpty.default('geo') }),
  'redeploy-without-pv': kind({ persistentVolumes: names.default([]) }),
  'mongo-revoke-auth': kind({ service: nonEmpty, db: nonEmpty.optional(), user: nonEmpty.default('admin'), role: nonEmpty.default('readWrite'), script: nonEmpty, recoverScript: nonEmpty }),
  'mongo-user-unregistered': kind({ service: nonEmpty, db: nonEmpty.optional(), user: nonEmpty.default('admin'), script: nonEmpty, recoverScript: nonEmpty }),
  'mongo-require-tls': kind({
    configMap: nonEmpty.optional(),
    mode: z.literal('requireTLS', { error: 'expected requireTLS' }).optional(),
    certificateKeyFile: nonEmpty.default('/etc/tls/tls.pem'),
    CAFile: nonEmpty.default('/etc/tls/ca.crt'),
    restartPods: names.default(['url-shorten-service']),
    restartDeployment: nonEmpty.optional(),
  }),
  'chaos-pod-failure': kind({ ...chaos }),
  'chaos-pod-kill': kind({ ...chaos, action: nonEmpty.default('pod-failure') }),
  'chaos-container-kill': kind({ ...chaos, container: nonEmpty }),
  'chaos-network-loss': kind({ ...chaos, loss: numericText.default('99'), correlation: numericText.default('100') }),
  'chaos-network-delay': kind({ ...chaos, latency: nonEmpty.default('10s'), jitter: nonEmpty.default('0ms'), correlation: numericText.default('100') }),
  'kernel-chaos': kind({ name: chaos.name, mode: chaos.mode, labelKey: chaos.labelKey, failKernRequest: object.default({ callchain: [{ funcname: '__x64_sys_mount' }], failtype: 0 }) }),
  'disk-worn-out': kind({
    name: chaos.name,
    labelKey: chaos.labelKey,
    duration: nonEmpty.default('600s'),
    process: nonEmpty.optional(),
    services: names,
    syscall: nonEmpty.default('write'),
    errno: int.default(5),
    volumePath: nonEmpty.default('/data/db'),
  }),
  flagd: kind({ flag: nonEmpty, variant: nonEmpty.default('on'), configMap: nonEmpty.default('flagd-config'), restartDeployment: nonEmpty.default('flagd') }),
  'flower-container-stop': kind({ container: nonEmpty.optional(), ...flower }),
  'flower-model-misconfig': kind({
    container: nonEmpty.optional(),
    file: nonEmpty.optional(),
    line: int.optional(),
    from: numericText.optional(),
    to: numericText.optional(),
    ...flower,
    /** Whether to start the run and wait for the error, and how long (tests shorten these). */
    startRun: z.boolean().default(true),
    waitForError: z.boolean().default(true),
    waitMs: int.min(0).default(180_000),
  }),
  noop: kind({}),
  'tidb-operator-overload-replicas': kind({ ...tidb, tidbReplicas: replicas.optional() }),
  'tidb-operator-non-existent-storage': kind({ ...tidb, pdStorageClassName: nonEmpty.optional(), tidbReplicas: replicas.optional() }),
  'tidb-operator-invalid-affinity-toleration': kind({ ...tidb, toleration: object.optional() }),
  'tidb-operator-security-context-fault': kind({ ...tidb, runAsUser: int.optional() }),
  'tidb-operator-wrong-update-strategy': kind({ ...tidb, statefulSetUpdateStrategy: nonEmpty.optional() }),
} satisfies Record<FaultKind, z.ZodType>;

/** The parameters of a fault of kind K, as its injector reads them (defaults filled in). */
export type FaultParams<K extends FaultKind> = z.output<(typeof FAULT_PARAMS)[K]>;

export function isFaultKind(kind: string): kind is FaultKind {
  return Object.hasOwn(FAULT_PARAMS, kind);
}

/** The problems with a fault's parameters, each as `<field>: <what is wrong>` (empty when they are fine). */
export function faultParamIssues(kind: FaultKind, params: unknown): z.core.$ZodIssue[] {
  const parsed = FAULT_PARAMS[kind].safeParse(params);
  return parsed.success ? [] : parsed.error.issues;
}

/** The names a kind's parameters may have, for the error that reports an unknown one. */
export function faultParamNames(kind: FaultKind): string[] {
  return Object.keys(FAULT_PARAMS[kind].shape);
}

/**
 * A fault's parameters, typed and with defaults. Throws when they do not fit the kind (a fault spec that did not come
 * through the catalog: a test, a hand-edited journal), naming the first wrong field.
 */
export function faultParams<K extends FaultKind>(fault: FaultSpec, kind: K): FaultParams<K> {
  if (fault.kind !== kind) throw new Error(`Fault ${fault.kind} read as ${kind}.`);
  const parsed = FAULT_PARAMS[kind].safeParse(fault.params);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const field = issue.code === 'unrecognized_keys' ? issue.keys.join(', ') : issue.path.map(String).join('.');
    throw new Error(`Fault ${kind}: parameter ${field}: ${issue.code === 'unrecognized_keys' ? `unknown (it takes ${faultParamNames(kind).join(', ')})` : issue.message}`);
  }
  return parsed.data as FaultParams<K>;
}

/** How long the environment waits after injecting (the parameter every kind may set; 0 when unset). */
export function settleSeconds(fault: FaultSpec): number {
  const value = fault.params.settleSeconds;
  return typeof value === 'number' ? value : 0;
}

/** Whether the workload injects the fault itself, mid-run (the Flower model misconfiguration). */
export function injectedDuringWorkload(fault: FaultSpec): boolean {
  return fault.params.injectDuringWorkload === true;
}
