import type { FaultContext, FaultInjector } from './types';
import { FaultError } from './types';
import { apiCall, JSON_PATCH, MERGE_PATCH } from './api';

function param<T>(context: FaultContext, name: string, fallback?: T): T {
  const value = context.fault.params[name] ?? fallback;
  if (value === undefined) throw new FaultError(`Fault ${context.fault.kind} needs the parameter "${name}".`);
  return value as T;
}

function target(context: FaultContext): string {
  const t = context.fault.target ?? (context.fault.params.service as string | undefined) ?? (context.fault.params.deployment as string | undefined);
  if (!t) throw new FaultError(`Fault ${context.fault.kind} needs a target service.`);
  return t;
}

/** Service targetPort from → to on every port that has it. */
async function setTargetPort(context: FaultContext, from: number, to: number): Promise<void> {
  const name = target(context);
  const namespace = context.namespace;
  const service = await apiCall(`Reading Service ${namespace}/${name}`, () => context.api.core.readNamespacedService({ name, namespace }));
  const ports = (service.spec?.ports ?? []) as Array<{ targetPort?: number | string }>;
  const patch = ports.map((p, i) => (p.targetPort === from ? { op: 'replace', path: `/spec/ports/${i}/targetPort`, value: to } : undefined)).filter(Boolean);
  if (patch.length === 0) return; // already in the wanted state: idempotent
  await apiCall(`Patching Service ${namespace}/${name}`, () => context.api.core.patchNamespacedService({ name, namespace, body: patch }, JSON_PATCH));
}

export const targetPortFault: FaultInjector = {
  kind: 'k8s-target-port',
  inject: (c) => setTargetPort(c, Number(param(c, 'from', 9090)), Number(param(c, 'to', 9999))),
  recover: (c) => setTargetPort(c, Number(param(c, 'to', 9999)), Number(param(c, 'from', 9090))),
};

/** What `kubectl scale` does: a patch of the Deployment's scale subresource. */
async function scale(c: FaultContext, replicas: number): Promise<void> {
  const name = target(c);
  const namespace = c.namespace;
  await apiCall(`Scaling Deployment ${namespace}/${name} to ${replicas}`, () => c.api.apps.patchNamespacedDeploymentScale({ name, namespace, body: { spec: { replicas } } }, MERGE_PATCH));
}

export const scaleToZeroFault: FaultInjector = {
  kind: 'scale-to-zero',
  inject: (c) => scale(c, 0),
  recover: (c) => scale(c, Number(param(c, 'originalReplicas', 1))),
};

/**
 * Re-creates a Deployment with a changed spec the way the original does (dump, edit, `kubectl delete`, `kubectl apply`):
 * unlike a patch, which rolls out gradually and keeps the old pod serving, the old pods are gone at once.
 */
async function recreateDeployment(c: FaultContext, name: string, mutate: (deployment: any) => boolean): Promise<void> { // eslint-disable-line @typescript-eslint/no-explicit-any
  const deployment = await c.kubectl.json(['get', 'deployment', name, '-n', c.namespace]);
  if (!mutate(deployment)) return; // already in the wanted state: idempotent
  const { metadata } = deployment;
  const clean = {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: metadata.name, namespace: metadata.namespace, labels: metadata.labels, annotations: withoutKubectlAnnotations(metadata.annotations) },
    spec: deployment.spec,
  };
  await c.kubectl.run(['delete', 'deployment', name, '-n', c.namespace, '--ignore-not-found', '--wait=true']);
  await c.kubectl.run(['apply', '-f', '-'], JSON.stringify(clean));
}

function withoutKubectlAnnotations(annotations: Record<string, string> | undefined): Record<string, string> | undefined {
  if (!annotations) return undefined;
  const kept = Object.fromEntries(Object.entries(annotations).filter(([k]) => !k.startsWith('deployment.kubernetes.io/') && k !== 'kubectl.kubernetes.io/last-applied-configuration'));
  return Object.keys(kept).length ? kept : undefined;
}

export const nonExistentNodeFault: FaultInjector = {
  kind: 'assign-non-existent-node',
  inject: async (c) => {
    const selector = param<Record<string, string>>(c, 'nodeSelector', { 'kubernetes.io/hostname': 'extra-node' });
    await recreateDeployment(c, target(c), (d) => {
      if (JSON.stringify(d.spec.template.spec.nodeSelector ?? {}) === JSON.stringify(selector)) return false;
      d.spec.template.spec.nodeSelector = selector;
      return true;
    });
  },
  recover: async (c) => {
    await recreateDeployment(c, target(c), (d) => {
      if (!d.spec.template.spec.nodeSelector) return false;
      delete d.spec.template.spec.nodeSelector;
      return true;
    });
  },
};

export const imageChangeFault: FaultInjector = {
  kind: 'image-change',
  inject: async (c) => {
    await c.kubectl.run(['set', 'image', `deployment/${target(c)}`, `${param<string>(c, 'container')}=${param<string>(c, 'image')}`, '-n', c.namespace]);
  },
  recover: async (c) => {
    await c.kubectl.run(['set', 'image', `deployment/${target(c)}`, `${param<string>(c, 'container')}=${param<string>(c, 'originalImage')}`, '-n', c.namespace]);
  },
};

/** Replaces a container command (wrong_bin_usage: profile → geo), re-creating the Deployment as the original does. */
async function setCommand(c: FaultContext, from: string, to: string): Promise<void> {
  await recreateDeployment(c, target(c), (d) => {
    let changed = false;
    for (const container of (d.spec?.template?.spec?.containers ?? []) as Array<{ command?: string[] }>) {
      if (container.command?.includes(from)) {
        container.command = [to];
        changed = true;
      }
    }
    return changed;
  });
}

export const wrongBinaryFault: FaultInjector = {
  kind: 'wrong-bin-usage',
  inject: (c) => setCommand(c, param(c, 'from', target(c)), param(c, 'to', 'geo')),
  recover: (c) => setCommand(c, param(c, 'to', 'geo'), param(c, 'from', target(c))),
};

export const noopFault: FaultInjector = {
  kind: 'noop',
  inject: async () => undefined,
  recover: async () => undefined,
};
