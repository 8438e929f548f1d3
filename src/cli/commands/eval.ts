import type { Command } from 'commander';
import { createAgent } from '../../agents/registry';
import { buildLeaderboard } from '../../core/session/leaderboard';
import { leaderboardTable } from '../../core/session/report';
import type { TaskType } from '../../core/tasks/task-type';
import { DEFAULT_WORKERS } from '../../engine/workers';
import { runSuite, suiteRecords, type SuiteProgress } from '../../engine/suite';
import { cancelOnSigint, engineFor, printJson } from '../context';
import { formatElapsed } from '../../core/session/figures';
import { leftoverLines, oneLine, table } from '../format';
import { taskOption, wholeNumber } from '../options';
import { printProgress } from './run';

interface EvalCliOptions {
  problems?: string;
  task?: TaskType;
  app?: string;
  agents: string;
  maxSteps?: number;
  parallel?: number;
  repeat: number;
  workload?: 'steady' | 'original';
  resume?: boolean;
  verbose?: boolean;
  json?: boolean;
}

export function registerEvalCommand(program: Command): void {
  program
    .command('eval')
    .description('run a batch of problems with one or more agents, in parallel, repeated; print the leaderboard (resumable)')
    .option('--problems <pattern>', 'problem IDs containing this text or matching this glob (default: all registered)')
    .addOption(taskOption())
    .option('--app <app>', 'only problems of this app')
    .option('--agents <names>', 'comma-separated agent names', 'baseline')
    .option('--max-steps <n>', 'step budget per session', wholeNumber('--max-steps', 'the step budget'))
    .option('--parallel <n>', `sessions at once on the embedded cluster, each worker with its own twin (default 1; validate uses ${DEFAULT_WORKERS}); a real cluster runs one at a time`, wholeNumber('--parallel', 'the number of sessions at once'))
    .option('--repeat <k>', 'runs of each problem per agent: accuracy gets a 95 % interval, pass@k and pass^k', wholeNumber('--repeat', 'the number of runs per problem'), 1)
    .option('--workload <mode>', 'steady (default) or original (the original\'s one-shot wrk2 run)')
    .option('--resume', 'count the finished sessions already in the results folder (same version) and run only the missing ones')
    .option('--verbose', 'every step of every session on stderr')
    .option('--json', 'print the leaderboard rows and the session IDs as JSON')
    .action(async (opts: EvalCliOptions, command: Command) => {
      const engine = engineFor(command, { workload: opts.workload });
      const problems = engine.listProblems({ pattern: opts.problems, task: opts.task, app: opts.app });
      const agents = opts.agents.split(',').map((a) => a.trim()).filter(Boolean);
      for (const name of agents) createAgent(name, {}); // unknown or unconfigured agents fail before anything runs
      const cancel = cancelOnSigint();
      const line = new ProgressLine(process.stderr);
      let result;
      try {
        result = await runSuite(engine, {
          problems,
          agents,
          repeat: opts.repeat,
          parallel: opts.parallel ?? 1,
          resume: opts.resume,
          maxSteps: opts.maxSteps,
          signal: cancel.signal,
          createAgent: (name) => createAgent(name, {}),
          onProgress: (p) => line.update(p),
          onEvent: opts.verbose ? (_job, e) => line.above(() => printProgress(e)) : undefined,
        });
      } finally {
        line.end();
        cancel.dispose();
      }
      if (result.plan.sequentialBecause) process.stderr.write(`Note: ${result.plan.sequentialBecause}.\n`);
      for (const line of leftoverLines(result.leftovers, 'Left on the cluster after the batch')) process.stderr.write(line + '\n');
      // The leaderboard covers the latest `repeat` runs of these problems and agents in the results folder, so resumed runs add up.
      const leaderboard = buildLeaderboard(await suiteRecords(engine, problems, agents, opts.repeat));
      if (opts.json) {
        printJson({
          summary: leaderboard.rows,
          sessions: result.records.map((r) => ({ session_id: r.session_id, problem_id: r.problem_id, agent: r.agent, status: r.status, success: r.verdict?.success ?? null })),
          failures: result.failures.map((f) => ({ problem_id: f.job.problem.id, agent: f.job.agentName, error: f.error })),
          workers: result.plan.workers,
          skipped: result.plan.skipped,
        });
      } else {
        const { header, rows } = leaderboardTable(leaderboard);
        process.stdout.write(table(header, rows) + '\n');
      }
      process.exitCode = result.cancelled ? 130 : result.failures.length || result.records.some((r) => r.status === 'error') ? 3 : 0;
    });
}

/**
 * The live progress line: rewritten in place on a terminal (done / running / failed, ETA), one line per finished
 * session otherwise (CI logs, pipes).
 */
class ProgressLine {
  private shown = false;
  private last?: SuiteProgress;

  constructor(private readonly out: NodeJS.WriteStream) {}

  private get live(): boolean {
    return this.out.isTTY === true;
  }

  update(p: SuiteProgress): void {
    this.last = p;
    if (p.finished) {
      const { job, record, error } = p.finished;
      const what = record ? (record.status === 'completed' ? (record.verdict?.success ? 'solved' : 'not solved') : record.status) : 'failed to start';
      const why = error ?? record?.error;
      this.above(() => this.out.write(`[${p.done}/${p.total}] ${job.problem.id} × ${job.agentName}${job.run > 1 ? ` (run ${job.run})` : ''}: ${what}${record ? ` in ${record.steps.length} step(s)` : ''}${why ? ` — ${oneLine(why, 200)}` : ''}\n`));
    } else if (this.live) {
      this.draw();
    }
  }

  /** Prints something above the live line (the line is redrawn under it). */
  above(print: () => void): void {
    if (this.live && this.shown) this.out.write('\r\x1b[2K');
    print();
    if (this.live) this.draw();
  }

  private draw(): void {
    const p = this.last;
    if (!p) return;
    const eta = p.etaSeconds !== undefined && p.done < p.total ? `, ETA ${formatElapsed(p.etaSeconds)}` : '';
    const skipped = p.skipped ? `, ${p.skipped} already done` : '';
    this.out.write(`\r\x1b[2K${p.done}/${p.total} done, ${p.running} running, ${p.failed} failed${skipped} (${p.workers} worker${p.workers === 1 ? '' : 's'})${eta}`);
    this.shown = true;
  }

  end(): void {
    if (this.live && this.shown) this.out.write('\n');
    else if (this.last && !this.live) this.out.write(`${this.last.done}/${this.last.total} done, ${this.last.failed} failed${this.last.skipped ? `, ${this.last.skipped} already done` : ''}\n`);
    this.shown = false;
  }
}
