/**
 * A tiny POSIX-sh-like interpreter for the default container behaviour: enough for what an SRE types into
 * `kubectl exec` (`env`, `cat`, `ls`, `ps`, `echo`, `hostname`, pipes into `grep`/`head`/`tail`/`wc`, `&&`, `||`, `;`)
 * and for simple container commands (`sh -c "echo hi; sleep 3600"`). Unknown programs fail like dash does.
 */

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

const STD_DIRS = ['bin', 'dev', 'etc', 'home', 'lib', 'proc', 'root', 'run', 'sbin', 'sys', 'tmp', 'usr', 'var'];

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

function dirEntries(files: Record<string, string>, dir: string): string[] | undefined {
  const d = dir === '/' ? '/' : dir.replace(/\/+$/, '') + '/';
  const names = new Set<string>();
  for (const p of Object.keys(files)) {
    if (p.startsWith(d)) names.add(p.slice(d.length).split('/')[0]);
  }
  if (d === '/') STD_DIRS.forEach((x) => names.add(x));
  if (names.size === 0 && !STD_DIRS.includes(dir.replace(/^\/+|\/+$/g, ''))) return undefined;
  return [...names].filter(Boolean).sort();
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
    const ok = (stdout: string): ShellResult => ({ stdout, stderr: '', exitCode: 0 });
    const fail = (stderr: string, code = 1): ShellResult => ({ stdout: '', stderr, exitCode: code });
    if (argv.length === 0) return ok('');
    let [cmd, ...args] = argv;
    // `VAR=x cmd` prefixes
    while (/^[A-Za-z_][A-Za-z0-9_]*=/.test(cmd) && args.length) {
      const eq = cmd.indexOf('=');
      this.sh.env[cmd.slice(0, eq)] = cmd.slice(eq + 1);
      [cmd, ...args] = args;
    }
    const base = cmd.split('/').pop() ?? cmd;
    const files = this.sh.files;
    switch (base) {
      case 'true':
      case ':':
        return ok('');
      case 'false':
        return fail('', 1);
      case 'exit':
        return { stdout: '', stderr: '', exitCode: -1 };
      case 'echo': {
        let n = false;
        if (args[0] === '-n') {
          n = true;
          args = args.slice(1);
        }
        return ok(args.join(' ') + (n ? '' : '\n'));
      }
      case 'printf': {
        const fmt = (args[0] ?? '').replace(/\\n/g, '\n').replace(/\\t/g, '\t');
        let k = 1;
        return ok(fmt.replace(/%[sd]/g, () => args[k++] ?? ''));
      }
      case 'env':
      case 'printenv': {
        if (base === 'printenv' && args.length) {
          const vals = args.map((a) => this.sh.env[a]).filter((v) => v !== undefined);
          return vals.length ? ok(vals.join('\n') + '\n') : fail('', 1);
        }
        if (base === 'env' && args.length) return this.exec(args, stdin, viaShell);
        return ok(Object.entries(this.sh.env).map(([k, v]) => `${k}=${v}`).join('\n') + '\n');
      }
      case 'hostname':
        return ok(`${this.sh.hostname}\n`);
      case 'whoami':
        return ok('root\n');
      case 'id':
        return ok('uid=0(root) gid=0(root) groups=0(root)\n');
      case 'pwd':
        return ok('/\n');
      case 'cd':
      case 'mkdir':
      case 'chmod':
      case 'chown':
      case 'ln':
      case 'export':
      case 'set':
      case 'ulimit':
        return ok('');
      case 'exec':
        return this.exec(args, stdin, viaShell);
      case 'touch':
        for (const f of args.filter((a) => !a.startsWith('-'))) if (files[f] === undefined) files[f] = '';
        return ok('');
      case 'rm':
        for (const f of args.filter((a) => !a.startsWith('-'))) delete files[f];
        return ok('');
      case 'cp':
      case 'mv': {
        const paths = args.filter((a) => !a.startsWith('-'));
        if (paths.length < 2) return fail(`${base}: missing destination file operand\n`, 1);
        const dst = paths[paths.length - 1];
        let err = '';
        for (const src of paths.slice(0, -1)) {
          if (files[src] === undefined) {
            err += `${base}: cannot stat '${src}': No such file or directory\n`;
            continue;
          }
          const target = dirEntries(files, dst) && files[dst] === undefined ? `${dst.replace(/\/+$/, '')}/${src.split('/').pop()}` : dst;
          files[target] = files[src];
          if (base === 'mv') delete files[src];
        }
        return { stdout: '', stderr: err, exitCode: err ? 1 : 0 };
      }
      case 'sleep': {
        const a = args[0] ?? '0';
        const ms = a === 'infinity' ? Infinity : parseFloat(a) * ({ s: 1000, m: 60000, h: 3600000, d: 86400000 }[a.slice(-1)] ?? 1000);
        return { stdout: '', stderr: '', exitCode: 0, sleptMs: ms };
      }
      case 'date':
        return ok(`${new Date().toUTCString().replace('GMT', 'UTC')}\n`);
      case 'uname':
        return ok(args.includes('-a') ? `Linux ${this.sh.hostname} 6.8.0-1021-azure #25-Ubuntu SMP x86_64 GNU/Linux\n` : 'Linux\n');
      case 'cat': {
        if (args.length === 0 || args[0] === '-') return ok(stdin);
        let out = '';
        let err = '';
        for (const f of args.filter((a) => !a.startsWith('-'))) {
          if (files[f] !== undefined) out += files[f];
          else if (dirEntries(files, f)) err += `cat: ${f}: Is a directory\n`;
          else err += `cat: ${f}: No such file or directory\n`;
        }
        return { stdout: out, stderr: err, exitCode: err ? 1 : 0 };
      }
      case 'ls': {
        const long = args.some((a) => /^-[a-zA-Z]*l/.test(a));
        const paths = args.filter((a) => !a.startsWith('-'));
        if (paths.length === 0) paths.push('/');
        let out = '';
        let err = '';
        for (const p of paths) {
          if (files[p] !== undefined) {
            out += long ? `-rw-r--r-- 1 root root ${files[p].length} Jan  1 00:00 ${p}\n` : `${p}\n`;
            continue;
          }
          const entries = dirEntries(files, p);
          if (!entries) {
            err += `ls: cannot access '${p}': No such file or directory\n`;
            continue;
          }
          if (paths.length > 1) out += `${p}:\n`;
          const dir = p.replace(/\/+$/, '');
          out += long
            ? `total ${entries.length * 4}\n` +
              entries
                .map((e) => {
                  const full = `${dir}/${e}`;
                  return files[full] !== undefined
                    ? `-rw-r--r-- 1 root root ${files[full].length} Jan  1 00:00 ${e}`
                    : `drwxr-xr-x 2 root root 4096 Jan  1 00:00 ${e}`;
                })
                .join('\n') + '\n'
            : entries.map((e) => `${e}\n`).join('');
        }
        return { stdout: out, stderr: err, exitCode: err ? (out ? 1 : 2) : 0 };
      }
      case 'ps': {
        const full = args.some((a) => /aux|ef|-e/.test(a));
        const me = ['ps', ...args].join(' ');
        if (full) {
          return ok(
            'USER         PID %CPU %MEM    VSZ   RSS TTY      STAT START   TIME COMMAND\n' +
              `root           1  0.1  0.2 712345 23456 ?        Ssl  00:00   0:01 ${this.sh.pid1}\n` +
              `root          42  0.0  0.0   8088  4040 ?        Rs   00:05   0:00 ${me}\n`,
          );
        }
        const comm = (s: string) => (s.split(' ')[0].split('/').pop() ?? s).slice(0, 15);
        return ok(`    PID TTY          TIME CMD\n      1 ?        00:00:01 ${comm(this.sh.pid1)}\n     42 ?        00:00:00 ps\n`);
      }
      case 'head':
      case 'tail': {
        let n = 10;
        const rest: string[] = [];
        for (let k = 0; k < args.length; k++) {
          if (args[k] === '-n') n = parseInt(args[++k], 10);
          else if (/^-[0-9]+$/.test(args[k])) n = parseInt(args[k].slice(1), 10);
          else if (args[k] === '-f' || args[k] === '-F') return { stdout: '', stderr: '', exitCode: 0, sleptMs: Infinity };
          else rest.push(args[k]);
        }
        const text = rest.length ? rest.map((f) => files[f] ?? '').join('') : stdin;
        const lines = text.split('\n');
        if (lines[lines.length - 1] === '') lines.pop();
        const pick = base === 'head' ? lines.slice(0, n) : lines.slice(Math.max(0, lines.length - n));
        return ok(pick.length ? pick.join('\n') + '\n' : '');
      }
      case 'grep': {
        let invert = false;
        let icase = false;
        const rest: string[] = [];
        for (const a of args) {
          if (/^-[a-zA-Z]+$/.test(a)) {
            if (a.includes('v')) invert = true;
            if (a.includes('i')) icase = true;
          } else rest.push(a);
        }
        const [pattern, ...fileArgs] = rest;
        if (pattern === undefined) return fail('Usage: grep [OPTION]... PATTERNS [FILE]...\n', 2);
        let re: RegExp;
        try {
          re = new RegExp(pattern, icase ? 'i' : '');
        } catch {
          re = new RegExp(pattern.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'), icase ? 'i' : '');
        }
        const text = fileArgs.length ? fileArgs.map((f) => files[f] ?? '').join('') : stdin;
        const lines = text.split('\n').filter((l, idx, arr) => !(idx === arr.length - 1 && l === ''));
        const hit = lines.filter((l) => re.test(l) !== invert);
        return { stdout: hit.length ? hit.join('\n') + '\n' : '', stderr: '', exitCode: hit.length ? 0 : 1 };
      }
      case 'wc': {
        const text = args.filter((a) => !a.startsWith('-')).map((f) => files[f] ?? '').join('') || stdin;
        const lines = (text.match(/\n/g) ?? []).length;
        if (args.includes('-l')) return ok(`${lines}\n`);
        const words = text.split(/\s+/).filter(Boolean).length;
        return ok(`${String(lines).padStart(7)} ${String(words).padStart(7)} ${String(text.length).padStart(7)}\n`);
      }
      case 'test':
      case '[': {
        const a = base === '[' ? args.slice(0, -1) : args;
        let r = false;
        if (a[0] === '-f' || a[0] === '-e' || a[0] === '-r') r = files[a[1]] !== undefined || (a[0] === '-e' && !!dirEntries(files, a[1]));
        else if (a[0] === '-d') r = !!dirEntries(files, a[1]) && files[a[1]] === undefined;
        else if (a[0] === '-z') r = (a[1] ?? '') === '';
        else if (a[0] === '-n') r = (a[1] ?? '') !== '';
        else if (a[1] === '=' || a[1] === '==') r = a[0] === a[2];
        else if (a[1] === '!=') r = a[0] !== a[2];
        else r = (a[0] ?? '') !== '';
        return { stdout: '', stderr: '', exitCode: r ? 0 : 1 };
      }
      case 'which':
      case 'command': {
        const names = args.filter((x) => !x.startsWith('-'));
        const known = names.filter((n) => BUILTINS.has(n));
        return { stdout: known.map((n) => `/bin/${n}\n`).join(''), stderr: '', exitCode: known.length === names.length ? 0 : 1 };
      }
      case 'sh':
      case 'bash':
      case 'ash':
      case 'dash': {
        const c = args.indexOf('-c');
        if (c >= 0) return new Shell(this.sh).run(args[c + 1] ?? '', stdin);
        return new Shell(this.sh).run(stdin);
      }
      default: {
        const ext = this.sh.external?.([cmd, ...args], stdin);
        if (ext) return ext;
        if (viaShell) return fail(`sh: 1: ${cmd}: not found\n`, 127);
        return fail(
          `OCI runtime exec failed: exec failed: unable to start container process: exec: "${cmd}": executable file not found in $PATH: unknown\n`,
          126,
        );
      }
    }
  }
}

const BUILTINS = new Set([
  'true', 'false', 'echo', 'printf', 'env', 'printenv', 'hostname', 'whoami', 'id', 'pwd', 'sleep', 'date', 'uname',
  'cat', 'ls', 'ps', 'head', 'tail', 'grep', 'wc', 'test', 'which', 'sh',
]);

/** Runs an exec request's argv the way the container runtime would (no shell unless the argv names one). */
export function execArgv(sh: ShellEnv, argv: string[], stdin = ''): ShellResult {
  return new Shell(sh).exec(argv, stdin, false);
}
