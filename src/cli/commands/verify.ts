import type { Command } from 'commander';
import type { TaskType } from '../../core/tasks/task-type';
import { verifyProblems } from '../../engine/verify';
import { cancelOnSigint, engineFor, printJson } from '../context';
import { oneLine } from '../format';
import { taskOption } from '../main';

export function registerVerifyCommand(program: Command): void {
  program
    .command('verify')
    .description("prove problems trustworthy: each problem's solution must score success and doing nothing must fail")
    .option('--problems <pattern>', 'problem IDs containing this text or matching this glob (default: all registered)')
    .addOption(taskOption())
    .option('--app <app>', 'only problems of this app')
    .option('--json', 'machine-readable output')
    .action(async (opts: { problems?: string; task?: TaskType; app?: string; json?: boolean }, command: Command) => {
      const engine = engineFor(command);
      const problems = engine.listProblems({ pattern: opts.problems, task: opts.task, app: opts.app });
      const cancel = cancelOnSigint();
      try {
        const results = await verifyProblems(engine, problems, opts.json ? undefined : (r) => {
          const ok = r.solvable && r.discriminating;
          process.stdout.write(`${ok ? 'ok  ' : 'FAIL'}  ${r.problemId}`);
          if (!r.solvable) process.stdout.write(`\n      solution did not pass: ${oneLine(r.solve.error ?? r.solve.explanation ?? r.solve.status, 200)}`);
          if (!r.discriminating) process.stdout.write(`\n      doing nothing was not failed: ${oneLine(r.idle.error ?? r.idle.explanation ?? r.idle.status, 200)}`);
          process.stdout.write('\n');
        }, cancel.signal);
        if (opts.json) printJson(results);
        else process.stdout.write(`\n${results.filter((r) => r.solvable && r.discriminating).length} of ${results.length} problem(s) verified\n`);
        process.exitCode = results.every((r) => r.solvable && r.discriminating) ? 0 : 1;
      } finally {
        cancel.dispose();
      }
    });
}
