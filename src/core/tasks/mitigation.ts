import { block, taskSpec } from './summary';

export const mitigationTask = taskSpec('mitigation', {
  job: ['You are an experienced DevOps engineer, and your job is to mitigate the anomalies in a deployed service.'],
  answer: [
    'Start by examining the service: its state in the cluster and its telemetry (logs, metrics, traces). Then fix the',
    'problem with any of the available APIs, and submit when you are done. After your submission the cluster is',
    'checked to see whether the service is healthy again.',
  ],
  submitExamples: [
    'When you have mitigated the fault, submit:',
    block('submit()'),
    '',
    'Note: submit takes no arguments. A submission is always accepted, which does not mean the fault is fixed:',
    'the cluster is checked afterwards.',
  ],
});
