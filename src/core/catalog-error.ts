import { parse as parseYaml, YAMLParseError } from 'yaml';
import type { z } from 'zod';

/**
 * A mistake in a catalog file (problems/*.yaml, apps/<id>/app.yaml). The message names the file, the field path
 * and what was expected, e.g.
 * `problems/revoke_auth.yaml: variants[1].groundTruth.localization.services: expected a non-empty list of strings, got "geo"`.
 */
export class CatalogError extends Error {
  constructor(
    readonly file: string,
    readonly problems: string[],
  ) {
    super(problems.map((p) => `${file}: ${p}`).join('\n'));
    this.name = 'CatalogError';
  }

  /** Several files' errors as one error (message: every line of every error). */
  static combine(errors: CatalogError[]): CatalogError {
    if (errors.length === 1) return errors[0];
    const all = new CatalogError(errors.map((e) => e.file).join(', '), []);
    all.message = errors.map((e) => e.message).join('\n');
    return all;
  }
}

/** `a.b[1].c` from a path of keys and indexes. */
export function formatPath(path: ReadonlyArray<PropertyKey>): string {
  let out = '';
  for (const key of path) {
    if (typeof key === 'number') out += `[${key}]`;
    else out += out ? `.${String(key)}` : String(key);
  }
  return out || '(top level)';
}

/** A short rendering of a value for error messages. */
export function describeValue(value: unknown): string {
  if (value === undefined) return 'nothing';
  let text: string;
  try {
    text = JSON.stringify(value) ?? String(value);
  } catch {
    text = String(value);
  }
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}

function valueAt(root: unknown, path: ReadonlyArray<PropertyKey>): unknown {
  let cur: unknown = root;
  for (const key of path) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<PropertyKey, unknown>)[key as never];
  }
  return cur;
}

const TYPE_WORDS: Record<string, string> = {
  string: 'a string',
  number: 'a number',
  int: 'an integer',
  boolean: 'true or false',
  array: 'a list',
  object: 'a mapping',
  record: 'a mapping',
};

/** Turns zod issues into one line each: `<path>: expected …, got …`. */
export function formatZodIssues(issues: ReadonlyArray<z.core.$ZodIssue>, input: unknown): string[] {
  const out: string[] = [];
  for (const issue of issues) {
    const path = issue.path;
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys) {
        out.push(`${formatPath([...path, key])}: unknown field (not part of the schema; check its spelling and indentation)`);
      }
      continue;
    }
    const value = valueAt(input, path);
    const got = describeValue(value);
    let expected: string;
    if (value === undefined && issue.code === 'invalid_type') {
      const exp = String((issue as { expected?: string }).expected ?? '');
      const what = issue.message.startsWith('expected') ? issue.message.replace(/^expected\s*/, '') : (TYPE_WORDS[exp] ?? exp);
      out.push(`${formatPath(path)}: required field is missing (expected ${what})`);
      continue;
    }
    if (issue.message.startsWith('expected')) {
      expected = issue.message;
    } else if (issue.code === 'invalid_type') {
      const exp = String((issue as { expected?: string }).expected ?? '');
      expected = `expected ${TYPE_WORDS[exp] ?? exp}`;
      if (valueAt(input, path) === undefined) {
        out.push(`${formatPath(path)}: required field is missing (expected ${TYPE_WORDS[exp] ?? exp})`);
        continue;
      }
    } else if (issue.code === 'invalid_value') {
      const values = (issue as { values?: unknown[] }).values ?? [];
      expected = values.length === 1 ? `expected ${describeValue(values[0])}` : `expected one of ${values.map((v) => describeValue(v)).join(', ')}`;
    } else if (issue.code === 'invalid_union' && (issue as { discriminator?: string }).discriminator) {
      const opts = ((issue as { options?: unknown[] }).options ?? []).map((v) => describeValue(v));
      expected = `expected one of ${opts.join(', ')}`;
    } else if (issue.code === 'too_small') {
      const min = (issue as { minimum?: number | bigint }).minimum;
      const origin = (issue as { origin?: string }).origin;
      expected = origin === 'array' ? `expected at least ${min} item(s)` : origin === 'string' ? 'expected a non-empty string' : `expected at least ${min}`;
    } else if (issue.code === 'too_big') {
      expected = `expected at most ${(issue as { maximum?: number | bigint }).maximum}`;
    } else if (issue.code === 'invalid_format') {
      expected = `expected ${issue.message.replace(/^Invalid\s*/i, '')}`;
    } else {
      expected = issue.message;
    }
    out.push(`${formatPath(path)}: ${expected}, got ${got}`);
  }
  return out;
}

/**
 * Parses a catalog YAML file whose top level must be a mapping; errors name the file, as every catalog error does.
 * `expected` lists the fields the mapping should have, for the message.
 */
export function parseYamlMapping(fileName: string, text: string, expected: string): Record<string, unknown> {
  let raw: unknown;
  try {
    raw = parseYaml(text, { prettyErrors: true, uniqueKeys: true });
  } catch (e) {
    const msg = e instanceof YAMLParseError ? e.message.split('\n')[0] : String(e);
    throw new CatalogError(fileName, [`not valid YAML: ${msg}`]);
  }
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    throw new CatalogError(fileName, [`(top level): expected a mapping with ${expected}, got ${describeValue(raw)}`]);
  }
  return raw as Record<string, unknown>;
}
