import type { Clock, ClusterProbe } from '../ports/environment';
import type { ProblemDefinition } from '../problems/types';
import type { Results, TraceItem, Verdict } from '../session/types';
import { judgeAnalysis } from './analysis';
import { judgeDetection } from './detection';
import { judgeLocalization } from './localization';
import { judgeMitigation, type SettleOptions } from './mitigation';
import { traceStats } from './tokens';

export { countTokens, traceStats } from './tokens';
export { expectedSubmission, wrongSubmission } from './answers';
export { judgeDetection } from './detection';
export { judgeLocalization } from './localization';
export { judgeAnalysis } from './analysis';
export { judgeMitigation, runCheck, describeCheck, DEFAULT_SETTLE, type SettleOptions, type CheckResult } from './mitigation';

export interface EvaluationInput {
  problem: ProblemDefinition;
  /** The value of the single submit argument (keyword form already normalised); undefined when never submitted. */
  solution: unknown;
  submitted: boolean;
  trace: TraceItem[];
  /** Session duration (agent loop) in seconds: TTD/TTL/TTA/TTM. */
  durationSec: number;
  probe: ClusterProbe;
  clock: Clock;
  namespace: string;
  settle?: SettleOptions;
}

/**
 * Scores one session with the original's metric keys, in its insertion order, plus our Acc@1/Acc@3
 * for ranked localization answers, and says why in a verdict.
 */
export async function evaluate(input: EvaluationInput): Promise<{ results: Results; verdict: Verdict }> {
  const { problem, solution, submitted, trace, durationSec } = input;
  const gt = problem.groundTruth;
  const stats = traceStats(trace);
  const results: Results = {};
  const common = () => {
    results.steps = stats.steps;
    results.in_tokens = stats.in_tokens;
    results.out_tokens = stats.out_tokens;
  };

  switch (gt.task) {
    case 'detection': {
      const r = judgeDetection(gt.expected, solution, submitted);
      results['Detection Accuracy'] = r.accuracy;
      results.TTD = durationSec;
      common();
      return { results, verdict: r.verdict };
    }
    case 'localization': {
      const r = judgeLocalization({ services: gt.services, aliases: gt.aliases ?? [] }, solution, submitted);
      if (!r.valid) {
        results['Localization Accuracy'] = 0.0;
        results.success = false;
        results.is_subset = false;
        results.TTL = durationSec;
        common();
        return { results, verdict: r.verdict };
      }
      results['Localization Accuracy'] = r.accuracy;
      results.TTL = durationSec;
      common();
      results.success = r.success;
      results.is_subset = r.isSubset;
      if (r.accAt) {
        results['Acc@1'] = r.accAt[1];
        results['Acc@3'] = r.accAt[3];
      }
      return { results, verdict: r.verdict };
    }
    case 'analysis': {
      const r = judgeAnalysis(gt, solution, submitted);
      results.system_level_correct = r.systemLevel;
      results.fault_type_correct = r.faultType;
      results.success = r.success;
      results.TTA = durationSec;
      common();
      return { results, verdict: r.verdict };
    }
    case 'mitigation': {
      results.TTM = durationSec;
      common();
      const r = await judgeMitigation({
        checks: gt.checks,
        probe: input.probe,
        clock: input.clock,
        namespace: input.namespace,
        submitted,
        settle: input.settle,
      });
      results.success = r.success;
      return { results, verdict: r.verdict };
    }
  }
}
