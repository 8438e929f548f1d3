/**
 * Token counting with a real tokenizer: cl100k_base (js-tiktoken), the encoding the original uses for
 * `in_tokens` / `out_tokens`. The counter itself lives in the core (`src/core/evaluation/tokens.ts`).
 */
import { countTokens } from '../core/evaluation/tokens';

export { countTokens };

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
