/**
 * A twin process for a test file (the embedded cluster as `startTwin` runs it: real clock, HTTP API server) with the
 * orchestrator's kubectl on it, and what the tests that inject faults or read telemetry on it share: waiting for a
 * probe to hold, the pods of a service as kubectl prints them, and a FaultContext that neither sleeps nor deploys.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { startTwin, type TwinHandle } from '../../src/twin';
import { resolveKubectl } from '../../src/twin/kubectl-path';
import { Kubectl } from '../../src/env/kubectl';
import { faultApiFromFile } from '../../src/env/faults/api';
import type { FaultContext } from '../../src/env/faults';
import type { FaultSpec } from '../../src/core/problems/types';
import type { AppDefinition } from '../../src/core/apps/types';

export interface TwinProcess {
  twin: TwinHandle;
  kubectl: Kubectl;
  /** The twin's state folder (removed after the suite). */
  dir: string;
}

/**
 * Starts a twin process before the suite's tests and runs `setUp` on it (apply the app, wait for its pods); stops it
 * and removes its folder after them. Call it in a describe() callback.
 */
export function useTwinProcess(prefix: string, setUp: (t: TwinProcess) => Promise<void>): void {
  let dir: string | undefined;
  let twin: TwinHandle | undefined;
  before(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
    twin = await startTwin({ stateDir: dir });
    const kubectl = new Kubectl({ kubectl: await resolveKubectl(), kubeconfigPath: twin.kubeconfigPath, kubeCacheDir: twin.kubeCacheDir });
    await setUp({ twin, kubectl, dir });
  });
  after(async () => {
    await twin?.stop();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });
}

/**
 * Polls `probe` until it returns a value (`undefined` or `false`: not yet; a throw: not yet either, and quoted when
 * time runs out), every 200 ms; fails after `timeoutMs` naming what it waited for.
 */
export async function eventually<T>(what: string, probe: () => Promise<T | undefined | false>, timeoutMs = 10_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await probe();
      if (v !== undefined && v !== false) return v;
    } catch (e) {
      last = e;
    }
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}${last ? `: ${(last as Error).message}` : ''}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** A pod as these tests read it from `kubectl get -o json` (the fields they assert on are there once it was scheduled). */
export interface PodJson {
  metadata: { name: string; annotations?: Record<string, string> };
  spec: { containers: Array<{ name: string; image: string }> };
  status: { phase?: string; containerStatuses?: Array<{ ready: boolean; restartCount: number }> };
}

/** The pods of a namespace, or those matching a label selector. */
export async function podsIn(kubectl: Kubectl, namespace: string, selector?: string): Promise<PodJson[]> {
  return (await kubectl.json<{ items: PodJson[] }>(['get', 'pods', '-n', namespace, ...(selector ? ['-l', selector] : [])])).items;
}

/** What an injector under test is given: the twin's kubectl and API, no waiting and no deploying. */
export function faultContext(t: Pick<TwinProcess, 'twin' | 'kubectl'>, app: AppDefinition, fault: FaultSpec, namespace = app.namespace): FaultContext {
  return { fault, app, namespace, kubectl: t.kubectl, api: faultApiFromFile(t.twin.kubeconfigPath), sleep: async () => undefined, deployApp: async () => undefined, deleteNamespace: async () => undefined };
}
