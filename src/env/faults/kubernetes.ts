import type { V1Deployment } from '@kubernetes/client-node';
import { faultParams } from '../../core/problems/fault-params';
import { faultTarget } from './target';
import type { FaultContext, FaultInjector } from './types';
import { FaultError } from './types';
import { apiCall, JSON_PATCH, MERGE_PATCH, STRATEGIC_PATCH } from './api';
import { ignoreNotFound } from '../races';
import { waitUntil } from '../wait';

function target(context: FaultContext): string {
  const t = faultTarget(context.fault);
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
  inject: (c) => {
    const { from, to } = faultParams(c.fault, 'k8s-target-port');
    return setTargetPort(c, from, to);
  },
  recover: (c) => {
    const { from, to } = faultParams(c.fault, 'k8s-target-port');
    return setTargetPort(c, to, from);
  },
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
  recover: (c) => scale(c, faultParams(c.fault, 'scale-to-zero').originalReplicas),
};

/**
 * Re-creates a Deployment with a changed spec the way the original does (dump, edit, `kubectl delete`, `kubectl apply`):
 * unlike a patch, which rolls out gradually and keeps the old pod serving, the old pods are gone at once. The object
 * is read and written as the API's own JSON (through the generic resource path, no typed model in between), and
 * created with the last-applied-configuration `kubectl apply` would record, so that a later `kubectl apply` of the
 * manifests (an agent's fix) merges against it as it would after the original's apply.
 */
async function recreateDeployment(c: FaultContext, name: string, mutate: (podSpec: PodSpec) => boolean): Promise<void> {
  const namespace = c.namespace;
  const ref = { group: 'apps', version: 'v1', namespace, plural: 'deployments' };
  const deployment = await apiCall(`Reading Deployment ${namespace}/${name}`, () => c.api.custom.getNamespacedCustomObject({ ...ref, name })) as V1Deployment;
  const podSpec = deployment.spec?.template?.spec;
  if (!podSpec || !mutate(podSpec)) return; // already in the wanted state (or nothing to change): idempotent
  const metadata = deployment.metadata ?? {};
  const clean = {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: metadata.name, namespace: metadata.namespace, labels: metadata.labels, annotations: withoutKubectlAnnotations(metadata.annotations) },
    spec: deployment.spec,
  };
  const applied = JSON.stringify(clean) + '\n';
  const body = { ...clean, metadata: { ...clean.metadata, annotations: { ...clean.metadata.annotations, [LAST_APPLIED]: applied } } };
  // `kubectl delete --wait=true`: the Deployment itself is gone (its ReplicaSets and pods follow in the background).
  await apiCall(`Deleting Deployment ${namespace}/${name}`, () => ignoreNotFound(c.api.custom.deleteNamespacedCustomObject({ ...ref, name, propagationPolicy: 'Background' })));
  await waitUntil(async () => (await ignoreNotFound(c.api.custom.getNamespacedCustomObject({ ...ref, name }))) === undefined,
    { timeoutMs: 120_000, what: `deployment ${namespace}/${name} to be deleted`, sleep: (ms) => c.sleep(ms), pollMs: 50, maxPollMs: 1000 });
  await apiCall(`Creating Deployment ${namespace}/${name}`, () => c.api.custom.createNamespacedCustomObject({ ...ref, body }));
}

const LAST_APPLIED = 'kubectl.kubernetes.io/last-applied-configuration';

type PodSpec = NonNullable<NonNullable<NonNullable<V1Deployment['spec']>['template']>['spec']>;

function withoutKubectlAnnotations(annotations: Record<string, string> | undefined): Record<string, string> | undefined {
  if (!annotations) return undefined;
  const kept = Object.fromEntries(Object.entries(annotations).filter(([k]) => !k.startsWith('deployment.kubernetes.io/') && k !== LAST_APPLIED));
  return Object.keys(kept).length ? kept : undefined;
}

export const nonExistentNodeFault: FaultInjector = {
  kind: 'assign-non-existent-node',
  inject: async (c) => {
    const selector = faultParams(c.fault, 'assign-non-existent-node').nodeSelector;
    await recreateDeployment(c, target(c), (spec) => {
      if (JSON.stringify(spec.nodeSelector ?? {}) === JSON.stringify(selector)) return false;
      spec.nodeSelector = selector;
      return true;
    });
  },
  recover: async (c) => {
    await recreateDeployment(c, target(c), (spec) => {
      if (!spec.nodeSelector) return false;
      delete spec.nodeSelector;
      return true;
    });
  },
};

/**
 * What `kubectl set image deployment/<target> <container>=<image>` does: the container must exist; the change is a
 * strategic merge patch of that container's image (a rolling update), none when it already has that image.
 */
async function setImage(c: FaultContext, container: string, image: string): Promise<void> {
  const name = target(c);
  const namespace = c.namespace;
  const deployment = await apiCall(`Reading Deployment ${namespace}/${name}`, () => c.api.apps.readNamespacedDeployment({ name, namespace }));
  const current = (deployment.spec?.template?.spec?.containers ?? []).find((x) => x.name === container);
  if (!current) throw new FaultError(`Deployment ${namespace}/${name} has no container named "${container}".`);
  if (current.image === image) return; // already so: idempotent
  const body = { spec: { template: { spec: { containers: [{ name: container, image }] } } } };
  await apiCall(`Setting the image of ${namespace}/${name} container ${container}`, () => c.api.apps.patchNamespacedDeployment({ name, namespace, body }, STRATEGIC_PATCH));
}

export const imageChangeFault: FaultInjector = {
  kind: 'image-change',
  inject: (c) => {
    const { container, image } = faultParams(c.fault, 'image-change');
    return setImage(c, container, image);
  },
  recover: (c) => {
    const { container, originalImage } = faultParams(c.fault, 'image-change');
    return setImage(c, container, originalImage);
  },
};

/** Replaces a container command (wrong_bin_usage: profile → geo), re-creating the Deployment as the original does. */
async function setCommand(c: FaultContext, from: string, to: string): Promise<void> {
  await recreateDeployment(c, target(c), (spec) => {
    let changed = false;
    for (const container of spec.containers ?? []) {
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
  inject: (c) => {
    const { from, to } = faultParams(c.fault, 'wrong-bin-usage');
    return setCommand(c, from ?? target(c), to);
  },
  recover: (c) => {
    const { from, to } = faultParams(c.fault, 'wrong-bin-usage');
    return setCommand(c, to, from ?? target(c));
  },
};

export const noopFault: FaultInjector = {
  kind: 'noop',
  inject: async () => undefined,
  recover: async () => undefined,
};
