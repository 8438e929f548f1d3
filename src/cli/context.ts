import type { Command } from 'commander';
import { Engine } from '../engine';
import type { AiopsConfig } from '../env/config';

interface GlobalOptions {
  config?: string;
  results?: string;
  cluster?: string;
}

/** Creates the engine from the global options of the root command plus per-command overrides. */
export function engineFor(command: Command, overrides: Partial<AiopsConfig> = {}): Engine {
  const root = rootOf(command);
  const opts = root.opts<GlobalOptions>();
  return Engine.create({
    configFile: opts.config,
    overrides: { resultsDir: opts.results, cluster: opts.cluster, ...overrides },
  });
}

function rootOf(command: Command): Command {
  let c = command;
  while (c.parent) c = c.parent;
  return c;
}

export function readStdin(): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    process.stdin.on('data', (b: Buffer) => chunks.push(b));
    process.stdin.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    process.stdin.on('error', reject);
  });
}

export function printJson(value: unknown): void {
  process.stdout.write(JSON.stringify(value, null, 2) + '\n');
}

/** Ctrl-C cancels the session (the fault is still recovered); a second Ctrl-C exits at once. */
export function cancelOnSigint(): { signal: AbortSignal; abort(): void; dispose(): void } {
  const controller = new AbortController();
  let count = 0;
  const handler = () => {
    count++;
    if (count === 1) {
      process.stderr.write('\nCancelling: recovering the fault and cleaning up (Ctrl-C again to quit at once)…\n');
      controller.abort();
    } else {
      process.exit(130);
    }
  };
  process.on('SIGINT', handler);
  process.on('SIGTERM', handler);
  return {
    signal: controller.signal,
    abort: () => controller.abort(),
    dispose: () => {
      process.off('SIGINT', handler);
      process.off('SIGTERM', handler);
    },
  };
}
