import { z } from 'zod';
import { CatalogError, formatZodIssues, parseYamlMapping } from '../catalog-error';
import { TASK_TYPES, taskTypeOfId, type TaskType } from '../tasks/task-type';
import { SYSTEM_LEVELS, FAULT_TYPES } from '../tasks/taxonomy';
import { FAULT_KINDS, type FaultKind } from './fault-kinds';
import { faultParamIssues, faultParamNames } from './fault-params';
import { INVESTIGATION_ACTIONS, type FaultSpec, type GroundTruth, type InvestigationStep, type ProblemDefinition } from './types';

export { CatalogError } from '../catalog-error';

export { SYSTEM_LEVELS, FAULT_TYPES } from '../tasks/taxonomy';
export { FAULT_KINDS, type FaultKind } from './fault-kinds';

const name = z.string({ error: 'expected a non-empty string' }).min(1, { error: 'expected a non-empty string' });
const nonEmptyStrings = z
  .array(name, { error: 'expected a non-empty list of strings' })
  .min(1, { error: 'expected a non-empty list of strings' });
const port = z.number({ error: 'expected a port number' }).int({ error: 'expected a port number' }).min(1).max(65535);
const positiveInt = z.number({ error: 'expected a positive integer' }).int({ error: 'expected a positive integer' }).positive({ error: 'expected a positive integer' });
const taskName = z.enum(TASK_TYPES as unknown as [TaskType, ...TaskType[]], {
  error: `expected one of ${TASK_TYPES.join(', ')}`,
});

const wrk2Schema = z.strictObject({
  kind: z.literal('wrk2'),
  rate: positiveInt,
  dist: z.enum(['exp', 'norm', 'fixed', 'zipf']),
  connections: positiveInt,
  duration: positiveInt,
  threads: positiveInt,
  script: name,
  url: z.strictObject({ service: name, port, path: z.string().startsWith('/', { error: 'expected a path starting with "/"' }) }),
});
const workloadSchema = z.discriminatedUnion(
  'kind',
  [
    wrk2Schema,
    z.strictObject({ kind: z.literal('none'), reason: z.string().optional() }),
    z.strictObject({ kind: z.literal('flwr'), command: name }),
  ],
  { error: 'expected a workload with kind wrk2, none or flwr' },
);

const checkSchema = z.discriminatedUnion(
  'kind',
  [
    z.strictObject({ kind: z.literal('all-pods-healthy'), mode: z.enum(['strict', 'guarded']) }),
    z.strictObject({ kind: z.literal('service-target-port'), service: name, port }),
    z.strictObject({
      kind: z.literal('deployment-replicas'),
      deployment: name,
      replicas: z.number().int().min(0),
      available: z.number().int().min(0),
    }),
    z.strictObject({ kind: z.literal('pod-exists'), nameContains: name }),
    z.strictObject({ kind: z.literal('container-command-contains'), deployment: name, container: name.optional(), value: name }),
    z.strictObject({ kind: z.literal('pods-ready-within'), seconds: positiveInt }),
    z.strictObject({ kind: z.literal('configmap-not-contains'), configMap: name, text: name }),
    z.strictObject({ kind: z.literal('flagd-flag'), configMap: name, flag: name, variant: name }),
  ],
  {
    error:
      'expected one of all-pods-healthy, service-target-port, deployment-replicas, pod-exists, container-command-contains, pods-ready-within, configmap-not-contains, flagd-flag',
  },
);

const groundTruthSchema = z.strictObject({
  detection: z.strictObject({ expected: z.enum(['Yes', 'No'], { error: 'expected "Yes" or "No"' }) }).optional(),
  localization: z
    .strictObject({
      services: nonEmptyStrings,
      aliases: z.array(name, { error: 'expected a list of strings' }).optional(),
    })
    .optional(),
  analysis: z
    .strictObject({
      system_level: z.enum(SYSTEM_LEVELS, { error: `expected one of ${SYSTEM_LEVELS.join(', ')}` }),
      fault_type: z.enum(FAULT_TYPES, { error: `expected one of ${FAULT_TYPES.join(', ')}` }),
    })
    .optional(),
  mitigation: z
    .strictObject({ checks: z.array(checkSchema, { error: 'expected a list of checks' }).min(1, { error: 'expected at least one check' }) })
    .optional(),
});

const regex = z
  .string({ error: 'expected a regular expression (JavaScript syntax)' })
  .min(1, { error: 'expected a non-empty regular expression' })
  .refine(
    (text) => {
      try {
        new RegExp(text);
        return true;
      } catch {
        return false;
      }
    },
    { error: 'expected a valid regular expression (JavaScript syntax)' },
  );
const namespaceAndMinutes = z.union([name, z.tuple([name, positiveInt])], { error: 'expected a namespace or [namespace, minutes]' });

/**
 * One investigation step: exactly one action key (its arguments as the value) plus the evidence to find, e.g.
 * `{exec_shell: "kubectl get pods -n ns", expect: "CrashLoopBackOff"}` or `{get_logs: [ns, geo], expect: "not authorized"}`.
 */
const investigationStepSchema = z
  .strictObject({
    exec_shell: name.optional(),
    get_logs: z.tuple([name, name], { error: 'expected [namespace, service]' }).optional(),
    get_metrics: namespaceAndMinutes.optional(),
    get_traces: namespaceAndMinutes.optional(),
    read_metrics: name.optional(),
    read_traces: name.optional(),
    expect: regex.optional(),
    expectNot: regex.optional(),
    within: z.number({ error: 'expected a number of seconds' }).positive({ error: 'expected a positive number of seconds' }).max(300, { error: 'expected at most 300 seconds' }).optional(),
  })
  .superRefine((step, ctx) => {
    const actions = INVESTIGATION_ACTIONS.filter((a) => step[a] !== undefined);
    if (actions.length !== 1) {
      ctx.addIssue({
        code: 'custom',
        message: `expected exactly one action (${INVESTIGATION_ACTIONS.join(', ')}) in the step, got ${actions.length === 0 ? 'none' : actions.join(' and ')}`,
      });
    }
  });
const investigationSchema = z
  .array(investigationStepSchema, { error: 'expected a list of investigation steps' })
  .min(1, { error: 'expected at least one investigation step' });
type InvestigationStepFile = z.infer<typeof investigationStepSchema>;

/** The file's step shape → the call the oracle makes. */
export function toInvestigationStep(step: InvestigationStepFile): InvestigationStep {
  const action = INVESTIGATION_ACTIONS.find((a) => step[a] !== undefined)!;
  const value = step[action]!;
  const args: Array<string | number> = typeof value === 'string' ? [value] : [...value];
  return {
    action,
    args,
    ...(step.expect !== undefined ? { expect: step.expect } : {}),
    ...(step.expectNot !== undefined ? { expectNot: step.expectNot } : {}),
    ...(step.within !== undefined ? { within: step.within } : {}),
  };
}

const faultKind = z.enum(Object.keys(FAULT_KINDS) as [FaultKind, ...FaultKind[]], {
  error: `expected a fault kind, one of ${Object.keys(FAULT_KINDS).join(', ')}`,
});
const paramsSchema = z.record(z.string(), z.unknown(), { error: 'expected a mapping of parameters' });

const faultSchema = z.strictObject({ kind: faultKind, target: name.optional(), params: paramsSchema.optional() });
const variantSchema = z.strictObject({
  /** Substituted for `{n}` in the ID pattern; defaults to the variant's position (1-based). */
  n: positiveInt.optional(),
  /** Substituted for `{key}`. */
  key: name.optional(),
  /** The fault's target service; substituted for `{target}`. */
  target: name.optional(),
  app: name.optional(),
  summary: name.optional(),
  /** Merged over the family's fault (kind replaced, params merged). */
  fault: z.strictObject({ kind: faultKind.optional(), target: name.optional(), params: paramsSchema.optional() }).optional(),
  workload: workloadSchema.optional(),
  tasks: z.array(taskName).min(1).optional(),
  /** Per task: replaces the family's entry for that task. */
  groundTruth: groundTruthSchema.optional(),
  solution: z.array(name).min(1).optional(),
  /** Replaces the family's investigation. */
  investigation: investigationSchema.optional(),
});

/** One YAML file under problems/: a family of problems that share a fault, expanded by its variants and tasks. */
export const problemFamilySchema = z.strictObject({
  family: z.string().regex(/^[A-Za-z0-9_-]+$/, { error: 'expected a family name made of letters, digits, _ and -' }),
  /** Position in the original registry; experimental families use 100+. */
  order: z.number({ error: 'expected a number' }),
  app: name.optional(),
  /** Problem IDs: `{task}`, `{n}`, `{key}` and `{target}` are substituted; must produce IDs that contain the task word. */
  idPattern: name,
  tasks: z.array(taskName, { error: 'expected a list of task types' }).min(1, { error: 'expected at least one task type' }),
  experimental: z.boolean().optional(),
  /** What a localization answer names: the faulty components (default), or custom resources too (the operator problems). */
  localizationAnswer: z.enum(['components', 'resources'], { error: 'expected components or resources' }).optional(),
  summary: name,
  fault: faultSchema,
  workload: workloadSchema.optional(),
  groundTruth: groundTruthSchema.optional(),
  /** Shell commands an SRE runs to fix the fault; used by the mitigation problem's oracle. */
  solution: z.array(name).min(1).optional(),
  /**
   * How an SRE finds the fault with the agent-facing APIs, for every task of the family (mitigation: before the
   * solution). The oracle replays these steps and checks each step's `expect` / `expectNot` against what it saw.
   */
  investigation: investigationSchema.optional(),
  variants: z.array(variantSchema, { error: 'expected a list of variants' }).min(1, { error: 'expected at least one variant' }).optional(),
});

export type ProblemFamilyFile = z.infer<typeof problemFamilySchema>;
type GroundTruthFile = z.infer<typeof groundTruthSchema>;

const PLACEHOLDER = /\{(task|n|key|target)\}/g;

function substitute<T>(value: T, vars: Record<string, string | undefined>, missing: Set<string>): T {
  if (typeof value === 'string') {
    return value.replace(PLACEHOLDER, (whole, key: string) => {
      const v = vars[key];
      if (v === undefined) {
        missing.add(key);
        return whole;
      }
      return v;
    }) as T;
  }
  if (Array.isArray(value)) return value.map((v) => substitute(v, vars, missing)) as T;
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = substitute(v, vars, missing);
    return out as T;
  }
  return value;
}

/**
 * Parses one problem family file and expands it into problem definitions, variant by variant and, within a
 * variant, task by task in the order of `tasks`. Throws CatalogError naming the file, the field and what was expected.
 */
export function parseProblemFamily(fileName: string, text: string): ProblemDefinition[] {
  const raw = parseYamlMapping(fileName, text, 'family, order, idPattern, tasks, summary, fault');
  const parsed = problemFamilySchema.safeParse(raw);
  if (!parsed.success) throw new CatalogError(fileName, formatZodIssues(parsed.error.issues, raw));
  const fam = parsed.data;

  const errors: string[] = [];
  const out: ProblemDefinition[] = [];
  const variants = fam.variants ?? [{}];
  const seen = new Set<string>();

  variants.forEach((v, i) => {
    const at = fam.variants ? `variants[${i}]` : '(top level)';
    const target = v.target ?? v.fault?.target ?? fam.fault.target;
    const vars = { n: String(v.n ?? i + 1), key: v.key, target };
    const app = v.app ?? fam.app;
    if (!app) errors.push(`${fam.variants ? `${at}.app` : 'app'}: required field is missing (expected an app id such as hotel-reservation)`);
    const workload = v.workload ?? fam.workload;
    if (!workload) errors.push(`${fam.variants ? `${at}.workload` : 'workload'}: required field is missing (expected a workload with kind wrk2, none or flwr)`);
    const tasks = v.tasks ?? fam.tasks;
    let paramsChecked = false;
    const paramsAt = (key: string) => (v.fault?.params && key in v.fault.params) || (v.fault?.kind && !(fam.fault.params && key in fam.fault.params)) ? `${at}.fault.params` : 'fault.params';

    for (const task of tasks) {
      const missing = new Set<string>();
      const id = substitute(fam.idPattern, { ...vars, task }, missing);
      if (missing.size) {
        errors.push(`idPattern: uses {${[...missing].join('}, {')}} but ${at} gives no value for it`);
        continue;
      }
      if (taskTypeOfId(id) !== task) {
        errors.push(`idPattern: the ID "${id}" does not name its task type "${task}" (the task is read from the ID)`);
        continue;
      }
      if (seen.has(id)) {
        errors.push(`${at}: produces the ID "${id}" twice`);
        continue;
      }
      seen.add(id);
      const gtPath = `${fam.variants ? `${at}.` : ''}groundTruth.${task}`;
      const gtFile = (v.groundTruth?.[task] ?? fam.groundTruth?.[task]);
      const groundTruth = toGroundTruth(task, gtFile, gtPath, errors);
      const fault: FaultSpec = {
        kind: v.fault?.kind ?? fam.fault.kind,
        ...(target !== undefined ? { target } : {}),
        params: { ...(fam.fault.params ?? {}), ...(v.fault?.params ?? {}) },
      };
      const solution = task === 'mitigation' ? (v.solution ?? fam.solution) : undefined;
      const investigationFile = v.investigation ?? fam.investigation;
      const investigation = investigationFile?.map(toInvestigationStep);
      const def: ProblemDefinition = {
        id,
        family: fam.family,
        task,
        app: app ?? '',
        summary: v.summary ?? fam.summary,
        fault,
        workload: (workload ?? { kind: 'none' }),
        groundTruth: groundTruth ?? ({ task: 'detection', expected: 'Yes' }),
        experimental: fam.experimental ?? false,
        ...(task === 'localization' && fam.localizationAnswer === 'resources' ? { localizationAnswer: 'resources' as const } : {}),
        ...(solution ? { solution } : {}),
        ...(investigation ? { investigation } : {}),
        sourceFile: fileName,
        order: fam.order,
      };
      const missingVars = new Set<string>();
      const expanded = substitute(def, { ...vars, task }, missingVars);
      if (missingVars.size) {
        errors.push(`${at}: a field uses {${[...missingVars].join('}, {')}} but the variant gives no value for it`);
        continue;
      }
      if (!paramsChecked) {
        paramsChecked = true;
        // A family-level mistake shows once, not once per variant.
        for (const e of faultParamErrors(expanded.fault.kind as FaultKind, expanded.fault.params, paramsAt)) if (!errors.includes(e)) errors.push(e);
      }
      out.push(expanded);
    }
  });
  if (errors.length) throw new CatalogError(fileName, errors);
  return out;
}

/** A fault's parameters against its kind's schema, each error naming the field where the file sets (or should set) it. */
function faultParamErrors(kind: FaultKind, params: Record<string, unknown>, paramsAt: (key: string) => string): string[] {
  return faultParamIssues(kind, params).flatMap((issue) => {
    if (issue.code === 'unrecognized_keys') {
      return issue.keys.map((key) => `${paramsAt(key)}.${key}: unknown parameter of ${kind} (it takes ${faultParamNames(kind).join(', ')})`);
    }
    return formatZodIssues([issue], params).map((line) => `${paramsAt(String(issue.path[0] ?? ''))}.${line}`);
  });
}

function toGroundTruth(task: TaskType, gt: GroundTruthFile[TaskType] | undefined, path: string, errors: string[]): GroundTruth | undefined {
  switch (task) {
    case 'detection': {
      const d = gt as GroundTruthFile['detection'];
      return { task, expected: d?.expected ?? 'Yes' };
    }
    case 'localization': {
      const l = gt as GroundTruthFile['localization'];
      if (!l) {
        errors.push(`${path}: required for the localization task (expected services: [<service>, ...])`);
        return undefined;
      }
      return { task, services: l.services, aliases: l.aliases ?? [] };
    }
    case 'analysis': {
      const a = gt as GroundTruthFile['analysis'];
      if (!a) {
        errors.push(`${path}: required for the analysis task (expected system_level and fault_type)`);
        return undefined;
      }
      return { task, system_level: a.system_level, fault_type: a.fault_type };
    }
    case 'mitigation': {
      const m = gt as GroundTruthFile['mitigation'];
      if (!m) {
        errors.push(`${path}: required for the mitigation task (expected checks: [...])`);
        return undefined;
      }
      return { task, checks: m.checks };
    }
  }
}
