/**
 * Checks of the small programs agents pass to awk and sed. Both are allowed for text processing only: anything that
 * runs a command, reads another file or writes one is refused. The checks accept a safe subset rather than trying to
 * spot every dangerous form, and look at the raw text, so quoting tricks cannot hide a construct from them.
 */

/** Why an awk program is refused, or undefined when it only filters and prints. */
export function awkProblem(program: string): string | undefined {
  const found = /\b(system|getline|close|fflush|ARGV|ARGC)\b/.exec(program) ?? /@\s*(load|include|namespace)|@[A-Za-z_]/.exec(program);
  if (found) return `awk's \`${found[0].replace(/\s+/g, '')}\` is not allowed: awk may only filter and print its input (pipe it to other allowed programs instead).`;
  if (/\|/.test(program.replace(/\|\|/g, ''))) return 'awk programs may not contain `|` (a pipe to a command); for alternatives in a pattern use `/a/ || /b/`, or filter with grep -E first.';
  const firstBrace = program.search(/[{"]/);
  const gt = /(?<![>])>(?![=])/g;
  for (let m = gt.exec(program); m; m = gt.exec(program)) {
    if (firstBrace >= 0 && m.index > firstBrace) {
      return 'awk may not use `>` inside an action or after a string (it would write a file); compare with `<` (swap the operands) or use `>` only in the pattern before the first `{`.';
    }
  }
  return undefined;
}

const SED_SIMPLE = new Set(['p', 'P', 'd', 'D', 'n', 'N', 'g', 'G', 'h', 'H', 'x', 'l', 'q', 'Q', '=', 'z']);
const SED_FLAGS = /^[gpiImM0-9]*$/;

/**
 * Why a sed script is refused, or undefined when it uses only s///, y///, p, d, q, =, hold-space commands, addresses
 * and { } blocks. Refused: `e` (run a command), `r`/`R` (read a file), `w`/`W` (write one), the `e` and `w` flags of
 * s, and everything this parser does not know (labels, a/i/c text), so it never guesses how sed reads a script.
 */
export function sedProblem(script: string): string | undefined {
  const refuse = (what: string) => `sed ${what} is not allowed: sed may only edit the text it prints (s///, y///, p, d, q, addresses); no e, r, R, w, W or labels.`;
  let i = 0;
  const skipBlank = () => { while (i < script.length && /[\s;]/.test(script[i])) i++; };
  const readDelimited = (delimiter: string): boolean => {
    for (; i < script.length; i++) {
      if (script[i] === '\\') { i++; continue; }
      if (script[i] === '\n') return false;
      if (script[i] === delimiter) { i++; return true; }
    }
    return false;
  };
  const readAddress = (): boolean => {
    if (/[0-9$]/.test(script[i] ?? '')) { while (/[0-9$~+]/.test(script[i] ?? '')) i++; return true; }
    if (script[i] === '/') { i++; if (!readDelimited('/')) return false; while (/[IM]/.test(script[i] ?? '')) i++; return true; }
    if (script[i] === '\\' && script[i + 1]) { const d = script[i + 1]; i += 2; if (!readDelimited(d)) return false; while (/[IM]/.test(script[i] ?? '')) i++; return true; }
    return true;
  };
  while (true) {
    skipBlank();
    if (i >= script.length) return undefined;
    if (script[i] === '#') { while (i < script.length && script[i] !== '\n') i++; continue; }
    if (script[i] === '}') { i++; continue; }
    if (!readAddress()) return refuse('with an unterminated address');
    if (script[i] === ',') { i++; if (!readAddress()) return refuse('with an unterminated address'); }
    while (script[i] === ' ' || script[i] === '!') i++;
    const command = script[i++];
    if (command === undefined) return refuse('with an address and no command');
    if (command === '{') continue;
    if (SED_SIMPLE.has(command)) {
      if (command === 'q' || command === 'Q' || command === 'l') while (/[0-9 ]/.test(script[i] ?? '')) i++;
      if (i < script.length && !/[\s;}#]/.test(script[i])) return refuse(`\`${command}${script[i]}\``);
      continue;
    }
    if (command === 's' || command === 'y') {
      const delimiter = script[i++];
      if (!delimiter || delimiter === '\\' || delimiter === '\n') return refuse(`\`${command}\` without a delimiter`);
      if (!readDelimited(delimiter) || !readDelimited(delimiter)) return refuse(`\`${command}\` that is not closed`);
      if (command === 's') {
        const start = i;
        while (i < script.length && !/[\s;}#]/.test(script[i])) i++;
        const flags = script.slice(start, i);
        if (!SED_FLAGS.test(flags)) return refuse(`s/// flag \`${flags}\``);
      }
      if (i < script.length && !/[\s;}#]/.test(script[i])) return refuse(`text after \`${command}\``);
      continue;
    }
    return refuse(`command \`${command}\``);
  }
}
