import { block, taskSpec } from './summary';
import { FAULT_TYPES, SYSTEM_LEVELS } from './taxonomy';

export const analysisTask = taskSpec('analysis', {
  job: ['You are an experienced DevOps engineer, and your job is to find the root cause of a fault in a deployed service.'],
  answer: [
    'Start by examining the service: its state in the cluster and its telemetry (logs, metrics, traces). When you are',
    'sure, submit your answer in one of these forms:',
    '1. dict[str, str]: a dictionary with the keys "system_level" and "fault_type".',
    `   - system_level: the layer where the root cause lies, one of: ${SYSTEM_LEVELS.join(', ')}.`,
    `   - fault_type: the kind of fault, one of: ${FAULT_TYPES.join(', ')}.`,
    '2. str: "None" if you found no fault.',
  ],
  submitExamples: [
    'When you have found the root cause, submit it, replacing both values with your analysis:',
    block('submit({"system_level": "your_system_level_analysis", "fault_type": "your_fault_type_analysis"})'),
    '',
    'or, if there is no fault:',
    block('submit("None")'),
  ],
});
