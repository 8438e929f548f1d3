import type { AppDefinition } from '../apps/types';
import { submitFor } from '../actions/submit';
import type { TaskSpec } from './spec';
import { appSummary, block, instructionsWith } from './summary';

export const localizationTask: TaskSpec = {
  type: 'localization',
  describe(app: AppDefinition): string {
    return [
      'You are an experienced DevOps engineer, and your job is to localize the fault in a deployed service.',
      'Find the service or services where the root cause of the fault lies.',
      '',
      'Service Details:',
      appSummary(app),
      '',
      'Start by examining the service: its state in the cluster and its telemetry (logs, metrics, traces). When you are',
      'sure, submit your answer in one of these forms:',
      '1. list[str]: the names of the faulty services or components, most likely first.',
      '2. list[]: an empty list if you found no fault.',
    ].join('\n');
  },
  instructions: instructionsWith(
    [
      'When you have found the faulty components, submit their names (these two are placeholders):',
      block('submit(["placeholderA", "placeholderB"])'),
      '',
      'or, if there is no fault, an empty list:',
      block('submit([])'),
    ].join('\n'),
  ),
  submit: submitFor('localization'),
};
