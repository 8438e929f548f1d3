import type { Verdict } from '../session/types';
import { describeAnswer } from './describe';

export interface LocalizationScore {
  /** Present only for a valid answer (a list or a single name). */
  valid: boolean;
  accuracy: number;
  success: boolean;
  isSubset: boolean;
  /** Top-k accuracy (100 or 0), only when the answer is a list. */
  accAt?: { 1: number; 3: number };
  verdict: Verdict;
}

/** `Deployment/Geo `, `test-hotel-reservation/geo` → `geo`. */
function normalize(name: string): string {
  const t = name.trim().toLowerCase();
  const slash = t.lastIndexOf('/');
  return slash >= 0 ? t.slice(slash + 1).trim() : t;
}

/**
 * Localization with our fixes: names compare case-insensitively, the problem's aliases count as the
 * service they stand for, and a string answer is one service (not a set of characters). Accuracy is 100 for an exact
 * answer, 100/len(answer) when the answer contains every faulty service among others, else 0; success needs an
 * exact answer. Acc@1/Acc@3: whether a faulty service is among the first 1/3 names of a list.
 */
export function judgeLocalization(truth: { services: string[]; aliases: string[] }, solution: unknown, submitted: boolean): LocalizationScore {
  const targets = truth.services.map(normalize);
  const canon = new Map<string, string>();
  for (const t of targets) canon.set(t, t);
  for (const a of truth.aliases) {
    const na = normalize(a);
    if (canon.has(na)) continue;
    const containing = targets.filter((t) => t.includes(na));
    canon.set(na, containing.length === 1 ? containing[0] : targets[0]);
  }
  const expectedText =
    `Expected ${truth.services.map((s) => `'${s}'`).join(' and ')}` + (truth.aliases.length ? ` (also accepted: ${truth.aliases.join(', ')})` : '');
  const expected = truth.services;

  const isList = Array.isArray(solution);
  if (!isList && typeof solution !== 'string') {
    const given = !submitted || solution === undefined ? 'never submitted an answer' : `submitted ${describeAnswer(solution)}, which is not a list of service names`;
    return {
      valid: false,
      accuracy: 0,
      success: false,
      isSubset: false,
      verdict: { success: false, expected, given: solution ?? null, explanation: `${expectedText}; the agent ${given}.` },
    };
  }
  const raw: unknown[] = isList ? (solution as unknown[]) : [solution];
  const answers = raw.map((x) => (typeof x === 'string' ? canon.get(normalize(x)) ?? normalize(x) : `\u0000${describeAnswer(x)}`));
  const answerSet = new Set(answers);
  const isSubset = targets.every((t) => answerSet.has(t));
  const exact = isSubset && [...answerSet].every((a) => targets.includes(a));
  const accuracy = exact ? 100 : isSubset && raw.length > 0 ? 100 / raw.length : 0;
  const success = exact;
  const hit = (k: number) => (answers.slice(0, k).some((a) => targets.includes(a)) ? 100 : 0);
  const accAt = isList ? { 1: hit(1), 3: hit(3) } : undefined;

  const given = `answered ${describeAnswer(solution)}`;
  let why: string;
  if (exact) why = 'correct';
  else if (raw.length === 0) why = 'an empty list says there is no fault';
  else if (isSubset) {
    const extra = [...answerSet].filter((a) => !targets.includes(a)).length;
    why = `the faulty service is named, but so ${extra === 1 ? 'is 1 other' : `are ${extra} others`} (partial credit ${accuracy.toFixed(1)}%)`;
  } else if (targets.some((t) => answerSet.has(t))) why = 'only some of the faulty services are named';
  else why = 'none of the named services is the faulty one';
  return {
    valid: true,
    accuracy,
    success,
    isSubset,
    ...(accAt ? { accAt } : {}),
    verdict: { success, expected, given: solution, explanation: `${expectedText}; the agent ${given}: ${why}.` },
  };
}
