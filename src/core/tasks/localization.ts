import { block, taskSpec } from './summary';

export const localizationTask = taskSpec('localization', {
  job: [
    'You are an experienced DevOps engineer, and your job is to localize the fault in a deployed service.',
    'Find the service or services where the root cause of the fault lies.',
  ],
  answer: [
    'Start by examining the service: its state in the cluster and its telemetry (logs, metrics, traces). When you are',
    'sure, submit your answer in one of these forms:',
    '1. list[str]: the names of the faulty services or components, most likely first.',
    '2. list[]: an empty list if you found no fault.',
  ],
  resourcesAnswer: [
    'Start by examining the service: its state in the cluster and its telemetry (logs, metrics, traces). When you are',
    'sure, submit your answer in one of these forms:',
    '1. list[str]: the faulty components or custom resources (e.g. service names, the kinds of custom resources),',
    '   most likely first.',
    '2. str: `None` if you found no fault.',
  ],
  submitExamples: [
    'When you have found the faulty components, submit their names (these two are placeholders):',
    block('submit(["placeholderA", "placeholderB"])'),
    '',
    'or, if there is no fault, an empty list:',
    block('submit([])'),
  ],
});
