/** The four task types of AIOpsLab. A problem ID names its task type as a substring. */
export type TaskType = 'detection' | 'localization' | 'analysis' | 'mitigation';

export const TASK_TYPES: readonly TaskType[] = ['detection', 'localization', 'analysis', 'mitigation'];

/** The original's rule: whichever task word occurs in the ID. */
export function taskTypeOfId(problemId: string): TaskType | undefined {
  return TASK_TYPES.find((t) => problemId.includes(t));
}

/** Name of the time metric each task reports (TTD, TTL, TTA, TTM). */
export const TIME_METRIC: Record<TaskType, 'TTD' | 'TTL' | 'TTA' | 'TTM'> = {
  detection: 'TTD',
  localization: 'TTL',
  analysis: 'TTA',
  mitigation: 'TTM',
};
