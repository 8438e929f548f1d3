import type { AppDefinition } from '../../core/apps/types';
import type { FaultSpec } from '../../core/problems/types';
import type { FaultApi } from './api';
import type { Kubectl } from '../kubectl';

export interface FaultContext {
  fault: FaultSpec;
  app: AppDefinition;
  namespace: string;
  kubectl: Kubectl;
  /** The same cluster through the API (reads and patches without a kubectl process). */
  api: FaultApi;
  sleep(ms: number): Promise<void>;
  /** Applies the app's manifests; with `wait`, until its pods are ready. */
  deployApp(wait: boolean): Promise<void>;
  /** Deletes the app's namespace and waits until it is gone. */
  deleteNamespace(): Promise<void>;
  /** The `docker` executable of this cluster, when it brings its own (the embedded cluster's shim for Flower). */
  docker?: string;
}

/** Injects and recovers one kind of fault the way an SRE would on a real cluster. Both must be idempotent. */
export interface FaultInjector {
  kind: string;
  inject(context: FaultContext): Promise<void>;
  recover(context: FaultContext): Promise<void>;
}

export class FaultError extends Error {}
