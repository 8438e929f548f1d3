/**
 * Prices in USD per 1M tokens for the bundled agents' default models. These are list prices at
 * the time of writing and change often: users override or extend them with a JSON or YAML file
 * (`{ "<model>": { "input": <usd per 1M>, "output": <usd per 1M> } }`, optionally under a top-level
 * `prices:` key) passed as `pricesFile` in the agent options.
 */
import * as fs from 'fs';
import * as path from 'path';
import { parse as parseYaml } from 'yaml';

export interface ModelPrice {
  /** USD per 1M input (prompt) tokens. */
  input: number;
  /** USD per 1M output (completion) tokens. */
  output: number;
}

export type PriceTable = Record<string, ModelPrice>;

export const DEFAULT_PRICES: Readonly<PriceTable> = Object.freeze({
  'gpt-4o': { input: 2.5, output: 10 },
  'gpt-4o-mini': { input: 0.15, output: 0.6 },
  'openai/gpt-4o-mini': { input: 0.15, output: 0.6 },
  'openai/gpt-4o': { input: 2.5, output: 10 },
  'gpt-4-turbo-2024-04-09': { input: 10, output: 30 },
  'anthropic/claude-3.5-sonnet': { input: 3, output: 15 },
  'deepseek-reasoner': { input: 0.55, output: 2.19 },
  'deepseek-chat': { input: 0.27, output: 1.1 },
  'qwq-32b': { input: 0.28, output: 0.84 },
  'llama-3.1-8b-instant': { input: 0.05, output: 0.08 },
});

export class PriceFileError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PriceFileError';
  }
}

/** Parse a price table from JSON or YAML text; `source` names the file in error messages. */
export function parsePriceTable(text: string, source: string): PriceTable {
  let data: unknown;
  try {
    data = source.endsWith('.json') ? JSON.parse(text) : parseYaml(text);
  } catch (e) {
    throw new PriceFileError(`Price file ${source} is not valid ${source.endsWith('.json') ? 'JSON' : 'YAML/JSON'}: ${(e as Error).message}`);
  }
  if (data && typeof data === 'object' && 'prices' in data) data = (data).prices;
  if (!data || typeof data !== 'object' || Array.isArray(data)) {
    throw new PriceFileError(`Price file ${source} must map model names to { input, output } (USD per 1M tokens).`);
  }
  const table: PriceTable = {};
  for (const [model, v] of Object.entries(data as Record<string, unknown>)) {
    const p = v as Partial<ModelPrice> | null;
    if (!p || typeof p !== 'object' || typeof p.input !== 'number' || typeof p.output !== 'number' || p.input < 0 || p.output < 0) {
      throw new PriceFileError(`Price file ${source}: entry "${model}" must be { input: <USD per 1M tokens>, output: <USD per 1M tokens> } with non-negative numbers.`);
    }
    table[model] = { input: p.input, output: p.output };
  }
  return table;
}

/** The default table overlaid with the user's file (if any). */
export function loadPriceTable(file?: string): PriceTable {
  const table: PriceTable = { ...DEFAULT_PRICES };
  if (!file) return table;
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (e) {
    throw new PriceFileError(`Cannot read price file ${path.resolve(file)}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  return { ...table, ...parsePriceTable(text, file) };
}

/** Price of a model: exact name, then the name without a provider prefix (`openai/gpt-4o` → `gpt-4o`). */
export function priceOf(model: string, table: PriceTable = DEFAULT_PRICES): ModelPrice | undefined {
  if (table[model]) return table[model];
  const slash = model.lastIndexOf('/');
  if (slash >= 0 && table[model.slice(slash + 1)]) return table[model.slice(slash + 1)];
  return undefined;
}

/** Cost in USD, or undefined when the model has no price. */
export function costUsd(model: string, inputTokens: number, outputTokens: number, table: PriceTable = DEFAULT_PRICES): number | undefined {
  const p = priceOf(model, table);
  if (!p) return undefined;
  return (inputTokens * p.input + outputTokens * p.output) / 1_000_000;
}
