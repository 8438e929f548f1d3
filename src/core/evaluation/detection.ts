import type { Verdict } from '../session/types';
import { describeAnswer } from './describe';

/** Detection: a string compared trimmed and case-insensitively with "Yes"/"No"; anything else is Invalid Format. */
export function judgeDetection(expected: 'Yes' | 'No', solution: unknown, submitted: boolean): { accuracy: 'Correct' | 'Incorrect' | 'Invalid Format'; verdict: Verdict } {
  const why = expected === 'Yes' ? 'a fault was injected' : 'nothing was injected';
  if (typeof solution !== 'string') {
    const given = submitted ? `submitted ${describeAnswer(solution)}, which is not a string` : 'never submitted an answer';
    return {
      accuracy: 'Invalid Format',
      verdict: { success: false, expected, given: solution ?? null, explanation: `Expected '${expected}' (${why}); the agent ${given}.` },
    };
  }
  const correct = solution.trim().toLowerCase() === expected.toLowerCase();
  const given = `answered ${JSON.stringify(solution)}`;
  return {
    accuracy: correct ? 'Correct' : 'Incorrect',
    verdict: {
      success: correct,
      expected,
      given: solution,
      explanation: correct ? `Expected '${expected}' (${why}); the agent ${given}: correct.` : `Expected '${expected}' (${why}); the agent ${given}.`,
    },
  };
}
