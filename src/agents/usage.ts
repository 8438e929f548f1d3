/**
 * Token usage of one agent turn: the API's reported numbers when the response has them, else
 * counted locally with the cl100k_base tokenizer; cost from the price table.
 */
import type { TokenUsage } from '../core/agents/types';
import { countMessageTokens, countTokens } from './tokens';
import { costUsd, DEFAULT_PRICES, type PriceTable } from './prices';

export interface ApiUsage {
  prompt_tokens?: number;
  completion_tokens?: number;
}

export function makeUsage(input: number, output: number, source: TokenUsage['source'], model: string, prices: PriceTable = DEFAULT_PRICES): TokenUsage {
  const usage: TokenUsage = { inputTokens: input, outputTokens: output, source };
  const cost = costUsd(model, input, output, prices);
  if (cost !== undefined) usage.costUsd = cost;
  return usage;
}

/**
 * Usage for a chat completion: `api` when it reports numbers, else the tokenizer over the sent
 * messages and the reply text.
 */
export function usageForCompletion(
  api: ApiUsage | null | undefined,
  sent: ReadonlyArray<{ content?: unknown }>,
  replyText: string,
  model: string,
  prices: PriceTable = DEFAULT_PRICES,
  /** The input token count when already known (e.g. the context's running total). */
  knownInputTokens?: number,
): TokenUsage {
  if (api && typeof api.prompt_tokens === 'number' && typeof api.completion_tokens === 'number') {
    return makeUsage(api.prompt_tokens, api.completion_tokens, 'api', model, prices);
  }
  return makeUsage(knownInputTokens ?? countMessageTokens(sent), countTokens(replyText), 'tokenizer', model, prices);
}

/** Sum of several turns' usage (source: 'api' only if all were, 'tokenizer' if any was counted). */
export function addUsage(a: TokenUsage | undefined, b: TokenUsage | undefined): TokenUsage | undefined {
  if (!a) return b;
  if (!b) return a;
  const source: TokenUsage['source'] = a.source === b.source ? a.source : a.source === 'none' ? b.source : b.source === 'none' ? a.source : 'tokenizer';
  const out: TokenUsage = { inputTokens: a.inputTokens + b.inputTokens, outputTokens: a.outputTokens + b.outputTokens, source };
  if (a.costUsd !== undefined || b.costUsd !== undefined) out.costUsd = (a.costUsd ?? 0) + (b.costUsd ?? 0);
  return out;
}
