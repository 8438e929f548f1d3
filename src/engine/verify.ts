import * as path from 'node:path';
import { OracleAgent } from '../agents/oracle';
import type { ProblemDefinition } from '../core/problems/types';
import { settleSeconds } from '../core/problems/fault-params';
import type { CleanupLeftover, SessionRecord } from '../core/session/types';
import type { SessionEvent } from '../core/orchestrator/events';
import type { Engine } from './engine';
import { DEFAULT_WORKERS, inWorkers } from './workers';

export { DEFAULT_WORKERS };

export interface RunBrief {
  session_id: string;
  status: SessionRecord['status'];
  success: boolean;
  error?: string;
  explanation?: string;
  seconds: number;
  /** Where the seconds went: set-up (preflight, deploy, inject, workload), the agent's steps, evaluation, clean-up. */
  phases: RunPhases;
}

export interface RunPhases {
  setup: number;
  agent: number;
  evaluate: number;
  cleanup: number;
}

export interface ValidateResult {
  problemId: string;
  /** The oracle (the problem's solution, then the expected answer) scored success. */
  solvable: boolean;
  /** Doing nothing (mitigation: submit at once; other tasks: never submit) scored failure (true when not run). */
  discriminating: boolean;
  /** A wrong answer scored failure (not for mitigation, where doing nothing is the wrong answer). */
  rejectsWrong: boolean;
  oracle: RunBrief;
  /** Doing nothing; not run outside mitigation with `answerChecks: false`. */
  idle?: RunBrief;
  wrong?: RunBrief;
  /** Wall-clock seconds for all runs of this problem. */
  seconds: number;
}

/**
 * Proves problems trustworthy on the configured cluster: the oracle must score success, doing nothing must fail and a
 * wrong answer must fail. Sessions go to `<results>/validate/` (one folder per worker when several run), apart from
 * agents' sessions.
 *
 * On the embedded cluster problems run in parallel workers, each with its own twin (`parallel`, default
 * DEFAULT_WORKERS): most of a run is waiting for symptoms and settle windows, so workers overlap well even on 2 cores
 * (the oracles of the whole catalog, measured on 2 cores: 109 s with 3 workers, 87 s with 4, 73 s with 5). A real
 * cluster gets one worker: sessions there share one cluster and its `default/wrk2-job`.
 */
export async function validateProblems(engine: Engine, problems: ProblemDefinition[], onResult?: (r: ValidateResult) => void, signal?: AbortSignal, parallel?: number, options: ValidateOptions = {}): Promise<ValidateResult[]> {
  // Mitigation costs its settle window twice (the oracle's evaluation and doing nothing's), plus the injection's.
  const cost = (p: ProblemDefinition) => 1 + (p.task === 'mitigation' ? 2 * engine.config.settleSeconds + settleSeconds(p.fault) : 0);
  return validateInWorkers(engine, problems, parallel, cost, signal, options.onLeftovers, async (validator, problem) => {
    const result = await validateOne(validator, problem, options.answerChecks !== false, signal);
    onResult?.(result);
    return result;
  });
}

export interface ValidateOptions {
  /**
   * Outside mitigation, doing nothing (never submitting) and a wrong answer are scored from the answer alone, the same
   * on every cluster. `false` leaves those two runs out (one session instead of three for such a problem): for a
   * cluster whose problems the embedded cluster has already proven, only what depends on the cluster is run — the
   * oracle, with its evidence of the fault, and doing nothing about a mitigation problem. Default true.
   */
  answerChecks?: boolean;
  /** What the end of the batch could not remove from a cluster that outlives it (the apps kept for reuse). */
  onLeftovers?: (leftovers: CleanupLeftover[]) => void;
}

export interface SolveResult {
  problemId: string;
  oracle: RunBrief;
}

/**
 * Only the oracle of each problem (set-up, the solution, evaluation, clean-up), in the same workers as validate: the
 * quick check that every problem can be solved, and the catalog benchmark.
 */
export async function solveProblems(engine: Engine, problems: ProblemDefinition[], onResult?: (r: SolveResult) => void, signal?: AbortSignal, parallel?: number, onLeftovers?: (leftovers: CleanupLeftover[]) => void): Promise<SolveResult[]> {
  const cost = (p: ProblemDefinition) => 1 + (p.task === 'mitigation' ? engine.config.settleSeconds : 0);
  return validateInWorkers(engine, problems, parallel, cost, signal, onLeftovers, async (validator, problem) => {
    const result = { problemId: problem.id, oracle: await runOracle(validator, problem, 'solve', signal) };
    onResult?.(result);
    return result;
  });
}

/** Validate's workers: each with its own cluster; sessions in `<results>/validate/`, apart from agents' sessions. */
async function validateInWorkers<R>(engine: Engine, problems: ProblemDefinition[], parallel: number | undefined, cost: (p: ProblemDefinition) => number, signal: AbortSignal | undefined, onLeftovers: ((leftovers: CleanupLeftover[]) => void) | undefined, one: (validator: Engine, problem: ProblemDefinition) => Promise<R>): Promise<R[]> {
  const results = await inWorkers(engine, problems, {
    parallel,
    cost,
    signal,
    onLeftovers,
    problemOf: (p) => p,
    engineFor: (i, workers) => {
      const dir = workers === 1 ? 'validate' : path.join('validate', `worker-${i + 1}`);
      return engine.batchWorker({ resultsDir: path.join(engine.config.resultsDir, dir), shellPolicy: 'open' });
    },
  }, one);
  return results.filter((r): r is R => r !== undefined);
}

async function validateOne(validator: Engine, problem: ProblemDefinition, answerChecks: boolean, signal?: AbortSignal): Promise<ValidateResult> {
  const started = Date.now();
  const run = (mode: OracleMode) => runOracle(validator, problem, mode, signal);
  const mitigation = problem.task === 'mitigation';
  const oracle = await run('solve');
  const idle = mitigation || answerChecks ? await run('idle') : undefined;
  const wrong = !mitigation && answerChecks ? await run('wrong') : undefined;
  // A check that was not run cannot have failed.
  const scoredFailure = (b: RunBrief | undefined) => b === undefined || ((b.status === 'completed' || b.status === 'timeout') && !b.success);
  return {
    problemId: problem.id,
    solvable: oracle.status === 'completed' && oracle.success,
    discriminating: scoredFailure(idle),
    rejectsWrong: scoredFailure(wrong),
    oracle,
    ...(idle ? { idle } : {}),
    ...(wrong ? { wrong } : {}),
    seconds: (Date.now() - started) / 1000,
  };
}

type OracleMode = 'solve' | 'idle' | 'wrong';

/** One session of the problem's oracle agent in a mode: its solution, doing nothing, or a wrong answer. */
async function runOracle(validator: Engine, problem: ProblemDefinition, mode: OracleMode, signal?: AbortSignal): Promise<RunBrief> {
  const t0 = Date.now();
  const agent = new OracleAgent(problem, mode);
  const maxSteps = mode === 'solve' ? OracleAgent.stepsToSolve(problem) + 1 : mode === 'idle' && problem.task !== 'mitigation' ? 1 : 2;
  const timer = new PhaseTimer(t0);
  // The oracle waits for developing symptoms itself (its steps' `within`), and outside mitigation the answer alone
  // decides, so the post-injection settle time would only add seconds. Doing nothing about a mitigation problem
  // keeps it: that run must meet the fault fully developed when it is scored.
  const skipInjectSettle = problem.task !== 'mitigation' || mode === 'solve';
  const r = await validator.run({ problemId: problem.id, agent, agentName: agent.name, maxSteps, signal, skipInjectSettle, onEvent: (e) => timer.on(e) });
  // The oracle's proof counts only with its evidence: a step that did not show it fails the run, naming the step.
  const evidence = agent.evidenceFailure?.message;
  return { session_id: r.session_id, status: r.status, success: r.verdict?.success === true && !evidence, error: evidence ?? r.error, explanation: r.verdict?.explanation, seconds: (Date.now() - t0) / 1000, phases: timer.done() };
}

export function validated(r: ValidateResult): boolean {
  return r.solvable && r.discriminating && r.rejectsWrong;
}

/** How one run of a check ended (a RunBrief, or the same fields read back from `validate --json`). */
type Outcome = { status: string; error?: string; explanation?: string };

/**
 * Each check a problem failed, as what happened and why (the session's error, else the evaluation's explanation, else
 * its status); none when it validated. What `validate` prints as it goes, and what its tests list when they fail.
 */
export function validateFailures(r: Pick<ValidateResult, 'solvable' | 'discriminating' | 'rejectsWrong'> & { oracle: Outcome; idle?: Outcome; wrong?: Outcome }): Array<{ what: string; why: string }> {
  const why = (b: Outcome) => b.error ?? b.explanation ?? b.status;
  return [
    ...(r.solvable ? [] : [{ what: 'oracle did not pass', why: why(r.oracle) }]),
    ...(!r.discriminating && r.idle ? [{ what: 'doing nothing was not failed', why: why(r.idle) }] : []),
    ...(!r.rejectsWrong && r.wrong ? [{ what: 'a wrong answer was not failed', why: why(r.wrong) }] : []),
  ];
}

/** Splits a run's wall-clock time into its phases from the session's events. */
class PhaseTimer {
  private readonly marks: Partial<Record<'agent' | 'evaluate' | 'recover', number>> = {};

  constructor(private readonly start: number) {}

  on(event: SessionEvent): void {
    if (event.type === 'phase' && (event.phase === 'agent' || event.phase === 'evaluate' || event.phase === 'recover')) this.marks[event.phase] ??= Date.now();
    if (event.type === 'evaluated') this.marks.recover ??= Date.now();
  }

  done(): RunPhases {
    const end = Date.now();
    // A phase that never began (an error during set-up) takes no time; the ones after it start where it would have.
    const recover = this.marks.recover ?? end;
    const evaluate = this.marks.evaluate ?? recover;
    const agent = this.marks.agent ?? evaluate;
    const s = (ms: number) => Math.round(ms) / 1000;
    return { setup: s(agent - this.start), agent: s(evaluate - agent), evaluate: s(recover - evaluate), cleanup: s(end - recover) };
  }
}
