import type { AppDefinition } from '../apps/types';
import { submitFor } from '../actions/submit';
import type { TaskSpec } from './spec';
import type { TaskType } from './task-type';

/** The app summary agents see: name, namespace, description and supported operations. */
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

/** The common part of every task's instructions, followed by the task's submit examples. */
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

/** What differs between task types: the job, how to answer once the service is examined, the submit examples. */
export interface TaskTexts {
  job: string[];
  answer: string[];
  /** The answer lines for problems whose localization answer names custom resources. */
  resourcesAnswer?: string[];
  submitExamples: string[];
}

/** A task type from its texts: the description frames the app summary with them, the instructions end with the examples. */
export function taskSpec(type: TaskType, texts: TaskTexts): TaskSpec {
  return {
    type,
    describe: (app, problem) => {
      const answer = problem?.localizationAnswer === 'resources' && texts.resourcesAnswer ? texts.resourcesAnswer : texts.answer;
      return [...texts.job, '', 'Service Details:', appSummary(app), '', ...answer].join('\n');
    },
    instructions: instructionsWith(texts.submitExamples.join('\n')),
    submit: submitFor(type),
  };
}
