/**
 * A hand-written scanner and recursive-descent parser for one call `name(arg, ..., key=value)` whose arguments are
 * Python literals. It only moves forward through the text (a keyword test re-reads at most one identifier and the
 * blanks after it), every loop advances, and nesting is capped, so its work is linear in the input length. It
 * reports problems by throwing `SyntaxIssue` (an offset plus a short explanation); the response layer turns that
 * into the agent-facing `ResponseParsingError`.
 *
 * Supported values: strings ('…', "…", '''…''', """…""", prefixes r/b/u/f and rb/br/fr/rf in any case, all of
 * Python's escapes except \N{…}, adjacent literals concatenated), ints (decimal, 0x, 0o, 0b, underscores), floats
 * (.5, 1., 1e-3, 1_000.5), unary + and -, True/False/None (and JSON's true/false/null), lists, tuples (→ arrays),
 * dicts (keys → strings). Comments (# …) and line continuations are blanks. Newlines inside string literals are
 * accepted even in single-quoted strings (a common LLM habit with multi-line shell commands).
 */
import { SyntaxIssue } from './errors';

export interface CallNode {
  name: string;
  nameStart: number;
  /** Offset of the `(` after the name. */
  openParen: number;
  args: unknown[];
  kwargs: Record<string, unknown>;
  /** Offset just after the closing `)`. */
  end: number;
  /** Where each argument's text starts and ends (keyword arguments from the keyword), in call order. */
  argSpans: ArgSpan[];
  /**
   * String literals written next to each other without a comma (`"a" "b"`): Python joins them into one string, which
   * is legal but in a call is nearly always a forgotten comma. `gap` is where the comma would go.
   */
  joins: Array<{ gap: number; next: number }>;
}

export interface ArgSpan {
  start: number;
  end: number;
  keyword?: string;
}

export const DEFAULT_MAX_DEPTH = 100;

function isIdentStart(c: number): boolean {
  return (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || c === 95;
}

function isIdentPart(c: number): boolean {
  return (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || c === 95 || (c >= 48 && c <= 57);
}

function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}

/** Python's one-character escapes (`\n`, `\t`, quotes, …), by the character after the backslash. */
const SIMPLE_ESCAPES = new Map<number, string>(
  Object.entries({ '\\': '\\', "'": "'", '"': '"', a: '\x07', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t', v: '\v' }).map(([k, v]) => [k.charCodeAt(0), v]),
);

function hexValue(c: number): number {
  if (c >= 48 && c <= 57) return c - 48;
  if (c >= 97 && c <= 102) return c - 87;
  if (c >= 65 && c <= 70) return c - 55;
  return -1;
}

/** Sets a property even when the key is `__proto__`, so parsed input can never touch an object's prototype. */
export function setOwn(obj: Record<string, unknown>, key: string, value: unknown): void {
  if (key === '__proto__') Object.defineProperty(obj, key, { value, enumerable: true, writable: true, configurable: true });
  else obj[key] = value;
}

/** Shortens a quoted identifier or token for a message. */
export function clip(s: string, max = 60): string {
  return s.length <= max ? s : s.slice(0, max - 1) + '…';
}

/** How a character is named in an error message. */
export function describeChar(c: string | undefined): string {
  if (c === undefined || c === '') return 'the end of the call';
  switch (c) {
    case '\n':
      return 'a line break';
    case '\t':
      return 'a tab';
    case ' ':
      return 'a space';
    case '“':
    case '”':
    case '„':
      return `a curly quote ${c} (use a straight double quote " instead)`;
    case '‘':
    case '’':
      return `a curly quote ${c} (use a straight single quote ' instead)`;
    case '`':
      return 'a backtick ` (strings use quotes " or \', not backticks)';
    default: {
      const code = c.codePointAt(0) ?? 0;
      if (code < 32 || code === 127) return `the control character U+${code.toString(16).toUpperCase().padStart(4, '0')}`;
      return `\`${c}\``;
    }
  }
}

export class CallParser {
  pos: number;
  /** Work counter: characters and tokens examined. Used by the tests to show the parser's work is linear. */
  ops = 0;
  private depth = 0;
  /** Adjacent string literals joined since the last call was returned (see CallNode.joins). */
  private readonly joins: CallNode['joins'] = [];

  constructor(
    readonly src: string,
    start: number,
    readonly end: number,
    private readonly maxDepth: number = DEFAULT_MAX_DEPTH,
  ) {
    this.pos = start;
  }

  private charAt(i: number): string | undefined {
    return i < this.end ? this.src[i] : undefined;
  }

  private code(i: number): number {
    return i < this.end ? this.src.charCodeAt(i) : -1;
  }

  private issue(offset: number, detail: string, code?: SyntaxIssue['code']): SyntaxIssue {
    return new SyntaxIssue(Math.min(offset, this.end), detail, code);
  }

  /** Blanks Python ignores inside brackets: whitespace, line breaks, comments, backslash line continuations. */
  skipTrivia(): void {
    const src = this.src;
    const end = this.end;
    let p = this.pos;
    while (p < end) {
      this.ops++;
      const c = src.charCodeAt(p);
      if (c === 32 || c === 9 || c === 10 || c === 13 || c === 12 || c === 11 || c === 0xa0 || c === 0xfeff) p++;
      else if (c === 35) {
        // '#': comment to the end of the line
        while (p < end && src.charCodeAt(p) !== 10) {
          p++;
          this.ops++;
        }
      } else if (c === 92 && p + 1 < end && src.charCodeAt(p + 1) === 10) p += 2;
      else break;
    }
    this.pos = p;
  }

  private skipInlineSpace(): void {
    while (this.pos < this.end) {
      const c = this.src.charCodeAt(this.pos);
      if (c !== 32 && c !== 9) break;
      this.pos++;
      this.ops++;
    }
  }

  private readIdent(): string | null {
    const start = this.pos;
    if (!isIdentStart(this.code(start))) return null;
    let p = start + 1;
    while (p < this.end && isIdentPart(this.src.charCodeAt(p))) p++;
    this.ops += p - start;
    this.pos = p;
    return this.src.slice(start, p);
  }

  /** True when the text at the current position (after blanks) is `identifier (`; does not move. */
  looksLikeCall(): boolean {
    const save = this.pos;
    this.skipTrivia();
    const name = this.readIdent();
    let ok = false;
    if (name !== null) {
      this.skipInlineSpace();
      ok = this.code(this.pos) === 40;
    }
    this.pos = save;
    return ok;
  }

  atEnd(): boolean {
    return this.pos >= this.end;
  }

  parseCall(): CallNode {
    this.skipTrivia();
    const nameStart = this.pos;
    const name = this.readIdent();
    if (name === null) throw this.issue(nameStart, 'expected an API name such as exec_shell', 'not-a-call');
    this.skipInlineSpace();
    if (this.code(this.pos) !== 40) {
      throw this.issue(this.pos, `expected \`(\` after the API name \`${clip(name)}\``, 'not-a-call');
    }
    const openParen = this.pos;
    this.pos++;
    const args: unknown[] = [];
    const kwargs: Record<string, unknown> = {};
    const argSpans: ArgSpan[] = [];
    let sawKeyword = false;
    for (;;) {
      this.skipTrivia();
      if (this.pos >= this.end) throw this.issue(openParen, `the \`(\` after \`${clip(name)}\` is never closed with \`)\``);
      let c = this.code(this.pos);
      if (c === 41) break;
      if (c === 42) throw this.issue(this.pos, '`*args` and `**kwargs` unpacking is not supported; write the arguments out');
      const argStart = this.pos;
      let keyword: string | null = null;
      if (isIdentStart(c)) {
        const ident = this.readIdent();
        this.skipTrivia();
        if (this.code(this.pos) === 61 && this.code(this.pos + 1) !== 61) {
          keyword = ident;
          this.pos++;
        } else this.pos = argStart;
      }
      const value = this.parseValue();
      if (keyword !== null) {
        if (Object.prototype.hasOwnProperty.call(kwargs, keyword)) {
          throw this.issue(argStart, `the keyword argument \`${clip(keyword)}\` is given twice`);
        }
        setOwn(kwargs, keyword, value);
        sawKeyword = true;
      } else {
        if (sawKeyword) throw this.issue(argStart, 'a positional argument follows a keyword argument; put positional arguments first');
        args.push(value);
      }
      argSpans.push({ start: argStart, end: this.pos, ...(keyword !== null ? { keyword } : {}) });
      this.skipTrivia();
      if (this.pos >= this.end) throw this.issue(openParen, `the \`(\` after \`${clip(name)}\` is never closed with \`)\``);
      c = this.code(this.pos);
      if (c === 44) {
        this.pos++;
        continue;
      }
      if (c === 41) break;
      throw this.issue(this.pos, `expected \`,\` or \`)\` after an argument but found ${describeChar(this.charAt(this.pos))}`);
    }
    this.pos++; // ')'
    return { name, nameStart, openParen, args, kwargs, end: this.pos, argSpans, joins: this.joins.splice(0) };
  }

  parseValue(): unknown {
    this.skipTrivia();
    if (this.pos >= this.end) throw this.issue(this.pos, 'expected a value but the call ends here');
    const c = this.code(this.pos);
    if (c === 34 || c === 39) return this.parseStrings();
    if (isDigit(c) || (c === 46 && isDigit(this.code(this.pos + 1)))) return this.parseNumber();
    if (c === 45 || c === 43) return this.parseSigned();
    if (c === 91) return this.parseSequence(93, 'list');
    if (c === 40) return this.parseParen();
    if (c === 123) return this.parseDict();
    if (isIdentStart(c)) {
      if (this.stringPrefixLength() > 0) return this.parseStrings();
      const start = this.pos;
      const ident = this.readIdent() as string;
      switch (ident) {
        case 'True':
        case 'true':
          return true;
        case 'False':
        case 'false':
          return false;
        case 'None':
        case 'null':
          return null;
      }
      const save = this.pos;
      this.skipInlineSpace();
      const isCall = this.code(this.pos) === 40;
      this.pos = save;
      if (isCall) {
        throw this.issue(start, `a call \`${clip(ident)}(...)\` cannot be an argument; pass plain values (strings, numbers, lists, dicts)`);
      }
      throw this.issue(start, `\`${clip(ident)}\` is not a value; text must be a quoted string, e.g. "${clip(ident)}"`);
    }
    throw this.issue(this.pos, `expected a value but found ${describeChar(this.charAt(this.pos))}`);
  }

  private enter(openPos: number): void {
    if (++this.depth > this.maxDepth) {
      throw this.issue(openPos, `values are nested more than ${this.maxDepth} levels deep`, 'too-deep');
    }
  }

  private parseSequence(close: number, kind: 'list' | 'tuple', first?: { value: unknown }, openPos = this.pos): unknown[] {
    if (first === undefined) {
      this.enter(openPos);
      this.pos++;
    }
    const closeChar = String.fromCharCode(close);
    const openChar = kind === 'list' ? '[' : '(';
    const items: unknown[] = first ? [first.value] : [];
    for (;;) {
      this.skipTrivia();
      if (this.pos >= this.end) throw this.issue(openPos, `the \`${openChar}\` opened here is never closed with \`${closeChar}\``);
      if (this.code(this.pos) === close) break;
      items.push(this.parseValue());
      this.skipTrivia();
      if (this.pos >= this.end) throw this.issue(openPos, `the \`${openChar}\` opened here is never closed with \`${closeChar}\``);
      const c = this.code(this.pos);
      if (c === 44) {
        this.pos++;
        continue;
      }
      if (c === close) break;
      throw this.issue(this.pos, `expected \`,\` or \`${closeChar}\` in the ${kind} but found ${describeChar(this.charAt(this.pos))}`);
    }
    this.pos++;
    this.depth--;
    return items;
  }

  /** `(…)`: an empty tuple, a parenthesised value, or a tuple (→ array). */
  private parseParen(): unknown {
    const openPos = this.pos;
    this.enter(openPos);
    this.pos++;
    this.skipTrivia();
    if (this.code(this.pos) === 41) {
      this.pos++;
      this.depth--;
      return [];
    }
    const value = this.parseValue();
    this.skipTrivia();
    const c = this.code(this.pos);
    if (c === 41) {
      this.pos++;
      this.depth--;
      return value;
    }
    if (c === 44) {
      this.pos++;
      return this.parseSequence(41, 'tuple', { value }, openPos);
    }
    if (this.pos >= this.end) throw this.issue(openPos, 'the `(` opened here is never closed with `)`');
    throw this.issue(this.pos, `expected \`,\` or \`)\` but found ${describeChar(this.charAt(this.pos))}`);
  }

  private parseDict(): Record<string, unknown> {
    const openPos = this.pos;
    this.enter(openPos);
    this.pos++;
    const obj: Record<string, unknown> = {};
    let first = true;
    for (;;) {
      this.skipTrivia();
      if (this.pos >= this.end) throw this.issue(openPos, 'the `{` opened here is never closed with `}`');
      if (this.code(this.pos) === 125) break;
      if (this.code(this.pos) === 42) throw this.issue(this.pos, '`**` unpacking is not supported inside a dict; write the entries out');
      const keyPos = this.pos;
      const key = this.parseValue();
      this.skipTrivia();
      const c = this.code(this.pos);
      if (c !== 58) {
        if (first && (c === 44 || c === 125)) {
          throw this.issue(openPos, 'sets like {a, b} are not supported; use a list [a, b] or a dict {"key": value}');
        }
        if (this.pos >= this.end) throw this.issue(openPos, 'the `{` opened here is never closed with `}`');
        throw this.issue(this.pos, `expected \`:\` after a dict key but found ${describeChar(this.charAt(this.pos))}`);
      }
      this.pos++;
      const value = this.parseValue();
      setOwn(obj, this.dictKey(key, keyPos), value);
      first = false;
      this.skipTrivia();
      if (this.pos >= this.end) throw this.issue(openPos, 'the `{` opened here is never closed with `}`');
      const d = this.code(this.pos);
      if (d === 44) {
        this.pos++;
        continue;
      }
      if (d === 125) break;
      throw this.issue(this.pos, `expected \`,\` or \`}\` in the dict but found ${describeChar(this.charAt(this.pos))}`);
    }
    this.pos++;
    this.depth--;
    return obj;
  }

  /** Dict keys become strings the way json.dumps writes them (1 → "1", True → "true", None → "null"). */
  private dictKey(key: unknown, keyPos: number): string {
    if (typeof key === 'string') return key;
    if (typeof key === 'number') return String(key);
    if (typeof key === 'boolean') return key ? 'true' : 'false';
    if (key === null) return 'null';
    throw this.issue(keyPos, 'dict keys must be strings or numbers');
  }

  private parseSigned(): number {
    const start = this.pos;
    let negative = false;
    while (this.pos < this.end) {
      const c = this.code(this.pos);
      if (c === 45) negative = !negative;
      else if (c !== 43) break;
      this.pos++;
      this.skipTrivia();
    }
    const c = this.code(this.pos);
    if (!(isDigit(c) || (c === 46 && isDigit(this.code(this.pos + 1))))) {
      throw this.issue(start, `a sign must be followed by a number but found ${describeChar(this.charAt(this.pos))}`);
    }
    const n = this.parseNumber();
    return negative ? -n : n;
  }

  /** Reads digits and single underscores between digits; returns the digits without underscores. */
  private readDigits(isOk: (c: number) => boolean): string {
    const start = this.pos;
    let p = start;
    let prevDigit = false;
    let clean = true;
    while (p < this.end) {
      const c = this.src.charCodeAt(p);
      if (isOk(c)) prevDigit = true;
      else if (c === 95 && prevDigit && p + 1 < this.end && isOk(this.src.charCodeAt(p + 1))) {
        prevDigit = false;
        clean = false;
      } else break;
      p++;
    }
    this.ops += p - start;
    this.pos = p;
    const text = this.src.slice(start, p);
    return clean ? text : text.replace(/_/g, '');
  }

  private parseNumber(): number {
    const start = this.pos;
    let value: number;
    const c0 = this.code(start);
    const c1 = this.code(start + 1) | 0x20;
    if (c0 === 48 && (c1 === 120 || c1 === 111 || c1 === 98)) {
      const base = c1 === 120 ? 16 : c1 === 111 ? 8 : 2;
      this.pos += 2;
      if (this.code(this.pos) === 95) this.pos++; // 0x_ff is valid Python
      const digits = this.readDigits((c) => {
        const h = hexValue(c);
        return h >= 0 && h < base;
      });
      if (digits.length === 0) throw this.issue(start, 'invalid number: the base prefix must be followed by digits');
      value = parseInt(digits, base);
    } else {
      let text = this.readDigits(isDigit);
      if (this.code(this.pos) === 46) {
        this.pos++;
        text += '.' + this.readDigits(isDigit);
      }
      const e = this.code(this.pos);
      if (e === 101 || e === 69) {
        let p = this.pos + 1;
        const s = this.code(p);
        if (s === 43 || s === 45) p++;
        if (isDigit(this.code(p))) {
          const sign = s === 45 ? '-' : '';
          this.pos = p;
          text += 'e' + sign + this.readDigits(isDigit);
        }
      }
      value = Number(text);
    }
    const after = this.code(this.pos);
    if (after === 106 || after === 74) throw this.issue(start, 'complex numbers (…j) are not supported');
    if (isIdentPart(after) || after === 46) {
      let p = this.pos;
      while (p < this.end && p - this.pos < 40 && (isIdentPart(this.src.charCodeAt(p)) || this.src.charCodeAt(p) === 46)) p++;
      const token = clip(this.src.slice(start, p));
      throw this.issue(start, `\`${token}\` is not a valid number; if it is text, put it in quotes: "${token}"`);
    }
    if (Number.isNaN(value)) throw this.issue(start, 'invalid number');
    return value;
  }

  /** Length (1 or 2) of a string prefix such as r, b, rb, f at the current position when a quote follows; else 0. */
  private stringPrefixLength(): number {
    const p = this.pos;
    const a = this.code(p) | 0x20;
    if (a !== 114 && a !== 98 && a !== 117 && a !== 102) return 0;
    const n1 = this.code(p + 1);
    if (n1 === 34 || n1 === 39) return 1;
    const b = n1 | 0x20;
    const n2 = this.code(p + 2);
    if (n2 !== 34 && n2 !== 39) return 0;
    if ((a === 114 && (b === 98 || b === 102)) || ((a === 98 || a === 102) && b === 114)) return 2;
    return 0;
  }

  /** One or more adjacent string literals, concatenated as Python does (each join is noted in `joins`). */
  private parseStrings(): string {
    let result = this.parseOneString();
    for (;;) {
      const save = this.pos;
      this.skipTrivia();
      const c = this.code(this.pos);
      if (c === 34 || c === 39 || (isIdentStart(c) && this.stringPrefixLength() > 0)) {
        this.joins.push({ gap: save, next: this.pos });
        result += this.parseOneString();
      } else {
        this.pos = save;
        return result;
      }
    }
  }

  private parseOneString(): string {
    const start = this.pos;
    const prefixLen = this.stringPrefixLength();
    let raw = false;
    let bytes = false;
    let fstring = false;
    for (let i = 0; i < prefixLen; i++) {
      const ch = this.code(start + i) | 0x20;
      if (ch === 114) raw = true;
      else if (ch === 98) bytes = true;
      else if (ch === 102) fstring = true;
    }
    const src = this.src;
    const end = this.end;
    const qpos = start + prefixLen;
    const q = src.charCodeAt(qpos);
    const triple = this.code(qpos + 1) === q && this.code(qpos + 2) === q;
    let p = qpos + (triple ? 3 : 1);
    let chunkStart = p;
    let out = '';
    let hasBrace = false;
    for (;;) {
      if (p >= end) {
        this.ops += p - qpos;
        const quote = triple ? String.fromCharCode(q).repeat(3) : String.fromCharCode(q);
        throw this.issue(start, `this string is never closed; end it with ${quote}`);
      }
      const c = src.charCodeAt(p);
      if (c === q) {
        if (!triple) break;
        if (p + 2 < end && src.charCodeAt(p + 1) === q && src.charCodeAt(p + 2) === q) break;
        p++;
      } else if (c === 92) {
        if (raw) {
          p += 2; // a backslash keeps the next character (even a quote) in a raw string
        } else {
          out += src.slice(chunkStart, p);
          p = this.decodeEscape(p, bytes, (s) => (out += s));
          chunkStart = p;
        }
      } else {
        if (c === 123 || c === 125) hasBrace = true;
        p++;
      }
    }
    out += src.slice(chunkStart, p);
    this.ops += p - qpos;
    this.pos = p + (triple ? 3 : 1);
    if (fstring && hasBrace) {
      throw this.issue(start, 'f-strings with {placeholders} are not supported; write the final text as a plain string');
    }
    return out;
  }

  /** Decodes the escape whose backslash is at `p`; returns the offset after it. */
  private decodeEscape(p: number, bytes: boolean, emit: (s: string) => void): number {
    const src = this.src;
    const c = this.code(p + 1);
    const simple = SIMPLE_ESCAPES.get(c);
    if (simple !== undefined) {
      emit(simple);
      return p + 2;
    }
    switch (c) {
      case 10: // backslash-newline: line continuation, produces nothing
        return p + 2;
      case 120: // \xHH
        return this.hexEscape(p, 2, emit);
      case 117: // \uHHHH
        if (bytes) break;
        return this.hexEscape(p, 4, emit);
      case 85: // \UHHHHHHHH
        if (bytes) break;
        return this.hexEscape(p, 8, emit);
      case 78: // \N{name}
        if (bytes) break;
        throw this.issue(p, '\\N{...} escapes are not supported; write the character itself or use \\uXXXX');
      default:
        if (c >= 48 && c <= 55) {
          let v = 0;
          let q = p + 1;
          while (q < p + 4 && q < this.end && src.charCodeAt(q) >= 48 && src.charCodeAt(q) <= 55) {
            v = v * 8 + (src.charCodeAt(q) - 48);
            q++;
          }
          emit(String.fromCharCode(v));
          return q;
        }
    }
    // Unknown escapes (\d, \|, \., …) keep the backslash, as in Python.
    emit('\\');
    return p + 1;
  }

  private hexEscape(p: number, digits: number, emit: (s: string) => void): number {
    let v = 0;
    for (let i = 0; i < digits; i++) {
      const h = hexValue(this.code(p + 2 + i));
      if (h < 0) {
        const letter = this.src[p + 1];
        throw this.issue(p, `invalid \\${letter} escape: it needs exactly ${digits} hex digits`);
      }
      v = v * 16 + h;
    }
    if (v > 0x10ffff) throw this.issue(p, 'invalid \\U escape: beyond the last Unicode code point');
    emit(String.fromCodePoint(v));
    return p + 2 + digits;
  }
}
