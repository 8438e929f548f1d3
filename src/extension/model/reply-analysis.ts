/**
 * Inline debugging of agent replies: each fenced block of a document is parsed as the orchestrator would parse a
 * reply, giving the call (for a CodeLens and a hover) or the parser's error at its exact offset (for a diagnostic).
 * Pure: the vscode side maps offsets to ranges.
 */
import { parseResponse, ResponseParsingError } from '../../core/parser';
import { formatAction } from './transcript-model';

export interface ReplyBlock {
  /** Offsets of the whole fenced block in the document. */
  start: number;
  end: number;
  text: string;
  call?: { name: string; args: unknown[]; kwargs: Record<string, unknown>; text: string };
  error?: { message: string; code: string; start: number; end: number };
}

// A fenced block as agents write them: the opening fence at the start of a line or after text on it ("Action:```", the
// form the text protocol's own wrapping and many models use), an optional info string, then everything up to the
// next fence of the same length (on its own line or right after the last call, "...)```").
const FENCED = /(`{3,})[^\n`]*\n[\s\S]*?\1(?!`)/g;

export function analyseReplies(doc: string): ReplyBlock[] {
  const text = doc.replace(/\r\n/g, '\n');
  const out: ReplyBlock[] = [];
  for (const m of text.matchAll(FENCED)) {
    const start = m.index ?? 0;
    const end = start + m[0].length;
    const block = text.slice(start, end);
    const item: ReplyBlock = { start, end, text: block };
    try {
      const parsed = parseResponse(block);
      item.call = { name: parsed.api_name, args: parsed.args, kwargs: parsed.kwargs, text: formatAction({ name: parsed.api_name, args: parsed.args, kwargs: parsed.kwargs }) };
    } catch (e) {
      const err = e instanceof ResponseParsingError ? e : new ResponseParsingError(`Error parsing response: ${(e as Error).message}`, 'internal');
      const at = err.position ? start + err.position.offset : start;
      const lineEnd = text.indexOf('\n', at);
      item.error = { message: err.message, code: err.code, start: Math.min(at, end), end: Math.max(Math.min(lineEnd < 0 ? end : lineEnd, end), Math.min(at, end) + 1) };
    }
    out.push(item);
  }
  return out;
}

/** A hover text: the call with its positional and keyword arguments. */
export function hoverMarkdown(block: ReplyBlock): string {
  if (block.error) return `**Parse error** (${block.error.code})\n\n${block.error.message}`;
  const c = block.call!;
  const args = c.args.map((a, i) => `- arg ${i}: \`${JSON.stringify(a)}\``).join('\n') || '- (no positional arguments)';
  const kwargs = Object.entries(c.kwargs).map(([k, v]) => `- ${k} = \`${JSON.stringify(v)}\``).join('\n') || '- (no keyword arguments)';
  return `**${c.name}** — \`${c.text}\`\n\nargs:\n${args}\n\nkwargs:\n${kwargs}`;
}
