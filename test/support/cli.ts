import { spawn } from 'node:child_process';
import * as path from 'node:path';

/** The CLI as users start it: `node bin/aiopslab.js …`. */
export const AIOPSLAB_BIN = path.resolve(__dirname, '..', '..', '..', 'bin', 'aiopslab.js');

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the CLI to its end with stdin closed and returns its exit code and output. */
export function runCli(args: string[], options: { cwd: string; env?: NodeJS.ProcessEnv }): Promise<CliResult> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [AIOPSLAB_BIN, ...args], { cwd: options.cwd, env: options.env ?? process.env });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (b) => (stdout += b));
    child.stderr.on('data', (b) => (stderr += b));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    child.stdin.end();
  });
}
