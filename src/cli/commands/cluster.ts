import type { Command } from 'commander';
import { UserError } from '../errors';
import { engineFor, printJson } from '../context';

/** `aiopslab cluster setup`: what the problems need on a real cluster, installed with Helm. */
export function registerClusterCommand(program: Command): void {
  const cluster = program.command('cluster').description('prepare a real cluster (kind, a lab or managed cluster) for the problems');
  cluster
    .command('setup')
    .description('install, idempotently and with pinned Helm charts, what the problems need: a default StorageClass where none exists, Chaos Mesh 2.6, Prometheus and Jaeger, and the agent\'s own limited identity')
    .option('--context <name>', 'kubeconfig context of the cluster (default: the configured cluster)')
    .option('--dry-run', 'read the cluster and print every helm command it would run, changing nothing')
    .option('--charts <dir>', 'a folder of charts fetched with `helm pull` (<name>-<version>.tgz), for clusters whose machine cannot reach chart repositories')
    .option('--timeout <duration>', 'how long helm waits for one component to become ready (Go duration)', '10m')
    .option('--json', 'machine-readable output')
    .action(async (opts: { context?: string; dryRun?: boolean; charts?: string; timeout: string; json?: boolean }, command: Command) => {
      if (!/^\d+(\.\d+)?(ms|s|m|h)(\d+(\.\d+)?(ms|s|m|h))*$/.test(opts.timeout)) throw new UserError(`--timeout must be a duration such as 90s, 10m or 1h30m (got "${opts.timeout}").`);
      const engine = engineFor(command);
      const { runClusterSetup } = await import('../../engine/cluster-setup');
      const { SetupError } = await import('../../env/cluster-setup/setup');
      try {
        const result = await runClusterSetup(engine, {
          context: opts.context, chartsDir: opts.charts, dryRun: opts.dryRun, waitTimeout: opts.timeout,
          onLine: opts.json ? undefined : (line) => process.stdout.write(`${line}\n`),
        });
        if (opts.json) printJson(result);
        else if (opts.dryRun && result.commands.length) process.stdout.write(`\n# the commands it would run:\n${result.commands.join('\n')}\n`);
      } catch (error) {
        if (error instanceof SetupError) throw new UserError(error.message, 1);
        throw error;
      }
    });
}
