import { spawn } from 'node:child_process';

/** A tool that started and exited non-zero: what it was asked, its exit code and what it said (stderr, or stdout). */
export class ToolError extends Error {
  constructor(readonly tool: 'kubectl' | 'helm', readonly args: string[], readonly exitCode: number | null, readonly stderr: string) {
    super(`${tool} ${args.join(' ')} failed (exit code ${exitCode}): ${stderr.trim()}`);
  }
}

export interface ToolRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * Runs one of the orchestrator's command-line tools (kubectl, helm) to its end: always an async spawn, because a
 * synchronous call would block the event loop that may be serving the embedded cluster. Killed after `timeoutMs`.
 * Rejects only when the program cannot be started (`cannotStart` says how to fix that); a non-zero exit resolves.
 */
export function runTool(file: string, args: string[], o: { env?: NodeJS.ProcessEnv; input?: string; timeoutMs: number; cannotStart: (error: Error) => Error }): Promise<ToolRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(file, args, { env: o.env ?? process.env, stdio: ['pipe', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (b: Buffer) => out.push(b));
    child.stderr.on('data', (b: Buffer) => err.push(b));
    const timer = setTimeout(() => child.kill('SIGKILL'), o.timeoutMs);
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(o.cannotStart(error));
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8') });
    });
    // A tool that exits without reading its input (kubectl failing on its arguments, or done before the end of a
    // large manifest) closes the pipe: the write then fails with EPIPE, which must not take the process down. The
    // exit code and stderr say what happened.
    child.stdin.on('error', () => undefined);
    child.stdin.end(o.input ?? '');
  });
}
