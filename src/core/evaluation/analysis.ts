import type { Verdict } from '../session/types';
import { describeAnswer } from './describe';

/**
 * Analysis: a dict whose `system_level` and `fault_type` equal the expected pair (trimmed,
 * case-insensitive). Anything that is not a dict, and non-string values, score false (never a crash).
 */
export function judgeAnalysis(
  truth: { system_level: string; fault_type: string },
  solution: unknown,
  submitted: boolean,
): { systemLevel: boolean; faultType: boolean; success: boolean; verdict: Verdict } {
  const expected = { system_level: truth.system_level, fault_type: truth.fault_type };
  const expectedText = `Expected system_level '${truth.system_level}' and fault_type '${truth.fault_type}'`;
  if (solution === null || typeof solution !== 'object' || Array.isArray(solution)) {
    const given = !submitted || solution === undefined ? 'never submitted an answer' : `submitted ${describeAnswer(solution)}, which is not a dict with system_level and fault_type`;
    return {
      systemLevel: false,
      faultType: false,
      success: false,
      verdict: { success: false, expected, given: solution ?? null, explanation: `${expectedText}; the agent ${given}.` },
    };
  }
  const s = solution as Record<string, unknown>;
  const same = (v: unknown, want: string) => typeof v === 'string' && v.trim().toLowerCase() === want.trim().toLowerCase();
  const systemLevel = same(s.system_level, truth.system_level);
  const faultType = same(s.fault_type, truth.fault_type);
  const success = systemLevel && faultType;
  const wrong: string[] = [];
  if (!systemLevel) wrong.push(`system_level ${s.system_level === undefined ? 'is missing' : `${describeAnswer(s.system_level)} is wrong`}`);
  if (!faultType) wrong.push(`fault_type ${s.fault_type === undefined ? 'is missing' : `${describeAnswer(s.fault_type)} is wrong`}`);
  return {
    systemLevel,
    faultType,
    success,
    verdict: {
      success,
      expected,
      given: solution,
      explanation: `${expectedText}; the agent answered ${describeAnswer(solution)}: ${success ? 'correct' : wrong.join(' and ')}.`,
    },
  };
}
