import type { Command } from 'commander';
import type { TaskType } from '../../core/tasks/task-type';
import type { CleanupLeftover } from '../../core/session/types';
import { DEFAULT_WORKERS, solveProblems, validated, validateFailures, validateProblems, type SolveResult, type ValidateResult } from '../../engine/verify';
import { cancelOnSigint, engineFor, printJson } from '../context';
import { leftoverLines, oneLine, table } from '../format';
import { taskOption, wholeNumber } from '../options';

export function registerVerifyCommand(program: Command): void {
  program
    .command('validate')
    .alias('verify')
    .description("prove problems trustworthy: the oracle must score success, doing nothing and a wrong answer must fail")
    .option('--problems <pattern>', 'problem IDs containing this text or matching this glob (default: all registered)')
    .addOption(taskOption())
    .option('--app <app>', 'only problems of this app')
    .option('--parallel <n>', `workers on the embedded cluster, each with its own twin, taking problems from one queue (default ${DEFAULT_WORKERS}; a real cluster always gets 1)`, wholeNumber('--parallel', 'the number of workers'))
    .option('--experimental', 'include the problems the original defines but does not register (after the registered ones)')
    .option('--oracle-only', 'only the oracle of each problem (a quick check that every problem can be solved)')
    .option('--skip-answer-checks', 'outside mitigation, leave out doing nothing and the wrong answer: they are scored from the answer alone, the same on every cluster (for a cluster whose problems the embedded one has proven)')
    .option('--json', 'machine-readable output')
    .action(async (opts: { problems?: string; task?: TaskType; app?: string; json?: boolean; parallel?: number; oracleOnly?: boolean; skipAnswerChecks?: boolean; experimental?: boolean }, command: Command) => {
      const engine = engineFor(command);
      const problems = engine.listProblems({ pattern: opts.problems, task: opts.task, app: opts.app, includeExperimental: opts.experimental });
      const cancel = cancelOnSigint();
      try {
        const started = Date.now();
        if (opts.oracleOnly) {
          const solved = await solveProblems(engine, problems, opts.json ? undefined : solveProgress, cancel.signal, opts.parallel, reportLeftovers);
          if (opts.json) printJson(solved);
          else {
            process.stdout.write('\n' + table(['PROBLEM', 'ORACLE', 'TIME'], solved.map((r) => [r.problemId, r.oracle.success ? 'pass' : 'FAIL', `${r.oracle.seconds.toFixed(1)} s`])) + '\n');
            process.stdout.write(`\n${solved.filter((r) => r.oracle.success).length} of ${solved.length} problem(s) solved by their oracle in ${((Date.now() - started) / 1000).toFixed(0)} s\n`);
          }
          process.exitCode = solved.every((r) => r.oracle.success) ? 0 : 1;
          return;
        }
        const results = await validateProblems(engine, problems, opts.json ? undefined : progress, cancel.signal, opts.parallel, { answerChecks: !opts.skipAnswerChecks, onLeftovers: reportLeftovers });
        if (opts.json) printJson(results);
        else {
          const mark = (ok: boolean) => (ok ? 'pass' : 'FAIL');
          process.stdout.write('\n' + table(['PROBLEM', 'ORACLE', 'DO-NOTHING', 'WRONG ANSWER', 'TIME'], results.map((r) => [r.problemId, mark(r.solvable), r.idle ? mark(r.discriminating) : '-', r.wrong ? mark(r.rejectsWrong) : '-', `${r.seconds.toFixed(1)} s`])) + '\n');
          const seconds = results.map((r) => r.seconds).sort((a, b) => a - b);
          const median = seconds.length ? seconds[Math.floor(seconds.length / 2)] : 0;
          process.stdout.write(`\n${results.filter(validated).length} of ${results.length} problem(s) validated in ${((Date.now() - started) / 1000).toFixed(0)} s (median ${median.toFixed(1)} s per problem)\n`);
        }
        process.exitCode = results.every(validated) ? 0 : 1;
      } finally {
        cancel.dispose();
      }
    });
}

/** On stderr in every mode: --json's stdout stays the results alone. */
function reportLeftovers(leftovers: CleanupLeftover[]): void {
  process.stderr.write(leftoverLines(leftovers, 'Left on the cluster after the batch').join('\n') + '\n');
}

function progress(r: ValidateResult): void {
  process.stderr.write(`${validated(r) ? 'ok  ' : 'FAIL'}  ${r.problemId} (${r.seconds.toFixed(1)} s)\n`);
  for (const f of validateFailures(r)) process.stderr.write(`      ${f.what}: ${oneLine(f.why, 600)}\n`);
}

function solveProgress(r: SolveResult): void {
  process.stderr.write(`${r.oracle.success ? 'ok  ' : 'FAIL'}  ${r.problemId} (${r.oracle.seconds.toFixed(1)} s)\n`);
  if (!r.oracle.success) process.stderr.write(`      oracle did not pass: ${oneLine(r.oracle.error ?? r.oracle.explanation ?? r.oracle.status, 600)}\n`);
}
