import { spawn } from 'node:child_process';
import * as path from 'node:path';
import { checkShellCommand, type ShellPolicy } from '../core/shell/policy';
import { capOutput } from '../core/shell/output-cap';

export interface ShellOptions {
  policy: ShellPolicy;
  sessionDir: string;
  /** The agent's kubeconfig and the discovery cache of this cluster. */
  kubeconfigPath?: string;
  kubeCacheDir?: string;
  /** Folder holding the kubectl the agent should use; put first on PATH. */
  kubectlDir?: string;
  /** More folders for PATH, after kubectlDir (the embedded cluster's docker shim for Flower sessions). */
  pathDirs?: string[];
  timeoutSec: number;
  outputCapChars: number;
  signal?: AbortSignal;
}

/** Environment variables an agent's shell may inherit. Everything else (API keys above all) stays out. */
const INHERITED = ['PATH', 'HOME', 'LANG', 'LC_ALL', 'TERM', 'TZ', 'USER', 'SHELL', 'TMPDIR'];

export function agentShellEnv(options: Pick<ShellOptions, 'kubeconfigPath' | 'kubeCacheDir' | 'kubectlDir' | 'pathDirs' | 'sessionDir'>, base: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const key of INHERITED) if (base[key] !== undefined) env[key] = base[key];
  env.PATH = [options.kubectlDir, ...(options.pathDirs ?? []), base.PATH ?? '/usr/local/bin:/usr/bin:/bin'].filter(Boolean).join(path.delimiter);
  if (options.kubeconfigPath) env.KUBECONFIG = options.kubeconfigPath;
  if (options.kubeCacheDir) env.KUBECACHEDIR = options.kubeCacheDir;
  env.AIOPSLAB_SESSION_DIR = options.sessionDir;
  return env;
}

export interface ShellResult {
  stdout: string;
  stderr: string;
  exitCode: number | null;
  timedOut: boolean;
}

/** Runs a command line with bash in its own process group, killing the whole group on timeout or cancel. */
export function runShell(command: string, options: Omit<ShellOptions, 'policy' | 'outputCapChars'>): Promise<ShellResult> {
  return new Promise((resolve) => {
    const child = spawn('bash', ['-c', command], {
      cwd: options.sessionDir,
      env: agentShellEnv(options),
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    let size = 0;
    const limit = 16 * 1024 * 1024; // keep memory bounded even for runaway output; the cap trims further
    child.stdout.on('data', (b: Buffer) => { if ((size += b.length) <= limit) out.push(b); });
    child.stderr.on('data', (b: Buffer) => { if ((size += b.length) <= limit) err.push(b); });
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
      resolve({ stdout: '', stderr: String(error.message), exitCode: 127, timedOut: false });
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      options.signal?.removeEventListener('abort', onAbort);
      resolve({ stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8'), exitCode: code, timedOut });
    });
  });
}

/** exec_shell as the agent sees it: policy check, run, and an observation text (never throws for the agent's mistakes). */
export async function execShellObservation(command: string, requestedTimeoutSec: number | undefined, options: ShellOptions & { timeoutCapSec: number }): Promise<string> {
  const check = checkShellCommand(command, options.policy, options.sessionDir);
  if (!check.allowed) return check.message;
  const timeoutSec = Math.min(Math.max(1, requestedTimeoutSec ?? options.timeoutSec), options.timeoutCapSec);
  const result = await runShell(command, { ...options, timeoutSec });
  let text: string;
  if (result.timedOut) {
    text = `${result.stdout}${result.stderr}[ERROR] Command timed out after ${timeoutSec} s and was stopped: ${command}`;
  } else if (result.exitCode !== 0) {
    text = `${result.stdout}[ERROR] Command execution failed (exit code ${result.exitCode}): ${result.stderr.trimEnd()}`;
  } else {
    text = result.stdout + result.stderr;
  }
  return capOutput(text, options.outputCapChars);
}
