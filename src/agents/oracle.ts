import type { Agent } from '../core/agents/types';
import { expectedSubmission, wrongSubmission } from '../core/evaluation/answers';
import { NEXT_ACTION } from '../core/orchestrator/orchestrator';
import { fenced, formatCall } from '../core/parser';
import type { InvestigationStep, ProblemDefinition } from '../core/problems/types';

/** The investigation did not show the evidence a step expects: the problem's proof is broken (or the cluster stopped showing the fault). */
export class OracleEvidenceError extends Error {
  constructor(
    message: string,
    /** 1-based position of the step in the investigation. */
    readonly step: number,
    readonly call: string,
    readonly observation: string,
  ) {
    super(message);
    this.name = 'OracleEvidenceError';
  }
}

/** Characters of the observation quoted when evidence is missing. */
const EXCERPT = 240;

function excerpt(text: string): string {
  // eslint-disable-next-line no-control-regex -- strips ANSI colour codes, which start with ESC
  const flat = text.replace(/\x1b\[[0-9;]*m/g, '').replace(/\s+/g, ' ').trim();
  return flat.length > EXCERPT ? `${flat.slice(0, EXCERPT - 1)}…` : flat;
}

/**
 * Where to quote the observation from when `pattern` did not match: the first line holding the longest literal word
 * of the pattern (e.g. `user-service` for `user-service\s+0/0`), else the beginning.
 */
export function excerptFor(pattern: string, observation: string): string {
  const words = (pattern.replace(/\\[a-zA-Z]/g, ' ').match(/[A-Za-z0-9_.-]{4,}/g) ?? []).sort((a, b) => b.length - a.length);
  const lines = observation.split('\n');
  for (const w of words) {
    const i = lines.findIndex((l) => l.includes(w));
    if (i >= 0) return excerpt((i > 0 ? '… ' : '') + lines.slice(i).join('\n'));
  }
  return excerpt(observation);
}

/** Checks one step's observation; returns why the evidence is missing, or undefined when it is there. */
export function checkEvidence(step: InvestigationStep, observation: string): string | undefined {
  if (step.expect !== undefined && !new RegExp(step.expect).test(observation)) return `expected /${step.expect}/`;
  if (step.expectNot !== undefined) {
    const m = new RegExp(step.expectNot).exec(observation);
    if (m) return `expected no /${step.expectNot}/, found "${excerpt(m[0])}"`;
  }
  return undefined;
}

/** The observation as the orchestrator hands it over, without its trailing prompt. */
function bare(observation: string): string {
  const i = observation.lastIndexOf(NEXT_ACTION);
  return (i >= 0 && observation.slice(i).trim() === NEXT_ACTION ? observation.slice(0, i) : observation).trimEnd();
}

interface Planned {
  reply: () => string;
  step?: InvestigationStep;
  index?: number;
  call?: string;
  /** When this step was first tried (ms), for `within`. */
  firstAt?: number;
  attempts?: number;
}

/** Pause between two tries of a step whose evidence may take a while to show (`within`). */
export const RETRY_INTERVAL_MS = 500;

/**
 * Not an agent to evaluate: it reads the problem's ground truth. It proves that each problem is solvable and that its
 * scoring can tell a fix from doing nothing (`aiopslab validate`):
 *  - `solve`: replays the problem's `investigation` (agent-facing calls; each step's observation must show the
 *    evidence the step expects, else the run fails with an OracleEvidenceError naming the step and quoting what
 *    was seen), then for mitigation runs the `solution` commands through exec_shell, then submits the expected answer;
 *  - `idle`: does nothing (mitigation: submits at once, nothing fixed; other tasks: never answers);
 *  - `wrong`: submits a wrong answer (detection, localization, analysis).
 */
export class OracleAgent implements Agent {
  readonly name: string;
  private readonly plan: Planned[];
  private lastCall?: Planned;
  private exported?: string;
  /** The get_traces / get_metrics step that made `exported`. */
  private lastExport?: Planned;
  /** Set when a step's evidence was missing (the run then ends with this error). */
  evidenceFailure?: OracleEvidenceError;
  /** Steps whose evidence was found (1-based positions). */
  readonly evidenceFound: number[] = [];

  constructor(problem: ProblemDefinition, mode: 'solve' | 'idle' | 'wrong') {
    this.name = mode === 'solve' ? 'oracle' : mode === 'idle' ? 'do-nothing' : 'wrong-answer';
    const submit = (value: unknown) => fenced(problem.task === 'mitigation' ? formatCall('submit') : formatCall('submit', [value]));
    if (mode === 'idle') {
      // Mitigation: submit without fixing anything. Other tasks: look around and never answer.
      const reply = problem.task === 'mitigation' ? submit(undefined) : fenced(formatCall('exec_shell', ['kubectl get pods -A']));
      this.plan = [{ reply: () => reply }];
    } else if (mode === 'wrong') {
      this.plan = [{ reply: () => submit(wrongSubmission(problem)) }];
    } else {
      const steps = problem.investigation ?? [];
      const commands = problem.task === 'mitigation' ? problem.solution ?? [] : [];
      this.plan = [
        ...steps.map((step, i): Planned => ({ step, index: i + 1, reply: () => fenced(formatCall(step.action, step.args.map((a) => this.resolve(a)))) })),
        ...commands.map((command): Planned => ({ reply: () => fenced(formatCall('exec_shell', [command], { timeout: 180 })) })),
        { reply: () => submit(expectedSubmission(problem)) },
      ];
    }
  }

  /** Number of actions a `solve` run takes (investigation, solution, submit). */
  static stepsToSolve(problem: ProblemDefinition): number {
    const retries = (problem.investigation ?? []).reduce((n, st) => n + (st.within ? Math.ceil((st.within * 1000) / RETRY_INTERVAL_MS) + 1 : 0), 0);
    return (problem.investigation?.length ?? 0) + retries + (problem.task === 'mitigation' ? problem.solution?.length ?? 0 : 0) + 1;
  }

  initContext(): void {}

  async getAction(observation: string): Promise<string> {
    const previous = this.lastCall;
    if (previous && this.observe(previous, bare(observation)) === 'retry') {
      // The symptom may still be developing (a crash loop, a log line not yet written): look again, as an SRE would.
      // Reading an export again means exporting afresh first (the slow span may have ended since).
      await this.sleep(RETRY_INTERVAL_MS);
      const reexport = previous.step?.args.some((a) => typeof a === 'string' && a.includes('{exported}')) ? this.lastExport : undefined;
      this.plan.unshift(...(reexport ? [reexport] : []), previous);
    }
    const next = this.plan.shift();
    if (!next) return fenced(formatCall('submit'));
    if (next.step) {
      next.firstAt ??= this.now();
      next.attempts = (next.attempts ?? 0) + 1;
    }
    const reply = next.reply();
    next.call = reply.replace(/^```\n|\n```$/g, '');
    this.lastCall = next;
    return reply;
  }

  /** Waits between tries of a step, and the clock (replaceable in tests). */
  sleep: (ms: number) => Promise<void> = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
  now: () => number = () => Date.now();

  private observe(done: Planned, observation: string): 'ok' | 'retry' {
    const exported = /exported to(?: directory)?:\s*(\S+)/i.exec(observation);
    if (exported && (done.step?.action === 'get_traces' || done.step?.action === 'get_metrics')) {
      this.exported = exported[1];
      this.lastExport = done;
    }
    if (!done.step || done.index === undefined) return 'ok';
    const why = checkEvidence(done.step, observation);
    if (!why) {
      if (done.step.expect !== undefined || done.step.expectNot !== undefined) this.evidenceFound.push(done.index);
      return 'ok';
    }
    const waited = this.now() - (done.firstAt ?? this.now());
    if (done.step.within !== undefined && waited + RETRY_INTERVAL_MS <= done.step.within * 1000) return 'retry';
    const total = done.index + this.plan.filter((p) => p.step).length;
    const tries = (done.attempts ?? 1) > 1 ? ` (${done.attempts} tries over ${Math.round(waited / 1000)} s)` : '';
    const message =
      `Oracle evidence missing at investigation step ${done.index} of ${total}, ${done.call}${tries}: ${why}; ` +
      `the observation was: "${(done.step.expect !== undefined && !new RegExp(done.step.expect).test(observation) ? excerptFor(done.step.expect, observation) : excerpt(observation)) || '(empty)'}"`;
    this.evidenceFailure = new OracleEvidenceError(message, done.index, done.call ?? '', observation);
    throw this.evidenceFailure;
  }

  /** `{exported}` → the file the latest get_traces / get_metrics reported. */
  private resolve(arg: string | number): string | number {
    if (typeof arg !== 'string' || !arg.includes('{exported}')) return arg;
    return arg.split('{exported}').join(this.exported ?? '{exported}');
  }
}
