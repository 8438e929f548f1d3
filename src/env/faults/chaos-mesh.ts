import type { FaultContext, FaultInjector } from './types';
import { FaultError } from './types';
import { apiCall, apiErrorMessage, statusCode } from './api';
import { retryOnConflict } from '../races';

/**
 * Chaos Mesh experiments, as the original creates them (facts §7): a chaos-mesh.org/v1alpha1 resource in the app
 * namespace selecting the target's pods by label; recovery deletes it. On a real cluster Chaos Mesh (2.6.x) must be
 * installed; the embedded cluster serves and simulates these kinds itself.
 */
interface ChaosShape {
  kind: 'PodChaos' | 'NetworkChaos' | 'KernelChaos' | 'StressChaos' | 'IOChaos';
  defaultName: string;
  /** Which pods, when not the target service's (the default). */
  selector?(c: FaultContext): Record<string, unknown>;
  spec(c: FaultContext, selector: Record<string, unknown>): Record<string, unknown>;
}

function p(c: FaultContext, name: string, fallback?: unknown): any { // eslint-disable-line @typescript-eslint/no-explicit-any
  return c.fault.params[name] ?? fallback;
}

function selector(c: FaultContext, withNamespaces: boolean): Record<string, unknown> {
  const target = c.fault.target;
  if (!target) throw new FaultError(`Fault ${c.fault.kind} needs a target service.`);
  const labelKey = String(p(c, 'labelKey', c.app.serviceLabel ?? 'io.kompose.service'));
  return { ...(withNamespaces ? { namespaces: [c.namespace] } : {}), labelSelectors: { [labelKey]: target } };
}

const GROUP = 'chaos-mesh.org';
const VERSION = 'v1alpha1';

/** What `kubectl apply` of the experiment does: create it, or replace the one of that name. */
async function applyChaos(c: FaultContext, kind: string, resource: { metadata: { name: string } }): Promise<void> {
  const ref = { group: GROUP, version: VERSION, namespace: c.namespace, plural: kind.toLowerCase() };
  try {
    await c.api.custom.createNamespacedCustomObject({ ...ref, body: resource });
    return;
  } catch (error) {
    const code = statusCode(error);
    if (code === 404 && !/namespaces? "?[\w-]+"? not found/.test(apiErrorMessage(error))) {
      throw new FaultError(`Chaos Mesh is not installed in this cluster (no ${kind} resource type). Install it with: helm install chaos-mesh chaos-mesh/chaos-mesh -n chaos-mesh --create-namespace --version 2.6.2`);
    }
    if (code !== 409) throw new Error(`Creating ${kind} ${c.namespace}/${resource.metadata.name} failed: ${apiErrorMessage(error)}`);
  }
  // The Chaos Mesh controller writes the experiment's status between our read and our replace: re-read and retry.
  await apiCall(`Updating ${kind} ${c.namespace}/${resource.metadata.name}`, () => retryOnConflict(async () => {
    const current = (await c.api.custom.getNamespacedCustomObject({ ...ref, name: resource.metadata.name })) as { metadata?: { resourceVersion?: string } };
    const body = { ...resource, metadata: { ...resource.metadata, resourceVersion: current.metadata?.resourceVersion } };
    await c.api.custom.replaceNamespacedCustomObject({ ...ref, name: resource.metadata.name, body });
  }));
}

function chaosInjector(kind: string, shape: ChaosShape): FaultInjector {
  const name = (c: FaultContext) => String(p(c, 'name', shape.defaultName));
  return {
    kind,
    async inject(c) {
      const resource = {
        apiVersion: `${GROUP}/${VERSION}`,
        kind: shape.kind,
        metadata: { name: name(c), namespace: c.namespace },
        spec: shape.spec(c, shape.selector ? shape.selector(c) : selector(c, shape.kind === 'NetworkChaos')),
      };
      await applyChaos(c, shape.kind, resource);
    },
    async recover(c) {
      const ref = { group: GROUP, version: VERSION, namespace: c.namespace, plural: shape.kind.toLowerCase(), name: name(c) };
      try {
        await c.api.custom.deleteNamespacedCustomObject(ref);
      } catch (error) {
        if (statusCode(error) === 404) return; // already gone (or Chaos Mesh was removed with it): idempotent
        throw new Error(`Deleting ${shape.kind} ${c.namespace}/${ref.name} failed: ${apiErrorMessage(error)}`);
      }
    },
  };
}

export const podFailureFault = chaosInjector('chaos-pod-failure', {
  kind: 'PodChaos',
  defaultName: 'pod-failure-experiment',
  spec: (c, sel) => ({ action: 'pod-failure', mode: p(c, 'mode', 'one'), duration: p(c, 'duration', '200s'), selector: sel }),
});

/** Named pod-kill, but the original deliberately uses action pod-failure (a killed pod would be replaced at once). */
export const podKillFault = chaosInjector('chaos-pod-kill', {
  kind: 'PodChaos',
  defaultName: 'pod-kill',
  spec: (c, sel) => ({ action: p(c, 'action', 'pod-failure'), mode: p(c, 'mode', 'one'), duration: p(c, 'duration', '200s'), selector: sel }),
});

export const containerKillFault = chaosInjector('chaos-container-kill', {
  kind: 'PodChaos',
  defaultName: 'container-kill',
  spec: (c, sel) => ({ action: 'container-kill', mode: p(c, 'mode', 'one'), duration: p(c, 'duration', '200s'), containerNames: [String(p(c, 'container'))], selector: sel }),
});

export const networkLossFault = chaosInjector('chaos-network-loss', {
  kind: 'NetworkChaos',
  defaultName: 'loss',
  spec: (c, sel) => ({ action: 'loss', mode: p(c, 'mode', 'one'), selector: sel, loss: { loss: String(p(c, 'loss', '99')), correlation: String(p(c, 'correlation', '100')) }, duration: p(c, 'duration', '200s') }),
});

export const networkDelayFault = chaosInjector('chaos-network-delay', {
  kind: 'NetworkChaos',
  defaultName: 'delay',
  spec: (c, sel) => ({ action: 'delay', mode: p(c, 'mode', 'one'), selector: sel, delay: { latency: String(p(c, 'latency', '10s')), correlation: String(p(c, 'correlation', '100')), jitter: String(p(c, 'jitter', '0ms')) }, duration: p(c, 'duration', '200s') }),
});

export const kernelFault = chaosInjector('kernel-chaos', {
  kind: 'KernelChaos',
  defaultName: 'kernel-chaos',
  spec: (c, sel) => ({ mode: p(c, 'mode', 'one'), selector: sel, failKernRequest: p(c, 'failKernRequest', { callchain: [{ funcname: '__x64_sys_mount' }], failtype: 0 }) }),
});

/**
 * disk_woreout: the original hooks write() of every mongod on the node with eBPF to return EIO. We inject the same
 * worn-out disk as Chaos Mesh IOChaos: the writes of the Mongo containers under their data volume fail with the errno.
 */
export const diskWornOutFault = chaosInjector('disk-worn-out', {
  kind: 'IOChaos',
  defaultName: 'disk-woreout',
  selector: (c) => ({ namespaces: [c.namespace], expressionSelectors: [{ key: String(p(c, 'labelKey', c.app.serviceLabel ?? 'io.kompose.service')), operator: 'In', values: p(c, 'services') as string[] }] }),
  spec: (c, sel) => ({
    action: 'fault', mode: 'all', selector: sel, volumePath: p(c, 'volumePath', '/data/db'), path: `${p(c, 'volumePath', '/data/db')}/**/*`,
    methods: [String(p(c, 'syscall', 'write'))], errno: Math.abs(Number(p(c, 'errno', 5))), percent: 100, duration: p(c, 'duration', '600s'),
  }),
});
