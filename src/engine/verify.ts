import * as path from 'node:path';
import { OracleAgent } from '../agents/oracle';
import type { ProblemDefinition } from '../core/problems/types';
import type { SessionRecord } from '../core/session/types';
import type { SessionEvent } from '../core/orchestrator/events';
import { Engine } from './engine';

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
 * wrong answer must fail. Sessions go to `<results>/validate/` (one folder per worker when several run), apart from
 * agents' sessions.
 *
 * On the embedded cluster the apps are validated in parallel, each worker with its own twin (`parallel`, default up
 * to 3): most of a run is waiting for symptoms, settle windows and kubectl, so workers overlap well even on 2 cores.
 * A real cluster gets one worker: sessions there share one cluster and its `default/wrk2-job`.
 */
export async function validateProblems(engine: Engine, problems: ProblemDefinition[], onResult?: (r: ValidateResult) => void, signal?: AbortSignal, parallel?: number): Promise<ValidateResult[]> {
  const embedded = engine.config.cluster === 'embedded';
  const groups = byApp(problems);
  const workers = Math.max(1, Math.min(embedded ? parallel ?? 3 : 1, groups.length));
  // Apps to workers, the largest first onto the least loaded (problems of one app stay together: they reuse its deployment).
  const shares: ProblemDefinition[][] = Array.from({ length: workers }, () => []);
  for (const group of [...groups].sort((a, b) => b.length - a.length)) shares.reduce((least, s) => (s.length < least.length ? s : least)).push(...group);
  const results = await Promise.all(shares.map(async (share, i) => {
    const dir = workers === 1 ? 'validate' : path.join('validate', `worker-${i + 1}`);
    // One cluster per worker for its whole batch, each app deployed once and reused while it matches its manifests.
    const validator = Engine.create({ root: engine.root, shareCluster: true, overrides: { ...engine.config, resultsDir: path.join(engine.config.resultsDir, dir), shellPolicy: 'open' } });
    try {
      return await validateEach(validator, share, onResult, signal);
    } finally {
      await validator.dispose();
    }
  }));
  // In the order asked for, whichever worker ran them.
  const found = new Map(results.flat().map((r) => [r.problemId, r]));
  return problems.map((p) => found.get(p.id)).filter((r): r is ValidateResult => r !== undefined);
}

function byApp(problems: ProblemDefinition[]): ProblemDefinition[][] {
  const groups = new Map<string, ProblemDefinition[]>();
  for (const p of problems) groups.set(p.app, [...(groups.get(p.app) ?? []), p]);
  return [...groups.values()];
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
      const timer = new PhaseTimer(t0);
      // Only mitigation is scored on the cluster (after its settle window): elsewhere the answer alone decides, and the
      // oracle waits for developing symptoms itself (its steps' `within`), so the settle time would only add seconds.
      const skipInjectSettle = problem.task !== 'mitigation';
      const r = await validator.run({ problemId: problem.id, agent, agentName: agent.name, maxSteps, signal, skipInjectSettle, onEvent: (e) => timer.on(e) });
      // The oracle's proof counts only with its evidence: a step that did not show it fails the run, naming the step.
      const evidence = agent.evidenceFailure?.message;
      return { session_id: r.session_id, status: r.status, success: r.verdict?.success === true && !evidence, error: evidence ?? r.error, explanation: r.verdict?.explanation, seconds: (Date.now() - t0) / 1000, phases: timer.done() };
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
