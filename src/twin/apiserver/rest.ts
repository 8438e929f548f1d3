/**
 * Generic REST for every stored resource type: list/get (JSON or Table), create, replace, the four patch types,
 * delete (single and collection), and the `status` and `scale` subresources.
 */
/* eslint-disable @typescript-eslint/no-explicit-any */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { KubeObject } from '../contracts';
import { ApiError, badRequest, methodNotAllowed, notFound, pathNotFound } from './errors';
import { decodeBody, readBody, sendJson, TABLE_CONTENT_TYPE, wantsTable, isTrue } from './http-util';
import { applyJsonPatch, applyMergePatch, applyStrategicMergePatch, patchTypeOf } from './patch';
import type { ResourceInfo } from './registry';
import type { MemoryStore, DeleteOptions } from './store';
import { toTable, IncludeObject } from './tables';
import { selectorToString } from './selectors';
import { checkPodUpdate } from './validate';
import { applyDefaults } from './defaults';
import { checkStrict } from './strict';

function strict(r: ResourceRequest, body: unknown): void {
  if (r.url.searchParams.get('fieldValidation') === 'Strict') checkStrict(r.info, body);
}

/** API-only rules for updates of the main resource (the store lets in-process actors such as the scheduler bind pods). */
function checkUpdate(r: ResourceRequest, next: KubeObject): void {
  if (r.subresource || r.info.kind !== 'Pod' || r.info.group) return;
  const old = r.store.get(storeName(r), r.namespace, r.name!);
  if (!old) return;
  const candidate = structuredClone(next);
  applyDefaults(candidate, r.store, old);
  checkPodUpdate(old, candidate);
}

export interface ResourceRequest {
  req: IncomingMessage;
  res: ServerResponse;
  url: URL;
  store: MemoryStore;
  info: ResourceInfo;
  namespace?: string;
  name?: string;
  subresource?: string;
  /** Admission of a new or changed object before it is stored (RBAC escalation prevention); throws to refuse. */
  admit?: (obj: KubeObject) => void;
}

export function storeName(r: ResourceRequest): string { return r.store.registry.storeName(r.info); }
export function apiVersionOf(info: ResourceInfo): string { return info.group ? `${info.group}/${info.version}` : info.version; }

function includeObjectOf(url: URL): IncludeObject {
  const v = url.searchParams.get('includeObject');
  return v === 'Object' || v === 'None' ? v : 'Metadata';
}

function sendObjectOrTable(r: ResourceRequest, code: number, obj: KubeObject): void {
  if (wantsTable(r.req.headers.accept)) {
    sendJson(r.res, code, toTable(r.info, [obj], { includeObject: includeObjectOf(r.url), resourceVersion: obj.metadata.resourceVersion }), TABLE_CONTENT_TYPE);
  } else sendJson(r.res, code, obj);
}

export function listObjects(r: ResourceRequest): KubeObject[] {
  const fieldSelector = r.url.searchParams.get('fieldSelector') ?? undefined;
  const labelSelector = r.url.searchParams.get('labelSelector') ?? undefined;
  let items = r.store.list(storeName(r), r.namespace, { labelSelector, fieldSelector });
  if (r.name) items = items.filter((o) => o.metadata.name === r.name);
  return items;
}

export function handleList(r: ResourceRequest): void {
  const items = listObjects(r);
  const rv = r.store.currentResourceVersion();
  if (wantsTable(r.req.headers.accept)) {
    sendJson(r.res, 200, toTable(r.info, items, { includeObject: includeObjectOf(r.url), resourceVersion: rv }), TABLE_CONTENT_TYPE);
    return;
  }
  sendJson(r.res, 200, { apiVersion: apiVersionOf(r.info), kind: `${r.info.kind}List`, metadata: { resourceVersion: rv }, items });
}

function checkBodyType(r: ResourceRequest, body: any): KubeObject {
  if (!body || typeof body !== 'object' || Array.isArray(body)) throw badRequest(`the body of the request could not be decoded as an object of kind ${r.info.kind}`);
  const av = apiVersionOf(r.info);
  if (body.kind !== undefined && body.kind !== r.info.kind) {
    throw badRequest(`the kind in the data (${String(body.kind)}) does not match the expected kind (${r.info.kind})`);
  }
  if (body.apiVersion !== undefined && body.apiVersion !== av) {
    throw badRequest(`the API version in the data (${String(body.apiVersion)}) does not match the expected API version (${av})`);
  }
  if (body.metadata !== undefined && (typeof body.metadata !== 'object' || body.metadata === null || Array.isArray(body.metadata))) {
    throw badRequest('metadata must be an object');
  }
  body.apiVersion = av;
  body.kind = r.info.kind;
  body.metadata ??= {};
  return body as KubeObject;
}

function checkNamespace(r: ResourceRequest, obj: KubeObject): void {
  if (!r.info.namespaced) return;
  if (obj.metadata.namespace && r.namespace && obj.metadata.namespace !== r.namespace) {
    throw badRequest('the namespace of the provided object does not match the namespace sent on the request');
  }
  obj.metadata.namespace = r.namespace ?? obj.metadata.namespace;
}

function dryRun(url: URL): boolean { return url.searchParams.getAll('dryRun').includes('All'); }

export async function handleCreate(r: ResourceRequest): Promise<void> {
  const body = checkBodyType(r, decodeBody(await readBody(r.req), r.req.headers['content-type']));
  if (r.info.namespaced && !r.namespace) throw pathNotFound();
  strict(r, body);
  checkNamespace(r, body);
  r.admit?.(body);
  const created = r.store.create(storeName(r), body, { dryRun: dryRun(r.url) });
  sendObjectOrTable(r, 201, created);
}

export async function handleReplace(r: ResourceRequest): Promise<void> {
  const body = checkBodyType(r, decodeBody(await readBody(r.req), r.req.headers['content-type']));
  checkNamespace(r, body);
  if (!r.subresource) strict(r, body);
  if (body.metadata.name && body.metadata.name !== r.name) {
    throw badRequest(`the name of the object (${body.metadata.name}) does not match the name on the URL (${r.name})`);
  }
  body.metadata.name = r.name;
  const opts = { dryRun: dryRun(r.url) };
  checkUpdate(r, body);
  r.admit?.(body);
  const out = r.subresource === 'status' ? r.store.updateStatus(storeName(r), body, opts) : r.store.update(storeName(r), body, opts);
  sendObjectOrTable(r, 200, out);
}

/** Applies a patch body of the request's type to `current`. */
export function applyPatch(r: ResourceRequest, kind: string, current: any, patchBody: unknown, type: ReturnType<typeof patchTypeOf>): any {
  switch (type) {
    case 'json': return applyJsonPatch(current, patchBody);
    case 'merge': return applyMergePatch(current, patchBody);
    case 'strategic':
      if (r.info.custom) {
        throw new ApiError(415, 'UnsupportedMediaType', `the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml`);
      }
      return applyStrategicMergePatch(kind, current, patchBody);
    case 'apply':
      return r.info.custom ? applyMergePatch(current, patchBody) : applyStrategicMergePatch(kind, current, patchBody);
    default:
      throw new ApiError(415, 'UnsupportedMediaType', 'the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml, application/strategic-merge-patch+json');
  }
}

export async function handlePatch(r: ResourceRequest): Promise<void> {
  const type = patchTypeOf(r.req.headers['content-type']);
  if (!type) {
    throw new ApiError(415, 'UnsupportedMediaType', 'the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml, application/strategic-merge-patch+json');
  }
  const patchBody = decodeBody(await readBody(r.req), r.req.headers['content-type'], true);
  const name = storeName(r);
  const current = r.store.get(name, r.namespace, r.name!);
  const opts = { dryRun: dryRun(r.url) };
  if (!current) {
    if (type === 'apply' && !r.subresource) {
      const body = checkBodyType(r, structuredClone(patchBody));
      checkNamespace(r, body);
      if (body.metadata.name && body.metadata.name !== r.name) throw badRequest(`the name of the object (${body.metadata.name}) does not match the name on the URL (${r.name})`);
      body.metadata.name = r.name;
      strict(r, body);
      r.admit?.(body);
      sendObjectOrTable(r, 201, r.store.create(name, body, opts));
      return;
    }
    throw notFound(r.info.resource, r.info.group, r.name!);
  }
  if (type === 'apply') checkBodyType(r, structuredClone(patchBody));
  const patched = applyPatch(r, r.info.kind, current, patchBody, type);
  if (!patched || typeof patched !== 'object' || Array.isArray(patched)) throw badRequest('the patched object is not an object');
  patched.metadata = patched.metadata && typeof patched.metadata === 'object' ? patched.metadata : {};
  if (patched.metadata.name !== undefined && patched.metadata.name !== r.name) {
    throw badRequest(`the name of the object (${String(patched.metadata.name)}) does not match the name on the URL (${r.name})`);
  }
  patched.metadata.name = r.name;
  if (r.info.namespaced) patched.metadata.namespace = r.namespace;
  // A patch only conflicts when it carries a resourceVersion of its own.
  const carriesRv = !!(patchBody && typeof patchBody === 'object' && (patchBody as any).metadata?.resourceVersion);
  if (!carriesRv) patched.metadata.resourceVersion = current.metadata.resourceVersion;
  patched.apiVersion = current.apiVersion;
  patched.kind = current.kind;
  if (!r.subresource) strict(r, patched);
  checkUpdate(r, patched);
  r.admit?.(patched);
  const out = r.subresource === 'status' ? r.store.updateStatus(name, patched, opts) : r.store.update(name, patched, opts);
  sendObjectOrTable(r, 200, out);
}

async function deleteOptions(r: ResourceRequest): Promise<DeleteOptions> {
  const opts: DeleteOptions = {};
  const buf = await readBody(r.req);
  if (buf.length && buf.toString().trim()) {
    const body: any = decodeBody(buf, r.req.headers['content-type'] ?? 'application/json');
    if (body && typeof body === 'object') {
      if (body.propagationPolicy) opts.propagationPolicy = body.propagationPolicy;
      if (typeof body.gracePeriodSeconds === 'number') opts.gracePeriodSeconds = body.gracePeriodSeconds;
      if (Array.isArray(body.dryRun) && body.dryRun.includes('All')) opts.dryRun = true;
      if (body.preconditions) opts.preconditions = body.preconditions;
      if (body.orphanDependents === true) opts.propagationPolicy ??= 'Orphan';
    }
  }
  const q = r.url.searchParams;
  const pp = q.get('propagationPolicy');
  if (pp) opts.propagationPolicy = pp as DeleteOptions['propagationPolicy'];
  const gp = q.get('gracePeriodSeconds');
  if (gp !== null && /^-?\d+$/.test(gp)) opts.gracePeriodSeconds = Number(gp);
  if (dryRun(r.url)) opts.dryRun = true;
  if (isTrue(q.get('orphanDependents'))) opts.propagationPolicy ??= 'Orphan';
  if (opts.propagationPolicy && !['Background', 'Foreground', 'Orphan'].includes(opts.propagationPolicy)) {
    throw new ApiError(422, 'Invalid', `DeleteOptions.meta.k8s.io "" is invalid: propagationPolicy: Unsupported value: "${opts.propagationPolicy}": supported values: "Foreground", "Background", "Orphan", "nil"`);
  }
  return opts;
}

export async function handleDelete(r: ResourceRequest): Promise<void> {
  const opts = await deleteOptions(r);
  const out = r.store.delete(storeName(r), r.namespace, r.name!, opts);
  sendJson(r.res, 200, out ?? { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', details: { name: r.name, group: r.info.group, kind: r.info.resource } });
}

export async function handleDeleteCollection(r: ResourceRequest): Promise<void> {
  const opts = await deleteOptions(r);
  const items = listObjects(r);
  const deleted: KubeObject[] = [];
  for (const o of items) {
    try {
      const d = r.store.delete(storeName(r), o.metadata.namespace, o.metadata.name!, opts);
      if (d) deleted.push(d);
    } catch (e) { if (!(e instanceof ApiError && e.code === 404)) throw e; }
  }
  sendJson(r.res, 200, { apiVersion: apiVersionOf(r.info), kind: `${r.info.kind}List`, metadata: { resourceVersion: r.store.currentResourceVersion() }, items: deleted });
}

// ---------- scale ----------

function scaleOf(_r: ResourceRequest, obj: KubeObject): Record<string, unknown> {
  const sel = obj.spec?.selector;
  const selector = sel && typeof sel === 'object' && (sel.matchLabels || sel.matchExpressions) ? selectorToString(sel) : '';
  return {
    kind: 'Scale', apiVersion: 'autoscaling/v1',
    metadata: { name: obj.metadata.name, namespace: obj.metadata.namespace, uid: obj.metadata.uid, resourceVersion: obj.metadata.resourceVersion, creationTimestamp: obj.metadata.creationTimestamp },
    spec: { replicas: obj.spec?.replicas ?? 0 },
    status: { replicas: obj.status?.replicas ?? 0, ...(selector ? { selector } : {}) },
  };
}

export async function handleScale(r: ResourceRequest): Promise<void> {
  const name = storeName(r);
  const method = r.req.method;
  const current = r.store.get(name, r.namespace, r.name!);
  if (!current) throw notFound(r.info.resource, r.info.group, r.name!);
  if (method === 'GET') { sendJson(r.res, 200, scaleOf(r, current)); return; }
  let desired: any;
  if (method === 'PUT') {
    desired = decodeBody(await readBody(r.req), r.req.headers['content-type']);
  } else if (method === 'PATCH') {
    const type = patchTypeOf(r.req.headers['content-type']);
    const body = decodeBody(await readBody(r.req), r.req.headers['content-type'], true);
    const scale = scaleOf(r, current);
    desired = type === 'strategic' ? applyStrategicMergePatch('Scale', scale, body) : applyPatch({ ...r, info: { ...r.info, custom: true } }, 'Scale', scale, body, type);
  } else throw methodNotAllowed();
  const replicas = desired?.spec?.replicas;
  if (typeof replicas !== 'number' || !Number.isInteger(replicas) || replicas < 0) {
    throw new ApiError(422, 'Invalid', `Scale.autoscaling "${r.name}" is invalid: spec.replicas: Invalid value: ${JSON.stringify(replicas ?? null)}: must be greater than or equal to 0`,
      { name: r.name, group: 'autoscaling', kind: 'Scale', causes: [{ reason: 'FieldValueInvalid', message: 'must be greater than or equal to 0', field: 'spec.replicas' }] });
  }
  const rv = desired?.metadata?.resourceVersion;
  if (rv && rv !== current.metadata.resourceVersion) {
    throw new ApiError(409, 'Conflict', `Operation cannot be fulfilled on ${r.info.resource}.${r.info.group} "${r.name}": the object has been modified; please apply your changes to the latest version and try again`);
  }
  const next = structuredClone(current);
  next.spec = { ...(next.spec ?? {}), replicas };
  const out = r.store.update(name, next, { dryRun: dryRun(r.url) });
  sendJson(r.res, 200, scaleOf(r, out));
}

export function handleGet(r: ResourceRequest): void {
  const obj = r.store.get(storeName(r), r.namespace, r.name!);
  if (!obj) throw notFound(r.info.resource, r.info.group, r.name!);
  sendObjectOrTable(r, 200, obj);
}

/** `pods/eviction` (kubectl drain) deletes the pod gracefully; `pods/binding` sets spec.nodeName (a scheduler's call). */
export async function handlePodAction(r: ResourceRequest): Promise<void> {
  if (r.req.method !== 'POST') throw methodNotAllowed();
  const body: any = decodeBody(await readBody(r.req), r.req.headers['content-type']);
  const pod = r.store.get('pods', r.namespace, r.name!);
  if (!pod) throw notFound('pods', '', r.name!);
  if (r.subresource === 'eviction') {
    const grace = body?.deleteOptions?.gracePeriodSeconds;
    if (!dryRun(r.url)) r.store.delete('pods', r.namespace, r.name!, typeof grace === 'number' ? { gracePeriodSeconds: grace } : {});
    sendJson(r.res, 201, { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', code: 201 });
    return;
  }
  const node = body?.target?.name;
  if (!node) throw badRequest('Binding target name is required');
  if (pod.spec?.nodeName) throw new ApiError(409, 'Conflict', `Operation cannot be fulfilled on pods/binding "${r.name}": pod ${r.name} is already assigned to node "${pod.spec.nodeName}"`);
  pod.spec = { ...(pod.spec ?? {}), nodeName: node };
  r.store.update('pods', pod);
  sendJson(r.res, 201, { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', code: 201 });
}
