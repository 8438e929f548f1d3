/**
 * Renders values and calls back as Python-literal text that `parseResponse` reads back to the same values
 * (strings in double quotes, as the original's instructions write them).
 */

const MAX_FORMAT_DEPTH = 100;

/**
 * A string as a double-quoted Python literal: escapes `\`, `"`, line breaks, tabs and other control characters,
 * and a backtick that another follows (so the text can never close a code block).
 */
export function formatString(s: string): string {
  let out = '"';
  let chunkStart = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    let rep: string | undefined;
    if (c === 34) rep = '\\"';
    else if (c === 96 && s.charCodeAt(i + 1) === 96) rep = '\\x60'; // never write a fence (```) inside a string
    else if (c === 92) rep = '\\\\';
    else if (c < 32 || c === 127) {
      rep = c === 10 ? '\\n' : c === 9 ? '\\t' : c === 13 ? '\\r' : '\\x' + c.toString(16).padStart(2, '0');
    } else if (c === 0x2028 || c === 0x2029) rep = '\\u' + c.toString(16);
    if (rep !== undefined) {
      out += s.slice(chunkStart, i) + rep;
      chunkStart = i + 1;
    }
  }
  return out + s.slice(chunkStart) + '"';
}

function formatNumber(n: number): string {
  if (Number.isNaN(n)) return 'float("nan")';
  if (n === Infinity) return '1e999';
  if (n === -Infinity) return '-1e999';
  if (Object.is(n, -0)) return '-0.0';
  return String(n);
}

/** Any JSON-like value as a Python literal (arrays → lists, objects → dicts, null/undefined → None). */
export function formatValue(value: unknown, depth = 0): string {
  if (depth > MAX_FORMAT_DEPTH) return '...';
  if (value === null || value === undefined) return 'None';
  switch (typeof value) {
    case 'string':
      return formatString(value);
    case 'number':
      return formatNumber(value);
    case 'boolean':
      return value ? 'True' : 'False';
    case 'bigint':
      return value.toString();
    case 'object':
      if (Array.isArray(value)) return '[' + value.map((v) => formatValue(v, depth + 1)).join(', ') + ']';
      return (
        '{' +
        Object.keys(value)
          .map((k) => formatString(k) + ': ' + formatValue((value as Record<string, unknown>)[k], depth + 1))
          .join(', ') +
        '}'
      );
    default:
      return formatString(String(value));
  }
}

/** `api_name(arg1, arg2, key=value)` as Python-literal text, e.g. `exec_shell("kubectl get pods", timeout=60)`. */
export function formatCall(api_name: string, args: readonly unknown[] = [], kwargs: Record<string, unknown> = {}): string {
  const parts = args.map((a) => formatValue(a));
  for (const key of Object.keys(kwargs)) parts.push(`${key}=${formatValue(kwargs[key])}`);
  return `${api_name}(${parts.join(', ')})`;
}

/** A call inside the markdown code block the text protocol expects. */
export function fenced(call: string): string {
  return '```\n' + call + '\n```';
}
