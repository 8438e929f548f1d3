/**
 * Public surface of the text-protocol response parser. Pure: no vscode, no I/O.
 * Rules and the decisions on the original's quirks are documented at the top of ./response.ts.
 */
import { ParseOptions, ParsedAction, parseResponse } from './response';
import { ResponseParsingError } from './errors';
import { formatCall, formatString } from './format';

export { ResponseParsingError } from './errors';
export type { ParseErrorCode, ErrorPosition } from './errors';
export { parseResponse, lastParseWork, DEFAULT_KNOWN_APIS, DEFAULT_EXAMPLE_CALL } from './response';
export type { ParsedAction, ParseOptions } from './response';
export { formatCall, formatValue, formatString, fenced } from './format';

/**
 * What `aiopslab parse [--json]` prints: `{api_name, args, kwargs, context}` with exit code 0, or
 * `{error}` with exit code 1. The CLI prints `JSON.stringify(json)` and exits with `exitCode`.
 */
export function parseCommandOutput(stdinText: string, options?: ParseOptions): { exitCode: number; json: object } {
  try {
    const a = parseResponse(stdinText, options);
    return { exitCode: 0, json: { api_name: a.api_name, ...asOriginalPrintsArguments(a.api_name, a.args, a.kwargs), context: a.context } };
  } catch (e) {
    const message = e instanceof ResponseParsingError ? e.message : `Error parsing response: ${String(e)}`;
    return { exitCode: 1, json: { error: message } };
  }
}

/**
 * The original parser reads exec_shell's argument as a string whatever its form, so `exec_shell(command="ls -l")` comes
 * out as args ["ls -l"] and no kwargs; print it that way (the call itself is the same either way).
 */
function asOriginalPrintsArguments(apiName: string, args: unknown[], kwargs: Record<string, unknown>): { args: unknown[]; kwargs: Record<string, unknown> } {
  if (apiName !== 'exec_shell' || args.length > 0 || !('command' in kwargs)) return { args, kwargs };
  const { command, ...rest } = kwargs;
  return { args: [command], kwargs: rest };
}

export interface HumanInputOptions extends ParseOptions {
  /**
   * When the typed line is not an API call (e.g. `kubectl get pods`), send it as `exec_shell("<line>")` instead of
   * letting the parser reject it. Default false (the original sends the line as typed).
   */
  shellFallback?: boolean;
}

/**
 * Turns one line typed in the human REPL into a reply for the orchestrator. As the original CLI:
 * `Action:` + fence + newline + line + newline + fence. A line that already holds a code block is sent as typed.
 * With `shellFallback`, a line that is not a call becomes an exec_shell call.
 */
export function wrapHumanInput(line: string, options?: HumanInputOptions): string {
  if (line.includes('```')) return line;
  const wrapped = 'Action:```\n' + line + '\n```';
  if (!options?.shellFallback) return wrapped;
  const trimmed = line.trim();
  if (trimmed === '' || /^[A-Za-z_][A-Za-z0-9_]*[ \t]*\(/.test(trimmed)) return wrapped;
  try {
    parseResponse(wrapped, options);
    return wrapped;
  } catch {
    return 'Action:```\n' + formatCall('exec_shell', [trimmed]) + '\n```';
  }
}

/**
 * The solution a `submit` call carries: its first positional argument, else its single keyword argument
 * (`submit(has_anomaly="Yes")` → "Yes"; the original stored `[]` there). `given` is false for `submit()` and for
 * several keyword arguments (ambiguous).
 */
export function submittedSolution(action: Pick<ParsedAction, 'args' | 'kwargs'>): { given: boolean; value?: unknown } {
  if (action.args.length > 0) return { given: true, value: action.args[0] };
  const keys = Object.keys(action.kwargs);
  if (keys.length === 1) return { given: true, value: action.kwargs[keys[0]] };
  return { given: false };
}

/** For error messages that quote a user's text as a Python string. */
export const quote = formatString;
