import type { Command } from 'commander';
import { parseCommandOutput } from '../../core/parser';
import { readStdin } from '../context';

export function registerParseCommand(program: Command): void {
  program
    .command('parse')
    .description('parse one agent reply from stdin and show the API call it holds (or why it is rejected)')
    .option('--json', 'print {"api_name","args","kwargs","context"} or {"error"} as JSON')
    .action(async (opts: { json?: boolean }) => {
      const text = await readStdin();
      const { exitCode, json } = parseCommandOutput(text);
      if (opts.json) {
        process.stdout.write(JSON.stringify(json) + '\n');
      } else if (exitCode === 0) {
        const parsed = json as { api_name: string; args: unknown[]; kwargs: Record<string, unknown>; context: string[] };
        process.stdout.write(`api_name: ${parsed.api_name}\nargs:     ${JSON.stringify(parsed.args)}\nkwargs:   ${JSON.stringify(parsed.kwargs)}\n`);
        if (parsed.context.length) process.stdout.write(`context:  ${JSON.stringify(parsed.context)}\n`);
      } else {
        process.stderr.write(`${(json as { error: string }).error}\n`);
      }
      process.exitCode = exitCode;
    });
}
