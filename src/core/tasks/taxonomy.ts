/** Allowed `system_level` answers of the analysis task. */
export const SYSTEM_LEVELS = ['Hardware', 'Operating System', 'Virtualization', 'Application'] as const;

/** Allowed `fault_type` answers of the analysis task. */
export const FAULT_TYPES = [
  'Misconfiguration',
  'Code Defect',
  'Authentication Issue',
  'Network/Storage Issue',
  'Operation Error',
  'Dependency Problem',
] as const;

export type SystemLevel = (typeof SYSTEM_LEVELS)[number];
export type FaultType = (typeof FAULT_TYPES)[number];
