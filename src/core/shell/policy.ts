/**
 * What an agent's `exec_shell` may run.
 *
 * - The original's refusals apply under every policy: interactive commands that would hang the episode.
 * - `open` runs anything else, as the original does.
 * - `guarded` (the default for model agents) holds on its own, without the OS sandbox: only pipelines of
 *   allow-listed programs called by name; each program's arguments checked so that none of them becomes a launcher
 *   (awk system(), sed e, ...), a writer (sed -i, curl -o, sort -o, ...), a reader of files outside the session
 *   folder (cat /etc/..., curl file://, kubectl -f /...) or another identity (kubectl --token, --as, ...); files and
 *   redirections only inside the session folder; no expansions, substitutions, heredocs, subshells or background jobs.
 *   Every refusal says what to do instead.
 */
import { PROGRAM_CHECKS } from './programs';
import { tokenizeShell, type ShellWord } from './tokenize';

export type ShellPolicy = 'open' | 'guarded';

/** `docker` is there for the Docker Compose app (Flower, pseudo-namespace docker), which an SRE looks at as kubectl's peer. */
export const GUARDED_ALLOW_LIST: readonly string[] = Object.keys(PROGRAM_CHECKS);

/** Variables a command may set for itself (`LC_ALL=C sort`); any other (KUBECONFIG, PATH, LD_PRELOAD, ...) is refused. */
const ALLOWED_ASSIGNMENTS = ['LC_ALL', 'LANG', 'TZ', 'COLUMNS'];

/** The original's refusals, in its order, with its exact texts. */
const INTERACTIVE_REFUSALS: ReadonlyArray<[string, string]> = [
  ['kubectl edit', 'Error: Cannot use `kubectl edit`. Use `kubectl patch` instead.'],
  ['edit svc', 'Error: Cannot use `kubectl edit`. Use `kubectl patch` instead.'],
  ['kubectl port-forward', 'Error: Cannot use `kubectl port-forward` because it is an interactive command.'],
  ['docker logs -f', 'Error: Cannot use `docker logs -f`. Use `docker logs` instead.'],
  ['kubectl logs -f', 'Error: Cannot use `kubectl logs -f`. Use `kubectl logs` instead.'],
];

export type ShellCheck = { allowed: true } | { allowed: false; message: string };

/**
 * `apiServers` (host:port) are the only places curl may reach under the guarded policy: the cluster's API server (its
 * service proxy reaches the cluster's services). Without them curl reaches nothing.
 */
export function checkShellCommand(command: string, policy: ShellPolicy, sessionDir: string, apiServers: readonly string[] = []): ShellCheck {
  for (const [needle, message] of INTERACTIVE_REFUSALS) {
    if (command.includes(needle)) return { allowed: false, message };
  }
  if (/\bkubectl\b[^|;&]*\s(-w|--watch|--follow)(\s|=|$)/.test(command) || /\bkubectl\s+(exec|run)\b[^|;&]*\s-(it|ti|i)\b/.test(command)) {
    return { allowed: false, message: 'Error: interactive or streaming commands (`-w`, `--watch`, `--follow`, `exec -it`) never end on their own. Run the command without that flag.' };
  }
  if (policy === 'open') return { allowed: true };
  const why = guardedProblem(command, sessionDir, apiServers);
  return why === undefined ? { allowed: true } : refuse(why, sessionDir);
}

function refuse(why: string, sessionDir: string): ShellCheck {
  return {
    allowed: false,
    message:
      `Error: command refused by the guarded shell policy: ${why}\n` +
      `Allowed programs (called by name, first word of every command in a pipeline): ${GUARDED_ALLOW_LIST.join(', ')}.\n` +
      `Pipelines (|), sequences (;, &&, ||) and redirections into the session folder (${sessionDir}) are allowed; ` +
      'files outside it, variables, $(...), backticks, heredocs and background jobs are not. ' +
      'Example: exec_shell("kubectl get pods -n <namespace> | grep -v Running")',
  };
}

/** Why the guarded policy refuses `command`, or undefined when it allows it. */
function guardedProblem(command: string, sessionDir: string, apiServers: readonly string[]): string | undefined {
  const tokens = tokenizeShell(command);
  if (!tokens.ok) return tokens.problem;
  if (tokens.commands.length === 0) return 'the command is empty.';
  const root = sessionDir.endsWith('/') ? sessionDir.slice(0, -1) : sessionDir;
  const context = { fileProblem: (file: string) => fileProblem(file, root), urlProblem: (url: string) => urlProblem(url, apiServers) };
  for (const { words, redirections } of tokens.commands) {
    let at = 0;
    for (; at < words.length && /^[A-Za-z_][A-Za-z0-9_]*=/.test(words[at].text); at++) {
      const name = words[at].text.slice(0, words[at].text.indexOf('='));
      if (!ALLOWED_ASSIGNMENTS.includes(name)) return `setting \`${name}\` is not allowed (only ${ALLOWED_ASSIGNMENTS.join(', ')}); your environment is already set up for the cluster.`;
    }
    const program = words[at];
    if (program) {
      const problem = programProblem(program) ?? wordsProblem(words.slice(at + 1)) ?? PROGRAM_CHECKS[program.text](words.slice(at + 1).map((w) => w.text), context);
      if (problem) return problem;
    }
    for (const { op, target } of redirections) {
      if (target.tilde || target.glob || target.brace) return `the redirection target \`${target.text}\` would be expanded by the shell (~, globs, braces); name the file plainly, inside the session folder.`;
      const problem = fileProblem(target.text, root, op.includes('>') ? 'write' : 'read');
      if (problem) return problem;
    }
  }
  return undefined;
}

function programProblem(program: ShellWord): string | undefined {
  if (program.tilde || program.glob || program.brace) return `\`${program.text}\` is not a program name (the shell would expand it).`;
  if (program.text.includes('/')) return `\`${program.text}\`: call programs by name (e.g. \`kubectl\`), not by path.`;
  if (!Object.prototype.hasOwnProperty.call(PROGRAM_CHECKS, program.text)) return `\`${program.text}\` is not an allowed program.`;
  return undefined;
}

/** Arguments the shell would rewrite before the program sees them (~ and brace expansion) are refused; globs are checked as paths. */
function wordsProblem(words: ShellWord[]): string | undefined {
  const expanded = words.find((w) => w.tilde || w.brace);
  return expanded ? `\`${expanded.text}\` would be expanded by the shell (~ or braces); quote it, or name files inside the session folder plainly.` : undefined;
}

/** Why `file` may not be used (outside the session folder), or undefined. Lexical: the sandbox or the session's folder rules out links. */
function fileProblem(file: string, root: string, use: 'read' | 'write' | 'use' = 'use'): string | undefined {
  if (file === '-' || file === '/dev/null' || file === '/dev/stdin' || file === '/dev/stdout' || file === '/dev/stderr') return undefined;
  if (file.startsWith('~')) return `\`${file}\` is in a home folder; files must be inside the session folder (${root}).`;
  const parts: string[] = [];
  for (const part of (file.startsWith('/') ? file : `${root}/${file}`).split('/')) {
    if (part === '' || part === '.') continue;
    if (part.startsWith('.') && /[*?[]/.test(part)) return `\`${file}\`: a pattern that can match \`..\` is not allowed; name the files.`;
    if (part === '..') parts.pop();
    else parts.push(part);
  }
  const resolved = '/' + parts.join('/');
  if (resolved === root || resolved.startsWith(root + '/')) return undefined;
  return `\`${file}\` is outside the session folder (${root}); you may ${use} only files inside it.`;
}

/** Why curl may not fetch `url`: anything but the cluster's API server. */
function urlProblem(url: string, apiServers: readonly string[]): string | undefined {
  const match = /^(https?):\/\/(?:[^@/]*@)?(\[[^\]]+\]|[^:/?#]+)(?::(\d+))?/i.exec(url);
  if (match) {
    const host = match[2].replace(/^\[|\]$/g, '').toLowerCase();
    const port = match[3] ?? (match[1].toLowerCase() === 'http' ? '80' : '443');
    if (apiServers.includes(`${host}:${port}`)) return undefined;
  }
  return `curl may reach only the cluster's API server (${apiServers.join(', ') || 'none known'}); reach services through it: kubectl get --raw /api/v1/namespaces/<ns>/services/<name>:<port>/proxy/<path>.`;
}

/** The words of every command, its redirection targets, and whether it uses a construct the policy refuses (for tests and tools). */
export function splitShellCommand(command: string): { commands: string[][]; redirections: string[]; refused?: string } {
  const tokens = tokenizeShell(command);
  if (!tokens.ok) return { commands: [], redirections: [], refused: tokens.problem };
  return {
    commands: tokens.commands.map((c) => c.words.map((w) => w.text)),
    redirections: tokens.commands.flatMap((c) => c.redirections.map((r) => r.target.text)),
  };
}
