import * as path from 'node:path';
import { OracleAgent } from '../agents/oracle';
import type { ProblemDefinition } from '../core/problems/types';
import type { SessionRecord } from '../core/session/types';
import { Engine } from './engine';

export interface RunBrief {
  session_id: string;
  status: SessionRecord['status'];
  success: boolean;
  error?: string;
  explanation?: string;
  seconds: number;
}

export interface ValidateResult {
  problemId: string;
  /** The oracle (the problem's solution, then the expected answer) scored success. */
  solvable: boolean;
  /** Doing nothing (mitigation: submit at once; other tasks: never submit) scored failure. */
  discriminating: boolean;
  /** A wrong answer scored failure (not for mitigation, where doing nothing is the wrong answer). */
  rejectsWrong: boolean;
  oracle: RunBrief;
  idle: RunBrief;
  wrong?: RunBrief;
  /** Wall-clock seconds for all runs of this problem. */
  seconds: number;
}

/**
 * Proves problems trustworthy on the configured cluster: the oracle must score success, doing nothing must fail and a
 * wrong answer must fail. Sessions go to `<results>/validate/`, apart from agents' sessions.
 */
export async function validateProblems(engine: Engine, problems: ProblemDefinition[], onResult?: (r: ValidateResult) => void, signal?: AbortSignal): Promise<ValidateResult[]> {
  // One cluster for the whole batch, each app deployed once and reused while it matches its manifests.
  const validator = Engine.create({ root: engine.root, shareCluster: true, overrides: { ...engine.config, resultsDir: path.join(engine.config.resultsDir, 'validate'), shellPolicy: 'open' } });
  try {
    return await validateEach(validator, problems, onResult, signal);
  } finally {
    await validator.dispose();
  }
}

async function validateEach(validator: Engine, problems: ProblemDefinition[], onResult?: (r: ValidateResult) => void, signal?: AbortSignal): Promise<ValidateResult[]> {
  const results: ValidateResult[] = [];
  for (const problem of problems) {
    if (signal?.aborted) break;
    const started = Date.now();
    const run = async (mode: 'solve' | 'idle' | 'wrong'): Promise<RunBrief> => {
      const t0 = Date.now();
      const agent = new OracleAgent(problem, mode);
      const maxSteps = mode === 'solve' ? OracleAgent.stepsToSolve(problem) + 1 : mode === 'idle' && problem.task !== 'mitigation' ? 1 : 2;
      const r = await validator.run({ problemId: problem.id, agent, agentName: agent.name, maxSteps, signal });
      // The oracle's proof counts only with its evidence: a step that did not show it fails the run, naming the step.
      const evidence = agent.evidenceFailure?.message;
      return { session_id: r.session_id, status: r.status, success: r.verdict?.success === true && !evidence, error: evidence ?? r.error, explanation: r.verdict?.explanation, seconds: (Date.now() - t0) / 1000 };
    };
    const oracle = await run('solve');
    const idle = await run('idle');
    const wrong = problem.task === 'mitigation' ? undefined : await run('wrong');
    const result: ValidateResult = {
      problemId: problem.id,
      solvable: oracle.status === 'completed' && oracle.success,
      discriminating: (idle.status === 'completed' || idle.status === 'timeout') && !idle.success,
      rejectsWrong: wrong === undefined || ((wrong.status === 'completed' || wrong.status === 'timeout') && !wrong.success),
      oracle,
      idle,
      ...(wrong ? { wrong } : {}),
      seconds: (Date.now() - started) / 1000,
    };
    results.push(result);
    onResult?.(result);
  }
  return results;
}

export function validated(r: ValidateResult): boolean {
  return r.solvable && r.discriminating && r.rejectsWrong;
}
