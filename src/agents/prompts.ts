/**
 * Prompt templates for the bundled agents, equivalent in structure to the original's
 * DOCS_SHELL_ONLY (problem, shell API, submit API, two rules, "Action:") and DOCS (problem,
 * telemetry APIs, shell API, submit API, "Thought:/Action:"), written in our own words.
 */

export interface ApiGroups {
  /** `exec_shell` */
  shell: Record<string, string>;
  /** names containing `submit` */
  submit: Record<string, string>;
  /** everything else (get_logs, get_metrics, get_traces, read_metrics, read_traces …) */
  telemetry: Record<string, string>;
}

/** Split the orchestrator's `{name: doc}` map the way the original clients do. */
export function splitApis(apis: Record<string, string>): ApiGroups {
  const groups: ApiGroups = { shell: {}, submit: {}, telemetry: {} };
  for (const [name, doc] of Object.entries(apis)) {
    if (name === 'exec_shell') groups.shell[name] = doc;
    else if (name.includes('submit')) groups.submit[name] = doc;
    else groups.telemetry[name] = doc;
  }
  return groups;
}

/** Each API as `name\ndoc`, separated by blank lines. */
export function renderApiGroup(group: Record<string, string>): string {
  return Object.entries(group)
    .map(([name, doc]) => `${name}\n${doc}`)
    .join('\n\n');
}

/** Names of the APIs an agent gets to see: shell + submit, or all of them. */
export function visibleApiNames(apis: Record<string, string>, showAllApis: boolean): string[] {
  const g = splitApis(apis);
  const names = [...Object.keys(g.shell), ...Object.keys(g.submit)];
  if (showAllApis) names.unshift(...Object.keys(g.telemetry));
  return names;
}

export type PromptProtocol = 'text' | 'tools';

export interface PromptOptions {
  /** Show the telemetry APIs too (the original's DOCS); default: shell + submit only (DOCS_SHELL_ONLY). */
  showAllApis?: boolean;
  /** 'text': answer with one fenced call; 'tools': call exactly one of the provided tools. */
  protocol?: PromptProtocol;
}

const TEXT_RULES_SHELL_ONLY = [
  'Rules:',
  '1. Your submit() call must follow the parameter signature of submit() for this task exactly.',
  '2. Write the single API call you choose inside a markdown code block: a line with three backticks, the call on its own line, then a closing line with three backticks. One call per turn.',
  '',
  'Reply in this form:',
  'Action: <the code block with your API call>',
].join('\n');

const TEXT_RULES_ALL = [
  'Think it through step by step before each action. Rules:',
  '1. Your submit() call must follow the parameter signature of submit() for this task exactly.',
  '2. Write the single API call you choose inside a markdown code block: a line with three backticks, the call on its own line, then a closing line with three backticks. One call per turn.',
  '',
  'Reply in this form:',
  'Thought: <your reasoning about what to check or do next>',
  'Action: <the code block with your API call>',
].join('\n');

const TOOL_RULES = [
  'Rules:',
  '1. Act only by calling exactly one of the provided tools per turn; the result comes back as the tool output.',
  '2. Your submit call must follow the parameter signature of submit for this task exactly; submitting ends the task.',
  '3. You may add a short line of reasoning before the call.',
].join('\n');

/** The system message: problem description, then the API groups, then the rules. */
export function renderSystemPrompt(problemDescription: string, apis: Record<string, string>, options: PromptOptions = {}): string {
  const g = splitApis(apis);
  const showAll = options.showAllApis === true;
  const parts: string[] = [problemDescription.trim(), ''];
  if (showAll && Object.keys(g.telemetry).length > 0) {
    parts.push('You can read the telemetry of the service through these APIs:', '', renderApiGroup(g.telemetry), '');
  }
  if (Object.keys(g.shell).length > 0) {
    parts.push('You also have a shell on a terminal that can reach the service; run commands with:', '', renderApiGroup(g.shell), '');
  }
  if (Object.keys(g.submit).length > 0) {
    parts.push('When you have your answer, hand it in with:', '', renderApiGroup(g.submit), '');
  }
  if (options.protocol === 'tools') parts.push(TOOL_RULES);
  else parts.push(showAll ? TEXT_RULES_ALL : TEXT_RULES_SHELL_ONLY);
  return parts.join('\n');
}
