/**
 * One shell tokenizer for everything that must understand an agent's command line the way bash will: the guarded
 * policy, and the extension's "changes the cluster" check. It is deliberately strict: a construct it does not model
 * exactly (expansions, substitutions, heredocs, subshells, ANSI-C quoting) is reported as a problem rather than
 * guessed at, so no checker ever sees words that differ from what bash runs.
 *
 * Pure: no I/O, no Node imports (the webview bundle uses it too).
 */

export interface ShellWord {
  /** The word after quote removal. */
  text: string;
  /** An unquoted `~` starts the word (bash expands it to a home folder). */
  tilde: boolean;
  /** Unquoted glob characters (`*`, `?`, `[`): bash may replace the word with file names. */
  glob: boolean;
  /** An unquoted brace expansion (`{a,b}`, `{1..3}`): bash turns the word into several. */
  brace: boolean;
}

export interface Redirection {
  /** `>`, `>>`, `>|`, `&>`, `&>>`, `<`, `<>`, `<<<`; descriptor duplications (`2>&1`, `>&2`) are not listed. */
  op: string;
  target: ShellWord;
}

export interface SimpleCommand {
  words: ShellWord[];
  redirections: Redirection[];
}

export type TokenizedCommand = { ok: true; commands: SimpleCommand[] } | { ok: false; problem: string };

export function tokenizeShell(line: string): TokenizedCommand {
  const commands: SimpleCommand[] = [];
  let current: SimpleCommand = { words: [], redirections: [] };
  let word: ShellWord | undefined;
  let pendingRedirect: string | undefined;
  let braceOpen = false;
  const fail = (problem: string): TokenizedCommand => ({ ok: false, problem });
  const start = () => (word ??= { text: '', tilde: false, glob: false, brace: false });
  const endWord = () => {
    if (!word) return;
    if (pendingRedirect) current.redirections.push({ op: pendingRedirect, target: word });
    else current.words.push(word);
    pendingRedirect = undefined;
    word = undefined;
    braceOpen = false;
  };
  const endCommand = (separator: string): string | undefined => {
    endWord();
    if (pendingRedirect) return `the redirection ${pendingRedirect} has no target.`;
    if (current.words.length === 0 && current.redirections.length === 0) {
      if (separator === '\n' || separator === ';' || separator === 'end') return undefined;
      return `an empty command before or after \`${separator}\`.`;
    }
    commands.push(current);
    current = { words: [], redirections: [] };
    return undefined;
  };

  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    const next = line[i + 1];
    if (c === "'") {
      const end = line.indexOf("'", i + 1);
      if (end < 0) return fail('a single quote is not closed.');
      start().text += line.slice(i + 1, end);
      i = end;
      continue;
    }
    if (c === '"') {
      start();
      let j = i + 1;
      for (; j < line.length && line[j] !== '"'; j++) {
        const d = line[j];
        if (d === '\\' && j + 1 < line.length && '$`"\\\n'.includes(line[j + 1])) {
          if (line[j + 1] !== '\n') word!.text += line[j + 1];
          j++;
        } else if (d === '`' || (d === '$' && /[A-Za-z_{(0-9@*#?$!-]/.test(line[j + 1] ?? ''))) {
          return fail(expansionProblem(line, j));
        } else word!.text += d;
      }
      if (j >= line.length) return fail('a double quote is not closed.');
      i = j;
      continue;
    }
    if (c === '\\') {
      if (next === '\n') { i++; continue; }
      if (next === undefined) return fail('the command ends with a backslash.');
      start().text += next;
      i++;
      continue;
    }
    if (c === '`' || (c === '$' && /[A-Za-z_{(0-9@*#?$!'"-]/.test(next ?? ''))) return fail(expansionProblem(line, i));
    if (c === ' ' || c === '\t') { endWord(); continue; }
    if (c === '#' && !word) {
      while (i + 1 < line.length && line[i + 1] !== '\n') i++;
      continue;
    }
    if (c === '(' || c === ')') return fail(line[i - 1] === '<' || line[i - 1] === '>' ? 'process substitution <(...) or >(...) runs commands the check never sees.' : 'subshells and grouping with ( ) are not allowed.');
    if (c === '<' || c === '>' || (c === '&' && next === '>')) {
      // A word of digits right before the operator is the descriptor it applies to (2>file), not an argument.
      if (word && /^\d+$/.test(word.text) && !word.tilde && line[i - 1] !== ' ') word = undefined;
      else endWord();
      if (pendingRedirect) return fail(`the redirection ${pendingRedirect} has no target.`);
      let op = c;
      if (c === '&') { op = '&>'; i++; if (line[i + 1] === '>') { op = '&>>'; i++; } }
      else if (c === '>' && (next === '>' || next === '|')) { op += next; i++; }
      else if (c === '<' && next === '<') {
        if (line[i + 2] !== '<') return fail('heredocs (<<) are not allowed; pipe the text in with echo instead.');
        op = '<<<';
        i += 2;
      } else if (c === '<' && next === '>') { op = '<>'; i++; }
      if (line[i + 1] === '(') return fail('process substitution <(...) or >(...) runs commands the check never sees.');
      if ((op === '>' || op === '<') && line[i + 1] === '&') {
        // Descriptor duplication (2>&1, >&2, <&0, >&-) writes nowhere new; `>&file` is `&>file`.
        let j = i + 2;
        while (j < line.length && /[0-9]/.test(line[j])) j++;
        if (j < line.length && line[j] === '-') j++;
        if (j > i + 2 && (j >= line.length || /[\s|;&<>]/.test(line[j]))) { i = j - 1; continue; }
        op = op === '>' ? '&>' : '<';
        i++;
      }
      pendingRedirect = op;
      while (line[i + 1] === ' ' || line[i + 1] === '\t') i++;
      continue;
    }
    if (c === '|' || c === ';' || c === '&' || c === '\n') {
      let op = c;
      if ((c === '|' && (next === '|' || next === '&')) || (c === '&' && next === '&') || (c === ';' && next === ';')) { op += next; i++; }
      if (op === '&') return fail('background jobs (&) are not allowed; run the command in the foreground.');
      if (op === ';;') return fail('`;;` is not a command separator.');
      const problem = endCommand(op);
      if (problem) return fail(problem);
      continue;
    }
    const w = start();
    if (c === '~' && w.text === '') w.tilde = true;
    if (c === '*' || c === '?' || c === '[') w.glob = true;
    if (c === '{') braceOpen = true;
    if (braceOpen && (c === ',' || (c === '.' && next === '.'))) w.brace = true;
    w.text += c;
  }
  const problem = endCommand('end');
  if (problem) return fail(problem);
  return { ok: true, commands };
}

function expansionProblem(line: string, at: number): string {
  const rest = line.slice(at, at + 2);
  if (rest.startsWith('`') || rest === '$(') return 'command substitution ($(...) or backticks) runs commands the check never sees.';
  if (rest === "$'" || rest === '$"') return "ANSI-C and locale quoting ($'...', $\"...\") are not allowed; write the characters themselves.";
  return 'variables and other $ expansions are not allowed; write the value itself (single quotes keep a $ literal).';
}

/** The words of every simple command, for checkers that need no more than that. */
export function commandWords(line: string): string[][] | undefined {
  const tokens = tokenizeShell(line);
  return tokens.ok ? tokens.commands.map((c) => c.words.map((w) => w.text)) : undefined;
}
