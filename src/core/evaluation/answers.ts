import type { ProblemDefinition } from '../problems/types';

/**
 * The submit argument an oracle gives for a detection, localization or analysis problem (its ground truth);
 * undefined for mitigation, whose submit takes no argument (the fix is `problem.solution`).
 */
export function expectedSubmission(problem: ProblemDefinition): unknown {
  const gt = problem.groundTruth;
  switch (gt.task) {
    case 'detection':
      return gt.expected;
    case 'localization':
      return [...gt.services];
    case 'analysis':
      return { system_level: gt.system_level, fault_type: gt.fault_type };
    case 'mitigation':
      return undefined;
  }
}

/** A well-formed but wrong submit argument, for proving that wrong answers score as failures. */
export function wrongSubmission(problem: ProblemDefinition): unknown {
  const gt = problem.groundTruth;
  switch (gt.task) {
    case 'detection':
      return gt.expected === 'Yes' ? 'No' : 'Yes';
    case 'localization':
      return ['no-such-service'];
    case 'analysis':
      return {
        system_level: gt.system_level === 'Hardware' ? 'Application' : 'Hardware',
        fault_type: gt.fault_type === 'Code Defect' ? 'Misconfiguration' : 'Code Defect',
      };
    case 'mitigation':
      return undefined;
  }
}
