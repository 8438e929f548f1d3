/**
 * Optional LLM-as-judge (off by default, as in the original): a configured model reads
 * the whole trace and rates the agent's reasoning 1–10 as `[[N]]` with a short rationale.
 * Results are cached per (trace, model) in a JSON file whose path the caller gives, so scoring
 * the same session again makes no request. Nothing is written unless a cache path is given.
 */
import { createHash } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import type { TraceItem } from '../core/session/types';
import { OpenAICompatibleAgent, type OpenAIAgentOptions } from './openai-client';
import { envValue } from './profiles';

export interface JudgeResult {
  reasoning_score: number;
  reasoning_judgement: string;
}

export interface JudgeOptions extends OpenAIAgentOptions {
  /** OpenAI-compatible profile to use (default `gpt`). */
  profile?: string;
  /** JSON cache file; no caching when omitted. */
  cacheFile?: string;
}

export const DEFAULT_JUDGE_MODEL = 'gpt-4-turbo-2024-04-09';

const JUDGE_SYSTEM = [
  'You are an impartial judge. Below is the full trace of an AI agent working on an operations task in a',
  'microservice deployment: what the environment told it and each action it took. Judge the quality of its',
  'reasoning: whether its investigation was purposeful, whether its conclusions follow from what it observed,',
  'and whether its actions were sensible and safe. Explain your judgement briefly in a few sentences, then',
  'give a rating from 1 (poor) to 10 (excellent) in exactly this form: [[N]], for example [[6]].',
].join('\n');

/** The original's rendering: `###<role>:\n<content>\n\n` per trace item. */
export function renderTrace(trace: readonly TraceItem[]): string {
  return trace.map((t) => `###${t.role}:\n${t.content}\n\n`).join('');
}

/** First `[[N]]`, else first `[N]`, else −1. */
export function parseJudgeScore(text: string): number {
  const dbl = /\[\[\s*(\d+(?:\.\d+)?)\s*\]\]/.exec(text);
  if (dbl) return Number(dbl[1]);
  const single = /\[\s*(\d+(?:\.\d+)?)\s*\]/.exec(text);
  if (single) return Number(single[1]);
  return -1;
}

export function judgeCacheKey(renderedTrace: string, model: string): string {
  return createHash('sha256').update(model).update('\u0000').update(renderedTrace).digest('hex');
}

interface CacheEntry extends JudgeResult {
  model: string;
  at: string;
}

function readCache(file: string): Record<string, CacheEntry> {
  try {
    const data = JSON.parse(fs.readFileSync(file, 'utf8')) as unknown;
    return data && typeof data === 'object' && !Array.isArray(data) ? (data as Record<string, CacheEntry>) : {};
  } catch {
    return {};
  }
}

function writeCache(file: string, cache: Record<string, CacheEntry>): void {
  fs.mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, JSON.stringify(cache, null, 2));
  fs.renameSync(tmp, file);
}

export class LlmJudge {
  private readonly agent: OpenAICompatibleAgent;
  private readonly cacheFile?: string;
  /** Requests actually sent (cache misses). */
  requests = 0;

  constructor(options: JudgeOptions = {}) {
    const env = options.env ?? process.env;
    const { profile = 'gpt', cacheFile, ...rest } = options;
    this.cacheFile = cacheFile;
    this.agent = new OpenAICompatibleAgent(profile, {
      model: DEFAULT_JUDGE_MODEL,
      temperature: 0,
      topP: 0.95,
      maxTokens: 1024,
      timeoutMs: 60_000,
      // The original judge reads OPENAI_KEY; accept it as well as the profile's variable.
      apiKey: rest.apiKey ?? (profile === 'gpt' ? envValue(env, 'OPENAI_KEY') : undefined),
      name: 'judge',
      ...rest,
      env,
    });
  }

  get model(): string {
    return this.agent.settings.model;
  }

  async judge(trace: readonly TraceItem[], signal?: AbortSignal): Promise<JudgeResult> {
    const rendered = renderTrace(trace);
    const key = judgeCacheKey(rendered, this.model);
    if (this.cacheFile) {
      const hit = readCache(this.cacheFile)[key];
      if (hit && typeof hit.reasoning_score === 'number' && typeof hit.reasoning_judgement === 'string') {
        return { reasoning_score: hit.reasoning_score, reasoning_judgement: hit.reasoning_judgement };
      }
    }
    this.requests += 1;
    const { text } = await this.agent.complete(
      [
        { role: 'system', content: JUDGE_SYSTEM },
        { role: 'user', content: `[Start of the agent's trace]\n${rendered}[End of the agent's trace]` },
      ],
      signal,
    );
    const result: JudgeResult = { reasoning_score: parseJudgeScore(text), reasoning_judgement: text };
    if (this.cacheFile) {
      const cache = readCache(this.cacheFile);
      cache[key] = { ...result, model: this.model, at: new Date().toISOString() };
      writeCache(this.cacheFile, cache);
    }
    return result;
  }
}
