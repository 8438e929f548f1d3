/**
 * Diagnostics for one agent reply, with positions and quick fixes, for the reply editor and `aiopslab parse`: what
 * the orchestrator would reject (the parser's errors, an unknown API, arguments that do not fit the action's
 * parameters) and what it would accept but was almost certainly not meant (`"ns" "svc"`: Python joins adjacent
 * strings into one). Built from the same parser, action catalog and argument binding the engine uses, so the editor
 * never disagrees with a session about a reply; the messages are the ones the agent would get.
 */
import { actionsForTask, bindArguments, type ActionDefinition } from '../actions';
import { parseResponse, ResponseParsingError, type ParsedAction } from '../parser';
import { TASK_TYPES, type TaskType } from '../tasks/task-type';
import { closestName } from '../text/edit-distance';

export type ReplyDiagnosticCode =
  | ResponseParsingError['code']
  | 'adjacent-strings'
  | 'unknown-api'
  | 'missing-argument'
  | 'extra-argument'
  | 'unexpected-keyword'
  | 'argument-type';

const CALL_CHECKS: ReadonlySet<ReplyDiagnosticCode> = new Set(['adjacent-strings', 'unknown-api', 'missing-argument', 'extra-argument', 'unexpected-keyword', 'argument-type']);

/** The parser rejected the reply (rather than: a call of an unknown API, or arguments that do not fit). */
export function isParserDiagnostic(d: ReplyDiagnostic): boolean {
  return !CALL_CHECKS.has(d.code);
}

export interface TextEdit { start: number; end: number; text: string }

export interface ReplyDiagnostic {
  severity: 'error' | 'warning';
  code: ReplyDiagnosticCode;
  /** Plain text (no Markdown fences), as an editor shows it. */
  message: string;
  /** Offsets in the reply (CRLF counted as one character, as the parser sees it). */
  start: number;
  end: number;
  /** 1-based. */
  line: number;
  column: number;
  fix?: { title: string; edits: TextEdit[] };
}

export interface DiagnoseOptions {
  /** The task whose `submit` signature applies; without it a submit is checked against every task's. */
  task?: TaskType;
}

/** Every diagnostic of a reply, in text order (an empty list: the orchestrator would run it as written). */
export function diagnoseReply(reply: string, options: DiagnoseOptions = {}): ReplyDiagnostic[] {
  const text = reply.replace(/\r\n?/g, '\n');
  const at = (d: Omit<ReplyDiagnostic, 'line' | 'column'>): ReplyDiagnostic => ({ ...d, ...lineColumn(text, d.start) });
  let parsed: ParsedAction;
  try {
    // Any name parses inside a code block; which names exist is checked below, with a suggestion.
    parsed = parseResponse(text, { locate: true });
  } catch (e) {
    const err = e instanceof ResponseParsingError ? e : new ResponseParsingError(`Error parsing response: ${(e as Error).message}`, 'internal');
    const start = err.position?.offset ?? 0;
    const lineEnd = text.indexOf('\n', start);
    return [at({ severity: 'error', code: err.code, message: plainMessage(err.message), start, end: Math.max(start + 1, lineEnd < 0 ? text.length : lineEnd) })];
  }
  const loc = parsed.location;
  const out: ReplyDiagnostic[] = [];
  for (const j of loc?.joins ?? []) {
    out.push(at({
      severity: 'warning', code: 'adjacent-strings', start: j.gap, end: j.next,
      message: 'Two strings with no comma between them are joined into one string (Python concatenates adjacent literals). If they are separate arguments, put a comma between them.',
      fix: { title: 'Insert comma', edits: [{ start: j.gap, end: j.gap, text: ',' }] },
    }));
  }
  const known = actionNames(options.task);
  const callStart = loc?.nameStart ?? 0;
  const callEnd = loc?.end ?? text.length;
  if (!known.includes(parsed.api_name)) {
    const nameEnd = callStart + parsed.api_name.length;
    const closest = closestName(parsed.api_name, known);
    out.push(at({
      severity: 'error', code: 'unknown-api', start: callStart, end: loc ? nameEnd : callEnd,
      message: `Invalid action: ${parsed.api_name}. Available actions: ${known.join(', ')}.${closest ? ` Did you mean ${closest}?` : ''}`,
      ...(closest && loc ? { fix: { title: `Change to ${closest}`, edits: [{ start: callStart, end: nameEnd, text: closest }] } } : {}),
    }));
  } else {
    const problem = argumentProblem(parsed, definitionsOf(parsed.api_name, options.task));
    if (problem) {
      const span = problem.span !== undefined ? loc?.argSpans[problem.span] : undefined;
      const [start, end] = span ? [span.start, span.end] : problem.code === 'missing-argument' && loc ? [callEnd - 1, callEnd] : [callStart, callEnd];
      out.push(at({ severity: 'error', code: problem.code, start, end, message: problem.message }));
    }
  }
  return out.sort((a, b) => a.start - b.start);
}

/** The API names a reply may call: the task's, or every task's (they differ only in submit's parameters). */
function actionNames(task: TaskType | undefined): string[] {
  return [...new Set((task ? [task] : TASK_TYPES).flatMap((t) => actionsForTask(t).map((a) => a.name)))];
}

function definitionsOf(name: string, task: TaskType | undefined): ActionDefinition[] {
  const defs = (task ? [task] : TASK_TYPES).map((t) => actionsForTask(t).find((a) => a.name === name)).filter((d): d is ActionDefinition => !!d);
  return [...new Map(defs.map((d) => [JSON.stringify(d.parameters), d])).values()];
}

/**
 * Why the arguments do not bind (undefined when one definition takes them): the first definition's error, with the
 * index of the argument span to mark when one argument is at fault.
 */
function argumentProblem(parsed: ParsedAction, defs: ActionDefinition[]): { code: ReplyDiagnosticCode; message: string; span?: number } | undefined {
  let first: { code: ReplyDiagnosticCode; message: string; span?: number } | undefined;
  for (const def of defs) {
    const bound = bindArguments(def, parsed.args, parsed.kwargs);
    if (bound.ok) return undefined;
    first ??= classify(def, parsed, bound.error);
  }
  return first;
}

function classify(def: ActionDefinition, parsed: ParsedAction, message: string): { code: ReplyDiagnosticCode; message: string; span?: number } {
  const names = def.parameters.map((p) => p.name);
  const spans = parsed.location?.argSpans ?? [];
  if (parsed.args.length > names.length) return { code: 'extra-argument', message, span: names.length };
  const stray = spans.findIndex((s) => s.keyword !== undefined && !names.includes(s.keyword));
  if (stray >= 0) return { code: 'unexpected-keyword', message, span: stray };
  if (/missing required/.test(message)) return { code: 'missing-argument', message };
  // A type error names its parameter: mark that argument, given positionally or by keyword.
  const param = /argument '([^']+)'/.exec(message)?.[1];
  const index = param ? names.indexOf(param) : -1;
  const span = index < 0 ? -1 : spans.findIndex((s, i) => s.keyword === param || (s.keyword === undefined && i === index));
  return { code: 'argument-type', message, ...(span >= 0 ? { span } : {}) };
}

/** Agent-facing messages show examples in Markdown fences; an editor shows plain text, so indent them instead. */
export function plainMessage(message: string): string {
  return message.replace(/\n?(`{3,})[^\n]*\n([\s\S]*?)\n\1/g, (_m, _f, body: string) => `\n${body.split('\n').map((l) => `    ${l}`).join('\n')}`);
}

function lineColumn(text: string, offset: number): { line: number; column: number } {
  const before = text.slice(0, offset);
  const line = before.split('\n').length;
  return { line, column: offset - (before.lastIndexOf('\n') + 1) + 1 };
}
