import type { FaultContext, FaultInjector } from './types';
import { FaultError } from './types';

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

/** Service targetPort from → to on every port that has it (facts §7 misconfig_k8s). */
async function setTargetPort(context: FaultContext, from: number, to: number): Promise<void> {
  const name = target(context);
  const service = await context.kubectl.json(['get', 'service', name, '-n', context.namespace]);
  const ports = (service.spec?.ports ?? []) as Array<{ targetPort?: number | string }>;
  const patch = ports.map((p, i) => (p.targetPort === from ? { op: 'replace', path: `/spec/ports/${i}/targetPort`, value: to } : undefined)).filter(Boolean);
  if (patch.length === 0) return; // already in the wanted state: idempotent
  await context.kubectl.run(['patch', 'service', name, '-n', context.namespace, '--type=json', '-p', JSON.stringify(patch)]);
}

export const targetPortFault: FaultInjector = {
  kind: 'k8s-target-port',
  inject: (c) => setTargetPort(c, Number(param(c, 'from', 9090)), Number(param(c, 'to', 9999))),
  recover: (c) => setTargetPort(c, Number(param(c, 'to', 9999)), Number(param(c, 'from', 9090))),
};

export const scaleToZeroFault: FaultInjector = {
  kind: 'scale-to-zero',
  inject: async (c) => {
    await c.kubectl.run(['scale', 'deployment', target(c), '-n', c.namespace, '--replicas=0']);
  },
  recover: async (c) => {
    await c.kubectl.run(['scale', 'deployment', target(c), '-n', c.namespace, `--replicas=${param(c, 'originalReplicas', 1)}`]);
  },
};

export const nonExistentNodeFault: FaultInjector = {
  kind: 'assign-non-existent-node',
  inject: async (c) => {
    const selector = param<Record<string, string>>(c, 'nodeSelector', { 'kubernetes.io/hostname': 'extra-node' });
    await c.kubectl.run(['patch', 'deployment', target(c), '-n', c.namespace, '--type=merge', '-p', JSON.stringify({ spec: { template: { spec: { nodeSelector: selector } } } })]);
  },
  recover: async (c) => {
    const deployment = await c.kubectl.json(['get', 'deployment', target(c), '-n', c.namespace]);
    if (!deployment.spec?.template?.spec?.nodeSelector) return;
    await c.kubectl.run(['patch', 'deployment', target(c), '-n', c.namespace, '--type=json', '-p', JSON.stringify([{ op: 'remove', path: '/spec/template/spec/nodeSelector' }])]);
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

/** Replaces a container command (wrong_bin_usage: profile → geo). */
async function setCommand(c: FaultContext, from: string, to: string): Promise<void> {
  const name = target(c);
  const deployment = await c.kubectl.json(['get', 'deployment', name, '-n', c.namespace]);
  const containers = (deployment.spec?.template?.spec?.containers ?? []) as Array<{ command?: string[] }>;
  const patch = containers
    .map((container, i) => (container.command?.includes(from) ? { op: 'replace', path: `/spec/template/spec/containers/${i}/command`, value: [to] } : undefined))
    .filter(Boolean);
  if (patch.length === 0) return;
  await c.kubectl.run(['patch', 'deployment', name, '-n', c.namespace, '--type=json', '-p', JSON.stringify(patch)]);
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
