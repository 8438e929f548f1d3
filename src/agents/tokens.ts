/**
 * Token counting with a real tokenizer (cl100k_base via js-tiktoken, the encoding the original
 * uses for `in_tokens` / `out_tokens`). Special-token text is counted as ordinary text, like the
 * original's `disallowed_special=()`.
 */
import type { Tiktoken } from 'js-tiktoken';

let encoder: Tiktoken | undefined;

function getEncoder(): Tiktoken {
  if (!encoder) {
    // Loaded lazily: building the rank table costs ~100 ms and is needed only when counting.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { getEncoding } = require('js-tiktoken') as typeof import('js-tiktoken');
    encoder = getEncoding('cl100k_base');
  }
  return encoder;
}

export function countTokens(text: string): number {
  if (!text) return 0;
  return getEncoder().encode(text, [], []).length;
}

/** Per-message overhead of the chat format (role markers), as OpenAI's cookbook counts it. */
export const MESSAGE_OVERHEAD_TOKENS = 4;

export function countMessageTokens(messages: ReadonlyArray<{ content?: unknown }>): number {
  let total = 3;
  for (const m of messages) {
    total += MESSAGE_OVERHEAD_TOKENS;
    if (typeof m.content === 'string') total += countTokens(m.content);
  }
  return total;
}
