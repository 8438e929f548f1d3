/**
 * What an agent's `exec_shell` may run.
 *
 * - The original's refusals (facts §9.2) apply under every policy: interactive commands that would hang the episode.
 * - `open` runs anything else, as the original does.
 * - `guarded` (the default for model agents) allows only pipelines whose every command starts with an allow-listed
 *   program, and redirections that write only inside the session's own folder. Command substitution and process
 *   substitution are refused because they would run programs the check never saw.
 */
export type ShellPolicy = 'open' | 'guarded';

/** `docker` is there for the Docker Compose app (Flower, pseudo-namespace docker), which an SRE looks at as kubectl's peer. */
export const GUARDED_ALLOW_LIST: readonly string[] = [
  'kubectl', 'helm', 'curl', 'grep', 'egrep', 'awk', 'sed', 'jq', 'head', 'tail', 'sort', 'uniq', 'wc', 'cut', 'tr',
  'cat', 'ls', 'echo', 'date', 'sleep', 'docker',
];

/** The original's refusals, in its order, with its exact texts. */
const INTERACTIVE_REFUSALS: ReadonlyArray<[string, string]> = [
  ['kubectl edit', 'Error: Cannot use `kubectl edit`. Use `kubectl patch` instead.'],
  ['edit svc', 'Error: Cannot use `kubectl edit`. Use `kubectl patch` instead.'],
  ['kubectl port-forward', 'Error: Cannot use `kubectl port-forward` because it is an interactive command.'],
  ['docker logs -f', 'Error: Cannot use `docker logs -f`. Use `docker logs` instead.'],
  ['kubectl logs -f', 'Error: Cannot use `kubectl logs -f`. Use `kubectl logs` instead.'],
];

export type ShellCheck = { allowed: true } | { allowed: false; message: string };

export function checkShellCommand(command: string, policy: ShellPolicy, sessionDir: string): ShellCheck {
  for (const [needle, message] of INTERACTIVE_REFUSALS) {
    if (command.includes(needle)) return { allowed: false, message };
  }
  if (/\bkubectl\b[^|;&]*\s(-w|--watch|--follow)(\s|=|$)/.test(command) || /\bkubectl\s+(exec|run)\b[^|;&]*\s-(it|ti|i)\b/.test(command)) {
    return { allowed: false, message: 'Error: interactive or streaming commands (`-w`, `--watch`, `--follow`, `exec -it`) never end on their own. Run the command without that flag.' };
  }
  if (policy === 'open') return { allowed: true };
  return checkGuarded(command, sessionDir);
}

function refuse(why: string): ShellCheck {
  return {
    allowed: false,
    message:
      `Error: command refused by the guarded shell policy: ${why}\n` +
      `Allowed programs (first word of every command in a pipeline): ${GUARDED_ALLOW_LIST.join(', ')}.\n` +
      'Pipelines (|), sequences (;, &&, ||) and redirections into the session folder are allowed; ' +
      'command substitution $(...) and backticks are not. Example: exec_shell("kubectl get pods -n <namespace> | grep -v Running")',
  };
}

/** Splits a command line into simple commands, honouring quotes; returns the words of each and the redirection targets. */
export function splitShellCommand(command: string): { commands: string[][]; redirections: string[]; substitution: boolean } {
  const commands: string[][] = [];
  const redirections: string[] = [];
  let words: string[] = [];
  let word = '';
  let inWord = false;
  let quote: '"' | "'" | null = null;
  let substitution = false;
  let expectRedirect = false;
  const endWord = () => {
    if (!inWord) return;
    if (expectRedirect) {
      redirections.push(word);
      expectRedirect = false;
    } else {
      words.push(word);
    }
    word = '';
    inWord = false;
  };
  const endCommand = () => {
    endWord();
    if (words.length) commands.push(words);
    words = [];
  };
  for (let i = 0; i < command.length; i++) {
    const c = command[i];
    if (quote) {
      if (c === quote) quote = null;
      else if (quote === '"' && (c === '`' || (c === '$' && command[i + 1] === '('))) substitution = true;
      else if (quote === '"' && c === '\\' && i + 1 < command.length) word += command[++i];
      else word += c;
      continue;
    }
    if (c === "'" || c === '"') {
      quote = c;
      inWord = true;
    } else if (c === '\\' && i + 1 < command.length) {
      word += command[++i];
      inWord = true;
    } else if (c === '`' || (c === '$' && command[i + 1] === '(') || ((c === '<' || c === '>') && command[i + 1] === '(')) {
      substitution = true;
      word += c;
      inWord = true;
    } else if (c === '|' || c === ';' || c === '&' || c === '\n') {
      endCommand();
      if ((c === '|' || c === '&') && command[i + 1] === c) i++;
    } else if (c === '>' || c === '<') {
      // `2>&1`, `>&2` duplicate descriptors and write nowhere new.
      const fdDigits = /^\d+$/.test(word) && inWord;
      if (fdDigits) {
        word = '';
        inWord = false;
      } else endWord();
      if (command[i + 1] === '>') i++;
      if (command[i + 1] === '&') {
        i++;
        while (i + 1 < command.length && /[0-9-]/.test(command[i + 1])) i++;
        continue;
      }
      if (c === '>') expectRedirect = true;
      else expectRedirect = false;
    } else if (c === ' ' || c === '\t') {
      endWord();
    } else {
      word += c;
      inWord = true;
    }
  }
  endCommand();
  return { commands, redirections, substitution };
}

function checkGuarded(command: string, sessionDir: string): ShellCheck {
  const { commands, redirections, substitution } = splitShellCommand(command);
  if (substitution) return refuse('command substitution ($(...), backticks or <(...)) is not allowed.');
  if (commands.length === 0) return refuse('the command is empty.');
  for (const words of commands) {
    // Leading VAR=value assignments are allowed; the program is the first other word.
    const program = words.find((w) => !/^[A-Za-z_][A-Za-z0-9_]*=/.test(w));
    if (!program) continue;
    const base = program.includes('/') ? program.slice(program.lastIndexOf('/') + 1) : program;
    if (!GUARDED_ALLOW_LIST.includes(base)) return refuse(`\`${program}\` is not an allowed program.`);
  }
  const root = sessionDir.endsWith('/') ? sessionDir : sessionDir + '/';
  for (const target of redirections) {
    if (target === '/dev/null') continue;
    const absolute = target.startsWith('/') ? target : root + target;
    if (!isInside(absolute, root)) return refuse(`redirection to \`${target}\` writes outside the session folder (${sessionDir}).`);
  }
  return { allowed: true };
}

/** True when `path` (absolute, possibly with ./ and ../) stays inside `root` (which ends with '/'). */
function isInside(path: string, root: string): boolean {
  const parts: string[] = [];
  for (const part of path.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') parts.pop();
    else parts.push(part);
  }
  return ('/' + parts.join('/') + '/').startsWith(root) && '/' + parts.join('/') !== root.slice(0, -1);
}
