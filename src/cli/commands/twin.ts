import * as fs from 'node:fs';
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
    .option('--name <name>', 'kubeconfig context, cluster and user name, and the state folder (run several at once with different names)', 'aiopslab-twin')
    .option('--bare', 'a cluster as `kind create cluster` leaves it: no Chaos Mesh, no observe namespace, no StorageClass (install them yourself)')
    .action(async (opts: { app?: string; detach?: boolean; name: string; bare?: boolean }, command: Command) => {
      const engine = engineFor(command);
      if (opts.app && !engine.apps.has(opts.app)) throw new UserError(`Unknown app "${opts.app}". Apps: ${[...engine.apps.keys()].join(', ')}.`);
      const mod = await import('../../engine/twin-cli');
      const why = mod.invalidTwinName(opts.name);
      if (why) throw new UserError(`--name ${why}.`);
      const stateDir = mod.twinStateDir(engine.stateDir, opts.name);
      fs.mkdirSync(stateDir, { recursive: true });
      await mod.twinStart({ engine, stateDir, app: opts.app, detach: opts.detach === true, name: opts.name, bare: opts.bare === true });
    });
  twin
    .command('stop')
    .description('stop the embedded cluster started with `twin start --detach`')
    .option('--name <name>', 'the name it was started with', 'aiopslab-twin')
    .action(async (opts: { name: string }, command: Command) => {
      const engine = engineFor(command);
      const mod = await import('../../engine/twin-cli');
      const why = mod.invalidTwinName(opts.name);
      if (why) throw new UserError(`--name ${why}.`);
      await mod.twinStop({ stateDir: mod.twinStateDir(engine.stateDir, opts.name), name: opts.name });
    });
}
