/**
 * Decoding of Kubernetes protobuf request bodies (`application/vnd.kubernetes.protobuf`: "k8s\0" + runtime.Unknown),
 * which kubectl ≥ 1.32 sends for `kubectl create namespace|configmap|secret|serviceaccount|deployment|service|job`.
 * Schema-less wire reading plus field tables for exactly the fields those generators fill in; unknown fields are skipped.
 */
import { ApiError } from './errors';

interface Field { num: number; wire: number; value: bigint | Buffer }

function readVarint(buf: Buffer, pos: { i: number }): bigint {
  let result = 0n;
  let shift = 0n;
  for (;;) {
    if (pos.i >= buf.length) throw new Error('truncated varint');
    const b = buf[pos.i++];
    result |= BigInt(b & 0x7f) << shift;
    if (!(b & 0x80)) return result;
    shift += 7n;
    if (shift > 70n) throw new Error('varint too long');
  }
}

function fields(buf: Buffer): Field[] {
  const out: Field[] = [];
  const pos = { i: 0 };
  while (pos.i < buf.length) {
    const key = Number(readVarint(buf, pos));
    const num = key >>> 3;
    const wire = key & 7;
    if (wire === 0) out.push({ num, wire, value: readVarint(buf, pos) });
    else if (wire === 2) {
      const len = Number(readVarint(buf, pos));
      if (pos.i + len > buf.length) throw new Error('truncated field');
      out.push({ num, wire, value: buf.subarray(pos.i, pos.i + len) });
      pos.i += len;
    } else if (wire === 1) { pos.i += 8; } else if (wire === 5) { pos.i += 4; } else throw new Error(`unsupported wire type ${wire}`);
  }
  return out;
}

type Spec = { [num: number]: [name: string, type: Type] };
type Type = 'string' | 'bytes' | 'int' | 'bool' | 'strmap' | 'bytesmap' | 'strlist' | Spec | ['list', Spec] | 'intorstr' | 'skip';

const ZERO_IS_UNSET = new Set(['hostPort', 'generation', 'nodePort', 'minReadySeconds']);
const FALSE_IS_UNSET = new Set(['stdin', 'stdinOnce', 'tty', 'paused']);
const str = (b: Buffer | bigint) => (Buffer.isBuffer(b) ? b.toString('utf8') : String(b));

function decode(buf: Buffer, spec: Spec): Record<string, unknown> {
  const o: Record<string, unknown> = {};
  for (const f of fields(buf)) {
    const d = spec[f.num];
    if (!d) continue;
    const [name, type] = d;
    const v = f.value;
    if (type === 'skip') continue;
    // Non-pointer Go fields are always on the wire; their zero values mean "unset" (omitempty in JSON).
    if (type === 'string') { if (str(v) !== '') o[name] = str(v); }
    else if (type === 'int' && v === 0n && ZERO_IS_UNSET.has(name)) continue;
    else if (type === 'bool' && v === 0n && FALSE_IS_UNSET.has(name)) continue;
    else if (type === 'bytes') o[name] = Buffer.isBuffer(v) ? v.toString('base64') : '';
    else if (type === 'int') o[name] = Number(BigInt.asIntN(64, v as bigint));
    else if (type === 'bool') o[name] = v !== 0n;
    else if (type === 'strlist') {
      const list = (o[name] as string[] | undefined) ?? [];
      list.push(str(v));
      o[name] = list;
    }
    else if (type === 'strmap' || type === 'bytesmap') {
      const e = decode(v as Buffer, { 1: ['k', 'string'], 2: ['v', type === 'strmap' ? 'string' : 'bytes'] });
      const m = (o[name] as Record<string, unknown> | undefined) ?? {};
      m[String(e.k ?? '')] = e.v ?? '';
      o[name] = m;
    } else if (type === 'intorstr') {
      const e = decode(v as Buffer, { 1: ['type', 'int'], 2: ['intVal', 'int'], 3: ['strVal', 'string'] });
      o[name] = e.type === 1 ? e.strVal ?? '' : e.intVal ?? 0;
    } else if (Array.isArray(type)) {
      const list = (o[name] as unknown[] | undefined) ?? [];
      list.push(decode(v as Buffer, type[1]));
      o[name] = list;
    } else o[name] = decode(v as Buffer, type);
  }
  return o;
}

const OWNER: Spec = { 1: ['kind', 'string'], 3: ['name', 'string'], 4: ['uid', 'string'], 5: ['apiVersion', 'string'], 6: ['controller', 'bool'], 7: ['blockOwnerDeletion', 'bool'] };
const META: Spec = {
  1: ['name', 'string'], 2: ['generateName', 'string'], 3: ['namespace', 'string'], 5: ['uid', 'string'], 6: ['resourceVersion', 'string'],
  7: ['generation', 'int'], 8: ['creationTimestamp', 'skip'], 11: ['labels', 'strmap'], 12: ['annotations', 'strmap'], 13: ['ownerReferences', ['list', OWNER]], 14: ['finalizers', 'strlist'],
};
const SELECTOR: Spec = { 1: ['matchLabels', 'strmap'], 2: ['matchExpressions', ['list', { 1: ['key', 'string'], 2: ['operator', 'string'], 3: ['values', 'strlist'] }]] };
const QUANTITY_MAP = 'skip' as const;
const CONTAINER: Spec = {
  1: ['name', 'string'], 2: ['image', 'string'], 3: ['command', 'strlist'], 4: ['args', 'strlist'], 5: ['workingDir', 'string'],
  6: ['ports', ['list', { 1: ['name', 'string'], 2: ['hostPort', 'int'], 3: ['containerPort', 'int'], 4: ['protocol', 'string'], 5: ['hostIP', 'string'] }]],
  7: ['env', ['list', { 1: ['name', 'string'], 2: ['value', 'string'] }]], 8: ['resources', { 1: ['limits', QUANTITY_MAP], 2: ['requests', QUANTITY_MAP] }],
  13: ['terminationMessagePath', 'string'], 14: ['imagePullPolicy', 'string'], 16: ['stdin', 'bool'], 17: ['stdinOnce', 'bool'], 18: ['tty', 'bool'], 20: ['terminationMessagePolicy', 'string'],
};
const POD_SPEC: Spec = {
  2: ['containers', ['list', CONTAINER]], 3: ['restartPolicy', 'string'], 4: ['terminationGracePeriodSeconds', 'int'], 5: ['activeDeadlineSeconds', 'int'],
  6: ['dnsPolicy', 'string'], 7: ['nodeSelector', 'strmap'], 8: ['serviceAccountName', 'string'], 10: ['nodeName', 'string'], 20: ['initContainers', ['list', CONTAINER]],
};
const TEMPLATE: Spec = { 1: ['metadata', META], 2: ['spec', POD_SPEC] };

/** What Helm's client sends with a DELETE (it purges its release Secrets this way). */
const DELETE_OPTIONS: Spec = {
  1: ['gracePeriodSeconds', 'int'], 2: ['preconditions', { 1: ['uid', 'string'], 2: ['resourceVersion', 'string'] }], 3: ['orphanDependents', 'bool'],
  4: ['propagationPolicy', 'string'], 5: ['dryRun', 'strlist'],
};

const KINDS: Record<string, Spec> = {
  'v1/DeleteOptions': DELETE_OPTIONS,
  'meta.k8s.io/v1/DeleteOptions': DELETE_OPTIONS,
  'v1/Namespace': { 1: ['metadata', META], 2: ['spec', { 1: ['finalizers', 'strlist'] }] },
  'v1/ConfigMap': { 1: ['metadata', META], 2: ['data', 'strmap'], 3: ['binaryData', 'bytesmap'], 4: ['immutable', 'bool'] },
  'v1/Secret': { 1: ['metadata', META], 2: ['data', 'bytesmap'], 3: ['type', 'string'], 4: ['stringData', 'strmap'], 5: ['immutable', 'bool'] },
  'v1/ServiceAccount': { 1: ['metadata', META], 4: ['automountServiceAccountToken', 'bool'] },
  'v1/Service': { 1: ['metadata', META], 2: ['spec', {
    1: ['ports', ['list', { 1: ['name', 'string'], 2: ['protocol', 'string'], 3: ['port', 'int'], 4: ['targetPort', 'intorstr'], 5: ['nodePort', 'int'] }]],
    2: ['selector', 'strmap'], 3: ['clusterIP', 'string'], 4: ['type', 'string'], 10: ['externalName', 'string'],
  }] },
  'apps/v1/Deployment': { 1: ['metadata', META], 2: ['spec', {
    1: ['replicas', 'int'], 2: ['selector', SELECTOR], 3: ['template', TEMPLATE], 4: ['strategy', { 1: ['type', 'string'] }], 5: ['minReadySeconds', 'int'], 6: ['revisionHistoryLimit', 'int'], 7: ['paused', 'bool'], 9: ['progressDeadlineSeconds', 'int'],
  }] },
  'authorization.k8s.io/v1/SelfSubjectAccessReview': { 1: ['metadata', META], 2: ['spec', {
    1: ['resourceAttributes', { 1: ['namespace', 'string'], 2: ['verb', 'string'], 3: ['group', 'string'], 4: ['version', 'string'], 5: ['resource', 'string'], 6: ['subresource', 'string'], 7: ['name', 'string'] }],
    2: ['nonResourceAttributes', { 1: ['path', 'string'], 2: ['verb', 'string'] }],
  }] },
  'authorization.k8s.io/v1/SelfSubjectRulesReview': { 1: ['metadata', META], 2: ['spec', { 1: ['namespace', 'string'] }] },
  'batch/v1/Job': { 1: ['metadata', META], 2: ['spec', {
    1: ['parallelism', 'int'], 2: ['completions', 'int'], 3: ['activeDeadlineSeconds', 'int'], 4: ['selector', SELECTOR], 5: ['manualSelector', 'bool'], 6: ['template', TEMPLATE], 7: ['backoffLimit', 'int'],
  }] },
};

/** Decodes a protobuf body into the JSON object it stands for; 415 for kinds this twin cannot read from protobuf. */
export function decodeProtobuf(buf: Buffer): Record<string, unknown> {
  const magic = Buffer.from([0x6b, 0x38, 0x73, 0x00]);
  if (buf.length < 4 || !buf.subarray(0, 4).equals(magic)) throw new ApiError(400, 'BadRequest', 'provided object is not a protobuf-encoded Kubernetes object');
  try {
    const unknown = decode(buf.subarray(4), { 1: ['typeMeta', { 1: ['apiVersion', 'string'], 2: ['kind', 'string'] }], 2: ['raw', 'skip'] });
    const tm = (unknown.typeMeta ?? {}) as { apiVersion?: string; kind?: string };
    const raw = fields(buf.subarray(4)).find((f) => f.num === 2)?.value;
    const spec = KINDS[`${tm.apiVersion}/${tm.kind}`];
    if (!spec || !Buffer.isBuffer(raw)) {
      throw new ApiError(415, 'UnsupportedMediaType', `the body of the request was in an unknown format - accepted media types include: application/json, application/yaml (protobuf is read only for Namespace, ConfigMap, Secret, ServiceAccount, Service, Deployment, Job and DeleteOptions)`);
    }
    return { apiVersion: tm.apiVersion, kind: tm.kind, ...decode(raw, spec) };
  } catch (e) {
    if (e instanceof ApiError) throw e;
    throw new ApiError(400, 'BadRequest', `unable to decode protobuf body: ${e instanceof Error ? e.message : String(e)}`);
  }
}
