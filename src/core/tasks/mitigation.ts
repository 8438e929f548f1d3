import type { AppDefinition } from '../apps/types';
import { submitFor } from '../actions/submit';
import type { TaskSpec } from './spec';
import { appSummary, block, instructionsWith } from './summary';

export const mitigationTask: TaskSpec = {
  type: 'mitigation',
  describe(app: AppDefinition): string {
    return [
      'You are an experienced DevOps engineer, and your job is to mitigate the anomalies in a deployed service.',
      '',
      'Service Details:',
      appSummary(app),
      '',
      'Start by examining the service: its state in the cluster and its telemetry (logs, metrics, traces). Then fix the',
      'problem with any of the available APIs, and submit when you are done. After your submission the cluster is',
      'checked to see whether the service is healthy again.',
    ].join('\n');
  },
  instructions: instructionsWith(
    [
      'When you have mitigated the fault, submit:',
      block('submit()'),
      '',
      'Note: submit takes no arguments. A submission is always accepted, which does not mean the fault is fixed:',
      'the cluster is checked afterwards.',
    ].join('\n'),
  ),
  submit: submitFor('mitigation'),
};
