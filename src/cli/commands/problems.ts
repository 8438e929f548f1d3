import type { Command } from 'commander';
import type { TaskType } from '../../core/tasks/task-type';
import { engineFor, printJson } from '../context';
import { oneLine, table } from '../format';
import { taskOption } from '../options';

export function registerProblemsCommand(program: Command): void {
  program
    .command('problems')
    .description('list the problems (in the original registry order)')
    .addOption(taskOption())
    .option('--app <app>', 'only this app (e.g. hotel-reservation)')
    .option('--pattern <pattern>', 'only IDs containing this text (or matching this glob)')
    .option('--experimental', 'include problems the original defines but does not register')
    .option('--json', 'machine-readable output')
    .action((opts: { task?: TaskType; app?: string; pattern?: string; experimental?: boolean; json?: boolean }, command: Command) => {
      const engine = engineFor(command);
      const problems = engine.listProblems({ task: opts.task, app: opts.app, pattern: opts.pattern, includeExperimental: opts.experimental });
      if (opts.json) {
        printJson(problems.map((p) => ({ id: p.id, task: p.task, app: p.app, fault: p.fault.kind, target: p.fault.target ?? null, summary: p.summary, experimental: p.experimental })));
        return;
      }
      process.stdout.write(table(['ID', 'TASK', 'APP', 'FAULT'], problems.map((p) => [p.id, p.task, p.app, oneLine(p.summary, 70)])) + '\n');
      process.stdout.write(`\n${problems.length} problem(s)\n`);
    });
}
