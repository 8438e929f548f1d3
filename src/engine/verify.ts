import * as path from 'node:path';
import { OracleAgent } from '../agents/oracle';
import type { ProblemDefinition } from '../core/problems/types';
import type { SessionRecord } from '../core/session/types';
import { Engine } from './engine';

export interface VerifyResult {
  problemId: string;
  /** The solution run scored success. */
  solvable: boolean;
  /** The do-nothing run scored failure. */
  discriminating: boolean;
  solve: Pick<SessionRecord, 'session_id' | 'status' | 'error'> & { explanation?: string };
  idle: Pick<SessionRecord, 'session_id' | 'status' | 'error'> & { explanation?: string };
}

/**
 * Proves problems trustworthy on the configured cluster: the problem's own solution must score success and doing
 * nothing must score failure. Sessions go to `<results>/verify/`, apart from agents' sessions.
 */
export async function verifyProblems(engine: Engine, problems: ProblemDefinition[], onResult?: (r: VerifyResult) => void, signal?: AbortSignal): Promise<VerifyResult[]> {
  const verifier = Engine.create({ root: engine.root, overrides: { ...engine.config, resultsDir: path.join(engine.config.resultsDir, 'verify'), shellPolicy: 'open' } });
  const results: VerifyResult[] = [];
  for (const problem of problems) {
    if (signal?.aborted) break;
    const solve = await verifier.run({ problemId: problem.id, agent: new OracleAgent(problem, 'solve'), maxSteps: (problem.solution?.length ?? 0) + 2, signal });
    const idle = await verifier.run({ problemId: problem.id, agent: new OracleAgent(problem, 'idle'), maxSteps: 2, signal });
    const brief = (r: SessionRecord) => ({ session_id: r.session_id, status: r.status, error: r.error, explanation: r.verdict?.explanation });
    const result: VerifyResult = {
      problemId: problem.id,
      solvable: solve.status === 'completed' && solve.verdict?.success === true,
      discriminating: idle.status === 'completed' && idle.verdict?.success === false,
      solve: brief(solve),
      idle: brief(idle),
    };
    results.push(result);
    onResult?.(result);
  }
  return results;
}
