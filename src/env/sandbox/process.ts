import { spawn } from 'node:child_process';

export interface ProcessResult {
  stdout: string;
  stderr: string;
  exitCode: number | null;
  timedOut: boolean;
}

export interface RunProcessOptions {
  cwd?: string;
  env: NodeJS.ProcessEnv;
  timeoutSec: number;
  signal?: AbortSignal;
}

/** Keeps memory bounded even for runaway output; the observation cap trims further. */
const OUTPUT_LIMIT = 16 * 1024 * 1024;

/** Runs a program in its own process group and kills the whole group on timeout or cancel. */
export function runProcess(file: string, args: string[], options: RunProcessOptions): Promise<ProcessResult> {
  return new Promise((resolve) => {
    const child = spawn(file, args, { cwd: options.cwd, env: options.env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    let size = 0;
    child.stdout.on('data', (b: Buffer) => { if ((size += b.length) <= OUTPUT_LIMIT) out.push(b); });
    child.stderr.on('data', (b: Buffer) => { if ((size += b.length) <= OUTPUT_LIMIT) err.push(b); });
    let timedOut = false;
    const kill = () => {
      try {
        if (child.pid) process.kill(-child.pid, 'SIGKILL');
      } catch {
        // already gone
      }
    };
    const timer = setTimeout(() => { timedOut = true; kill(); }, options.timeoutSec * 1000);
    const onAbort = () => kill();
    options.signal?.addEventListener('abort', onAbort, { once: true });
    child.on('error', (error) => {
      clearTimeout(timer);
      options.signal?.removeEventListener('abort', onAbort);
      resolve({ stdout: '', stderr: String(error.message), exitCode: 127, timedOut: false });
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      options.signal?.removeEventListener('abort', onAbort);
      const stderr = Buffer.concat(err).toString('utf8') + (code === null && signal && !timedOut ? `\n(stopped by ${signal})` : '');
      resolve({ stdout: Buffer.concat(out).toString('utf8'), stderr, exitCode: code, timedOut });
    });
  });
}
