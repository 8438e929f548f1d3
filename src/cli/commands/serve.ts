import type { Command } from 'commander';
import { HttpError, startServer } from '../../server/server';
import { UserError } from '../errors';
import { engineFor } from '../context';

export function registerServeCommand(program: Command): void {
  program
    .command('serve')
    .description('HTTP service: the original API (/health, /problems, /agents, /simulate) and interactive sessions for agents in any language')
    .option('--host <host>', 'address to bind (default 127.0.0.1)')
    .option('--port <port>', 'port (default 1818)')
    .option('--token <token>', 'bearer token required from clients (required when binding beyond loopback; or AIOPSLAB_TOKEN)')
    .action(async (opts: { host?: string; port?: string; token?: string }, command: Command) => {
      const engine = engineFor(command);
      const host = opts.host ?? process.env.SERVICE_HOST ?? engine.config.serve.host;
      const port = Number(opts.port ?? process.env.SERVICE_PORT ?? engine.config.serve.port);
      if (!Number.isInteger(port) || port < 0 || port > 65535) throw new UserError(`--port must be a port number, not "${opts.port}".`);
      const token = opts.token ?? process.env.AIOPSLAB_TOKEN;
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
