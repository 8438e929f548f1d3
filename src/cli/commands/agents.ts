import type { Command } from 'commander';
import { checkReachable, listAgents } from '../../agents/registry';
import { printJson } from '../context';
import { table } from '../format';

export function registerAgentsCommand(program: Command): void {
  program
    .command('agents')
    .description('list the agents and whether each is configured (key present, endpoint reachable with --check)')
    .option('--check', 'also try to reach each configured endpoint')
    .option('--json', 'machine-readable output')
    .action(async (opts: { check?: boolean; json?: boolean }) => {
      const agents = listAgents(process.env);
      const rows = [];
      for (const a of agents) {
        let reachable: string | undefined;
        if (opts.check && a.configured && a.kind === 'openai-compatible') {
          const result = await checkReachable(a.name);
          reachable = result.reachable ? 'yes' : `no: ${result.message}`;
        }
        rows.push({ ...a, reachable });
      }
      if (opts.json) return printJson(rows);
      process.stdout.write(
        table(
          ['AGENT', 'KIND', 'MODEL', 'CONFIGURED', ...(opts.check ? ['REACHABLE'] : [])],
          rows.map((a) => [a.name, a.kind, a.model ?? '-', a.configured ? 'yes' : `no (${a.missing ?? 'missing settings'})`, ...(opts.check ? [a.reachable ?? '-'] : [])]),
        ) + '\n',
      );
    });
}
