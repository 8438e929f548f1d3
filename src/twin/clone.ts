/**
 * Deep copies of the API objects the twin keeps: plain objects, arrays and primitives, as parsed from JSON. The store
 * copies every object it hands out or keeps (each list, watch event and write) and the controllers copy what they
 * change; through structuredClone (V8's serializer) or a JSON round trip that was a quarter of a twin's CPU while
 * sessions ran. Copying plain data directly is about four times faster. Anything else (a Date, a Map, a class
 * instance, an object with toJSON) is copied the slow way, so each copy is exactly the one it replaces.
 */

/** The copy structuredClone makes (undefined values kept). */
export function cloneData<T>(value: T): T {
  if (value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) {
    const copy = new Array<unknown>(value.length);
    for (let i = 0; i < value.length; i++) copy[i] = cloneData(value[i] as unknown);
    return copy as T;
  }
  if (!isPlainObject(value)) return structuredClone(value);
  const copy: Record<string, unknown> = {};
  for (const key of Object.keys(value)) setOwn(copy, key, cloneData((value as Record<string, unknown>)[key]));
  return copy as T;
}

/** The copy `JSON.parse(JSON.stringify(value))` makes: undefined, function and symbol values left out (null in arrays). */
export function cloneAsJson<T>(value: T): T {
  if (value === undefined) return value;
  try {
    return jsonCopy(value) as T;
  } catch (error) {
    if (error !== NOT_PLAIN) throw error;
    return JSON.parse(JSON.stringify(value)) as T;
  }
}

/** Thrown from deep inside a copy to fall back to the JSON round trip (one instance: no stack to capture per throw). */
const NOT_PLAIN = new Error('not plain data');

function jsonCopy(value: unknown): unknown {
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return value;
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw NOT_PLAIN;
    return value === 0 ? 0 : value; // -0 becomes 0 in JSON
  }
  if (typeof value !== 'object') throw NOT_PLAIN;
  if (Array.isArray(value)) {
    const copy = new Array<unknown>(value.length);
    for (let i = 0; i < value.length; i++) copy[i] = skippedInJson(value[i]) ? null : jsonCopy(value[i]);
    return copy;
  }
  if (!isPlainObject(value) || typeof (value as { toJSON?: unknown }).toJSON === 'function') throw NOT_PLAIN;
  const copy: Record<string, unknown> = {};
  for (const key of Object.keys(value)) {
    const v = (value as Record<string, unknown>)[key];
    if (!skippedInJson(v)) setOwn(copy, key, jsonCopy(v));
  }
  return copy;
}

function skippedInJson(value: unknown): boolean {
  return value === undefined || typeof value === 'function' || typeof value === 'symbol';
}

function isPlainObject(value: object): boolean {
  const proto = Object.getPrototypeOf(value) as unknown;
  return proto === Object.prototype || proto === null;
}

/** An own property even for the key `__proto__` (which an assignment would take as the object's prototype). */
function setOwn(target: Record<string, unknown>, key: string, value: unknown): void {
  if (key === '__proto__') Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
  else target[key] = value;
}
