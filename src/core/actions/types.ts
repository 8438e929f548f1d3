import type { TaskType } from '../tasks/task-type';

/** JSON Schema subset used for action parameters; the same object serves text agents, OpenAI tools and VS Code LM tools. */
export interface JsonSchema {
  type?: 'string' | 'integer' | 'number' | 'boolean' | 'array' | 'object' | 'null' | Array<'string' | 'integer' | 'number' | 'boolean' | 'array' | 'object' | 'null'>;
  description?: string;
  items?: JsonSchema;
  properties?: Record<string, JsonSchema>;
  additionalProperties?: boolean | JsonSchema;
  required?: string[];
  enum?: unknown[];
  default?: unknown;
  minimum?: number;
  maximum?: number;
}

/** The original's decorators: `@read` (telemetry), `@write` (state-changing), `@action` (generic: shell, submit). */
export type ActionKind = 'read' | 'write' | 'action';

export interface ActionParameter {
  name: string;
  schema: JsonSchema;
  /** Present when the parameter is optional. */
  default?: unknown;
  optional?: boolean;
}

/** `duration` of get_metrics and get_traces: minutes back from now, 5 unless given. */
export const DURATION_MINUTES_PARAMETER: ActionParameter = {
  name: 'duration',
  schema: { type: 'integer', description: 'Minutes back from now to export.', default: 5, minimum: 1 },
  default: 5,
  optional: true,
};

export interface ActionDefinition {
  name: string;
  /** The documentation agents see, in the original's docstring style (summary, Args:, Returns:). */
  doc: string;
  /** Parameters in positional order. */
  parameters: ActionParameter[];
  kind: ActionKind;
  /** A correct example call, shown in argument errors; generated from the parameters when absent. */
  usage?: string;
}

/** Arguments after binding positional and keyword arguments to parameter names. */
export type BoundArguments = Record<string, unknown>;

/** The catalog of actions available for one task type, in the original's alphabetical order. */
export type ActionSet = readonly ActionDefinition[];

export interface ActionsForTask {
  (task: TaskType): ActionSet;
}
