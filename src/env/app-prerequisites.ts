/**
 * What an app needs installed before its own manifests apply: an operator and its resource types (the TiDB app's
 * TidbCluster cannot be applied before its CRD is Established, and means nothing without the operator running).
 * Each folder is applied as it is — its objects name their own namespaces — then waited for the way a user would
 * (`kubectl wait --for=condition=Established crd/…`, `kubectl rollout status deployment/…`).
 */
import * as path from 'node:path';
import type { AppDefinition } from '../core/apps/types';
import type { Kubectl } from './kubectl';
import { readManifests } from './cluster-diff';

/** Applies and waits for each prerequisite folder of the app, in order. Idempotent (apply). */
export async function installPrerequisites(kubectl: Kubectl, appFolder: string, app: AppDefinition, timeoutSec = 120): Promise<void> {
  if (app.deploy.kind !== 'manifests') return;
  for (const folder of app.deploy.prerequisites ?? []) {
    const dir = path.resolve(appFolder, folder);
    const objects = readManifests(dir) as Array<{ kind?: string; metadata?: { name?: string; namespace?: string } }>;
    await kubectl.run(['apply', '-R', '-f', dir]);
    const crds = objects.filter((o) => o.kind === 'CustomResourceDefinition').map((o) => `crd/${o.metadata?.name}`);
    if (crds.length > 0) await kubectl.run(['wait', '--for=condition=Established', ...crds, `--timeout=${timeoutSec}s`], undefined, (timeoutSec + 10) * 1000);
    for (const d of objects.filter((o) => o.kind === 'Deployment')) {
      await kubectl.run(['rollout', 'status', `deployment/${d.metadata?.name}`, '-n', String(d.metadata?.namespace ?? 'default'), `--timeout=${timeoutSec}s`], undefined, (timeoutSec + 10) * 1000);
    }
  }
}

/** Whether every object of each `readyConditions` resource in the namespace has its condition True (none yet: not ready). */
export async function readyConditionsMet(kubectl: Kubectl, app: AppDefinition): Promise<boolean> {
  if (app.deploy.kind !== 'manifests') return true;
  for (const { resource, condition } of app.deploy.readyConditions ?? []) {
    const list = await kubectl.json<{ items?: Array<{ status?: { conditions?: Array<{ type?: string; status?: string }> } }> }>(['get', resource, '-n', app.namespace]);
    const items = list.items ?? [];
    if (items.length === 0) return false;
    if (!items.every((o) => (o.status?.conditions ?? []).some((c) => c.type === condition && c.status === 'True'))) return false;
  }
  return true;
}
