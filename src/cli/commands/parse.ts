import type { Command } from 'commander';
import { parseCommandOutput } from '../../core/parser';
import { diagnoseReply } from '../../core/replies/diagnostics';
import { TASK_TYPES, type TaskType } from '../../core/tasks/task-type';
import { readStdin } from '../context';
import { UserError } from '../errors';

export function registerParseCommand(program: Command): void {
  program
    .command('parse')
    .description('parse one agent reply from stdin and show the API call it holds (or why it is rejected)')
    .option('--json', 'print {"api_name","args","kwargs","context"} or {"error"}, plus "diagnostics" (positions, quick fixes), as JSON')
    .option('--task <type>', `check submit's arguments for this task (${TASK_TYPES.join(', ')}); default: any task's`)
    .addHelpText('after', '\nExit status: 0 when the orchestrator would run the call, 1 when it would reject it (a parse error, an unknown API,\narguments that do not fit); warnings (e.g. two strings joined for want of a comma) do not change it.')
    .action(async (opts: { json?: boolean; task?: string }) => {
      if (opts.task !== undefined && !TASK_TYPES.includes(opts.task as TaskType)) throw new UserError(`--task must be one of ${TASK_TYPES.join(', ')} (got "${opts.task}").`);
      const text = await readStdin();
      const parsed = parseCommandOutput(text);
      const diagnostics = diagnoseReply(text, { task: opts.task as TaskType | undefined });
      const exitCode = parsed.exitCode || (diagnostics.some((d) => d.severity === 'error') ? 1 : 0);
      const json = parsed.json;
      if (opts.json) {
        process.stdout.write(JSON.stringify({ ...json, diagnostics }) + '\n');
      } else if (exitCode === 0) {
        const parsed = json as { api_name: string; args: unknown[]; kwargs: Record<string, unknown>; context: string[] };
        process.stdout.write(`api_name: ${parsed.api_name}\nargs:     ${JSON.stringify(parsed.args)}\nkwargs:   ${JSON.stringify(parsed.kwargs)}\n`);
        if (parsed.context.length) process.stdout.write(`context:  ${JSON.stringify(parsed.context)}\n`);
        for (const d of diagnostics) process.stderr.write(`${d.line}:${d.column} ${d.severity} ${d.code}: ${d.message}${d.fix ? ` (fix: ${d.fix.title})` : ''}\n`);
      } else {
        process.stderr.write(`${(json as { error: string }).error}\n`);
      }
      process.exitCode = exitCode;
    });
}
