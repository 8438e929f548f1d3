import { faultParams, type FaultParams } from '../../core/problems/fault-params';
import type { FaultContext, FaultInjector } from './types';
import { FaultError } from './types';
import { apiCall, apiErrorMessage, statusCode, type FaultApi } from './api';
import { retryOnConflict } from '../races';

/**
 * Chaos Mesh experiments: a chaos-mesh.org/v1alpha1 resource selecting the target's pods by label; recovery deletes
 * it. The original AIOpsLab creates them in the app namespace, where their Events ("Successfully apply chaos for
 * <ns>/<victim>") sit next to the app's own and name the answer. Here they live in a namespace of their own
 * (CHAOS_NAMESPACE, the one Chaos Mesh is installed in) and their selector names the app namespace, as Chaos Mesh
 * allows: the agent's view (src/env/cluster-view) hides that namespace, so every kind — PodChaos, NetworkChaos,
 * KernelChaos, … — is out of the agent's sight by construction. The object's name carries the app namespace so that
 * two apps' experiments of one kind never share a name. On a real cluster Chaos Mesh (2.6.x) must be installed; the
 * embedded cluster serves and simulates these kinds itself.
 */
type ChaosFaultKind = 'chaos-pod-failure' | 'chaos-pod-kill' | 'chaos-container-kill' | 'chaos-network-loss' | 'chaos-network-delay' | 'kernel-chaos' | 'disk-worn-out';

interface ChaosShape<K extends ChaosFaultKind> {
  kind: typeof CHAOS_KINDS[number];
  defaultName: string;
  /** Which pods, when not the target service's (the default). */
  selector?(c: FaultContext, params: FaultParams<K>): Record<string, unknown>;
  spec(params: FaultParams<K>, selector: Record<string, unknown>): Record<string, unknown>;
}

/** The label that names a pod's service: the fault's labelKey, else the app's. */
function labelKey(c: FaultContext, params: { labelKey?: string }): string {
  return params.labelKey ?? c.app.serviceLabel ?? 'io.kompose.service';
}

function selector(c: FaultContext, params: { labelKey?: string }): Record<string, unknown> {
  const target = c.fault.target;
  if (!target) throw new FaultError(`Fault ${c.fault.kind} needs a target service.`);
  return { namespaces: [c.namespace], labelSelectors: { [labelKey(c, params)]: target } };
}

export const CHAOS_GROUP = 'chaos-mesh.org';
const VERSION = 'v1alpha1';
/** Where every experiment lives: Chaos Mesh's own namespace (its Helm chart's default), never an app namespace. */
export const CHAOS_NAMESPACE = 'chaos-mesh';

/** Whether a chaos object's selector reaches into an app namespace (by `namespaces` or an explicit `pods` map). */
export function chaosTargetsNamespace(obj: { spec?: { selector?: { namespaces?: unknown; pods?: unknown } } }, namespace: string): boolean {
  const sel = obj.spec?.selector ?? {};
  return (Array.isArray(sel.namespaces) && sel.namespaces.includes(namespace))
    || (typeof sel.pods === 'object' && sel.pods !== null && namespace in sel.pods);
}

/** The kinds our injectors create (every one an experiment kind of Chaos Mesh). */
const CHAOS_KINDS = ['PodChaos', 'NetworkChaos', 'KernelChaos', 'StressChaos', 'IOChaos'] as const;

/**
 * Deletes every experiment of our kinds that targets `namespace`: leftovers of a session that ended without recovery
 * would otherwise outlive the app namespace they select (before, deleting that namespace took them with it).
 * Quiet when Chaos Mesh is not installed.
 */
export async function removeChaosTargeting(api: FaultApi, namespace: string): Promise<void> {
  await Promise.all(CHAOS_KINDS.map(async (kind) => {
    const ref = { group: CHAOS_GROUP, version: VERSION, namespace: CHAOS_NAMESPACE, plural: kind.toLowerCase() };
    let items: Array<{ metadata?: { name?: string }; spec?: { selector?: { namespaces?: unknown; pods?: unknown } } }>;
    try {
      items = ((await api.custom.listNamespacedCustomObject(ref)) as { items?: typeof items }).items ?? [];
    } catch (error) {
      if (statusCode(error) === 404) return;
      throw new Error(`Listing ${kind} in ${CHAOS_NAMESPACE} failed: ${apiErrorMessage(error)}`);
    }
    for (const item of items.filter((o) => chaosTargetsNamespace(o, namespace))) {
      await api.custom.deleteNamespacedCustomObject({ ...ref, name: String(item.metadata?.name) }).catch((error) => {
        if (statusCode(error) !== 404) throw new Error(`Deleting ${kind} ${CHAOS_NAMESPACE}/${item.metadata?.name} failed: ${apiErrorMessage(error)}`);
      });
    }
  }));
}

async function ensureChaosNamespace(c: FaultContext): Promise<void> {
  try {
    await c.api.core.createNamespace({ body: { metadata: { name: CHAOS_NAMESPACE } } });
  } catch (error) {
    if (statusCode(error) !== 409) throw new Error(`Creating namespace ${CHAOS_NAMESPACE} failed: ${apiErrorMessage(error)}`);
  }
}

/** What `kubectl apply` of the experiment does: create it, or replace the one of that name. */
async function applyChaos(c: FaultContext, kind: string, resource: { metadata: { name: string } }): Promise<void> {
  const ref = { group: CHAOS_GROUP, version: VERSION, namespace: CHAOS_NAMESPACE, plural: kind.toLowerCase() };
  const where = `${CHAOS_NAMESPACE}/${resource.metadata.name}`;
  for (let attempt = 0; ; attempt++) {
    try {
      await c.api.custom.createNamespacedCustomObject({ ...ref, body: resource });
      return;
    } catch (error) {
      const code = statusCode(error);
      if (code === 404 && /namespaces? "?[\w-]+"? not found/.test(apiErrorMessage(error)) && attempt === 0) {
        await ensureChaosNamespace(c);
        continue;
      }
      if (code === 404) {
        throw new FaultError(`Chaos Mesh is not installed in this cluster (no ${kind} resource type). Install it with: helm install chaos-mesh chaos-mesh/chaos-mesh -n chaos-mesh --create-namespace --version 2.6.2`);
      }
      if (code !== 409) throw new Error(`Creating ${kind} ${where} failed: ${apiErrorMessage(error)}`);
      break;
    }
  }
  // The Chaos Mesh controller writes the experiment's status between our read and our replace: re-read and retry.
  await apiCall(`Updating ${kind} ${where}`, () => retryOnConflict(async () => {
    const current = (await c.api.custom.getNamespacedCustomObject({ ...ref, name: resource.metadata.name })) as { metadata?: { resourceVersion?: string } };
    const body = { ...resource, metadata: { ...resource.metadata, resourceVersion: current.metadata?.resourceVersion } };
    await c.api.custom.replaceNamespacedCustomObject({ ...ref, name: resource.metadata.name, body });
  }));
}

function chaosInjector<K extends ChaosFaultKind>(kind: K, shape: ChaosShape<K>): FaultInjector {
  const name = (c: FaultContext) => `${c.namespace}-${faultParams(c.fault, kind).name ?? shape.defaultName}`;
  return {
    kind,
    async inject(c) {
      const params = faultParams(c.fault, kind);
      const resource = {
        apiVersion: `${CHAOS_GROUP}/${VERSION}`,
        kind: shape.kind,
        metadata: { name: name(c), namespace: CHAOS_NAMESPACE },
        spec: shape.spec(params, shape.selector ? shape.selector(c, params) : selector(c, params)),
      };
      await applyChaos(c, shape.kind, resource);
    },
    async recover(c) {
      const ref = { group: CHAOS_GROUP, version: VERSION, namespace: CHAOS_NAMESPACE, plural: shape.kind.toLowerCase(), name: name(c) };
      try {
        await c.api.custom.deleteNamespacedCustomObject(ref);
      } catch (error) {
        if (statusCode(error) === 404) return; // already gone (or Chaos Mesh was removed with it): idempotent
        throw new Error(`Deleting ${shape.kind} ${CHAOS_NAMESPACE}/${ref.name} failed: ${apiErrorMessage(error)}`);
      }
    },
  };
}

export const podFailureFault = chaosInjector('chaos-pod-failure', {
  kind: 'PodChaos',
  defaultName: 'pod-failure-experiment',
  spec: (p, sel) => ({ action: 'pod-failure', mode: p.mode, duration: p.duration, selector: sel }),
});

/** Named pod-kill, but the original deliberately uses action pod-failure (a killed pod would be replaced at once). */
export const podKillFault = chaosInjector('chaos-pod-kill', {
  kind: 'PodChaos',
  defaultName: 'pod-kill',
  spec: (p, sel) => ({ action: p.action, mode: p.mode, duration: p.duration, selector: sel }),
});

export const containerKillFault = chaosInjector('chaos-container-kill', {
  kind: 'PodChaos',
  defaultName: 'container-kill',
  spec: (p, sel) => ({ action: 'container-kill', mode: p.mode, duration: p.duration, containerNames: [p.container], selector: sel }),
});

export const networkLossFault = chaosInjector('chaos-network-loss', {
  kind: 'NetworkChaos',
  defaultName: 'loss',
  spec: (p, sel) => ({ action: 'loss', mode: p.mode, selector: sel, loss: { loss: p.loss, correlation: p.correlation }, duration: p.duration }),
});

export const networkDelayFault = chaosInjector('chaos-network-delay', {
  kind: 'NetworkChaos',
  defaultName: 'delay',
  spec: (p, sel) => ({ action: 'delay', mode: p.mode, selector: sel, delay: { latency: p.latency, correlation: p.correlation, jitter: p.jitter }, duration: p.duration }),
});

export const kernelFault = chaosInjector('kernel-chaos', {
  kind: 'KernelChaos',
  defaultName: 'kernel-chaos',
  spec: (p, sel) => ({ mode: p.mode, selector: sel, failKernRequest: p.failKernRequest }),
});

/**
 * disk_woreout: the original hooks write() of every mongod on the node with eBPF to return EIO. We inject the same
 * worn-out disk as Chaos Mesh IOChaos: the writes of the Mongo containers under their data volume fail with the errno.
 */
export const diskWornOutFault = chaosInjector('disk-worn-out', {
  kind: 'IOChaos',
  defaultName: 'disk-woreout',
  selector: (c, p) => ({ namespaces: [c.namespace], expressionSelectors: [{ key: labelKey(c, p), operator: 'In', values: p.services }] }),
  spec: (p, sel) => ({
    action: 'fault', mode: 'all', selector: sel, volumePath: p.volumePath, path: `${p.volumePath}/**/*`,
    methods: [p.syscall], errno: Math.abs(p.errno), percent: 100, duration: p.duration,
  }),
});
