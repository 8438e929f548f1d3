/** A command's arguments split into options (with their values) and positionals, the way its program reads them. */
export interface ParsedArgs {
  options: Array<{ name: string; value?: string }>;
  positionals: string[];
  /** Words after `--` (positionals too, but never options). */
  afterDashes: string[];
}

export interface OptionSyntax {
  /** Short option letters that take a value (attached `-n5` or the next word). */
  shortValue?: string;
  /** Long option names (without `--`) that take a value (`--name=v` or the next word). */
  longValue?: readonly string[];
  /** Long options taking two words (jq's `--arg name value`). */
  longTwoValues?: readonly string[];
  /** Options are recognised only before the first positional (awk, sed scripts; kubectl exec's command after `--`). */
  stopAtFirstPositional?: boolean;
}

/** Splits `args` with getopt's rules: short clusters (`-rn`), attached values (`-A3`, `--x=v`), `--` ends options. */
export function parseArgs(args: readonly string[], syntax: OptionSyntax): ParsedArgs {
  const parsed: ParsedArgs = { options: [], positionals: [], afterDashes: [] };
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (a === '--') {
      parsed.afterDashes = args.slice(i + 1);
      break;
    }
    if (a.startsWith('--')) {
      const eq = a.indexOf('=');
      const name = eq < 0 ? a.slice(2) : a.slice(2, eq);
      if (eq >= 0) parsed.options.push({ name, value: a.slice(eq + 1) });
      else if (syntax.longTwoValues?.includes(name)) { parsed.options.push({ name, value: `${args[i + 1] ?? ''}=${args[i + 2] ?? ''}` }); i += 2; }
      else if (syntax.longValue?.includes(name)) parsed.options.push({ name, value: args[++i] });
      else parsed.options.push({ name });
      continue;
    }
    if (a.startsWith('-') && a.length > 1) {
      for (let j = 1; j < a.length; j++) {
        const letter = a[j];
        if (syntax.shortValue?.includes(letter)) {
          parsed.options.push({ name: letter, value: j + 1 < a.length ? a.slice(j + 1) : args[++i] });
          break;
        }
        parsed.options.push({ name: letter });
      }
      continue;
    }
    parsed.positionals.push(a);
    if (syntax.stopAtFirstPositional) {
      parsed.positionals.push(...args.slice(i + 1));
      break;
    }
  }
  return parsed;
}
