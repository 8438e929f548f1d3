/**
 * Compares a deployed app with its manifests, object by object: "is this namespace exactly what a clean deployment
 * of apps/<id>/manifests looks like?" Used to prove that a fault was recovered (also after kill -9) and to decide
 * whether an already deployed app can be reused.
 *
 * What counts as expected: each manifest object as the API server would store it on a fresh create, obtained with
 * a server-side dry-run create of each (what `kubectl create --dry-run=server` sends, under temporary names). So the server's own
 * defaults (imagePullPolicy, dnsPolicy, Service protocol, Deployment strategy, ...) are part of the expectation on
 * whatever cluster this runs (embedded twin or a real one, any Kubernetes version), and a field that a fault *adds*
 * (a nodeSelector the manifest does not set) is still a difference, which comparing only the manifest's own fields
 * would miss.
 *
 * Compared: every top-level field except apiVersion/kind/metadata/status (spec, data, binaryData, type, ...), plus
 * metadata.labels and metadata.annotations (both ways). Ignored, because the system owns them:
 * - status; metadata other than labels and annotations (uid, resourceVersion, generation, creationTimestamp,
 *   managedFields, finalizers, ownerReferences);
 * - annotations written by tools and controllers: kubectl's last-applied-configuration, deployment.kubernetes.io/*
 *   (revision), pv.kubernetes.io/* and volume(.beta).kubernetes.io/* (binding, provisioner);
 * - a Pod's service-account token volume and its mounts (`kube-api-access-<random>`, added by admission);
 * - values the cluster allocates unless the manifest sets them: Service clusterIP(s), nodePorts and
 *   healthCheckNodePort; a Pod's nodeName (scheduler); PersistentVolume claimRef and PersistentVolumeClaim
 *   volumeName (binding). A PV claimRef is still checked against the live PVC it names: a claim left over from a
 *   deleted PVC (redeploy without PV) is a difference;
 * - `kubectl.kubernetes.io/restartedAt` in a pod template: it only records that `kubectl rollout restart` replaced the
 *   pods; the pods run the same configuration. The original's own recovery of the flagd and Mongo-TLS faults restarts
 *   the pods this way to pick up the restored configuration, so a recovered app legitimately carries it, and removing
 *   it would only roll the pods once more.
 *
 * Extra objects: Pods, ReplicaSets, Endpoints, EndpointSlices and Events belong to controllers and are not compared
 * as objects (their owners are). Extra Deployments, StatefulSets, DaemonSets, Services, ConfigMaps, Secrets,
 * PersistentVolumeClaims and Jobs count, except what the system or the engine creates on its own: ConfigMap
 * kube-root-ca.crt, service-account token Secrets, the workload Job wrk2-job with its script ConfigMap and Flower's
 * run trigger ConfigMap flwr-run (the `flwr` workload on the embedded cluster). Every Chaos Mesh resource
 * (chaos-mesh.org) in the namespace, or in Chaos Mesh's own namespace selecting pods of it, counts: a clean app has none.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import YAML from 'yaml';
import type { Kubectl } from './kubectl';
import { apiLister, splitApiVersion, type ObjectLister, type ResourceRef } from './api-lister';
import { loadKubeConfig } from './kubeconfig-load';
import { JOB_NAME, SCRIPT_CONFIGMAP } from './workload/wrk2';
import { CHAOS_GROUP, CHAOS_NAMESPACE, chaosTargetsNamespace } from './faults/chaos-mesh';

/* eslint-disable @typescript-eslint/no-explicit-any */

export interface ObjectRef {
  kind: string;
  name: string;
  /** Absent for cluster-scoped objects (PersistentVolume). */
  namespace?: string;
}

export type ObjectDifference =
  /** A field differs; `expected`/`actual` are undefined when the field is absent on that side. */
  | (ObjectRef & { type: 'changed'; field: string; expected: unknown; actual: unknown })
  /** A manifest object does not exist in the cluster. */
  | (ObjectRef & { type: 'missing' })
  /** An object the manifests do not have (and that no controller owns) exists in the namespace. */
  | (ObjectRef & { type: 'extra' });

export interface DiffOptions {
  kubectl: Kubectl;
  manifestsDir: string;
  namespace: string;
}

const CLUSTER_SCOPED = new Set(['Namespace', 'PersistentVolume', 'StorageClass', 'ClusterRole', 'ClusterRoleBinding', 'CustomResourceDefinition', 'PriorityClass', 'Node']);
/** Namespaced kinds whose extra objects count, and their API resources. */
const COUNTED_REFS: Record<string, ResourceRef> = {
  Deployment: { group: 'apps', version: 'v1', plural: 'deployments', namespaced: true },
  StatefulSet: { group: 'apps', version: 'v1', plural: 'statefulsets', namespaced: true },
  DaemonSet: { group: 'apps', version: 'v1', plural: 'daemonsets', namespaced: true },
  Service: { group: '', version: 'v1', plural: 'services', namespaced: true },
  ConfigMap: { group: '', version: 'v1', plural: 'configmaps', namespaced: true },
  Secret: { group: '', version: 'v1', plural: 'secrets', namespaced: true },
  PersistentVolumeClaim: { group: '', version: 'v1', plural: 'persistentvolumeclaims', namespaced: true },
  Job: { group: 'batch', version: 'v1', plural: 'jobs', namespaced: true },
};
/** Flower's training run as started by the engine's `flwr` workload on the embedded cluster (namespace docker). */
const FLOWER_RUN_CONFIGMAP = 'flwr-run';
const DRY_RUN_PREFIX = 'aiopslab-diff-';

const IGNORED_ANNOTATION = (key: string): boolean =>
  key === 'kubectl.kubernetes.io/last-applied-configuration' ||
  key.startsWith('deployment.kubernetes.io/') ||
  key.startsWith('pv.kubernetes.io/') ||
  key.startsWith('volume.kubernetes.io/') ||
  key.startsWith('volume.beta.kubernetes.io/');

const parsedManifests = new Map<string, { version: string; objects: any[] }>();

/** Reads the app's manifests (every .yaml/.yml/.json below the folder, multi-document), as `kubectl apply -R` does. */
export function readManifests(manifestsDir: string): any[] {
  if (!fs.existsSync(manifestsDir)) throw new Error(`No manifests folder at ${manifestsDir}.`);
  const files: string[] = [];
  const walk = (dir: string) => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (/\.(ya?ml|json)$/i.test(entry.name)) files.push(full);
    }
  };
  walk(manifestsDir);
  // Parsed once per version of the files (YAML parsing took ~30 ms of every diff of a batch).
  const version = JSON.stringify(files.map((f) => {
    const st = fs.statSync(f);
    return [f, st.mtimeMs, st.size];
  }));
  const known = parsedManifests.get(manifestsDir);
  if (known?.version === version) return structuredClone(known.objects);
  const objects: any[] = [];
  for (const file of files) {
    for (const doc of YAML.parseAllDocuments(fs.readFileSync(file, 'utf8'))) {
      if (doc.errors.length) throw new Error(`${file}: ${doc.errors[0].message}`);
      const value = doc.toJS();
      if (!value || typeof value !== 'object') continue;
      if (value.kind === 'List' && Array.isArray(value.items)) objects.push(...value.items);
      else if (value.kind && value.metadata?.name) objects.push(value);
    }
  }
  parsedManifests.set(manifestsDir, { version, objects: structuredClone(objects) });
  return objects;
}

function group(apiVersion: string | undefined): string {
  const v = apiVersion ?? '';
  return v.includes('/') ? v.split('/')[0] : '';
}

function keyOf(o: any, namespace: string): string {
  const ns = CLUSTER_SCOPED.has(o.kind) ? '' : namespace;
  return `${group(o.apiVersion)}/${o.kind}/${ns}/${o.metadata.name}`;
}

function refOf(o: any, namespace: string): ObjectRef {
  return CLUSTER_SCOPED.has(o.kind) ? { kind: o.kind, name: o.metadata.name } : { kind: o.kind, name: o.metadata.name, namespace };
}

/**
 * Expected objects and chaos kinds per cluster, manifests and namespace, kept for the life of the process: they depend
 * only on those and the server's defaults, and batch runs diff the same app before every session.
 */
const expectedCache = new Map<string, Promise<Map<string, any>>>();
const chaosCache = new Map<string, Promise<ResourceRef[]>>();
const listers = new Map<string, ObjectLister>();

function clusterKey(kubectl: Kubectl): string {
  return `${kubectl.options.kubeconfigPath ?? process.env.KUBECONFIG ?? ''}|${kubectl.options.context ?? ''}`;
}

function cached<T>(cache: Map<string, Promise<T>>, key: string, make: () => Promise<T>): Promise<T> {
  let value = cache.get(key);
  if (!value) {
    value = make();
    cache.set(key, value);
    value.catch(() => cache.delete(key)); // a failure is not remembered
  }
  return value;
}

/** The manifest objects as a fresh create would store them (defaults filled in by the server), keyed like the live ones. */
async function expectedObjects(api: ObjectLister, manifests: any[], namespace: string): Promise<Map<string, any>> {
  // Short temporary names (a name plus a suffix could pass the 63-character limit of Services), mapped back after.
  const original = new Map<string, string>();
  const renamed = manifests.map((m, i) => {
    const name = `${DRY_RUN_PREFIX}${i}`;
    original.set(name, m.metadata.name);
    return { object: { ...m, metadata: { ...m.metadata, name, namespace: CLUSTER_SCOPED.has(m.kind) ? undefined : namespace } }, resource: refFor(m) };
  });
  let stored: any[];
  try {
    // The requests `kubectl create --dry-run=server` sends, without a kubectl process (~150 ms of CPU) per app and cluster.
    stored = await api.dryRunCreate(namespace, renamed);
  } catch (error) {
    throw new Error(`Could not ask the cluster how it would store the app's manifests (server-side dry run): ${(error as Error).message}`);
  }
  const result = new Map<string, any>();
  for (const o of stored) {
    const name = original.get(String(o.metadata?.name));
    if (!name) continue;
    o.metadata.name = name;
    result.set(keyOf(o, namespace), o);
  }
  return result;
}

/** The API lister of the kubectl's kubeconfig and context, one per cluster for the life of the process. */
function listerFor(kubectl: Kubectl, cluster: string): ObjectLister {
  let lister = listers.get(cluster);
  if (!lister) {
    lister = apiLister(loadKubeConfig(kubectl.options.kubeconfigPath, kubectl.options.context));
    listers.set(cluster, lister);
  }
  return lister;
}

/**
 * The namespace's objects of the counted kinds, the manifests' kinds and Chaos Mesh's kinds, read through the API
 * server with the kubectl's kubeconfig and context (one request per resource, in parallel: a `kubectl get` process of
 * them all cost ~100 ms more).
 */
async function liveObjects(kubectl: Kubectl, namespace: string, manifests: any[], cluster: string): Promise<any[]> {
  const api = listerFor(kubectl, cluster);
  // Chaos Mesh may be installed later (a real cluster's first chaos fault): only a found list is kept.
  const chaos = await cached(chaosCache, cluster, async () => {
    const found = (await api.groupResources('chaos-mesh.org')).filter((r) => r.namespaced);
    if (found.length === 0) throw new Error('no Chaos Mesh kinds yet');
    return found;
  }).catch(() => [] as ResourceRef[]);
  const refs = new Map<string, ResourceRef>();
  for (const r of [...Object.values(COUNTED_REFS), ...manifests.map(refFor), ...chaos]) refs.set(`${r.group}/${r.plural}`, r);
  const [own, experiments] = await Promise.all([
    api.list(namespace, [...refs.values()]),
    chaos.length && namespace !== CHAOS_NAMESPACE ? api.list(CHAOS_NAMESPACE, chaos) : Promise.resolve([]),
  ]);
  return [...own, ...experiments.filter((o) => chaosTargetsNamespace(o, namespace))];
}

/** The API resource of a manifest kind (plural: the kind in lower case plus `s`, as for every kind the apps use). */
function refFor(o: any): ResourceRef {
  const known = COUNTED_REFS[o.kind];
  if (known) return known;
  return { ...splitApiVersion(String(o.apiVersion ?? 'v1')), plural: `${String(o.kind).toLowerCase()}s`, namespaced: !CLUSTER_SCOPED.has(o.kind) };
}

/**
 * The differences between the app deployed in `namespace` and its manifests; empty when the namespace holds exactly
 * a clean deployment (see the module comment for what is compared and what is ignored).
 */
export async function diffAppAgainstManifests(options: DiffOptions): Promise<ObjectDifference[]> {
  const { kubectl, namespace } = options;
  const manifests = readManifests(options.manifestsDir).filter((m) => m.kind !== 'Namespace');
  const cluster = clusterKey(kubectl);
  const [expected, liveItems] = await Promise.all([
    // Copies: the comparison below must not change what the next diff expects.
    cached(expectedCache, `${cluster}|${namespace}|${JSON.stringify(manifests)}`, () => expectedObjects(listerFor(kubectl, cluster), manifests, namespace)).then((m) => structuredClone(m)),
    liveObjects(kubectl, namespace, manifests, cluster),
  ]);
  const live = new Map<string, any>();
  for (const o of liveItems) {
    if (CLUSTER_SCOPED.has(o.kind) || o.metadata?.namespace === namespace || group(o.apiVersion) === CHAOS_GROUP) live.set(keyOf(o, namespace), o);
  }

  const differences: ObjectDifference[] = [];
  for (const manifest of manifests) {
    const key = keyOf(manifest, namespace);
    const ref = refOf(manifest, namespace);
    const want = expected.get(key);
    const have = live.get(key);
    if (!have) {
      differences.push({ ...ref, type: 'missing' });
      continue;
    }
    if (!want) throw new Error(`The server-side dry run returned no ${manifest.kind} ${manifest.metadata.name}.`);
    for (const d of compareObject(withoutTokenVolume(want), withoutTokenVolume(have), manifest)) differences.push({ ...ref, type: 'changed', ...d });
    if (manifest.kind === 'PersistentVolume') {
      const claim = have.spec?.claimRef;
      if (claim?.name && claim.namespace === namespace) {
        const pvc = live.get(`/PersistentVolumeClaim/${namespace}/${claim.name}`);
        if (pvc && claim.uid && claim.uid !== pvc.metadata?.uid) {
          differences.push({ ...ref, type: 'changed', field: 'spec.claimRef.uid', expected: pvc.metadata.uid, actual: claim.uid });
        }
      }
    }
  }

  const manifestKeys = new Set(manifests.map((m) => keyOf(m, namespace)));
  const claimsOfStatefulSets = statefulSetClaims([...live.values()] as unknown[]);
  for (const [key, o] of live) {
    if (manifestKeys.has(key) || CLUSTER_SCOPED.has(o.kind)) continue;
    const claimName = (o as { metadata?: { name?: string } }).metadata?.name ?? '';
    if ((o as { kind?: string }).kind === 'PersistentVolumeClaim' && claimsOfStatefulSets(claimName)) continue;
    const isChaos = group(o.apiVersion) === CHAOS_GROUP;
    if (!isChaos && !(o.kind in COUNTED_REFS)) continue;
    if (!isChaos && ownedBySystem(o)) continue;
    differences.push({ ...refOf(o, isChaos ? String(o.metadata.namespace) : namespace), type: 'extra' });
  }
  return differences;
}

/**
 * A Pod as admission leaves it, minus the service-account token volume it adds under a random name
 * (`kube-api-access-xxxxx`, mounted into every container): two creates of the same manifest never agree on it.
 */
function withoutTokenVolume(o: any): any {
  if (o.kind !== 'Pod' || !o.spec) return o;
  const token = (name: unknown) => typeof name === 'string' && name.startsWith('kube-api-access-');
  const strip = (containers: any[] | undefined) => containers?.map((c) => (c.volumeMounts ? { ...c, volumeMounts: c.volumeMounts.filter((m: any) => !token(m.name)) } : c));
  const spec = { ...o.spec, containers: strip(o.spec.containers), initContainers: strip(o.spec.initContainers), volumes: o.spec.volumes?.filter((v: any) => !token(v.name)) };
  for (const k of ['initContainers', 'volumes']) if (spec[k] === undefined) delete spec[k];
  return { ...o, spec };
}

/**
 * Whether a claim is one a live StatefulSet made from its claim templates (`<template>-<statefulset>-<ordinal>`): it
 * has no owner (claims outlive their pods), but belongs to the StatefulSet as much as its pods do.
 */
function statefulSetClaims(live: unknown[]): (name: string) => boolean {
  type Sts = { kind?: string; metadata?: { name?: string }; spec?: { volumeClaimTemplates?: Array<{ metadata?: { name?: string } }> } };
  const prefixes = (live as Sts[]).filter((o) => o.kind === 'StatefulSet')
    .flatMap((s) => (s.spec?.volumeClaimTemplates ?? []).map((t) => `${t.metadata?.name ?? ''}-${s.metadata?.name ?? ''}-`));
  return (name) => prefixes.some((p) => name.startsWith(p) && /^\d+$/.test(name.slice(p.length)));
}

function ownedBySystem(o: any): boolean {
  const name = o.metadata?.name;
  if (o.kind === 'ConfigMap' && (name === 'kube-root-ca.crt' || name === SCRIPT_CONFIGMAP)) return true;
  if (o.kind === 'Secret' && o.type === 'kubernetes.io/service-account-token') return true;
  if (o.kind === 'Job' && name === JOB_NAME) return true;
  if (o.kind === 'ConfigMap' && name === FLOWER_RUN_CONFIGMAP) return true;
  // Controller-created objects (a Job of a CronJob, ...) are judged through their owner.
  return (o.metadata?.ownerReferences ?? []).some((r: any) => r.controller === true);
}

type FieldDifference = { field: string; expected: unknown; actual: unknown };

/** Compares one object: every top-level field but apiVersion/kind/metadata/status, plus labels and annotations. */
export function compareObject(expected: any, actual: any, manifest: any): FieldDifference[] {
  const out: FieldDifference[] = [];
  const top = new Set([...Object.keys(expected), ...Object.keys(actual)].filter((k) => !['apiVersion', 'kind', 'metadata', 'status'].includes(k)));
  for (const key of [...top].sort()) compareValue(expected[key], actual[key], [key], { kind: expected.kind, manifest }, out);
  for (const field of ['labels', 'annotations'] as const) {
    const e = withoutIgnored(expected.metadata?.[field], field);
    const a = withoutIgnored(actual.metadata?.[field], field);
    compareValue(e, a, ['metadata', field], { kind: expected.kind, manifest }, out);
  }
  return out;
}

function withoutIgnored(map: Record<string, string> | undefined, field: 'labels' | 'annotations'): Record<string, string> | undefined {
  if (!map) return undefined;
  const kept = Object.fromEntries(Object.entries(map).filter(([k]) => (field === 'annotations' ? !IGNORED_ANNOTATION(k) : true)));
  return Object.keys(kept).length ? kept : undefined;
}

interface CompareContext { kind: string; manifest: any }

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Path with numeric indices written as `*`, for matching the ignore rules. */
function pattern(p: Array<string | number>): string {
  return p.map((s) => (typeof s === 'number' ? '*' : s)).join('.');
}

function manifestSets(manifest: any, p: Array<string | number>): boolean {
  let cur = manifest;
  for (const s of p) {
    if (cur === undefined || cur === null) return false;
    cur = cur[s];
  }
  return cur !== undefined;
}

/** Values the cluster allocates or the binding controller writes; ignored unless the manifest itself sets them. */
const ALLOCATED: Record<string, string[]> = {
  Service: ['spec.clusterIP', 'spec.clusterIPs', 'spec.ports.*.nodePort', 'spec.healthCheckNodePort'],
  PersistentVolume: ['spec.claimRef'],
  PersistentVolumeClaim: ['spec.volumeName'],
  Pod: ['spec.nodeName'],
  Job: ['spec.selector'],
};
/** Labels the Job controller adds to its selector and pod template. */
const JOB_LABELS = new Set(['controller-uid', 'job-name', 'batch.kubernetes.io/controller-uid', 'batch.kubernetes.io/job-name']);

function ignoredPath(p: Array<string | number>, context: CompareContext): boolean {
  const pat = pattern(p);
  if (pat === 'spec.template.metadata.annotations.kubectl.kubernetes.io/restartedAt') return true;
  if (pat === 'spec.template.metadata.creationTimestamp') return true;
  if (context.kind === 'Job' && p.length === 5 && pat.startsWith('spec.template.metadata.labels.') && JOB_LABELS.has(String(p[4]))) return true;
  return (ALLOCATED[context.kind] ?? []).includes(pat) && !manifestSets(context.manifest, p);
}

function compareValue(expected: unknown, actual: unknown, p: Array<string | number>, context: CompareContext, out: FieldDifference[]): void {
  if (ignoredPath(p, context)) return;
  const absent = (v: unknown) => v === undefined || v === null;
  // Maps are compared key by key, also when one side lacks the map (so the ignore rules apply inside it).
  if ((isPlainObject(expected) || isPlainObject(actual)) && (isPlainObject(expected) || absent(expected)) && (isPlainObject(actual) || absent(actual))) {
    const e = (isPlainObject(expected) ? expected : {});
    const a = (isPlainObject(actual) ? actual : {});
    for (const key of [...new Set([...Object.keys(e), ...Object.keys(a)])].sort()) compareValue(e[key], a[key], [...p, key], context, out);
    return;
  }
  // Lists element by element; an element present on one side only is one difference.
  if ((Array.isArray(expected) || Array.isArray(actual)) && (Array.isArray(expected) || absent(expected)) && (Array.isArray(actual) || absent(actual))) {
    const e = (Array.isArray(expected) ? expected : []) as unknown[];
    const a = (Array.isArray(actual) ? actual : []) as unknown[];
    for (let i = 0; i < Math.max(e.length, a.length); i++) {
      if (i >= e.length || i >= a.length) out.push({ field: formatPath([...p, i]), expected: e[i], actual: a[i] });
      else compareValue(e[i], a[i], [...p, i], context, out);
    }
    return;
  }
  if (absent(expected) && absent(actual)) return;
  if (JSON.stringify(expected) === JSON.stringify(actual)) return;
  out.push({ field: formatPath(p), expected: expected ?? undefined, actual: actual ?? undefined });
}

/** `spec.ports[0].targetPort`, `metadata.annotations["kubectl.kubernetes.io/restartedAt"]`. */
export function formatPath(p: Array<string | number>): string {
  let s = '';
  for (const seg of p) {
    if (typeof seg === 'number') s += `[${seg}]`;
    else if (/^[A-Za-z_$][\w$]*$/.test(seg)) s += s ? `.${seg}` : seg;
    else s += `[${JSON.stringify(seg)}]`;
  }
  return s;
}

/** One line per difference, for people: `Service geo: spec.ports[0].targetPort is 9999, expected 8083`. */
export function formatDifference(d: ObjectDifference): string {
  const what = `${d.kind} ${d.namespace ? `${d.namespace}/` : ''}${d.name}`;
  switch (d.type) {
    case 'missing':
      return `${what} is missing`;
    case 'extra':
      return `${what} exists but is not part of the app`;
    default:
      if (d.actual === undefined) return `${what}: ${d.field} is not set, expected ${show(d.expected)}`;
      if (d.expected === undefined) return `${what}: ${d.field} is ${show(d.actual)}, expected it not to be set`;
      return `${what}: ${d.field} is ${show(d.actual)}, expected ${show(d.expected)}`;
  }
}

function show(v: unknown): string {
  const s = JSON.stringify(v);
  return s.length > 120 ? `${s.slice(0, 117)}...` : s;
}
