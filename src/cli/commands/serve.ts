import { Option, type Command } from 'commander';
import { HttpError, startServer } from '../../server/server';
import { UserError } from '../errors';
import { engineFor } from '../context';
import { wholeNumber } from '../options';

export function registerServeCommand(program: Command): void {
  program
    .command('serve')
    .description('HTTP service: the original API (/health, /problems, /agents, /simulate) and interactive sessions for agents in any language')
    .addOption(new Option('--host <host>', 'address to bind (default 127.0.0.1)').env('SERVICE_HOST'))
    .addOption(new Option('--port <port>', 'port (default 1818)').env('SERVICE_PORT').argParser(wholeNumber('--port', 'a port number', 0, 65535)))
    .addOption(new Option('--token <token>', 'bearer token required from clients (required when binding beyond loopback)').env('AIOPSLAB_TOKEN'))
    .action(async (opts: { host?: string; port?: number; token?: string }, command: Command) => {
      const engine = engineFor(command);
      const host = opts.host ?? engine.config.serve.host;
      const port = opts.port ?? engine.config.serve.port;
      const token = opts.token;
      const server = await startServer(engine, { host, port, token }).catch((error: unknown) => {
        if (error instanceof HttpError || (error as NodeJS.ErrnoException).code === 'EADDRINUSE') throw new UserError((error as Error).message);
        throw error;
      });
      process.stderr.write(`AIOpsLab service listening on ${server.url}\n`);
      await new Promise<void>((resolve) => {
        const stop = () => {
          process.stderr.write('stopping: ending open sessions and recovering their faults…\n');
          server.close().then(resolve, resolve);
        };
        process.once('SIGINT', stop);
        process.once('SIGTERM', stop);
      });
    });
}
