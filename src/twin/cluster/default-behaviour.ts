/**
 * The plain default container: runs its command (simple shell scripts are interpreted: `echo` output becomes the
 * log, `sleep N` the run time, `exit N` the exit code; an unknown program is taken as the long-running main process),
 * logs a start line when it has nothing else to say, answers exec with a small shell, and uses little CPU/memory.
 */
import type { ContainerBehaviour, ContainerContext, ContainerStartOutcome, ExecResult } from '../contracts';
import { Shell, execArgv, type ShellEnv } from './shell';
import { fnv32a } from './util';

const FOREVER_MS = 24 * 3600 * 1000;

export function shellEnv(ctx: ContainerContext, external?: ShellEnv['external']): ShellEnv {
  return {
    env: { ...ctx.env },
    files: ctx.files,
    hostname: ctx.pod.spec?.hostname ?? ctx.pod.metadata.name ?? '',
    pid1: [...ctx.command, ...ctx.args].join(' ') || ctx.image.split('/').pop() || ctx.image,
    external,
  };
}

function linesOf(text: string): string[] {
  const lines = text.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  return lines;
}

/** The script of a `sh -c <script>` command line (the argument after `-c`); undefined when there is no `-c`. */
export function shellScript(argv: readonly string[]): string | undefined {
  const c = argv.indexOf('-c');
  return c >= 0 ? argv[c + 1] ?? '' : undefined;
}

/** Runs a container's command line with the mini shell; unknown programs count as a process that keeps running. */
export function interpretCommand(ctx: ContainerContext): ContainerStartOutcome | undefined {
  const argv = [...ctx.command, ...ctx.args];
  if (argv.length === 0) return undefined;
  const longRunning = () => ({ stdout: '', stderr: '', exitCode: 0, sleptMs: Infinity, longRunning: true });
  const sh = shellEnv(ctx, longRunning);
  sh.files = { ...sh.files };
  const base = argv[0].split('/').pop() ?? argv[0];
  let script: string | undefined;
  if (['sh', 'bash', 'ash', 'dash'].includes(base)) script = shellScript(argv) ?? '';
  if (script !== undefined && /(^|[\s;&|])(while|for|until)\s/.test(script)) {
    return { kind: 'running', lines: [] };
  }
  const r = script !== undefined ? new Shell(sh).run(script) : execArgv(sh, argv);
  const lines = [...linesOf(r.stdout), ...linesOf(r.stderr)];
  const slept = r.sleptMs ?? 0;
  if (slept === Infinity || slept >= FOREVER_MS) return { kind: 'running', lines };
  if (r.exitCode === 126 && script === undefined) {
    // exec of a missing binary as PID 1: the runtime cannot start the container at all.
    return { kind: 'exit', exitCode: 128, lines: [], reason: 'StartError' };
  }
  return { kind: 'exit', exitCode: r.exitCode, lines, afterMs: slept };
}

export const defaultBehaviour: ContainerBehaviour = {
  start(ctx: ContainerContext): ContainerStartOutcome {
    const interpreted = interpretCommand(ctx);
    if (interpreted) {
      if (interpreted.kind === 'running' && (interpreted.lines ?? []).length === 0 && !ctx.initContainer) {
        return { kind: 'running', lines: [`${ctx.containerName}: started ${[...ctx.command, ...ctx.args].join(' ')}`] };
      }
      return interpreted;
    }
    if (ctx.initContainer) return { kind: 'exit', exitCode: 0, lines: [] };
    return { kind: 'running', lines: [`${ctx.containerName}: started (${ctx.image})`] };
  },

  exec(ctx: ContainerContext, command: string[], stdin?: string): ExecResult {
    const r = execArgv(shellEnv(ctx), command, stdin ?? '');
    return { stdout: r.stdout, stderr: r.stderr, exitCode: r.exitCode };
  },

  usage(ctx: ContainerContext): { cpuMillis: number; memoryBytes: number } {
    const h = fnv32a(`${ctx.namespace}/${ctx.pod.metadata.name}/${ctx.containerName}`);
    return { cpuMillis: 1 + (h % 4), memoryBytes: (6 + (h % 30)) * 1024 * 1024 + (h % 997) * 4096 };
  },
};
