/**
 * The programs the twin's containers know without a behaviour of their own (coreutils-, procps- and busybox-like), as
 * a table: name → what it prints. `env`, `exec` and `sh -c` come back to the shell through `exec` and `runScript`.
 */
import type { ShellEnv, ShellResult } from './shell';

export interface BuiltinCall {
  sh: ShellEnv;
  files: Record<string, string>;
  /** The program's name as invoked (its basename). */
  name: string;
  args: string[];
  stdin: string;
  /** Run from a shell script (dash-style errors) rather than as an exec'd argv. */
  viaShell: boolean;
  /** Runs another argv as this shell would (for `env cmd`, `exec cmd`). */
  exec: (argv: string[], stdin: string, viaShell: boolean) => ShellResult;
  /** Runs a script in a child shell (for `sh -c`). */
  runScript: (script: string, stdin: string) => ShellResult;
}

const STD_DIRS = ['bin', 'dev', 'etc', 'home', 'lib', 'proc', 'root', 'run', 'sbin', 'sys', 'tmp', 'usr', 'var'];

const ok = (stdout: string): ShellResult => ({ stdout, stderr: '', exitCode: 0 });
const fail = (stderr: string, code = 1): ShellResult => ({ stdout: '', stderr, exitCode: code });

export function dirEntries(files: Record<string, string>, dir: string): string[] | undefined {
  const d = dir === '/' ? '/' : dir.replace(/\/+$/, '') + '/';
  const names = new Set<string>();
  for (const p of Object.keys(files)) {
    if (p.startsWith(d)) names.add(p.slice(d.length).split('/')[0]);
  }
  if (d === '/') STD_DIRS.forEach((x) => names.add(x));
  if (names.size === 0 && !STD_DIRS.includes(dir.replace(/^\/+|\/+$/g, ''))) return undefined;
  return [...names].filter(Boolean).sort();
}

/** The names `which` finds on /bin. */
const ON_PATH = new Set([
  'true', 'false', 'echo', 'printf', 'env', 'printenv', 'hostname', 'whoami', 'id', 'pwd', 'sleep', 'date', 'uname',
  'cat', 'ls', 'ps', 'head', 'tail', 'grep', 'wc', 'test', 'which', 'sh',
]);

export const BUILTIN_COMMANDS: Record<string, (c: BuiltinCall) => ShellResult> = {
  'true': () => ok(''),
  ':': (c) => BUILTIN_COMMANDS['true'](c),
  'false': () => fail('', 1),
  // The shell ends the script with the status given to `exit` (-1 tells it to read that argument).
  'exit': () => ({ stdout: '', stderr: '', exitCode: -1 }),
  'echo': (c) => {
    let args = c.args;
    let n = false;
    if (args[0] === '-n') {
      n = true;
      args = args.slice(1);
    }
    return ok(args.join(' ') + (n ? '' : '\n'));
  },
  'printf': (c) => {
    const { args } = c;
    const fmt = (args[0] ?? '').replace(/\\n/g, '\n').replace(/\\t/g, '\t');
    let k = 1;
    return ok(fmt.replace(/%[sd]/g, () => args[k++] ?? ''));
  },
  'env': (c) => {
    const { sh, name, stdin, viaShell, exec, args } = c;
    if (name === 'printenv' && args.length) {
      const vals = args.map((a) => sh.env[a]).filter((v) => v !== undefined);
      return vals.length ? ok(vals.join('\n') + '\n') : fail('', 1);
    }
    if (name === 'env' && args.length) return exec(args, stdin, viaShell);
    return ok(Object.entries(sh.env).map(([k, v]) => `${k}=${v}`).join('\n') + '\n');
  },
  'printenv': (c) => BUILTIN_COMMANDS['env'](c),
  'hostname': (c) => {
    const { sh } = c;
    return ok(`${sh.hostname}\n`);
  },
  'whoami': () => ok('root\n'),
  'id': () => ok('uid=0(root) gid=0(root) groups=0(root)\n'),
  'pwd': () => ok('/\n'),
  'cd': () => ok(''),
  'mkdir': (c) => BUILTIN_COMMANDS['cd'](c),
  'chmod': (c) => BUILTIN_COMMANDS['cd'](c),
  'chown': (c) => BUILTIN_COMMANDS['cd'](c),
  'ln': (c) => BUILTIN_COMMANDS['cd'](c),
  'export': (c) => BUILTIN_COMMANDS['cd'](c),
  'set': (c) => BUILTIN_COMMANDS['cd'](c),
  'ulimit': (c) => BUILTIN_COMMANDS['cd'](c),
  'exec': (c) => {
    const { stdin, viaShell, exec, args } = c;
    return exec(args, stdin, viaShell);
  },
  'touch': (c) => {
    const { files, args } = c;
    for (const f of args.filter((a) => !a.startsWith('-'))) if (files[f] === undefined) files[f] = '';
    return ok('');
  },
  'rm': (c) => {
    const { files, args } = c;
    for (const f of args.filter((a) => !a.startsWith('-'))) delete files[f];
    return ok('');
  },
  'cp': (c) => {
    const { name, files, args } = c;
    const paths = args.filter((a) => !a.startsWith('-'));
    if (paths.length < 2) return fail(`${name}: missing destination file operand\n`, 1);
    const dst = paths[paths.length - 1];
    let err = '';
    for (const src of paths.slice(0, -1)) {
      if (files[src] === undefined) {
        err += `${name}: cannot stat '${src}': No such file or directory\n`;
        continue;
      }
      const target = dirEntries(files, dst) && files[dst] === undefined ? `${dst.replace(/\/+$/, '')}/${src.split('/').pop()}` : dst;
      files[target] = files[src];
      if (name === 'mv') delete files[src];
    }
    return { stdout: '', stderr: err, exitCode: err ? 1 : 0 };
  },
  'mv': (c) => BUILTIN_COMMANDS['cp'](c),
  'sleep': (c) => {
    const { args } = c;
    const a = args[0] ?? '0';
    const ms = a === 'infinity' ? Infinity : parseFloat(a) * ({ s: 1000, m: 60000, h: 3600000, d: 86400000 }[a.slice(-1)] ?? 1000);
    return { stdout: '', stderr: '', exitCode: 0, sleptMs: ms };
  },
  'date': () => ok(`${new Date().toUTCString().replace('GMT', 'UTC')}\n`),
  'uname': (c) => {
    const { sh, args } = c;
    return ok(args.includes('-a') ? `Linux ${sh.hostname} 6.8.0-1021-azure #25-Ubuntu SMP x86_64 GNU/Linux\n` : 'Linux\n');
  },
  'cat': (c) => {
    const { stdin, files, args } = c;
    if (args.length === 0 || args[0] === '-') return ok(stdin);
    let out = '';
    let err = '';
    for (const f of args.filter((a) => !a.startsWith('-'))) {
      if (files[f] !== undefined) out += files[f];
      else if (dirEntries(files, f)) err += `cat: ${f}: Is a directory\n`;
      else err += `cat: ${f}: No such file or directory\n`;
    }
    return { stdout: out, stderr: err, exitCode: err ? 1 : 0 };
  },
  'ls': (c) => {
    const { files, args } = c;
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
  },
  'ps': (c) => {
    const { sh, args } = c;
    const full = args.some((a) => /aux|ef|-e/.test(a));
    const me = ['ps', ...args].join(' ');
    if (full) {
      return ok(
        'USER         PID %CPU %MEM    VSZ   RSS TTY      STAT START   TIME COMMAND\n' +
          `root           1  0.1  0.2 712345 23456 ?        Ssl  00:00   0:01 ${sh.pid1}\n` +
          `root          42  0.0  0.0   8088  4040 ?        Rs   00:05   0:00 ${me}\n`,
      );
    }
    const comm = (s: string) => (s.split(' ')[0].split('/').pop() ?? s).slice(0, 15);
    return ok(`    PID TTY          TIME CMD\n      1 ?        00:00:01 ${comm(sh.pid1)}\n     42 ?        00:00:00 ps\n`);
  },
  'head': (c) => {
    const { name, stdin, files, args } = c;
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
    const pick = name === 'head' ? lines.slice(0, n) : lines.slice(Math.max(0, lines.length - n));
    return ok(pick.length ? pick.join('\n') + '\n' : '');
  },
  'tail': (c) => BUILTIN_COMMANDS['head'](c),
  'grep': (c) => {
    const { stdin, files, args } = c;
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
  },
  'wc': (c) => {
    const { stdin, files, args } = c;
    const text = args.filter((a) => !a.startsWith('-')).map((f) => files[f] ?? '').join('') || stdin;
    const lines = (text.match(/\n/g) ?? []).length;
    if (args.includes('-l')) return ok(`${lines}\n`);
    const words = text.split(/\s+/).filter(Boolean).length;
    return ok(`${String(lines).padStart(7)} ${String(words).padStart(7)} ${String(text.length).padStart(7)}\n`);
  },
  'test': (c) => {
    const { name, files, args } = c;
    const a = name === '[' ? args.slice(0, -1) : args;
    let r = false;
    if (a[0] === '-f' || a[0] === '-e' || a[0] === '-r') r = files[a[1]] !== undefined || (a[0] === '-e' && !!dirEntries(files, a[1]));
    else if (a[0] === '-d') r = !!dirEntries(files, a[1]) && files[a[1]] === undefined;
    else if (a[0] === '-z') r = (a[1] ?? '') === '';
    else if (a[0] === '-n') r = (a[1] ?? '') !== '';
    else if (a[1] === '=' || a[1] === '==') r = a[0] === a[2];
    else if (a[1] === '!=') r = a[0] !== a[2];
    else r = (a[0] ?? '') !== '';
    return { stdout: '', stderr: '', exitCode: r ? 0 : 1 };
  },
  '[': (c) => BUILTIN_COMMANDS['test'](c),
  'which': (c) => {
    const { args } = c;
    const names = args.filter((x) => !x.startsWith('-'));
    const known = names.filter((n) => ON_PATH.has(n));
    return { stdout: known.map((n) => `/bin/${n}\n`).join(''), stderr: '', exitCode: known.length === names.length ? 0 : 1 };
  },
  'command': (c) => BUILTIN_COMMANDS['which'](c),
  'sh': (c) => {
    const { stdin, runScript, args } = c;
    const script = args.indexOf('-c');
    if (script >= 0) return runScript(args[script + 1] ?? '', stdin);
    return runScript(stdin, '');
  },
  'bash': (c) => BUILTIN_COMMANDS['sh'](c),
  'ash': (c) => BUILTIN_COMMANDS['sh'](c),
  'dash': (c) => BUILTIN_COMMANDS['sh'](c),
};
