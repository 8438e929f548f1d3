import type { CleanupLeftover } from '../core/session/types';
import type { Kubectl } from './kubectl';
import { waitUntil } from './wait';

/**
 * The end of a session on a cluster: the app's namespace goes, and so do the PersistentVolumes its claims held (with
 * reclaim policy Retain they outlive the namespace as `Released` and never bind again; deleting the volume object
 * keeps the data on its storage). What is still there when the wait ends is reported, never left silently: which
 * object, why (the finalizers that hold it, the namespace's own conditions) and the command that removes it.
 */

interface Meta { name: string; namespace?: string; deletionTimestamp?: string; finalizers?: string[] }
interface Volume { metadata: Meta; spec?: { claimRef?: { namespace?: string; name?: string }; persistentVolumeReclaimPolicy?: string }; status?: { phase?: string } }
interface NamespaceObject { metadata: Meta; spec?: { finalizers?: string[] }; status?: { phase?: string; conditions?: Array<{ type: string; status: string; message?: string }> } }
interface Listed { kind: string; apiVersion: string; metadata: Meta }

export interface CleanupOptions {
  kubectl: Kubectl;
  namespace: string;
  /** How long the namespace and then the volumes may take to go. */
  timeoutMs: number;
  pollMs: number;
  sleep: (ms: number) => Promise<void>;
}

/** Deletes the namespace and the volumes its claims left; returns what could not be removed (empty when all went). */
export async function removeNamespaceAndVolumes(o: CleanupOptions): Promise<CleanupLeftover[]> {
  const deadline = Date.now() + o.timeoutMs;
  await o.kubectl.run(['delete', 'namespace', o.namespace, '--ignore-not-found', '--wait=false']);
  const namespaceGone = await lookUntil(o, deadline, async () => !(await readNamespace(o.kubectl, o.namespace)));
  // While the namespace stays, claims in it still hold their volumes: only the released ones can go.
  const leftBehind = (await volumesOf(o.kubectl, o.namespace)).filter((v) => namespaceGone || v.status?.phase !== 'Bound');
  const failed = new Map<string, string>();
  for (const v of leftBehind) {
    await o.kubectl.run(['delete', 'persistentvolume', v.metadata.name, '--ignore-not-found', '--wait=false']).catch((error: Error) => failed.set(v.metadata.name, error.message));
  }
  const names = new Set(leftBehind.map((v) => v.metadata.name));
  await lookUntil(o, Math.max(deadline, Date.now() + 2 * o.pollMs), async () => !(await volumesOf(o.kubectl, o.namespace)).some((v) => names.has(v.metadata.name)));
  const leftovers: CleanupLeftover[] = [];
  if (!namespaceGone) leftovers.push(...(await explainNamespace(o.kubectl, o.namespace)));
  for (const v of await volumesOf(o.kubectl, o.namespace)) if (names.has(v.metadata.name)) leftovers.push(explainVolume(o.kubectl, v, failed.get(v.metadata.name)));
  return leftovers;
}

/** Why a namespace is still there, object by object: what holds it, and how to remove each. */
export async function explainNamespace(kubectl: Kubectl, namespace: string): Promise<CleanupLeftover[]> {
  const ns = await readNamespace(kubectl, namespace).catch(() => undefined);
  if (!ns) return [];
  const k = kubectlCommand(kubectl);
  const held = await heldObjects(kubectl, namespace);
  const out: CleanupLeftover[] = held.map((obj) => ({
    object: `${obj.kind.toLowerCase()}/${obj.metadata.name} in namespace ${namespace}`,
    reason: `its deletion waits for finalizer${(obj.metadata.finalizers ?? []).length === 1 ? '' : 's'} ${(obj.metadata.finalizers ?? []).join(', ')}, which nothing on the cluster removes`,
    command: `${k} patch ${resourceOf(obj)} ${obj.metadata.name} -n ${namespace} --type=merge -p '{"metadata":{"finalizers":null}}'`,
  }));
  const conditions = (ns.status?.conditions ?? []).filter((c) => c.status === 'True' && c.message).map((c) => c.message);
  const terminating = !!ns.metadata.deletionTimestamp;
  out.push({
    object: `namespace ${namespace}`,
    reason: terminating
      ? `stuck Terminating${conditions.length ? `: ${conditions.join('; ')}` : ''}${held.length ? `; it goes once ${held.length === 1 ? 'the object above is' : 'the objects above are'} removed` : ''}`
      : 'it was not deleted',
    command: held.length
      ? out.map((l) => l.command).join(' && ')
      : terminating && ns.spec?.finalizers?.length
        ? `${k} get namespace ${namespace} -o json | sed 's/"kubernetes"//' | ${k} replace --raw /api/v1/namespaces/${namespace}/finalize -f -`
        : `${k} delete namespace ${namespace}`,
  });
  return out;
}

function explainVolume(kubectl: Kubectl, v: Volume, deleteError: string | undefined): CleanupLeftover {
  const k = kubectlCommand(kubectl);
  const claim = `${v.spec?.claimRef?.namespace}/${v.spec?.claimRef?.name}`;
  const finalizers = v.metadata.finalizers ?? [];
  const state = `${v.status?.phase ?? 'unknown phase'}, reclaim policy ${v.spec?.persistentVolumeReclaimPolicy ?? 'Retain'}, was bound to claim ${claim}`;
  if (v.metadata.deletionTimestamp && finalizers.length) {
    return {
      object: `persistentvolume/${v.metadata.name}`,
      reason: `${state}; its deletion waits for finalizer${finalizers.length === 1 ? '' : 's'} ${finalizers.join(', ')}, which nothing on the cluster removes`,
      command: `${k} patch persistentvolume ${v.metadata.name} --type=merge -p '{"metadata":{"finalizers":null}}'`,
    };
  }
  return {
    object: `persistentvolume/${v.metadata.name}`,
    reason: `${state}; ${deleteError ? `deleting it failed: ${deleteError}` : 'it was not deleted in time'}`,
    command: `${k} delete persistentvolume ${v.metadata.name}`,
  };
}

/** The objects of the namespace that are being deleted but held by finalizers. */
async function heldObjects(kubectl: Kubectl, namespace: string): Promise<Listed[]> {
  const types = (await kubectl.run(['api-resources', '--verbs=list,delete', '--namespaced', '-o', 'name']).catch(() => ''))
    .split('\n').map((t) => t.trim()).filter((t) => t && t !== 'events' && t !== 'events.events.k8s.io');
  if (!types.length) return [];
  const list = await kubectl.json<{ items?: Listed[] }>(['get', types.join(','), '-n', namespace, '--ignore-not-found', '-o', 'json']).catch(() => ({ items: [] as Listed[] }));
  return (list.items ?? []).filter((obj) => obj.metadata.deletionTimestamp && obj.metadata.finalizers?.length);
}

/** `kind.group` for kubectl, so that a custom resource is named without ambiguity. */
function resourceOf(obj: Listed): string {
  const group = obj.apiVersion.includes('/') ? obj.apiVersion.split('/')[0] : '';
  return group ? `${obj.kind.toLowerCase()}.${group}` : obj.kind.toLowerCase();
}

async function readNamespace(kubectl: Kubectl, namespace: string): Promise<NamespaceObject | undefined> {
  const out = await kubectl.run(['get', 'namespace', namespace, '--ignore-not-found', '-o', 'json']);
  return out.trim() ? (JSON.parse(out) as NamespaceObject) : undefined;
}

/** Volumes whose claim is (or was) in the namespace. */
async function volumesOf(kubectl: Kubectl, namespace: string): Promise<Volume[]> {
  const list = await kubectl.json<{ items?: Volume[] }>(['get', 'persistentvolumes']);
  return (list.items ?? []).filter((v) => v.spec?.claimRef?.namespace === namespace);
}

/** The kubectl a user types to act on the same cluster. */
function kubectlCommand(kubectl: Kubectl): string {
  return `kubectl${kubectl.options.context ? ` --context ${kubectl.options.context}` : ''}`;
}

/** Whether `done` held before `deadline` (a look that fails counts as not yet), looking with the shared back-off. */
async function lookUntil(o: CleanupOptions, deadline: number, done: () => Promise<boolean>): Promise<boolean> {
  return waitUntil(() => done().catch(() => false), { timeoutMs: Math.max(0, deadline - Date.now()), what: 'clean-up', pollMs: o.pollMs, maxPollMs: 10 * o.pollMs, sleep: o.sleep }).then(() => true, () => false);
}
