import type { AppDefinition } from '../apps/types';

/** The app summary agents see (facts §2.1): name, namespace, description and supported operations. */
export function appSummary(app: AppDefinition): string {
  const lines = [
    `Service Name: ${app.name}`,
    `Namespace: ${app.namespace}`,
    `Description: ${app.description}`,
    'Supported Operations:',
    ...app.supportedOperations.map((op) => `  - ${op}`),
  ];
  return lines.join('\n');
}

const FENCE = '```';

/** The common part of every task's instructions (facts §2.3), followed by the task's submit examples. */
export function instructionsWith(submitExamples: string): string {
  return [
    'Reply with exactly one of the APIs listed above as your next action, written inside a markdown code block',
    'like this:',
    FENCE,
    '<API_NAME>(<API_PARAM1>, <API_PARAM2> ...)',
    FENCE,
    '',
    'For example, to list the files in the current directory:',
    FENCE,
    'exec_shell("ls -l")',
    FENCE,
    '',
    submitExamples,
    '',
    'Make exactly one API call per turn, and put nothing else inside the code block: no extra words, labels or prefixes.',
  ].join('\n');
}

export function block(call: string): string {
  return `${FENCE}\n${call}\n${FENCE}`;
}
