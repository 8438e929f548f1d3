import { InvalidArgumentError, Option } from 'commander';
import { TASK_TYPES } from '../core/tasks/task-type';

/** `--task <task>`, limited to the task types (commander lists them when the value is wrong). */
export function taskOption(): Option {
  return new Option('--task <task>', 'only this task type').choices(TASK_TYPES);
}

/**
 * A parser for an option that takes a whole number of at least `min` (steps, workers, a port): a bad value is a usage
 * error (exit 2) naming the option, never a NaN that runs a session with no steps.
 */
export function wholeNumber(flag: string, what: string, min = 1, max = Number.MAX_SAFE_INTEGER): (value: string) => number {
  return (value: string) => {
    const n = Number(value.trim());
    if (value.trim() === '' || !Number.isInteger(n) || n < min || n > max) {
      const range = max === Number.MAX_SAFE_INTEGER ? `${min} or more` : `from ${min} to ${max}`;
      throw new InvalidArgumentError(`${flag} takes ${what}, a whole number ${range}; got "${value}".`);
    }
    return n;
  };
}
