import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Command } from 'commander';
import { UserError } from '../errors';
import { engineFor } from '../context';

/** `aiopslab twin start|stop`: the embedded cluster for kubectl by hand. */
export function registerTwinCommand(program: Command): void {
  const twin = program.command('twin').description('the embedded cluster: start it for use with kubectl by hand, or stop it');
  twin
    .command('start')
    .description('start the embedded cluster; prints `export KUBECONFIG=<path>` as its last line')
    .option('--app <app-id>', 'deploy this app into it')
    .option('--detach', 'return once it is up and leave it running in the background')
    .action(async (opts: { app?: string; detach?: boolean }, command: Command) => {
      const engine = engineFor(command);
      if (opts.app && !engine.apps.has(opts.app)) throw new UserError(`Unknown app "${opts.app}". Apps: ${[...engine.apps.keys()].join(', ')}.`);
      const mod = await import('../../engine/twin-cli');
      const stateDir = path.join(engine.stateDir, 'twin');
      fs.mkdirSync(stateDir, { recursive: true });
      await mod.twinStart({ engine, stateDir, app: opts.app, detach: opts.detach === true });
    });
  twin
    .command('stop')
    .description('stop the embedded cluster started with `twin start --detach`')
    .action(async (_opts: unknown, command: Command) => {
      const engine = engineFor(command);
      const mod = await import('../../engine/twin-cli');
      await mod.twinStop({ stateDir: path.join(engine.stateDir, 'twin') });
    });
}
