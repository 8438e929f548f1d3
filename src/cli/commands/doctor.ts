import type { Command } from 'commander';
import { runDoctor } from '../../engine/doctor';
import { engineFor, printJson } from '../context';

export function registerDoctorCommand(program: Command): void {
  program
    .command('doctor')
    .description('check that the configured cluster is ready for the problems: kubectl and server versions, nodes, runtime, Helm, Chaos Mesh, Prometheus, Jaeger, storage, the agent identity, results folder, leftovers; exit 0 when problems can run')
    .option('--json', 'machine-readable output')
    .action(async (opts: { json?: boolean }, command: Command) => {
      const checks = await runDoctor(engineFor(command));
      if (opts.json) printJson(checks);
      else {
        for (const c of checks) {
          process.stdout.write(`${!c.ok ? 'FAIL' : c.warning ? 'WARN' : 'ok  '}  ${c.name}: ${c.detail}\n`);
          if ((!c.ok || c.warning) && c.fix) process.stdout.write(`      fix: ${c.fix}\n`);
        }
      }
      process.exitCode = checks.every((c) => c.ok) ? 0 : 1;
    });
}
