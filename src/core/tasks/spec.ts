import type { ActionDefinition } from '../actions/types';
import type { AppDefinition } from '../apps/types';
import type { TaskType } from './task-type';

export interface TaskSpec {
  type: TaskType;
  /** The task description with the app summary. */
  describe(app: AppDefinition): string;
  /** How to reply: one API call in a fenced block, an example, the task's submit examples, one call per turn. */
  instructions: string;
  /** The task's submit action. */
  submit: ActionDefinition;
}
