/** Small pure helpers shared by the controllers: cloning, canonical hashing, names, time, quantities, selectors. */
import type { KubeObject, OwnerReference, StoreError } from '../contracts';
import { cloneAsJson } from '../clone';

/** A copy as JSON would make it (what the controllers write back to the store). */
export const clone = cloneAsJson;

/**
 * JSON with sorted keys and without null / undefined / empty objects / empty arrays, so that templates that mean the same
 * (one written with `env: []`, the other without env) hash equal, as pod-template hashes do.
 */
export function hashableJson(value: unknown): string {
  return JSON.stringify(canonicalize(value)) ?? 'null';
}

function canonicalize(value: unknown): unknown {
  if (Array.isArray(value)) {
    return value.map((v) => canonicalize(v) ?? null);
  }
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(value).sort()) {
      const v = canonicalize((value as Record<string, unknown>)[key]);
      if (v === undefined) continue;
      if (Array.isArray(v) && v.length === 0) continue;
      if (v !== null && typeof v === 'object' && !Array.isArray(v) && Object.keys(v).length === 0) continue;
      out[key] = v;
    }
    return out;
  }
  if (value === null) return undefined;
  return value;
}

/** 32-bit FNV-1a, as Kubernetes uses for pod-template-hash. */
export function fnv32a(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h >>> 0;
}

/** The alphabet of apimachinery's rand.String / SafeEncodeString (no vowels, no confusable digits). */
export const ALPHANUMS = 'bcdfghjklmnpqrstvwxz2456789';

/** apimachinery SafeEncodeString of the decimal hash: what `pod-template-hash` values look like (e.g. `c47ff745`). */
export function safeEncode(text: string): string {
  let out = '';
  for (let i = 0; i < text.length; i++) out += ALPHANUMS[text.charCodeAt(i) % ALPHANUMS.length];
  return out;
}

export function templateHash(template: unknown, collisionCount = 0): string {
  return safeEncode(String(fnv32a(hashableJson(template) + (collisionCount ? `#${collisionCount}` : ''))));
}

export function hexHash(text: string, length: number): string {
  let out = '';
  let i = 0;
  while (out.length < length) {
    out += fnv32a(`${i++}:${text}`).toString(16).padStart(8, '0');
  }
  return out.slice(0, length);
}

/** Deterministic PRNG (mulberry32). */
export class Random {
  private state: number;
  constructor(seed: number | string) {
    this.state = typeof seed === 'number' ? seed >>> 0 : fnv32a(seed);
  }
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  int(maxExclusive: number): number {
    return Math.floor(this.next() * maxExclusive);
  }
  /** Like apimachinery rand.String(n): the suffix of generated names. */
  suffix(n = 5): string {
    let out = '';
    for (let i = 0; i < n; i++) out += ALPHANUMS[this.int(ALPHANUMS.length)];
    return out;
  }
}

/** RFC 3339 with second precision, as metav1.Time serializes. */
export function isoSeconds(ms: number): string {
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().replace('.000Z', 'Z');
}

/** RFC 3339 with nanoseconds, as `kubectl logs --timestamps` prints. */
export function isoNanos(ms: number, extraNanos = 0): string {
  const whole = Math.floor(ms);
  const base = new Date(whole).toISOString(); // 2026-01-01T00:00:00.123Z
  const millis = base.slice(20, 23);
  const nanos = String(Math.round((ms - whole) * 1e6) + (extraNanos % 1_000_000)).padStart(6, '0').slice(0, 6);
  return `${base.slice(0, 19)}.${millis}${nanos}Z`;
}

/** Go's time.Duration String() trimmed like the kubelet prints pull durations: `1.234s`, `512ms`. */
export function goDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)}ms`;
  const s = ms / 1000;
  if (s < 60) return `${trimZeros(s.toFixed(3))}s`;
  const m = Math.floor(s / 60);
  return `${m}m${trimZeros((s - m * 60).toFixed(3))}s`;
}

function trimZeros(s: string): string {
  return s.includes('.') ? s.replace(/0+$/, '').replace(/\.$/, '') : s;
}

/** Parses a CPU quantity into millicores (`100m`, `0.5`, `2`). */
export function cpuMillis(q: unknown): number {
  if (q === undefined || q === null || q === '') return 0;
  const s = String(q).trim();
  if (s.endsWith('m')) return parseFloat(s.slice(0, -1));
  if (s.endsWith('u')) return parseFloat(s.slice(0, -1)) / 1000;
  if (s.endsWith('n')) return parseFloat(s.slice(0, -1)) / 1e6;
  return parseFloat(s) * 1000;
}

const BIN: Record<string, number> = { Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40, Pi: 2 ** 50, Ei: 2 ** 60 };
const DEC: Record<string, number> = { k: 1e3, M: 1e6, G: 1e9, T: 1e12, P: 1e15, E: 1e18, m: 1e-3 };

/** Parses a memory/storage quantity into bytes (`128Mi`, `1G`, `1e3`, `512`). */
export function bytesOf(q: unknown): number {
  if (q === undefined || q === null || q === '') return 0;
  const s = String(q).trim();
  const m = /^([0-9.+-eE]+?)([KMGTPE]i|[kMGTPEm])?$/.exec(s);
  if (!m) return parseFloat(s) || 0;
  const n = parseFloat(m[1]);
  const unit = m[2];
  if (!unit) return n;
  return n * (BIN[unit] ?? DEC[unit] ?? 1);
}

export interface LabelSelectorRequirement {
  key: string;
  operator: string;
  values?: string[];
}

export interface LabelSelector {
  matchLabels?: Record<string, string>;
  matchExpressions?: LabelSelectorRequirement[];
}

/** metav1.LabelSelector semantics: an empty selector matches everything; a missing one (undefined) nothing. */
export function selectorMatches(selector: LabelSelector | undefined | null, labels: Record<string, string> | undefined): boolean {
  if (!selector) return false;
  const l = labels ?? {};
  for (const [k, v] of Object.entries(selector.matchLabels ?? {})) {
    if (l[k] !== v) return false;
  }
  for (const req of selector.matchExpressions ?? []) {
    if (!requirementMatches(req, l)) return false;
  }
  return true;
}

export function requirementMatches(req: LabelSelectorRequirement, l: Record<string, string>): boolean {
  const has = Object.prototype.hasOwnProperty.call(l, req.key);
  const values = req.values ?? [];
  switch (req.operator) {
    case 'In':
      return has && values.includes(l[req.key]);
    case 'NotIn':
      return !has || !values.includes(l[req.key]);
    case 'Exists':
      return has;
    case 'DoesNotExist':
      return !has;
    case 'Gt':
      return has && Number(l[req.key]) > Number(values[0]);
    case 'Lt':
      return has && Number(l[req.key]) < Number(values[0]);
    default:
      return false;
  }
}

/** A Service-style selector (plain map): empty or missing selects nothing. */
export function mapSelectorMatches(selector: Record<string, string> | undefined, labels: Record<string, string> | undefined): boolean {
  if (!selector || Object.keys(selector).length === 0) return false;
  const l = labels ?? {};
  return Object.entries(selector).every(([k, v]) => l[k] === v);
}

export function selectorString(selector: LabelSelector | undefined): string {
  if (!selector) return '';
  const parts = Object.entries(selector.matchLabels ?? {}).map(([k, v]) => `${k}=${v}`);
  for (const r of selector.matchExpressions ?? []) {
    if (r.operator === 'In') parts.push(`${r.key} in (${(r.values ?? []).join(',')})`);
    else if (r.operator === 'NotIn') parts.push(`${r.key} notin (${(r.values ?? []).join(',')})`);
    else if (r.operator === 'Exists') parts.push(r.key);
    else if (r.operator === 'DoesNotExist') parts.push(`!${r.key}`);
  }
  return parts.join(',');
}

export function controllerOf(obj: KubeObject): OwnerReference | undefined {
  return obj.metadata.ownerReferences?.find((r) => r.controller);
}

export function ownerRef(owner: KubeObject, blockOwnerDeletion = true): OwnerReference {
  return {
    apiVersion: owner.apiVersion,
    kind: owner.kind,
    name: owner.metadata.name ?? '',
    uid: owner.metadata.uid ?? '',
    controller: true,
    blockOwnerDeletion,
  };
}

export function isOwnedBy(obj: KubeObject, owner: KubeObject): boolean {
  const ref = controllerOf(obj);
  return !!ref && ref.uid === owner.metadata.uid;
}

export function storeErrorCode(e: unknown): number | undefined {
  return typeof e === 'object' && e !== null && typeof (e as StoreError).code === 'number' ? (e as StoreError).code : undefined;
}

export function makeStoreError(code: number, reason: StoreError['reason'], message: string): StoreError {
  const e = new Error(message) as StoreError;
  e.code = code;
  e.reason = reason;
  return e;
}

export function keyOf(namespace: string | undefined, name: string): string {
  return namespace ? `${namespace}/${name}` : name;
}

export function splitKey(key: string): { namespace: string | undefined; name: string } {
  const i = key.indexOf('/');
  return i < 0 ? { namespace: undefined, name: key } : { namespace: key.slice(0, i), name: key.slice(i + 1) };
}

/** intstr percentage or number against a total (round up for surge, down for unavailable). */
export function scaledValue(value: unknown, total: number, roundUp: boolean, dflt: string): number {
  const v = value === undefined || value === null ? dflt : value;
  if (typeof v === 'number') return v;
  const s = String(v);
  if (s.endsWith('%')) {
    const pct = parseFloat(s.slice(0, -1));
    const raw = (pct * total) / 100;
    return roundUp ? Math.ceil(raw) : Math.floor(raw);
  }
  return parseInt(s, 10) || 0;
}
