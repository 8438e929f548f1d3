/**
 * Inline debugging of agent replies: each fenced block of a document is checked as the orchestrator would check a
 * reply (core/replies/diagnostics: the parser, the action catalog and the argument binding the engine uses), giving
 * the call (for a CodeLens and a hover) and the diagnostics at their exact offsets, with quick fixes.
 * Pure: the vscode side maps offsets to ranges.
 */
import { parseResponse } from '../../core/parser';
import { diagnoseReply, isParserDiagnostic, type ReplyDiagnostic } from '../../core/replies/diagnostics';
import type { TaskType } from '../../core/tasks/task-type';
import { formatAction } from './transcript-model';

export interface ReplyBlock {
  /** Offsets of the whole fenced block in the document. */
  start: number;
  end: number;
  text: string;
  call?: { name: string; args: unknown[]; kwargs: Record<string, unknown>; text: string };
  /** Offsets in the document; the parser's own error (if any) is the one with its code among them. */
  diagnostics: ReplyDiagnostic[];
}

// A fenced block as agents write them: the opening fence at the start of a line or after text on it ("Action:```", the
// form the text protocol's own wrapping and many models use), an optional info string, then everything up to the
// next fence of the same length (on its own line or right after the last call, "...)```").
const FENCED = /(`{3,})[^\n`]*\n[\s\S]*?\1(?!`)/g;

export function analyseReplies(doc: string, options: { task?: TaskType } = {}): ReplyBlock[] {
  const text = doc.replace(/\r\n/g, '\n');
  const out: ReplyBlock[] = [];
  for (const m of text.matchAll(FENCED)) {
    const start = m.index ?? 0;
    const end = start + m[0].length;
    const block = text.slice(start, end);
    const shift = (d: ReplyDiagnostic): ReplyDiagnostic => ({
      ...d,
      start: start + d.start,
      end: Math.min(end, start + d.end),
      ...(d.fix ? { fix: { title: d.fix.title, edits: d.fix.edits.map((e) => ({ ...e, start: start + e.start, end: start + e.end })) } } : {}),
    });
    const item: ReplyBlock = { start, end, text: block, diagnostics: diagnoseReply(block, options).map(shift) };
    if (!item.diagnostics.some((d) => isParserDiagnostic(d))) {
      const parsed = parseResponse(block);
      item.call = { name: parsed.api_name, args: parsed.args, kwargs: parsed.kwargs, text: formatAction({ name: parsed.api_name, args: parsed.args, kwargs: parsed.kwargs }) };
    }
    out.push(item);
  }
  return out;
}

/**
 * A hover text for a parsed call: the call with its positional and keyword arguments. Blocks the parser rejects get
 * none: VS Code already shows the diagnostic's message in the hover, and saying it twice helps nobody.
 */
export function hoverMarkdown(block: ReplyBlock): string | undefined {
  const c = block.call;
  if (!c) return undefined;
  const args = c.args.map((a, i) => `- arg ${i}: \`${JSON.stringify(a)}\``).join('\n') || '- (no positional arguments)';
  const kwargs = Object.entries(c.kwargs).map(([k, v]) => `- ${k} = \`${JSON.stringify(v)}\``).join('\n') || '- (no keyword arguments)';
  return `**${c.name}** — \`${c.text}\`\n\nargs:\n${args}\n\nkwargs:\n${kwargs}`;
}
