import { Tiktoken } from 'js-tiktoken/lite';
import type { TraceItem } from '../session/types';

let encoder: Tiktoken | undefined;

function cl100k(): Tiktoken {
  if (!encoder) {
    // The ranks module is large; load it on first use only. (No typings for this sub-path under node10 resolution.)
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const ranks = require('js-tiktoken/ranks/cl100k_base') as { default?: unknown };
    encoder = new Tiktoken((ranks.default ?? ranks) as ConstructorParameters<typeof Tiktoken>[0]);
  }
  return encoder;
}

/** Number of cl100k_base tokens (the encoding of gpt-3.5-turbo, as the original counts); special tokens count as text. */
export function countTokens(text: string): number {
  if (!text) return 0;
  return cl100k().encode(text, [], []).length;
}

/** The original's common metrics: assistant turns, tokens of everything else, tokens of the assistant's replies. */
export function traceStats(trace: readonly TraceItem[]): { steps: number; in_tokens: number; out_tokens: number } {
  let steps = 0;
  const inParts: string[] = [];
  const outParts: string[] = [];
  for (const item of trace) {
    const content = typeof item.content === 'string' ? item.content : String(item.content ?? '');
    if (item.role === 'assistant') {
      steps++;
      outParts.push(content);
    } else {
      inParts.push(content);
    }
  }
  return { steps, in_tokens: countTokens(inParts.join('')), out_tokens: countTokens(outParts.join('')) };
}
