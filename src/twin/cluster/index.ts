/**
 * PLACEHOLDER written by the API-server half so the twin starts before the cluster half exists.
 * The cluster-half engineer owns this file and replaces it wholesale; keep the signature:
 *   export function startCluster(store: ObjectStore): { runtime: PodRuntime; stop(): void }
 */
import type { ObjectStore, PodRuntime } from '../contracts';

export function startCluster(store: ObjectStore): { runtime: PodRuntime; stop(): void } {
  void store;
  const runtime: PodRuntime = {
    logs: () => [],
    followLogs: () => () => undefined,
    exec: async () => ({ stdout: '', stderr: 'no container runtime in this twin build\n', exitCode: 126 }),
    podUsage: () => undefined,
    nodeUsage: () => undefined,
  };
  return { runtime, stop: () => undefined };
}
