/**
 * The text-protocol response parser: finds the one API call in an agent's reply.
 *
 * Rules (decisions on the original's quirks are marked PARITY or FIX):
 *
 * - Fences: any run of three or more backticks opens or closes a block; blocks pair up in order. An opening fence
 *   may be indented and may carry a language tag (```python, ```bash, ```tool_code); a closing fence may be
 *   indented or sit at the end of the call's line; a one-line ```call``` block works. (FIX: the original rejects a
 *   tag, an indented closing fence and the one-line form — which is why 16 of its own 17 parser tests fail.) A
 *   block left open at the end of the reply still counts when its content is a call (a reply cut short after the
 *   call). `Action:` is neither required nor in the way, with or without a newline before the fence, nor inside
 *   the block. `print(<known API call>)` in a block (Gemini's tool_code habit) is read as the inner call.
 * - Exactly one call (STRICT, as the original): two blocks that each hold a call, or two calls in one block, are
 *   rejected with the number found. Blocks that hold no call (a YAML excerpt, an output sample) are ignored when
 *   exactly one other block holds the call; a reply whose only blocks hold no call is rejected.
 * - No fence at all: accepted only when the whole reply, or everything after its last `Action:` (the last one that
 *   starts a line is tried first), is exactly one call of a known API name (`options.knownApis`). A malformed
 *   known call there gets its specific error; any other reply without a fence is "no call".
 * - Arguments are Python literals, parsed by a real tokenizer (./literal.ts) for every API — FIX: the original
 *   handles exec_shell by stripping quotes, which rejects `exec_shell("ls", timeout=60)` and deletes every
 *   `command=` inside the command. We accept `exec_shell("…")`, `exec_shell(command="…")` and a `timeout`
 *   (positional or keyword). PARITY kept deliberately: when exec_shell's arguments are not valid Python but are
 *   one quoted run (`exec_shell("kubectl patch … -p '{"spec": 1}'")`, inner quotes unescaped), the command is the
 *   text between the outer quotes with \" and \' unescaped, as the original does; a trailing `, timeout=N` is kept.
 * - exec_shell's command must be a string: `exec_shell(kubectl get pods)` gets an error that shows the user's own
 *   command quoted. Other APIs' argument counts and types are the orchestrator's business ("Invalid action").
 * - Values: -1 and other unary signs, tuples (→ arrays, at any depth), JSON's true/false/null are accepted (FIX:
 *   the original rejects unary minus and nested tuples). Dict keys become strings. Sets, calls, bare names,
 *   f-strings with placeholders and \N{…} escapes are rejected with a message. Numbers are JS numbers (ints
 *   beyond 2^53 lose precision; 1.0 and 1 are the same).
 * - submit: positional and keyword forms both parse; args/kwargs are returned as written. FIX (for the
 *   orchestrator, see `submittedSolution` in ./index.ts): the solution is args[0], or the single keyword value —
 *   the original stores `[]` for `submit(has_anomaly="Yes")`. `submit()` parses to no arguments (fine for
 *   mitigation; the analysis task decides what "no argument" means).
 * - An unknown API name in a fenced block still parses; the orchestrator answers "Invalid action: <name>" as
 *   the original does.
 * - context (PARITY): the text outside the fenced blocks, each segment stripped, empty ones dropped; for an
 *   unfenced call, the text before it (which ends with `Action:` when there is one).
 * - Errors: only ResponseParsingError; its message starts "Error parsing response: " once (FIX: the original
 *   doubles that prefix for argument errors), says what was wrong, where (line and column of the reply) and shows
 *   the corrected or the expected form in a code block. Messages stay short whatever the reply's size (quoted
 *   names and tokens are clipped). `code` and `position` on the error are for programs (CLI, session record).
 * - Work is linear in the reply's length: fences are found with indexOf in one forward sweep, each block is
 *   scanned a bounded number of times, nesting is capped (`maxDepth`, default 100). CRLF is normalised first.
 */
import { ErrorPosition, ParseErrorCode, ResponseParsingError, SyntaxIssue } from './errors';
import { CallParser, DEFAULT_MAX_DEPTH, clip, describeChar, type ArgSpan } from './literal';
import { fenced, formatCall } from './format';

export interface ParsedAction {
  api_name: string;
  args: unknown[];
  kwargs: Record<string, unknown>;
  /** The reply's text outside the code block (the agent's thoughts), segment by segment. */
  context: string[];
  /** Where the call is in the reply (offsets after CRLF normalisation), with `ParseOptions.locate` (editors, linters). */
  location?: CallLocation;
}

/** Offsets of a parsed call's parts in the reply. */
export interface CallLocation {
  nameStart: number;
  openParen: number;
  /** Just after the closing `)`. */
  end: number;
  argSpans: ArgSpan[];
  /** Adjacent string literals Python joined (`"a" "b"`): `gap` is where a comma would separate them. */
  joins: Array<{ gap: number; next: number }>;
}

export const DEFAULT_KNOWN_APIS: readonly string[] = Object.freeze([
  'exec_shell',
  'get_logs',
  'get_metrics',
  'get_traces',
  'read_metrics',
  'read_traces',
  'submit',
]);

export const DEFAULT_EXAMPLE_CALL = 'exec_shell("kubectl get pods -n test-social-network")';

/** A correct call per API, shown when a call to that API has a syntax error. */
const API_EXAMPLES: Record<string, string> = {
  exec_shell: DEFAULT_EXAMPLE_CALL,
  get_logs: 'get_logs("test-social-network", "user-service")',
  get_metrics: 'get_metrics("test-social-network", 5)',
  get_traces: 'get_traces("test-social-network", 5)',
  read_metrics: 'read_metrics("metrics_output/metric_20250101_120000/container/kpi_container_cpu_usage_seconds_total.csv")',
  read_traces: 'read_traces("trace_output/traces_1735732800.csv")',
};

export interface ParseOptions {
  /** Also return where the call and its parts are (`ParsedAction.location`). */
  locate?: boolean;
  /** API names a reply may call without a code block (default: the seven AIOpsLab APIs). */
  knownApis?: readonly string[];
  /** Maximum nesting of lists/dicts/tuples (default 100). */
  maxDepth?: number;
  /** The call shown in "how to reply" examples (default `exec_shell("kubectl get pods -n test-social-network")`). */
  exampleCall?: string;
  /**
   * A correct call per API name, shown after a syntax error in a call to that API (defaults exist for the
   * telemetry APIs and exec_shell; pass the task's submit form, e.g. `{ submit: 'submit(["geo"])' }`).
   */
  examples?: Readonly<Record<string, string>>;
}

interface Work {
  ops: number;
}

let lastWork = 0;

/** Nesting cap for `maxDepth` (recursion stays far from the JS stack limit). */
const MAX_MAX_DEPTH = 1000;

/** Characters and tokens examined by the last `parseResponse` call (for tests that check the work is linear). */
export function lastParseWork(): number {
  return lastWork;
}

interface Block {
  /** Offset of the opening fence. */
  open: number;
  /** Offset just after the closing fence (or the end of the text when the block is never closed). */
  close: number;
  contentStart: number;
  contentEnd: number;
  /** The content starts on the opening fence's line (```call``` or ```python call```). */
  inline: boolean;
}

interface Settings {
  known: ReadonlySet<string> | readonly string[];
  knownList: readonly string[];
  maxDepth: number;
  example: string;
  examples?: Readonly<Record<string, string>>;
}

/** Parses one agent reply into the one API call it makes. Throws only ResponseParsingError. */
export function parseResponse(reply: string, options?: ParseOptions): ParsedAction {
  const work: Work = { ops: 0 };
  try {
    const knownList = options?.knownApis ?? DEFAULT_KNOWN_APIS;
    const settings: Settings = {
      known: knownList.length > 8 ? new Set(knownList) : knownList,
      knownList,
      maxDepth: Math.max(1, Math.min(options?.maxDepth ?? DEFAULT_MAX_DEPTH, MAX_MAX_DEPTH)),
      example: options?.exampleCall ?? DEFAULT_EXAMPLE_CALL,
      examples: options?.examples,
    };
    if (typeof reply !== 'string') {
      throw fail(`your reply is empty. ${howToReply(settings.example)}`, 'no-call');
    }
    const hasCR = reply.indexOf('\r') !== -1;
    work.ops += hasCR ? 2 * reply.length : reply.length;
    const text = hasCR ? normaliseNewlines(reply) : reply;
    const parsed = parseText(text, settings, work);
    if (!options?.locate) delete parsed.location;
    return parsed;
  } catch (e) {
    if (e instanceof ResponseParsingError) throw e;
    throw new ResponseParsingError(
      `Error parsing response: the parser failed on this reply (${safeMessage(e)}). ` + howToReply(options?.exampleCall ?? DEFAULT_EXAMPLE_CALL),
      'internal',
    );
  } finally {
    lastWork = work.ops;
  }
}

/** CRLF and lone CR → LF (split/join is several times faster than a global regex replace on big replies). */
function normaliseNewlines(s: string): string {
  const t = s.split('\r\n').join('\n');
  return t.indexOf('\r') === -1 ? t : t.split('\r').join('\n');
}

function safeMessage(e: unknown): string {
  try {
    return e instanceof Error ? e.message : String(e);
  } catch {
    return 'unknown error';
  }
}

function isKnown(settings: Settings, name: string): boolean {
  const k = settings.known;
  return Array.isArray(k) ? k.includes(name) : (k as ReadonlySet<string>).has(name);
}

function fail(body: string, code: ParseErrorCode, position?: ErrorPosition): ResponseParsingError {
  return new ResponseParsingError('Error parsing response: ' + body, code, position);
}

function howToReply(example: string): string {
  return (
    'Reply with exactly one markdown code block (a line with three backticks, the call, a line with three backticks) ' +
    'containing exactly one API call, for example:\n' +
    fenced(example) +
    '\nYour reasoning may go before the code block, but nothing else goes inside it.'
  );
}

function parseText(text: string, settings: Settings, work: Work): ParsedAction {
  const blocks = findBlocks(text, work);
  if (blocks.length === 0) return parseUnfenced(text, settings, work);

  // Which blocks hold a call?
  const callBlocks: Array<{ block: Block; start: number }> = [];
  for (const block of blocks) {
    const p = new CallParser(text, block.contentStart, block.contentEnd, settings.maxDepth);
    skipActionLabel(p);
    if (block.inline) skipInlineTag(p, work);
    if (p.looksLikeCall()) {
      p.skipTrivia();
      callBlocks.push({ block, start: p.pos });
    }
    work.ops += p.ops + 1;
  }
  if (callBlocks.length === 0) throw notACall(text, blocks, settings);
  if (callBlocks.length > 1) {
    let total = 0;
    for (const cb of callBlocks) total += countCalls(text, cb.start, cb.block.contentEnd, settings, work);
    const first = callBlocks[0];
    throw multipleCalls(text, total, `in ${callBlocks.length} code blocks`, first.start, first.block.contentEnd, settings, work);
  }
  const { block, start } = callBlocks[0];
  const call = parseCallRegion(text, start, block.contentEnd, settings, work, false);
  return { api_name: call.name, args: call.args, kwargs: call.kwargs, context: contextOutside(text, blocks, work), ...located(call) };
}

function located(call: CallResult): Pick<ParsedAction, 'location'> {
  return call.location ? { location: call.location } : {};
}

/** Skips blanks and an `Action:` label at the start of a block's content. */
function skipActionLabel(p: CallParser): void {
  p.skipTrivia();
  if (p.src.startsWith('Action:', p.pos) && p.pos + 7 <= p.end) p.pos += 7;
}

/** ```python exec_shell("ls")``` on one line: skip the tag word when a call follows it after blanks. */
function skipInlineTag(p: CallParser, work: Work): void {
  const text = p.src;
  const word = identAt(text, p.pos, p.end, work);
  if (word === '') return;
  let q = p.pos + word.length;
  if (q >= p.end || (text.charCodeAt(q) !== 32 && text.charCodeAt(q) !== 9)) return;
  while (q < p.end && (text.charCodeAt(q) === 32 || text.charCodeAt(q) === 9)) q++;
  const name = identAt(text, q, p.end, work);
  if (name !== '' && startsCall(text, q + name.length, p.end)) p.pos = q;
}

/** Finds fenced blocks in one forward sweep. */
function findBlocks(text: string, work: Work): Block[] {
  const fences: number[] = []; // pairs: start, end
  let i = 0;
  for (;;) {
    const j = text.indexOf('```', i);
    work.ops += (j < 0 ? text.length : j) - i + 1;
    if (j < 0) break;
    let k = j + 3;
    while (text.charCodeAt(k) === 96) k++;
    work.ops += k - j;
    fences.push(j, k);
    i = k;
  }
  const blocks: Block[] = [];
  for (let f = 0; f < fences.length; f += 4) {
    const open = fences[f];
    const openEnd = fences[f + 1];
    const closed = f + 2 < fences.length;
    const closeStart = closed ? fences[f + 2] : text.length;
    const close = closed ? fences[f + 3] : text.length;
    // Where does the opening fence's line end (within this block)?
    let lineEnd = -1;
    for (let p = openEnd; p < closeStart; p++) {
      if (text.charCodeAt(p) === 10) {
        lineEnd = p;
        break;
      }
    }
    work.ops += (lineEnd < 0 ? closeStart : lineEnd) - openEnd + 1;
    let contentStart = openEnd;
    if (lineEnd >= 0 && isBlankOrTag(text, openEnd, lineEnd)) contentStart = lineEnd + 1;
    blocks.push({ open, close, contentStart, contentEnd: closeStart, inline: contentStart === openEnd });
  }
  return blocks;
}

/** True when text[from, to) is blank or a language tag like `python`, `bash`, `tool_code`, `c++`, `yaml`. */
function isBlankOrTag(text: string, from: number, to: number): boolean {
  let p = from;
  while (p < to && (text.charCodeAt(p) === 32 || text.charCodeAt(p) === 9)) p++;
  let q = to;
  while (q > p && (text.charCodeAt(q - 1) === 32 || text.charCodeAt(q - 1) === 9)) q--;
  for (let i = p; i < q; i++) {
    const c = text.charCodeAt(i);
    const ok =
      (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c >= 48 && c <= 57) || c === 95 || c === 45 || c === 43 || c === 35 || c === 46;
    if (!ok) return false;
  }
  return true;
}

function contextOutside(text: string, blocks: Block[], work: Work): string[] {
  const out: string[] = [];
  let prev = 0;
  for (const b of blocks) {
    pushTrimmed(out, text.slice(prev, b.open));
    prev = b.close;
  }
  pushTrimmed(out, text.slice(prev));
  work.ops += text.length;
  return out;
}

function pushTrimmed(out: string[], s: string): void {
  const t = s.trim();
  if (t.length > 0) out.push(t);
}

interface CallResult {
  name: string;
  args: unknown[];
  kwargs: Record<string, unknown>;
  location?: CallLocation;
}

/**
 * Parses the call that starts at `start` and must be the only thing up to `end` (blanks, comments and one `;`
 * aside). `bare` = no code block around it (changes what trailing text means).
 */
function parseCallRegion(text: string, regionStart: number, end: number, settings: Settings, work: Work, bare: boolean): CallResult {
  // ```tool_code\nprint(exec_shell("ls"))\n``` (a Gemini habit): the call inside print(...) is the call.
  const inner = bare ? -1 : unwrapPrint(text, regionStart, end, settings, work);
  const start = inner >= 0 ? inner : regionStart;
  const p = new CallParser(text, start, end, settings.maxDepth);
  let result: CallResult;
  let callEnd = end;
  let parsed = false;
  try {
    try {
      const call = p.parseCall();
      result = { name: call.name, args: call.args, kwargs: call.kwargs, location: { nameStart: call.nameStart, openParen: call.openParen, end: call.end, argSpans: call.argSpans, joins: call.joins } };
      callEnd = call.end;
      parsed = true;
      if (inner >= 0) {
        p.skipTrivia();
        if (p.pos >= end || text.charCodeAt(p.pos) !== 41) {
          throw new SyntaxIssue(p.pos, `expected \`)\` closing \`print(\` after the call but found ${describeChar(text[p.pos])}`);
        }
        p.pos++;
      }
    } catch (e) {
      if (!(e instanceof SyntaxIssue)) throw e;
      const name = identAt(text, start, end, work);
      // Inside print(...), the region for the original's quote rule ends before print's `)`.
      let innerEnd = end;
      if (inner >= 0) {
        const close = text.lastIndexOf(')', end - 1);
        work.ops += end - Math.max(close, 0);
        if (close > start) innerEnd = close;
      }
      if (name === 'exec_shell' && e.code === 'syntax' && !parsed) {
        const fb = execShellFallback(text, start, innerEnd, work);
        if (fb) return validateExecShell(fb, settings);
      }
      throw syntaxError(text, e, name, settings, start, innerEnd);
    }
    // Only blanks, comments and one optional ';' may follow.
    p.skipTrivia();
    if (p.pos < end && text.charCodeAt(p.pos) === 59) {
      p.pos++;
      p.skipTrivia();
    }
    if (!p.atEnd()) {
      if (p.looksLikeCall()) {
        const more = countCalls(text, p.pos, end, settings, work);
        throw multipleCalls(text, 1 + more, bare ? 'in your reply' : 'in one code block', start, end, settings, work);
      }
      if (bare) {
        throw fail(
          'your reply has no code block, and it does not consist of the API call alone. ' + howToReply(sourceOfCall(text, start, p.pos, settings)),
          'no-call',
        );
      }
      const pos = positionOf(text, p.pos, work);
      const c = text.charCodeAt(p.pos);
      const wordy = (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || c > 127;
      throw fail(
        wordy
          ? `unexpected text after the API call at line ${pos.line}, column ${pos.column} (${snippetOf(text, p.pos)}). ` +
              'The code block must contain only the call; put explanations outside the block. For example:\n' +
              fenced(sourceOfCall(text, start, callEnd, settings))
          : `syntax error after the end of the API call at line ${pos.line}, column ${pos.column} (at ${describeChar(text[p.pos])}): ` +
              'the call already ended with its closing `)`; check that every bracket and quote is balanced.\n' +
              excerpt(text, p.pos) +
              '\nThe call as it stands ends here:\n' +
              fenced(sourceOfCall(text, start, callEnd, settings)),
        'syntax',
        pos,
      );
    }
  } finally {
    work.ops += p.ops;
  }
  if (result.name === 'exec_shell') return validateExecShell(result, settings);
  return result;
}

/** When text[start, end) is `print(<known API>(`, the offset of the inner call; else -1. */
function unwrapPrint(text: string, start: number, end: number, settings: Settings, work: Work): number {
  if (!text.startsWith('print', start)) return -1;
  let p = start + 5;
  while (p < end && (text.charCodeAt(p) === 32 || text.charCodeAt(p) === 9)) p++;
  if (p >= end || text.charCodeAt(p) !== 40) return -1;
  p++;
  while (p < end && isBlank(text.charCodeAt(p))) p++;
  work.ops += p - start;
  const name = identAt(text, p, end, work);
  return name !== '' && isKnown(settings, name) && startsCall(text, p + name.length, end) ? p : -1;
}

/** The source text of a call, trimmed, for use in an example (or the default example when it is long). */
function sourceOfCall(text: string, start: number, end: number, settings: Settings): string {
  if (end - start > 600) return settings.example;
  return text.slice(start, end).trim();
}

function identAt(text: string, start: number, end: number, work: Work): string {
  let p = start;
  while (p < end) {
    const c = text.charCodeAt(p);
    if (!((c >= 97 && c <= 122) || (c >= 65 && c <= 90) || c === 95 || (p > start && c >= 48 && c <= 57))) break;
    p++;
  }
  work.ops += p - start + 1;
  return text.slice(start, p);
}

/** Counts the consecutive calls starting at `start` (a call that fails to parse counts and ends the count). */
function countCalls(text: string, start: number, end: number, settings: Settings, work: Work): number {
  const p = new CallParser(text, start, end, settings.maxDepth);
  let n = 0;
  try {
    while (!p.atEnd() && p.looksLikeCall()) {
      n++;
      try {
        p.parseCall();
      } catch {
        break;
      }
      p.skipTrivia();
      if (p.pos < end && text.charCodeAt(p.pos) === 59) p.pos++;
      p.skipTrivia();
    }
  } finally {
    work.ops += p.ops;
  }
  return n;
}

function multipleCalls(text: string, n: number, where: string, firstStart: number, end: number, settings: Settings, work: Work): ResponseParsingError {
  // Show the first call alone as the corrected reply.
  let first = settings.example;
  const p = new CallParser(text, firstStart, end, settings.maxDepth);
  try {
    const call = p.parseCall();
    first = sourceOfCall(text, firstStart, call.end, settings);
  } catch {
    // keep the default example
  }
  work.ops += p.ops;
  return fail(
    `found ${n} API calls ${where}, but only one call per turn is allowed. ` +
      'Reply with exactly one code block containing exactly one call; you will see its result and can make the next call ' +
      'in your next turn. For example, to make only your first call:\n' +
      fenced(first),
    'multiple-calls',
  );
}

function notACall(text: string, blocks: Block[], settings: Settings): ResponseParsingError {
  // Report the last block that has something in it.
  let content = '';
  for (let i = blocks.length - 1; i >= 0 && content === ''; i--) {
    content = text.slice(blocks[i].contentStart, blocks[i].contentEnd).trim();
  }
  if (content === '') return fail(`the code block in your reply is empty. ${howToReply(settings.example)}`, 'empty-block');
  const nl = content.indexOf('\n');
  const firstLine = (nl < 0 ? content : content.slice(0, nl)).trim();
  const shown = firstLine.length > 120 ? firstLine.slice(0, 117) + '...' : firstLine;
  if (nl < 0 && content.length <= 300) {
    const word = /^[A-Za-z_][A-Za-z0-9_]*$/.test(content) ? content : '';
    if (word !== '' && isKnown(settings, word)) {
      return fail(
        `the code block contains \`${word}\` without parentheses. An API call needs its arguments in parentheses, ` +
          `even when there are none, for example \`${word}()\` or \`${word}("...")\`. ` +
          howToReply(exampleFor(word, settings)),
        'not-a-call',
      );
    }
    if (/^[A-Za-z0-9_./~$]/.test(content)) return fail(
      `the code block contains \`${shown}\`, which is not an API call. Write api_name(arguments); ` +
        'to run a shell command, pass it to exec_shell as one quoted string:\n' +
        fenced(formatCall('exec_shell', [content])),
      'not-a-call',
    );
  }
  return fail(`the code block does not contain an API call (it starts with \`${shown}\`). ${howToReply(settings.example)}`, 'not-a-call');
}

/** No code block: accept the whole reply, or all of it after the last `Action:`, when it is one known call. */
function parseUnfenced(text: string, settings: Settings, work: Work): ParsedAction {
  let s = 0;
  while (s < text.length && isBlank(text.charCodeAt(s))) s++;
  let e = text.length;
  while (e > s && isBlank(text.charCodeAt(e - 1))) e--;
  work.ops += s + (text.length - e);
  if (s >= e) throw fail(`your reply is empty. ${howToReply(settings.example)}`, 'no-call');

  let note = '';
  let firstError: ResponseParsingError | undefined;
  const whole = identAt(text, s, e, work);
  if (whole !== '' && startsCall(text, s + whole.length, e)) {
    if (isKnown(settings, whole)) {
      try {
        const call = parseCallRegion(text, s, e, settings, work, true);
        return { api_name: call.name, args: call.args, kwargs: call.kwargs, context: [], ...located(call) };
      } catch (err) {
        // Keep it; an `Action:` further on may still hold the call (`submit() comes later. Action: exec_shell(…)`).
        if (!(err instanceof ResponseParsingError)) throw err;
        firstError = err;
      }
    } else note = unknownNote(whole, settings);
  }
  // The last `Action:` that starts a line, and the last one anywhere (when different).
  for (const label of actionLabels(text, work)) {
    let a = label + 7;
    while (a < e && isBlank(text.charCodeAt(a))) a++;
    const name = identAt(text, a, e, work);
    if (name === '' || !startsCall(text, a + name.length, e)) continue;
    if (!isKnown(settings, name)) {
      if (note === '') note = unknownNote(name, settings);
      continue;
    }
    try {
      const call = parseCallRegion(text, a, e, settings, work, true);
      const context: string[] = [];
      pushTrimmed(context, text.slice(0, label + 7));
      return { api_name: call.name, args: call.args, kwargs: call.kwargs, context, ...located(call) };
    } catch (err) {
      if (!(err instanceof ResponseParsingError)) throw err;
      if (firstError === undefined) firstError = err;
    }
  }
  if (firstError) throw firstError;
  throw fail(`no API call found in your reply.${note} ${howToReply(settings.example)}`, 'no-call');
}

function unknownNote(name: string, settings: Settings): string {
  return ` (\`${clip(name)}(...)\` is not one of the available APIs: ${settings.knownList.join(', ')}.)`;
}

function isBlank(c: number): boolean {
  return c === 32 || c === 10 || c === 9 || c === 13 || c === 12 || c === 11 || c === 0xa0 || c === 0xfeff;
}

/** After an identifier: optional spaces/tabs, then `(`. */
function startsCall(text: string, p: number, end: number): boolean {
  while (p < end && (text.charCodeAt(p) === 32 || text.charCodeAt(p) === 9)) p++;
  return p < end && text.charCodeAt(p) === 40;
}

/** Offsets of candidate `Action:` labels (any case variant): the last one at a line start, then the last one. */
function actionLabels(text: string, work: Work): number[] {
  let last = -1;
  let lastAtLineStart = -1;
  for (const label of ['Action:', 'action:', 'ACTION:']) {
    let i = text.lastIndexOf(label);
    if (i > last) last = i;
    // Walk back to the last occurrence that starts a line; positions only decrease, so this is one sweep.
    while (i >= 0) {
      let b = i - 1;
      while (b >= 0 && (text.charCodeAt(b) === 32 || text.charCodeAt(b) === 9)) b--;
      if (b < 0 || text.charCodeAt(b) === 10) break;
      i = i > 0 ? text.lastIndexOf(label, b) : -1;
    }
    if (i > lastAtLineStart) lastAtLineStart = i;
  }
  work.ops += 6 * text.length;
  const out: number[] = [];
  if (lastAtLineStart >= 0) out.push(lastAtLineStart);
  if (last >= 0 && last !== lastAtLineStart) out.push(last);
  return out;
}

/**
 * exec_shell whose arguments are not valid Python: the original's rule (one quoted run between `(` and the last
 * `)`, optional `command=` in front, optional `, timeout=N` behind). Returns null when that does not apply.
 */
function execShellFallback(text: string, start: number, end: number, work: Work): CallResult | null {
  const raw = rawShellArguments(text, start, end, work);
  if (raw === null || raw.closed === false) return null;
  const cmd = raw.command;
  const q = cmd.charCodeAt(0);
  if ((q !== 34 && q !== 39) || cmd.length < 2 || cmd.charCodeAt(cmd.length - 1) !== q) return null;
  if (cmd.indexOf('\n') >= 0 || cmd.indexOf('exec_shell(') >= 0) return null;
  const command = cmd.slice(1, -1).replace(/\\(["'])/g, '$1');
  const kwargs: Record<string, unknown> = {};
  if (raw.timeout !== undefined) kwargs.timeout = raw.timeout;
  return { name: 'exec_shell', args: [command], kwargs };
}

interface RawShellArgs {
  /** The argument text with a leading `command=` and a trailing `, timeout=N` removed, trimmed. */
  command: string;
  timeout?: number;
  /** Whether a `)` closes the call with only blanks and comments after it. */
  closed: boolean;
}

function rawShellArguments(text: string, start: number, end: number, work: Work): RawShellArgs | null {
  let open = start;
  while (open < end && text.charCodeAt(open) !== 40) open++;
  if (open >= end) return null;
  let close = text.lastIndexOf(')', end - 1);
  work.ops += end - Math.max(close, 0) + (open - start);
  let closed = close > open;
  if (closed) {
    const after = new CallParser(text, close + 1, end);
    after.skipTrivia();
    work.ops += after.ops;
    if (!after.atEnd()) closed = false;
  } else close = end;
  let raw = text.slice(open + 1, close).trim();
  const kw = /^command\s*=\s*/.exec(raw);
  if (kw) raw = raw.slice(kw[0].length);
  let timeout: number | undefined;
  const comma = raw.lastIndexOf(',');
  if (comma >= 0) {
    const m = /^\s*timeout\s*=\s*(\d+(?:\.\d+)?)\s*$/.exec(raw.slice(comma + 1));
    if (m) {
      timeout = Number(m[1]);
      raw = raw.slice(0, comma).trimEnd();
    }
  }
  return { command: raw, timeout, closed };
}

/** Longest command echoed back in a corrected call; longer ones are shown as a placeholder. */
const MAX_ECHOED_COMMAND = 2000;

/** `exec_shell("<command>")` as the corrected form, with the agent's own command when it is not huge. */
function shellCall(command: unknown, kwargs: Record<string, unknown> = {}): string {
  const text = typeof command === 'string' ? command : formatCall('', [command]).slice(1, -1);
  if (text.length > MAX_ECHOED_COMMAND) {
    const rest = Object.keys(kwargs).map((k) => `, ${k}=${String(kwargs[k])}`).join('');
    return `exec_shell("<your command, as one string in double quotes>"${rest})`;
  }
  return formatCall('exec_shell', [text], kwargs);
}

function validateExecShell(call: CallResult, settings: Settings): CallResult {
  const hasPositional = call.args.length > 0;
  const hasKeyword = Object.prototype.hasOwnProperty.call(call.kwargs, 'command');
  if (hasPositional && hasKeyword) {
    throw fail(
      'exec_shell got its command twice (positionally and as command=). Give it once:\n' + fenced(shellCall(call.args[0])),
      'invalid-argument',
    );
  }
  const command = hasPositional ? call.args[0] : call.kwargs.command;
  if (command === undefined) {
    throw fail('exec_shell needs the shell command to run, as one quoted string, for example:\n' + fenced(settings.example), 'invalid-argument');
  }
  if (typeof command !== 'string') {
    const asText = Array.isArray(command) && command.every((c) => typeof c === 'string') ? command.join(' ') : command;
    throw fail(
      'the command for exec_shell must be a quoted string. Write it as:\n' + fenced(shellCall(asText)),
      'unquoted-command',
    );
  }
  const timeout = call.args.length > 1 ? call.args[1] : call.kwargs.timeout;
  if (timeout !== undefined && (typeof timeout !== 'number' || !(timeout > 0))) {
    throw fail(
      'the timeout for exec_shell must be a positive number of seconds, for example:\n' + fenced(shellCall(command, { timeout: 60 })),
      'invalid-argument',
    );
  }
  return call;
}

function exampleFor(apiName: string, settings: Settings): string {
  const own = settings.examples;
  if (own && Object.prototype.hasOwnProperty.call(own, apiName)) return own[apiName];
  return Object.prototype.hasOwnProperty.call(API_EXAMPLES, apiName) ? API_EXAMPLES[apiName] : settings.example;
}

function syntaxError(text: string, issue: SyntaxIssue, apiName: string, settings: Settings, start: number, end: number): ResponseParsingError {
  const work: Work = { ops: 0 };
  // exec_shell(kubectl get pods): the command is not quoted.
  if (apiName === 'exec_shell' && issue.code === 'syntax') {
    {
      const raw = rawShellArguments(text, start, end, work);
      if (raw !== null && raw.command !== '' && !startsWithStringLiteral(raw.command)) {
        const kwargs: Record<string, unknown> = raw.timeout !== undefined ? { timeout: raw.timeout } : {};
        return fail(
          'the command for exec_shell must be a quoted string. Write it as:\n' + fenced(shellCall(raw.command, kwargs)),
          'unquoted-command',
          positionOf(text, issue.offset, work),
        );
      }
    }
  }
  const pos = positionOf(text, issue.offset, work);
  const at = describeChar(issue.offset < text.length ? text[issue.offset] : undefined);
  const where = 'in your API call';
  const example = exampleFor(apiName, settings);
  return fail(
    `syntax error ${where} at line ${pos.line}, column ${pos.column} (at ${at}): ${issue.detail}.\n` +
      excerpt(text, issue.offset) +
      '\nWrite the call in Python syntax: api_name(arg1, arg2, key=value), with text in quotes, numbers, True/False/None, ' +
      'lists [...] and dicts {...}. For example:\n' +
      fenced(example),
    issue.code === 'too-deep' ? 'too-deep' : 'syntax',
    pos,
  );
}

function startsWithStringLiteral(s: string): boolean {
  const m = /^(?:[rRbBuUfF]|[rR][bBfF]|[bBfF][rR])?["']/.exec(s);
  return m !== null;
}

function positionOf(text: string, offset: number, work: Work): ErrorPosition {
  let line = 1;
  let lineStart = 0;
  for (let i = text.indexOf('\n'); i >= 0 && i < offset; i = text.indexOf('\n', i + 1)) {
    line++;
    lineStart = i + 1;
  }
  work.ops += offset;
  return { offset, line, column: offset - lineStart + 1 };
}

/** A short quote of the text at an offset. */
function snippetOf(text: string, offset: number): string {
  const s = text.slice(offset, offset + 40).split('\n')[0];
  return s === '' ? describeChar(text[offset]) : '`' + s + (text.length > offset + 40 ? '…' : '') + '`';
}

/** The line holding `offset`, cut to about 80 characters around it, with a caret under the offset. */
function excerpt(text: string, offset: number): string {
  const lineStart = text.lastIndexOf('\n', offset - 1) + 1;
  let lineEnd = text.indexOf('\n', offset);
  if (lineEnd < 0) lineEnd = text.length;
  const from = Math.max(lineStart, offset - 50);
  const to = Math.min(lineEnd, offset + 30);
  const line = (from > lineStart ? '…' : '') + text.slice(from, to) + (to < lineEnd ? '…' : '');
  const caretCol = offset - from + (from > lineStart ? 1 : 0);
  return '    ' + line.replace(/\t/g, ' ') + '\n    ' + ' '.repeat(caretCol) + '^';
}
