/**
 * JSON with object keys sorted (and undefined members left out, as JSON.stringify does), so that two objects that
 * differ only in key order compare and hash equal. The one equality rule for API objects in the twin: stored-object
 * no-op detection, immutable-field checks, JSON Patch `test`, controllers' "nothing changed" checks.
 */
export function sortedKeysJson(value: unknown): string {
  return JSON.stringify(sortKeys(value)) ?? 'undefined';
}

/** Equal as JSON documents: same members and values, whatever the key order. */
export function jsonEqual(a: unknown, b: unknown): boolean {
  return sortedKeysJson(a) === sortedKeysJson(b);
}

function sortKeys(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(sortKeys);
  if (v && typeof v === 'object') {
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(v).sort()) {
      const x = (v as Record<string, unknown>)[k];
      if (x !== undefined) out[k] = sortKeys(x);
    }
    return out;
  }
  return v;
}
