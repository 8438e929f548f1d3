import YAML from 'yaml';
import type { FaultContext, FaultInjector } from './types';
import { FaultError } from './types';

/**
 * Chaos Mesh experiments, as the original creates them (facts §7): a chaos-mesh.org/v1alpha1 resource in the app
 * namespace selecting the target's pods by label; recovery deletes it. On a real cluster Chaos Mesh (2.6.x) must be
 * installed; the embedded cluster serves and simulates these kinds itself.
 */
interface ChaosShape {
  kind: 'PodChaos' | 'NetworkChaos' | 'KernelChaos' | 'StressChaos';
  defaultName: string;
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

function chaosInjector(kind: string, shape: ChaosShape): FaultInjector {
  const name = (c: FaultContext) => String(p(c, 'name', shape.defaultName));
  return {
    kind,
    async inject(c) {
      const resource = {
        apiVersion: 'chaos-mesh.org/v1alpha1',
        kind: shape.kind,
        metadata: { name: name(c), namespace: c.namespace },
        spec: shape.spec(c, selector(c, shape.kind === 'NetworkChaos')),
      };
      try {
        await c.kubectl.run(['apply', '-f', '-'], YAML.stringify(resource));
      } catch (error) {
        if (/no matches for kind|the server doesn't have a resource type|ensure CRDs are installed/i.test((error as Error).message)) {
          throw new FaultError(`Chaos Mesh is not installed in this cluster (no ${shape.kind} resource type). Install it with: helm install chaos-mesh chaos-mesh/chaos-mesh -n chaos-mesh --create-namespace --version 2.6.2`);
        }
        throw error;
      }
    },
    async recover(c) {
      await c.kubectl.run(['delete', shape.kind.toLowerCase(), name(c), '-n', c.namespace, '--ignore-not-found']);
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
