import { analysisTask } from './analysis';
import { detectionTask } from './detection';
import { localizationTask } from './localization';
import { mitigationTask } from './mitigation';
import type { TaskSpec } from './spec';
import type { TaskType } from './task-type';

export type { TaskSpec } from './spec';
export { appSummary } from './summary';
export { SYSTEM_LEVELS, FAULT_TYPES } from './taxonomy';
export { TASK_TYPES, TIME_METRIC, taskTypeOfId, type TaskType } from './task-type';

const TASKS: Record<TaskType, TaskSpec> = {
  detection: detectionTask,
  localization: localizationTask,
  analysis: analysisTask,
  mitigation: mitigationTask,
};

export function getTask(type: TaskType): TaskSpec {
  const t = TASKS[type];
  if (!t) throw new Error(`Unknown task type "${String(type)}" (expected detection, localization, analysis or mitigation)`);
  return t;
}
