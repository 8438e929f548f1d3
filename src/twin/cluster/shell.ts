/**
 * A tiny POSIX-sh-like interpreter for the default container behaviour: enough for what an SRE types into
 * `kubectl exec` (`env`, `cat`, `ls`, `ps`, `echo`, `hostname`, pipes into `grep`/`head`/`tail`/`wc`, `&&`, `||`, `;`)
 * and for simple container commands (`sh -c "echo hi; sleep 3600"`). Unknown programs fail like dash does.
 */

import { BUILTIN_COMMANDS } from './shell-builtins';

export interface ShellEnv {
  env: Record<string, string>;
  files: Record<string, string>;
  hostname: string;
  /** PID 1's command line, for `ps`. */
  pid1: string;
  /** Extra commands a behaviour provides (argv → result, or undefined when unknown). */
  external?: (argv: string[], stdin: string) => ShellResult | undefined;
}

export interface ShellResult {
  stdout: string;
  stderr: string;
  exitCode: number;
  /** Milliseconds spent in `sleep` (Infinity for `sleep infinity`). */
  sleptMs?: number;
  /** Set by an `external` handler for a program that keeps running (a server): only the script's last command blocks. */
  longRunning?: boolean;
}

type Token = { kind: 'word'; value: string } | { kind: 'op'; value: string };

function tokenize(script: string, env: Record<string, string>, lastStatus: () => number): Token[] {
  const out: Token[] = [];
  let i = 0;
  let cur = '';
  let inWord = false;
  const expand = (s: string, j: number): [string, number] => {
    if (s[j + 1] === '{') {
      const end = s.indexOf('}', j);
      const name = s.slice(j + 2, end);
      return [env[name] ?? '', end + 1];
    }
    if (s[j + 1] === '?') return [String(lastStatus()), j + 2];
    const m = /^[A-Za-z_][A-Za-z0-9_]*/.exec(s.slice(j + 1));
    if (!m) return ['$', j + 1];
    return [env[m[0]] ?? '', j + 1 + m[0].length];
  };
  const flush = () => {
    if (inWord) out.push({ kind: 'word', value: cur });
    cur = '';
    inWord = false;
  };
  while (i < script.length) {
    const c = script[i];
    if (c === "'") {
      const end = script.indexOf("'", i + 1);
      cur += script.slice(i + 1, end < 0 ? undefined : end);
      inWord = true;
      i = end < 0 ? script.length : end + 1;
    } else if (c === '"') {
      i++;
      inWord = true;
      while (i < script.length && script[i] !== '"') {
        if (script[i] === '\\' && i + 1 < script.length) {
          cur += script[i + 1];
          i += 2;
        } else if (script[i] === '$') {
          const [v, j] = expand(script, i);
          cur += v;
          i = j;
        } else cur += script[i++];
      }
      i++;
    } else if (c === '\\' && i + 1 < script.length) {
      cur += script[i + 1];
      inWord = true;
      i += 2;
    } else if (c === '$') {
      const [v, j] = expand(script, i);
      cur += v;
      inWord = true;
      i = j;
    } else if (c === ' ' || c === '\t') {
      flush();
      i++;
    } else if (c === '\n' || c === ';') {
      flush();
      out.push({ kind: 'op', value: ';' });
      i++;
    } else if (c === '&' && script[i + 1] === '&') {
      flush();
      out.push({ kind: 'op', value: '&&' });
      i += 2;
    } else if (c === '|' && script[i + 1] === '|') {
      flush();
      out.push({ kind: 'op', value: '||' });
      i += 2;
    } else if (c === '|') {
      flush();
      out.push({ kind: 'op', value: '|' });
      i++;
    } else if (c === '&') {
      flush();
      i++;
    } else if (c === '#' && !inWord) {
      while (i < script.length && script[i] !== '\n') i++;
    } else if ((c === '>' || c === '<') || (/[0-9]/.test(c) && script[i + 1] === '>' && !inWord)) {
      // Redirections: swallow the operator and its target (output goes nowhere).
      flush();
      while (i < script.length && /[0-9<>&]/.test(script[i])) i++;
      while (script[i] === ' ') i++;
      while (i < script.length && !/[\s;|&]/.test(script[i])) i++;
    } else {
      cur += c;
      inWord = true;
      i++;
    }
  }
  flush();
  return out;
}


export class Shell {
  private status = 0;

  constructor(private readonly sh: ShellEnv) {}

  /** Runs a script as `sh -c` would. */
  run(script: string, stdin = ''): ShellResult {
    const tokens = tokenize(script, this.sh.env, () => this.status);
    let stdout = '';
    let stderr = '';
    let slept = 0;
    let i = 0;
    let skip = false;
    while (i < tokens.length) {
      // One pipeline up to ; && ||
      const pipeline: string[][] = [[]];
      while (i < tokens.length && !(tokens[i].kind === 'op' && tokens[i].value !== '|')) {
        const t = tokens[i++];
        if (t.kind === 'op') pipeline.push([]);
        else pipeline[pipeline.length - 1].push(t.value);
      }
      const sep = i < tokens.length ? tokens[i++].value : ';';
      if (!skip && pipeline.some((p) => p.length > 0)) {
        let input = stdin;
        const more = i < tokens.length;
        for (let k = 0; k < pipeline.length; k++) {
          let r = this.exec(pipeline[k], input, true);
          if (r.longRunning && (more || k < pipeline.length - 1)) r = { stdout: '', stderr: '', exitCode: 0 };
          stderr += r.stderr;
          slept += r.sleptMs ?? 0;
          if (k === pipeline.length - 1) stdout += r.stdout;
          else input = r.stdout;
          this.status = r.exitCode;
          if (r.exitCode === -1) {
            // `exit N`
            this.status = Number(pipeline[k][1] ?? 0) || 0;
            return { stdout, stderr, exitCode: this.status, sleptMs: slept };
          }
        }
      }
      skip = (sep === '&&' && this.status !== 0) || (sep === '||' && this.status === 0);
    }
    return { stdout, stderr, exitCode: this.status, sleptMs: slept };
  }

  /** Runs one command; `viaShell` selects dash-style error messages. */
  exec(argv: string[], stdin: string, viaShell: boolean): ShellResult {
    const fail = (stderr: string, code: number): ShellResult => ({ stdout: '', stderr, exitCode: code });
    if (argv.length === 0) return { stdout: '', stderr: '', exitCode: 0 };
    let [cmd, ...args] = argv;
    // `VAR=x cmd` prefixes
    while (/^[A-Za-z_][A-Za-z0-9_]*=/.test(cmd) && args.length) {
      const eq = cmd.indexOf('=');
      this.sh.env[cmd.slice(0, eq)] = cmd.slice(eq + 1);
      [cmd, ...args] = args;
    }
    const base = cmd.split('/').pop() ?? cmd;
    const builtin = Object.hasOwn(BUILTIN_COMMANDS, base) ? BUILTIN_COMMANDS[base] : undefined;
    if (builtin) {
      return builtin({
        sh: this.sh, files: this.sh.files, name: base, args, stdin, viaShell,
        exec: (next, input, shell) => this.exec(next, input, shell),
        runScript: (script, input) => new Shell(this.sh).run(script, input),
      });
    }
    const ext = this.sh.external?.([cmd, ...args], stdin);
    if (ext) return ext;
    if (viaShell) return fail(`sh: 1: ${cmd}: not found\n`, 127);
    return fail(
      `OCI runtime exec failed: exec failed: unable to start container process: exec: "${cmd}": executable file not found in $PATH: unknown\n`,
      126,
    );
  }
}


/** Runs an exec request's argv the way the container runtime would (no shell unless the argv names one). */
export function execArgv(sh: ShellEnv, argv: string[], stdin = ''): ShellResult {
  return new Shell(sh).exec(argv, stdin, false);
}
