export { Engine, realClock } from './engine';
export type { EngineOptions, RunOptions } from './engine';
export { InteractiveSession } from './interactive';
export type { StepResult } from './interactive';
