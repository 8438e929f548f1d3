import type { ActionDefinition } from '../actions/types';
import type { AppDefinition } from '../apps/types';
import type { TaskType } from './task-type';
import type { ProblemDefinition } from '../problems/types';

export interface TaskSpec {
  type: TaskType;
  /** The task description with the app summary (worded for the problem where it asks for a different answer). */
  describe(app: AppDefinition, problem?: Pick<ProblemDefinition, 'localizationAnswer'>): string;
  /** How to reply: one API call in a fenced block, an example, the task's submit examples, one call per turn. */
  instructions: string;
  /** The task's submit action. */
  submit: ActionDefinition;
}
