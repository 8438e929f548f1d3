import type { TaskType } from '../tasks/task-type';
import { execShell } from './exec-shell';
import { getLogs } from './get-logs';
import { getMetrics } from './get-metrics';
import { getTraces } from './get-traces';
import { readMetrics } from './read-metrics';
import { readTraces } from './read-traces';
import { submitFor } from './submit';
import type { ActionDefinition, ActionParameter, JsonSchema } from './types';

export { execShell, getLogs, getMetrics, getTraces, readMetrics, readTraces, submitFor };
export type { ActionDefinition, ActionParameter, JsonSchema } from './types';

const COMMON: readonly ActionDefinition[] = [execShell, getLogs, getMetrics, getTraces, readMetrics, readTraces];
const cache = new Map<TaskType, ActionDefinition[]>();

/** The seven actions of a task, in alphabetical order as the original lists them. */
export function actionsForTask(task: TaskType): ActionDefinition[] {
  let list = cache.get(task);
  if (!list) {
    list = [...COMMON, submitFor(task)].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    cache.set(task, list);
  }
  return [...list];
}

/** name → documentation, as the original hands the APIs to agents. */
export function apisForAgents(task: TaskType): Record<string, string> {
  const out: Record<string, string> = {};
  for (const a of actionsForTask(task)) out[a.name] = a.doc;
  return out;
}

/** The action's arguments as one JSON object schema (for OpenAI function calling and VS Code LM tools). */
export function toJsonSchema(def: ActionDefinition): JsonSchema {
  const properties: Record<string, JsonSchema> = {};
  const required: string[] = [];
  for (const p of def.parameters) {
    properties[p.name] = { ...p.schema };
    if (p.optional) {
      if (p.default !== undefined) properties[p.name].default = p.default;
    } else {
      required.push(p.name);
    }
  }
  return { type: 'object', properties, required, additionalProperties: false };
}

/** Whether the action may change the cluster or end a mitigation: exec_shell, `@write` actions, mitigation's submit. */
export function isWriteAction(name: string, task: TaskType): boolean {
  if (name === 'exec_shell') return true;
  if (name === 'submit') return task === 'mitigation';
  const def = actionsForTask(task).find((a) => a.name === name);
  return def?.kind === 'write';
}

function placeholder(p: ActionParameter): string {
  const t = p.schema.type;
  if (t === 'string') return `"<${p.name}>"`;
  if (t === 'array') return `["<${p.name}>", ...]`;
  if (t === 'object') return `{"<key>": "<value>"}`;
  return `<${p.name}>`;
}

/** A correct call of the action, e.g. `get_logs("<namespace>", "<service>")`. */
export function usageOf(def: ActionDefinition): string {
  if (def.usage) return def.usage;
  const parts = def.parameters.map((p) => (p.optional ? `${p.name}=${JSON.stringify(p.default)}` : placeholder(p)));
  // Optional parameters are shown only when all required ones come first (always true for our actions).
  const required = def.parameters.filter((p) => !p.optional).map(placeholder);
  const short = `${def.name}(${required.join(', ')})`;
  return parts.length === required.length ? short : `${short} or ${def.name}(${parts.join(', ')})`;
}

function show(v: unknown): string {
  if (v === null) return 'None';
  if (v === undefined) return 'nothing';
  if (typeof v === 'boolean') return v ? 'True' : 'False';
  try {
    const s = JSON.stringify(v);
    return s.length > 60 ? `${s.slice(0, 57)}...` : s;
  } catch {
    return String(v);
  }
}

function typeWord(v: unknown): string {
  if (v === null) return 'None';
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'string') return 'a string';
  if (typeof v === 'boolean') return 'a boolean';
  if (typeof v === 'number') return Number.isInteger(v) ? 'an integer' : 'a number';
  if (typeof v === 'object') return 'a dict';
  return typeof v;
}

/** Parameters that also accept a plain string: a single service for localization, "None" for analysis. */
const ALSO_STRING = new Set(['faulty_components', 'analysis']);

/** Checks (and for integers, converts) one value against its parameter; returns an error text or the value. */
function coerce(def: ActionDefinition, p: ActionParameter, v: unknown): { ok: true; value: unknown } | { ok: false; error: string } {
  const where = `${def.name}() argument '${p.name}'`;
  const bad = (expected: string) => ({ ok: false as const, error: `${where} must be ${expected}, got ${typeWord(v)} (${show(v)}).` });
  const s = p.schema;
  if (ALSO_STRING.has(p.name) && typeof v === 'string') return { ok: true, value: v };
  switch (s.type) {
    case 'string':
      if (typeof v !== 'string') return bad(s.enum ? `one of the strings ${s.enum.map((e) => JSON.stringify(e)).join(' or ')}` : 'a quoted string');
      return { ok: true, value: v };
    case 'integer': {
      let n: number | undefined;
      if (typeof v === 'number' && Number.isFinite(v) && Number.isInteger(v)) n = v;
      else if (typeof v === 'string' && /^\s*[+-]?\d+(\.0*)?\s*$/.test(v)) n = Math.trunc(Number(v));
      if (n === undefined) return bad('a whole number');
      if (s.minimum !== undefined && n < s.minimum) return { ok: false, error: `${where} must be at least ${s.minimum}, got ${n}.` };
      if (s.maximum !== undefined && n > s.maximum) return { ok: false, error: `${where} must be at most ${s.maximum}, got ${n}.` };
      return { ok: true, value: n };
    }
    case 'number':
      if (typeof v !== 'number' || !Number.isFinite(v)) return bad('a number');
      return { ok: true, value: v };
    case 'boolean':
      if (typeof v !== 'boolean') return bad('True or False');
      return { ok: true, value: v };
    case 'array': {
      if (!Array.isArray(v)) return bad('a list of strings such as ["a", "b"]');
      if (s.items?.type === 'string') {
        const i = v.findIndex((x) => typeof x !== 'string');
        if (i >= 0) return { ok: false, error: `${where} must be a list of strings, but item ${i} is ${typeWord(v[i])} (${show(v[i])}).` };
      }
      return { ok: true, value: v };
    }
    case 'object': {
      if (v === null || typeof v !== 'object' || Array.isArray(v)) return bad('a dict such as {"key": "value"}');
      if (s.properties) {
        for (const [k, val] of Object.entries(v as Record<string, unknown>)) {
          const ps = s.properties[k];
          if (ps?.type === 'string' && typeof val !== 'string') {
            return { ok: false, error: `${where} key '${k}' must be a string, got ${typeWord(val)} (${show(val)}).` };
          }
        }
      }
      return { ok: true, value: v };
    }
    default:
      return { ok: true, value: v };
  }
}

/**
 * Binds positional and keyword arguments to the action's parameters, fills defaults and checks types. Errors say
 * exactly what was wrong and show a correct call, in words an LLM can act on.
 */
export function bindArguments(
  def: ActionDefinition,
  args: unknown[],
  kwargs: Record<string, unknown>,
): { ok: true; values: Record<string, unknown> } | { ok: false; error: string } {
  const usage = usageOf(def);
  const fail = (msg: string) => ({ ok: false as const, error: `${msg} Call it as ${usage}` });
  const params = def.parameters;
  const names = params.map((p) => p.name);

  if (args.length > params.length) {
    const takes = params.length === 0 ? 'takes no arguments' : `takes ${params.length === 1 ? '1 argument' : `at most ${params.length} arguments`} (${names.join(', ')})`;
    return fail(`${def.name}() ${takes} but ${args.length} ${args.length === 1 ? 'was' : 'were'} given.`);
  }
  const given = new Map<string, unknown>();
  args.forEach((v, i) => given.set(names[i], v));
  for (const [k, v] of Object.entries(kwargs ?? {})) {
    if (!names.includes(k)) {
      const known = names.length ? `Its arguments are: ${names.join(', ')}.` : 'It takes no arguments.';
      return fail(`${def.name}() got an unexpected keyword argument '${k}'. ${known}`);
    }
    if (given.has(k)) return fail(`${def.name}() got multiple values for argument '${k}' (positionally and as a keyword).`);
    given.set(k, v);
  }

  const values: Record<string, unknown> = {};
  const missing: string[] = [];
  for (const p of params) {
    const has = given.has(p.name);
    const v = given.get(p.name);
    if (!has || (p.optional && (v === null || v === undefined))) {
      if (p.optional) values[p.name] = p.default;
      else missing.push(p.name);
      continue;
    }
    const r = coerce(def, p, v);
    if (!r.ok) return fail(r.error);
    values[p.name] = r.value;
  }
  if (missing.length) {
    const list = missing.map((m) => `'${m}'`);
    const what = missing.length === 1 ? `argument ${list[0]}` : `arguments ${list.slice(0, -1).join(', ')} and ${list[list.length - 1]}`;
    return fail(`${def.name}() missing required ${what}.`);
  }
  return { ok: true, values };
}
