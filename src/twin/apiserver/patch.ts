/**
 * The four patch types: JSON patch (RFC 6902), merge patch (RFC 7386), strategic merge patch with the
 * real merge keys and directives, and server-side apply (approximated as a strategic merge of the applied fields).
 */
/* eslint-disable @typescript-eslint/no-explicit-any */
import { ApiError, badRequest } from './errors';
import { jsonEqual } from '../sorted-json';

export type PatchType = 'json' | 'merge' | 'strategic' | 'apply';

export function patchTypeOf(contentType: string | undefined): PatchType | undefined {
  const ct = (contentType ?? '').split(';')[0].trim().toLowerCase();
  switch (ct) {
    case 'application/json-patch+json': return 'json';
    case 'application/merge-patch+json': return 'merge';
    case 'application/strategic-merge-patch+json': return 'strategic';
    case 'application/apply-patch+yaml': case 'application/apply-patch+json': return 'apply';
    default: return undefined;
  }
}

function isObj(v: unknown): v is Record<string, any> {
  return !!v && typeof v === 'object' && !Array.isArray(v);
}

// ---------------- JSON patch ----------------

function unescape(tok: string): string { return tok.replace(/~1/g, '/').replace(/~0/g, '~'); }

function parsePointer(p: unknown): string[] {
  if (typeof p !== 'string') throw jsonPatchError('path is not a string');
  if (p === '') return [];
  if (!p.startsWith('/')) throw jsonPatchError(`invalid JSON pointer: "${p}"`);
  return p.slice(1).split('/').map(unescape);
}

function jsonPatchError(msg: string): ApiError {
  return new ApiError(422, 'Invalid', msg);
}

function getAt(doc: any, path: string[]): any {
  let cur = doc;
  for (const t of path) {
    if (Array.isArray(cur)) {
      const i = Number(t);
      if (!/^\d+$/.test(t) || i >= cur.length) return undefined;
      cur = cur[i];
    } else if (isObj(cur)) {
      if (!Object.prototype.hasOwnProperty.call(cur, t)) return undefined;
      cur = cur[t];
    } else return undefined;
  }
  return cur;
}

function parentOf(doc: any, path: string[], op: string, full: string): { parent: any; last: string } {
  if (path.length === 0) throw jsonPatchError(`jsonpatch ${op} operation does not apply: doc is missing path: "${full}"`);
  const parent = getAt(doc, path.slice(0, -1));
  if (parent === undefined || parent === null || typeof parent !== 'object') {
    throw jsonPatchError(`jsonpatch ${op} operation does not apply: doc is missing path: "${full}": missing value`);
  }
  return { parent, last: path[path.length - 1] };
}


export function applyJsonPatch(doc: any, ops: unknown): any {
  if (!Array.isArray(ops)) throw badRequest('json: cannot unmarshal object into Go value of type jsonpatch.Patch');
  let out = structuredClone(doc);
  for (const raw of ops) {
    if (!isObj(raw)) throw badRequest('json: cannot unmarshal into Go value of type jsonpatch.Operation');
    const op = raw.op;
    const path = parsePointer(raw.path);
    const full = String(raw.path);
    switch (op) {
      case 'add': {
        if (!('value' in raw)) throw jsonPatchError('jsonpatch add operation does not apply: value is missing');
        if (path.length === 0) { out = structuredClone(raw.value); break; }
        const { parent, last } = parentOf(out, path, 'add', full);
        if (Array.isArray(parent)) {
          const i = last === '-' ? parent.length : Number(last);
          if (!/^(\d+|-)$/.test(last) || i > parent.length) throw jsonPatchError(`jsonpatch add operation does not apply: index out of bounds: "${full}"`);
          parent.splice(i, 0, structuredClone(raw.value));
        } else parent[last] = structuredClone(raw.value);
        break;
      }
      case 'remove': {
        const { parent, last } = parentOf(out, path, 'remove', full);
        if (Array.isArray(parent)) {
          const i = Number(last);
          if (!/^\d+$/.test(last) || i >= parent.length) throw jsonPatchError(`jsonpatch remove operation does not apply: doc is missing path: "${full}"`);
          parent.splice(i, 1);
        } else {
          if (!Object.prototype.hasOwnProperty.call(parent, last)) throw jsonPatchError(`jsonpatch remove operation does not apply: doc is missing path: "${full}"`);
          delete parent[last];
        }
        break;
      }
      case 'replace': {
        if (!('value' in raw)) throw jsonPatchError('jsonpatch replace operation does not apply: value is missing');
        if (path.length === 0) { out = structuredClone(raw.value); break; }
        const { parent, last } = parentOf(out, path, 'replace', full);
        if (Array.isArray(parent)) {
          const i = Number(last);
          if (!/^\d+$/.test(last) || i >= parent.length) throw jsonPatchError(`jsonpatch replace operation does not apply: doc is missing key: ${full}: missing value`);
          parent[i] = structuredClone(raw.value);
        } else {
          if (!Object.prototype.hasOwnProperty.call(parent, last)) throw jsonPatchError(`jsonpatch replace operation does not apply: doc is missing key: ${full}: missing value`);
          parent[last] = structuredClone(raw.value);
        }
        break;
      }
      case 'move': case 'copy': {
        const from = parsePointer(raw.from);
        const v = getAt(out, from);
        if (v === undefined) throw jsonPatchError(`jsonpatch ${op} operation does not apply: doc is missing from path: "${String(raw.from)}"`);
        const value = structuredClone(v);
        if (op === 'move') out = applyJsonPatch(out, [{ op: 'remove', path: raw.from }]);
        out = applyJsonPatch(out, [{ op: 'add', path: raw.path, value }]);
        break;
      }
      case 'test': {
        const v = getAt(out, path);
        if (!jsonEqual(v, raw.value)) throw jsonPatchError(`testing value ${full} failed: test failed`);
        break;
      }
      default:
        throw badRequest(`Unexpected kind: ${String(op)}`);
    }
  }
  return out;
}

// ---------------- merge patch ----------------

export function applyMergePatch(doc: any, patch: any): any {
  if (!isObj(patch)) return structuredClone(patch);
  const out: Record<string, any> = isObj(doc) ? structuredClone(doc) : {};
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete out[k];
    else out[k] = isObj(v) ? applyMergePatch(out[k], v) : structuredClone(v);
  }
  return out;
}

// ---------------- strategic merge patch ----------------

/** Where a pod spec lives inside each kind. */
const POD_SPEC_PATHS: Record<string, string> = {
  Pod: 'spec', Deployment: 'spec.template.spec', ReplicaSet: 'spec.template.spec', StatefulSet: 'spec.template.spec',
  DaemonSet: 'spec.template.spec', Job: 'spec.template.spec', CronJob: 'spec.jobTemplate.spec.template.spec', PodTemplate: 'template.spec',
};

const POD_SPEC_KEYS: Record<string, string> = {
  containers: 'name', initContainers: 'name', ephemeralContainers: 'name', volumes: 'name', imagePullSecrets: 'name',
  hostAliases: 'ip', topologySpreadConstraints: 'topologyKey', resourceClaims: 'name', schedulingGates: 'name',
};
const CONTAINER_KEYS: Record<string, string> = {
  env: 'name', ports: 'containerPort', volumeMounts: 'mountPath', volumeDevices: 'devicePath', resizePolicy: 'resourceName',
};

/** Lists of primitives with patchStrategy=merge (union on merge). */
const PRIMITIVE_MERGE = new Set(['metadata.finalizers']);

/** The merge key for the list at `path` (field names, list indices removed), or undefined for "replace". */
export function mergeKeyFor(kind: string, path: string[]): string | undefined {
  const p = path.join('.');
  if (p === 'metadata.ownerReferences') return 'uid';
  if (p === 'status.conditions') return 'type';
  if (kind === 'Node' && p === 'status.addresses') return 'type';
  if (kind === 'Node' && p === 'status.images') return undefined;
  if (kind === 'Service' && p === 'spec.ports') return 'port';
  if (kind === 'ServiceAccount' && p === 'secrets') return 'name';
  if (kind === 'Pod' && (p === 'status.containerStatuses' || p === 'status.initContainerStatuses')) return undefined;
  if (kind === 'Pod' && p === 'status.podIPs') return 'ip';
  const podSpec = POD_SPEC_PATHS[kind];
  if (podSpec && (p === podSpec || p.startsWith(podSpec + '.'))) {
    const rest = p === podSpec ? [] : p.slice(podSpec.length + 1).split('.');
    if (rest.length === 1) return POD_SPEC_KEYS[rest[0]];
    if (rest.length === 2 && ['containers', 'initContainers', 'ephemeralContainers'].includes(rest[0])) return CONTAINER_KEYS[rest[1]];
  }
  const tplMeta = podSpec ? podSpec.replace(/spec$/, 'metadata') : '';
  if (tplMeta && p === `${tplMeta}.ownerReferences`) return 'uid';
  return undefined;
}

function isPrimitiveMerge(kind: string, path: string[]): boolean {
  const p = path.join('.');
  if (PRIMITIVE_MERGE.has(p)) return true;
  const podSpec = POD_SPEC_PATHS[kind];
  return !!podSpec && p === podSpec.replace(/spec$/, 'metadata') + '.finalizers';
}

export function applyStrategicMergePatch(kind: string, doc: any, patch: any): any {
  if (!isObj(patch)) throw badRequest('the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml, application/strategic-merge-patch+json');
  return smpMap(kind, isObj(doc) ? doc : {}, patch, []);
}

function smpMap(kind: string, orig: Record<string, any>, patch: Record<string, any>, path: string[]): any {
  if (patch.$patch === 'replace') {
    const out = structuredClone(patch); delete out.$patch; return stripDirectives(out);
  }
  if (patch.$patch === 'delete') return undefined;
  const out: Record<string, any> = structuredClone(orig);
  const orders: Record<string, any[]> = {};
  const retain: string[] | undefined = Array.isArray(patch.$retainKeys) ? patch.$retainKeys : undefined;
  for (const [k, v] of Object.entries(patch)) {
    if (k === '$patch' || k === '$retainKeys') continue;
    if (k.startsWith('$setElementOrder/')) { if (Array.isArray(v)) orders[k.slice('$setElementOrder/'.length)] = v; continue; }
    if (k.startsWith('$deleteFromPrimitiveList/')) {
      const f = k.slice('$deleteFromPrimitiveList/'.length);
      if (Array.isArray(out[f]) && Array.isArray(v)) out[f] = out[f].filter((x: any) => !v.includes(x));
      continue;
    }
    if (v === null) { delete out[k]; continue; }
    const sub = [...path, k];
    if (isObj(v)) {
      const r = smpMap(kind, isObj(out[k]) ? out[k] : {}, v, sub);
      if (r === undefined) delete out[k]; else out[k] = r;
    } else if (Array.isArray(v)) {
      out[k] = smpList(kind, Array.isArray(out[k]) ? out[k] : [], v, sub);
    } else out[k] = v;
  }
  for (const [f, order] of Object.entries(orders)) {
    if (Array.isArray(out[f])) out[f] = reorder(kind, out[f], order, [...path, f]);
  }
  if (retain) for (const k of Object.keys(out)) if (!retain.includes(k)) delete out[k];
  return out;
}

function stripDirectives(v: any): any {
  if (Array.isArray(v)) return v.map(stripDirectives);
  if (isObj(v)) {
    const o: Record<string, any> = {};
    for (const [k, x] of Object.entries(v)) if (!k.startsWith('$')) o[k] = stripDirectives(x);
    return o;
  }
  return v;
}

function smpList(kind: string, orig: any[], patch: any[], path: string[]): any[] {
  const key = mergeKeyFor(kind, path);
  if (patch.some((x) => isObj(x) && x.$patch === 'replace')) return stripDirectives(patch.filter((x) => !(isObj(x) && x.$patch === 'replace')));
  if (!key) {
    if (isPrimitiveMerge(kind, path)) {
      const out = [...orig];
      for (const x of patch) if (!out.includes(x)) out.push(x);
      return out;
    }
    return stripDirectives(patch);
  }
  const out = structuredClone(orig);
  for (const el of patch) {
    if (!isObj(el)) continue;
    const idx = out.findIndex((o: any) => isObj(o) && o[key] === el[key]);
    if (el.$patch === 'delete') { if (idx >= 0) out.splice(idx, 1); continue; }
    if (idx >= 0) out[idx] = smpMap(kind, out[idx], el, path);
    else out.push(smpMap(kind, {}, el, path));
  }
  return out;
}

function reorder(kind: string, list: any[], order: any[], path: string[]): any[] {
  const key = mergeKeyFor(kind, path);
  const keyOf = (x: any) => (key && isObj(x) ? x[key] : x);
  const wanted = order.map(keyOf);
  const inOrder = wanted.map((w) => list.find((x) => keyOf(x) === w)).filter((x) => x !== undefined);
  const rest = list.filter((x) => !wanted.includes(keyOf(x)));
  return [...inOrder, ...rest];
}
