/**
 * The language-model tools the extension contributes, computed from the engine's action definitions (no `vscode`
 * import: unit-tested in plain Node, and `scripts/gen-lm-tools.mjs` writes them into package.json).
 *
 * Every agent-facing action becomes one tool named `aiopslab_<action>`. `submit` differs per task type, so its tool
 * takes the union of the four signatures (each argument optional) and the running session's task decides which
 * one must be given (`submitArgumentsFor`).
 */
import { actionsForTask, toJsonSchema } from '../../core/actions';
import type { JsonSchema } from '../../core/actions/types';
import { TASK_TYPES, type TaskType } from '../../core/tasks/task-type';

export const TOOL_PREFIX = 'aiopslab_';
/** Context key set while a session that tools can act on is running. */
export const SESSION_CONTEXT_KEY = 'aiopslab.sessionRunning';

export interface ToolContribution {
  name: string;
  displayName: string;
  toolReferenceName: string;
  canBeReferencedInPrompt: boolean;
  userDescription: string;
  modelDescription: string;
  icon?: string;
  tags: string[];
  inputSchema: JsonSchema;
  when?: string;
}

const WHEN_USE: Record<string, string> = {
  exec_shell:
    'Use it for kubectl and other shell commands against the incident cluster (get pods, describe, logs, patch, scale). ' +
    'Interactive or never-ending commands (kubectl edit, port-forward, logs -f) are refused; output is capped, so filter with grep or -o jsonpath. ' +
    'Commands that change the cluster (apply, patch, scale, delete, rollout restart, set, exec, edit) ask the user for confirmation.',
  get_logs: 'Use it to read recent logs of one service in a namespace; repeated lines are de-duplicated and long output is capped.',
  get_metrics: 'Use it to export recent Prometheus metrics of a namespace to CSV files; it returns the folder to pass to read_metrics.',
  get_traces: 'Use it to export recent Jaeger traces of a namespace to CSV files; it returns the folder to pass to read_traces.',
  read_metrics: 'Use it to read one metrics CSV file written by get_metrics.',
  read_traces: 'Use it to read one traces CSV file written by get_traces.',
};

/** The merged submit schema: one optional property per task's submit parameter. */
export function submitUnionSchema(): JsonSchema {
  const properties: Record<string, JsonSchema> = {};
  for (const task of TASK_TYPES) {
    const def = actionsForTask(task).find((a) => a.name === 'submit')!;
    for (const p of def.parameters) properties[p.name] = { ...p.schema, description: `(${task} task) ${p.schema.description ?? ''}`.trim() };
  }
  return { type: 'object', properties, additionalProperties: false };
}

function firstParagraph(doc: string): string {
  return doc.trim().split(/\n\s*\n/)[0].replace(/\s+/g, ' ');
}

/** One tool contribution per agent-facing action (the common six plus the task-dependent submit), plus a status tool. */
export function lmToolContributions(): ToolContribution[] {
  const actions = actionsForTask('detection').filter((def) => def.name !== 'submit');
  return [
    ...actions.map((def) =>
      tool(def.name, firstParagraph(def.doc), `${firstParagraph(def.doc)} ${WHEN_USE[def.name] ?? ''} Each call is one step of the running AIOpsLab session's budget.`.trim(), toJsonSchema(def), { when: SESSION_CONTEXT_KEY }),
    ),
    tool(
      'submit',
      'Hand in the answer of the running AIOpsLab problem (ends the session).',
      'Submit the answer of the running AIOpsLab problem; this ends the episode. Give exactly the argument of the session\'s task: ' +
        'detection → has_anomaly ("Yes" or "No"); localization → faulty_components (list of service names, most likely first, [] if none); ' +
        'analysis → analysis ({"system_level": ..., "fault_type": ...}); mitigation → no argument (call it once the fix is applied; the cluster state is then checked). ' +
        'Call aiopslab_status first if you do not know the task.',
      submitUnionSchema(),
      { when: SESSION_CONTEXT_KEY },
    ),
    tool(
      'status',
      'Show the running AIOpsLab session: problem, task, steps used and the task description.',
      'Returns the running AIOpsLab session: its problem description and instructions, the task type, the namespace hints, ' +
        'steps used of the budget, and the last observation. Use it first to learn what to investigate and how to submit.',
      { type: 'object', properties: {}, additionalProperties: false },
      { displayName: 'AIOpsLab: session status' },
    ),
  ];
}

/** A tool named `aiopslab_<name>`, referable in prompts; `when` limits it to a running session. */
function tool(name: string, userDescription: string, modelDescription: string, inputSchema: JsonSchema, o: { when?: string; displayName?: string }): ToolContribution {
  return {
    name: `${TOOL_PREFIX}${name}`,
    displayName: o.displayName ?? `AIOpsLab: ${name}`,
    toolReferenceName: `${TOOL_PREFIX}${name}`,
    canBeReferencedInPrompt: true,
    userDescription,
    modelDescription,
    tags: ['aiopslab'],
    inputSchema,
    ...(o.when ? { when: o.when } : {}),
  };
}

/** The action name behind a tool name, or undefined for a tool that is not an action (status). */
export function actionOfTool(toolName: string): string | undefined {
  if (!toolName.startsWith(TOOL_PREFIX)) return undefined;
  const name = toolName.slice(TOOL_PREFIX.length);
  return name === 'status' ? undefined : name;
}

/**
 * The arguments of the merged submit tool reduced to the task's own signature; a clear error when the wrong argument
 * (or none) was given.
 */
export function submitArgumentsFor(task: TaskType, input: Record<string, unknown>): { ok: true; args: Record<string, unknown> } | { ok: false; error: string } {
  const def = actionsForTask(task).find((a) => a.name === 'submit')!;
  const own = def.parameters.map((p) => p.name);
  const given = Object.keys(input ?? {}).filter((k) => input[k] !== undefined);
  const foreign = given.filter((k) => !own.includes(k));
  if (foreign.length) {
    const want = own.length ? `give ${own.map((n) => `'${n}'`).join(', ')} instead` : 'call it without arguments';
    return { ok: false, error: `This is a ${task} task: submit does not take ${foreign.map((n) => `'${n}'`).join(', ')}; ${want}. Example: ${def.usage ?? 'submit(...)'}` };
  }
  const missing = own.filter((n) => !given.includes(n));
  if (missing.length) return { ok: false, error: `This is a ${task} task: submit needs ${missing.map((n) => `'${n}'`).join(', ')}. Example: ${def.usage ?? 'submit(...)'}` };
  const args: Record<string, unknown> = {};
  for (const n of own) args[n] = input[n];
  return { ok: true, args };
}

export { isChangingCommand } from './command-risk';
