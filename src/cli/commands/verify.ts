import type { Command } from 'commander';
import type { TaskType } from '../../core/tasks/task-type';
import { validated, validateProblems, type ValidateResult } from '../../engine/verify';
import { cancelOnSigint, engineFor, printJson } from '../context';
import { oneLine, table } from '../format';
import { taskOption } from '../main';

export function registerVerifyCommand(program: Command): void {
  program
    .command('validate')
    .alias('verify')
    .description("prove problems trustworthy: the oracle must score success, doing nothing and a wrong answer must fail")
    .option('--problems <pattern>', 'problem IDs containing this text or matching this glob (default: all registered)')
    .addOption(taskOption())
    .option('--app <app>', 'only problems of this app')
    .option('--json', 'machine-readable output')
    .action(async (opts: { problems?: string; task?: TaskType; app?: string; json?: boolean }, command: Command) => {
      const engine = engineFor(command);
      const problems = engine.listProblems({ pattern: opts.problems, task: opts.task, app: opts.app });
      const cancel = cancelOnSigint();
      try {
        const results = await validateProblems(engine, problems, opts.json ? undefined : progress, cancel.signal);
        if (opts.json) printJson(results);
        else {
          const mark = (ok: boolean) => (ok ? 'pass' : 'FAIL');
          process.stdout.write('\n' + table(['PROBLEM', 'ORACLE', 'DO-NOTHING', 'WRONG ANSWER', 'TIME'], results.map((r) => [r.problemId, mark(r.solvable), mark(r.discriminating), r.wrong ? mark(r.rejectsWrong) : '-', `${r.seconds.toFixed(1)} s`])) + '\n');
          process.stdout.write(`\n${results.filter(validated).length} of ${results.length} problem(s) validated\n`);
        }
        process.exitCode = results.every(validated) ? 0 : 1;
      } finally {
        cancel.dispose();
      }
    });
}

function progress(r: ValidateResult): void {
  process.stderr.write(`${validated(r) ? 'ok  ' : 'FAIL'}  ${r.problemId} (${r.seconds.toFixed(1)} s)\n`);
  if (!r.solvable) process.stderr.write(`      oracle did not pass: ${oneLine(r.oracle.error ?? r.oracle.explanation ?? r.oracle.status, 600)}\n`);
  if (!r.discriminating) process.stderr.write(`      doing nothing was not failed: ${oneLine(r.idle.error ?? r.idle.explanation ?? r.idle.status, 200)}\n`);
  if (!r.rejectsWrong && r.wrong) process.stderr.write(`      a wrong answer was not failed: ${oneLine(r.wrong.error ?? r.wrong.explanation ?? r.wrong.status, 200)}\n`);
}
