import { block, taskSpec } from './summary';

export const detectionTask = taskSpec('detection', {
  job: ['You are an experienced DevOps engineer, and your job is to find out whether a deployed service has anomalies.'],
  answer: [
    'Start by examining the service: its state in the cluster and its telemetry (logs, metrics, traces). When you are',
    'sure, submit your answer in this form:',
    '1. str: "Yes" if you detected anomalies, or "No" if the service is working normally.',
  ],
  submitExamples: [
    'When you have decided, submit "No" if there are no anomalies:',
    block('submit("No")'),
    '',
    'or "Yes" if there are anomalies:',
    block('submit("Yes")'),
  ],
});
