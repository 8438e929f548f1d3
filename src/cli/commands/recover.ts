import type { Command } from 'commander';
import { engineFor } from '../context';

export function registerRecoverCommand(program: Command): void {
  program
    .command('recover')
    .description('undo faults left behind by sessions that did not finish (crash, kill -9)')
    .action(async (_opts: unknown, command: Command) => {
      const engine = engineFor(command);
      const { recovered, failed } = await engine.recoverLeftovers();
      for (const e of recovered) process.stdout.write(`recovered ${e.fault.kind} of ${e.problemId} in ${e.namespace} (${e.cluster})\n`);
      for (const f of failed) process.stderr.write(`could not recover ${f.entry.fault.kind} of ${f.entry.problemId} in ${f.entry.namespace} (${f.entry.cluster}): ${f.error}\n`);
      if (!recovered.length && !failed.length) process.stdout.write('nothing to recover: the recovery journal is empty\n');
      process.exitCode = failed.length ? 1 : 0;
    });
}
