/**
 * One configurable agent for every OpenAI-compatible chat-completions endpoint (OpenAI, DeepSeek,
 * DashScope, vLLM, OpenRouter, Groq, any other). Two protocols:
 *
 * - `text` (the original's): system message = our prompt template, first user message = the
 *   instructions, every observation another user message; returns the reply text for the
 *   orchestrator's parser.
 * - `tools`: the visible actions are offered as OpenAI `tools` built from their JSON schemas; a
 *   tool call comes back as `AgentTurn.toolCall` and the next observation is sent as its `tool`
 *   result. A reply without a tool call is returned as text so the parser can still try it.
 *
 * Requests are retried with exponential back-off on 429, 5xx and timeouts, honouring Retry-After (the policy of
 * ./endpoint-backoff.ts; a 429 pauses every agent of the same endpoint in this process).
 * Failures become an `AgentError` with a message naming the endpoint and what to do; the API key
 * never appears in any message, record or log.
 */
import OpenAI from 'openai';
import type { Agent, AgentContext, AgentTurn, ToolCall, TokenUsage } from '../core/agents/types';
import type { ActionDefinition } from '../core/actions/types';
import { toJsonSchema } from '../core/actions';
import { AgentError, redact } from './errors';
import { ChatContext, DEFAULT_CONTEXT_BUDGET_TOKENS, type ContextMessage } from './context';
import { renderSystemPrompt, visibleApiNames } from './prompts';
import { CLIENT_PROFILES, envValue, type ClientProfile } from './profiles';
import { loadPriceTable, type PriceTable } from './prices';
import { usageForCompletion } from './usage';
import { endpointBackoff, sleep } from './endpoint-backoff';

export type AgentProtocol = 'text' | 'tools';

/** Returns a stored secret (e.g. VS Code SecretStorage) by its name, e.g. `OPENAI_API_KEY`. */
export type SecretGetter = (name: string) => string | undefined | Promise<string | undefined>;

export interface RetryInfo {
  attempt: number;
  waitMs: number;
  reason: string;
}

export interface OpenAIAgentOptions {
  model?: string;
  baseURL?: string;
  /** Explicit key; otherwise the profile's environment variable, then `getSecret`. */
  apiKey?: string;
  getSecret?: SecretGetter;
  temperature?: number;
  topP?: number;
  maxTokens?: number;
  /** Per-request timeout in ms (default 120,000). */
  timeoutMs?: number;
  /** Retries after the first attempt on 429 / 5xx / timeout (default 3). */
  maxRetries?: number;
  /** First back-off wait in ms, doubled per retry (default 1,000). */
  backoffBaseMs?: number;
  /** Upper bound for any wait, including a server's Retry-After (default 60,000). */
  maxBackoffMs?: number;
  protocol?: AgentProtocol;
  /** Show the telemetry APIs too (DOCS); default shell + submit only (DOCS_SHELL_ONLY). */
  showAllApis?: boolean;
  /** Use streamed responses (default: per profile; qwen streams). */
  stream?: boolean;
  contextBudgetTokens?: number;
  maxObservationTokens?: number;
  dedupLogs?: boolean;
  prices?: PriceTable;
  /** JSON/YAML file overriding the price table. */
  pricesFile?: string;
  /** Environment to read variables from (default `process.env`). */
  env?: NodeJS.ProcessEnv;
  /** Agent name as recorded in sessions (default `<profile>`). */
  name?: string;
  /** Called before each retry wait. */
  onRetry?: (info: RetryInfo) => void;
  /** Extra fields merged into every request body (e.g. provider-specific options). */
  extraBody?: Record<string, unknown>;
  /** Name of the output-limit field: `max_tokens` (default) or `max_completion_tokens` (newer OpenAI reasoning models). */
  maxTokensParam?: 'max_tokens' | 'max_completion_tokens';
  /** Send temperature and top_p (default true; reasoning models that reject them need false). */
  sendSampling?: boolean;
}

/** The resolved settings of an agent, safe to record: the key is never part of it. */
export interface OpenAIAgentSettings {
  profile: string;
  model: string;
  baseURL: string;
  apiKeyEnv?: string;
  apiKeySet: boolean;
  temperature: number;
  topP: number;
  maxTokens: number;
  timeoutMs: number;
  maxRetries: number;
  backoffBaseMs: number;
  maxBackoffMs: number;
  protocol: AgentProtocol;
  showAllApis: boolean;
  stream: boolean;
  contextBudgetTokens?: number;
  maxObservationTokens?: number;
  dedupLogs: boolean;
  maxTokensParam: 'max_tokens' | 'max_completion_tokens';
  sendSampling: boolean;
}

const DEFAULTS = {
  temperature: 0.5,
  topP: 0.95,
  timeoutMs: 120_000,
  maxRetries: 3,
  backoffBaseMs: 1_000,
  maxBackoffMs: 60_000,
};

export function actionsToTools(actions: readonly ActionDefinition[]): OpenAI.Chat.Completions.ChatCompletionTool[] {
  return actions.map((def) => ({
    type: 'function' as const,
    function: {
      name: def.name,
      description: def.doc.trim().slice(0, 1024),
      parameters: toJsonSchema(def) as Record<string, unknown>,
    },
  }));
}

/** Resolve a profile + options + environment into settings; the key is returned separately. */
export function resolveSettings(
  profileName: string,
  options: OpenAIAgentOptions = {},
): { settings: OpenAIAgentSettings; apiKey?: string; profile: ClientProfile } {
  const profile = CLIENT_PROFILES[profileName];
  if (!profile) throw new Error(`Unknown OpenAI-compatible profile "${profileName}".`);
  const env = options.env ?? process.env;
  const baseURL = (options.baseURL ?? envValue(env, profile.baseURLEnv) ?? profile.baseURL ?? '').replace(/\/+$/, '');
  const apiKey = options.apiKey ?? envValue(env, profile.apiKeyEnv);
  const settings: OpenAIAgentSettings = {
    profile: profile.name,
    model: options.model ?? envValue(env, profile.modelEnv) ?? profile.defaultModel,
    baseURL,
    apiKeyEnv: profile.apiKeyEnv,
    apiKeySet: apiKey !== undefined,
    temperature: options.temperature ?? DEFAULTS.temperature,
    topP: options.topP ?? DEFAULTS.topP,
    maxTokens: options.maxTokens ?? profile.maxTokens,
    timeoutMs: options.timeoutMs ?? DEFAULTS.timeoutMs,
    maxRetries: options.maxRetries ?? DEFAULTS.maxRetries,
    backoffBaseMs: options.backoffBaseMs ?? DEFAULTS.backoffBaseMs,
    maxBackoffMs: options.maxBackoffMs ?? DEFAULTS.maxBackoffMs,
    protocol: options.protocol ?? 'text',
    showAllApis: options.showAllApis ?? false,
    stream: options.stream ?? profile.stream ?? false,
    contextBudgetTokens: options.contextBudgetTokens,
    maxObservationTokens: options.maxObservationTokens,
    dedupLogs: options.dedupLogs ?? true,
    maxTokensParam: options.maxTokensParam ?? 'max_tokens',
    sendSampling: options.sendSampling ?? true,
  };
  return { settings, apiKey, profile };
}

/** Parse a Retry-After / retry-after-ms header into milliseconds (seconds or an HTTP date). */
export function parseRetryAfter(headers: { get(name: string): string | null } | undefined, now = Date.now()): number | undefined {
  if (!headers) return undefined;
  const ms = headers.get('retry-after-ms');
  if (ms !== null && ms.trim() !== '' && Number.isFinite(Number(ms))) return Math.max(0, Number(ms));
  const ra = headers.get('retry-after');
  if (ra === null || ra.trim() === '') return undefined;
  const secs = Number(ra.trim());
  if (Number.isFinite(secs)) return Math.max(0, secs * 1000);
  const date = Date.parse(ra);
  if (Number.isFinite(date)) return Math.max(0, date - now);
  return undefined;
}

interface Completion {
  text: string;
  toolCalls: Array<{ id: string; name: string; arguments: string }>;
  usage?: { prompt_tokens?: number; completion_tokens?: number };
}

export class OpenAICompatibleAgent implements Agent {
  readonly name: string;
  readonly settings: OpenAIAgentSettings;
  readonly #apiKey?: string;
  readonly #getSecret?: SecretGetter;
  readonly #profile: ClientProfile;
  readonly #prices: PriceTable;
  readonly #onRetry?: (info: RetryInfo) => void;
  readonly #extraBody?: Record<string, unknown>;
  #client?: OpenAI;
  #clientKey?: string;
  #context: ChatContext;
  #tools: OpenAI.Chat.Completions.ChatCompletionTool[] = [];
  #pendingToolCallId?: string;
  #step = 0;
  #initialised = false;
  /** Usage summed over the episode. */
  totalUsage: TokenUsage = { inputTokens: 0, outputTokens: 0, source: 'none' };

  constructor(profileName: string, options: OpenAIAgentOptions = {}) {
    const { settings, apiKey, profile } = resolveSettings(profileName, options);
    this.settings = settings;
    this.#apiKey = apiKey;
    this.#getSecret = options.getSecret;
    this.#profile = profile;
    this.name = options.name ?? profile.name;
    this.#prices = options.prices ?? loadPriceTable(options.pricesFile);
    this.#onRetry = options.onRetry;
    this.#extraBody = options.extraBody;
    this.#context = this.#newContext();
  }

  #newContext(): ChatContext {
    return new ChatContext({
      budgetTokens: this.settings.contextBudgetTokens,
      maxObservationTokens: this.settings.maxObservationTokens,
      dedupLogs: this.settings.dedupLogs,
    });
  }

  get endpoint(): string {
    return `${this.settings.baseURL}/chat/completions`;
  }

  /** The messages the next request would carry (for tests and transcripts). */
  get messages(): ContextMessage[] {
    return this.#context.messages();
  }

  get tools(): OpenAI.Chat.Completions.ChatCompletionTool[] {
    return this.#tools;
  }

  initContext(context: AgentContext): void {
    const visible = visibleApiNames(context.apis, this.settings.showAllApis);
    const apis: Record<string, string> = {};
    for (const n of visible) apis[n] = context.apis[n];
    const system = renderSystemPrompt(context.problemDescription, apis, {
      showAllApis: this.settings.showAllApis,
      protocol: this.settings.protocol,
    });
    this.#context = this.#newContext();
    this.#context.reset(system, context.instructions);
    const byName = new Set(visible);
    const actions = context.actions.filter((a) => byName.has(a.name));
    this.#tools = this.settings.protocol === 'tools' ? actionsToTools(actions.length > 0 ? actions : context.actions) : [];
    this.#pendingToolCallId = undefined;
    this.#step = 0;
    this.#initialised = true;
    this.totalUsage = { inputTokens: 0, outputTokens: 0, source: 'none' };
  }

  async getAction(observation: string, signal?: AbortSignal): Promise<AgentTurn> {
    if (!this.#initialised) {
      throw new AgentError({ kind: 'unknown', retryable: false, message: `Agent ${this.name}: getAction was called before initContext.` });
    }
    this.#step += 1;
    this.#context.addObservation(observation, this.#step, this.#pendingToolCallId);
    this.#pendingToolCallId = undefined;

    const messages = this.#context.messages();
    const inputTokens = this.#context.totalTokens();
    const completion = await this.#requestWithRetries(messages, signal);
    const usage = usageForCompletion(
      completion.usage,
      messages,
      completion.text + completion.toolCalls.map((c) => c.name + c.arguments).join(''),
      this.settings.model,
      this.#prices,
      inputTokens,
    );
    this.#addUsage(usage);

    const call = completion.toolCalls[0];
    if (call) {
      let args: unknown;
      try {
        args = call.arguments.trim() === '' ? {} : JSON.parse(call.arguments);
      } catch {
        args = undefined;
      }
      if (args && typeof args === 'object' && !Array.isArray(args)) {
        // Keep exactly the call we act on, so every tool call in the history gets its result.
        this.#context.addAssistant({
          role: 'assistant',
          content: completion.text || null,
          tool_calls: [{ id: call.id, type: 'function', function: { name: call.name, arguments: call.arguments } }],
        });
        this.#pendingToolCallId = call.id;
        const toolCall: ToolCall = { name: call.name, arguments: args as Record<string, unknown> };
        return { text: completion.text, toolCall, usage };
      }
      const text = `${completion.text ? completion.text + '\n' : ''}Invalid tool call: the arguments of ${call.name} are not a JSON object: ${call.arguments.slice(0, 500)}`;
      this.#context.addAssistant({ role: 'assistant', content: text });
      return { text, usage };
    }
    this.#context.addAssistant({ role: 'assistant', content: completion.text });
    return { text: completion.text, usage };
  }

  /**
   * One chat completion over the given messages with this agent's settings and retries
   * (no prompt template, no context management). Used by the LLM judge.
   */
  async complete(messages: ContextMessage[], signal?: AbortSignal): Promise<{ text: string; usage: TokenUsage }> {
    const completion = await this.#requestWithRetries(messages, signal);
    const usage = usageForCompletion(completion.usage, messages, completion.text, this.settings.model, this.#prices);
    this.#addUsage(usage);
    return { text: completion.text, usage };
  }

  #addUsage(u: TokenUsage): void {
    const t = this.totalUsage;
    t.inputTokens += u.inputTokens;
    t.outputTokens += u.outputTokens;
    t.source = t.source === 'none' || t.source === u.source ? u.source : 'tokenizer';
    if (u.costUsd !== undefined) t.costUsd = (t.costUsd ?? 0) + u.costUsd;
  }

  async #key(): Promise<string | undefined> {
    if (this.#apiKey !== undefined) return this.#apiKey;
    if (this.#getSecret && this.#profile.apiKeyEnv) {
      try {
        const v = await this.#getSecret(this.#profile.apiKeyEnv);
        if (v && v.trim() !== '') return v.trim();
      } catch {
        // A failing secret store is treated like a missing key.
      }
    }
    return undefined;
  }

  async #getClient(): Promise<{ client: OpenAI; key?: string }> {
    if (!this.settings.baseURL) {
      throw new AgentError({
        kind: 'not-configured',
        retryable: false,
        message: `Agent ${this.name} has no endpoint: set ${this.#profile.baseURLEnv ?? 'the base URL'} (e.g. http://localhost:8000/v1) or pass baseURL in the agent options.`,
      });
    }
    const key = await this.#key();
    if (!key && this.#profile.keyRequired) {
      throw new AgentError({
        kind: 'not-configured',
        retryable: false,
        endpoint: this.endpoint,
        message: `Agent ${this.name} needs an API key for ${this.endpoint}: set ${this.#profile.apiKeyEnv} or run "AIOpsLab: Set API Key…".`,
      });
    }
    if (!this.#client || this.#clientKey !== key) {
      this.#client = new OpenAI({
        apiKey: key ?? 'EMPTY',
        baseURL: this.settings.baseURL,
        maxRetries: 0,
        timeout: this.settings.timeoutMs,
      });
      this.#clientKey = key;
    }
    return { client: this.#client, key };
  }

  #requestBody(messages: ContextMessage[]): OpenAI.Chat.Completions.ChatCompletionCreateParamsNonStreaming {
    const body: Record<string, unknown> = {
      model: this.settings.model,
      messages: messages.map((m) => {
        const out: Record<string, unknown> = { role: m.role, content: m.content };
        if (m.tool_calls) out.tool_calls = m.tool_calls;
        if (m.tool_call_id) out.tool_call_id = m.tool_call_id;
        return out;
      }),
      ...(this.settings.sendSampling ? { temperature: this.settings.temperature, top_p: this.settings.topP } : {}),
      [this.settings.maxTokensParam]: this.settings.maxTokens,
      ...(this.#extraBody ?? {}),
    };
    if (this.#tools.length > 0) {
      body.tools = this.#tools;
      body.tool_choice = 'auto';
    }
    return body as unknown as OpenAI.Chat.Completions.ChatCompletionCreateParamsNonStreaming;
  }

  async #requestWithRetries(messages: ContextMessage[], signal?: AbortSignal): Promise<Completion> {
    const { client, key } = await this.#getClient();
    const body = this.#requestBody(messages);
    // Shared with every other agent of this endpoint in the process: a 429 seen by one pauses them all.
    const backoff = endpointBackoff(this.endpoint);
    const cancelled = () => new AgentError({ kind: 'cancelled', retryable: false, endpoint: this.endpoint, message: `Request to ${this.endpoint} was cancelled.` });
    for (let attempt = 0; ; attempt++) {
      try {
        await backoff.ready(signal);
      } catch {
        throw cancelled();
      }
      try {
        return this.settings.stream ? await this.#callStream(client, body, signal) : await this.#callOnce(client, body, signal);
      } catch (e) {
        const err = this.#toAgentError(e, key, attempt + 1);
        const retry = attempt < this.settings.maxRetries && !signal?.aborted && this.#shouldRetry(err);
        if (!retry) throw err;
        const headers = e instanceof OpenAI.APIError ? e.headers : undefined;
        const waitMs = backoff.retryWait(attempt, this.settings, parseRetryAfter(headers), err.kind === 'rate-limited');
        this.#onRetry?.({ attempt: attempt + 1, waitMs, reason: err.message });
        try {
          await sleep(waitMs, signal);
        } catch {
          throw cancelled();
        }
      }
    }
  }

  #shouldRetry(err: AgentError): boolean {
    return err.kind === 'rate-limited' || err.kind === 'server' || err.kind === 'timeout';
  }

  async #callOnce(client: OpenAI, body: OpenAI.Chat.Completions.ChatCompletionCreateParamsNonStreaming, signal?: AbortSignal): Promise<Completion> {
    const res = (await client.chat.completions.create(body, { signal, timeout: this.settings.timeoutMs, maxRetries: 0 })) as unknown;
    if (typeof res === 'string' || res === null || res === undefined || typeof res !== 'object') {
      throw new MalformedResponse(`the response is not a JSON object (got ${typeof res === 'string' ? `text: ${JSON.stringify(res.slice(0, 120))}` : String(res)})`);
    }
    const obj = res as { choices?: unknown; usage?: Completion['usage'] };
    if (!Array.isArray(obj.choices)) throw new MalformedResponse('the response has no "choices" array');
    if (obj.choices.length === 0) throw new EmptyChoices();
    const choice = obj.choices[0] as { message?: { content?: unknown; tool_calls?: unknown } } | undefined;
    const message = choice?.message;
    if (!message || typeof message !== 'object') throw new MalformedResponse('choices[0] has no "message"');
    const text = typeof message.content === 'string' ? message.content : '';
    const toolCalls: Completion['toolCalls'] = [];
    if (Array.isArray(message.tool_calls)) {
      for (const tc of message.tool_calls as Array<{ id?: string; type?: string; function?: { name?: string; arguments?: string } }>) {
        if (tc && tc.function && typeof tc.function.name === 'string') {
          toolCalls.push({ id: tc.id ?? `call_${toolCalls.length}`, name: tc.function.name, arguments: typeof tc.function.arguments === 'string' ? tc.function.arguments : JSON.stringify(tc.function.arguments ?? {}) });
        }
      }
    }
    return { text, toolCalls, usage: obj.usage ?? undefined };
  }

  async #callStream(client: OpenAI, body: OpenAI.Chat.Completions.ChatCompletionCreateParamsNonStreaming, signal?: AbortSignal): Promise<Completion> {
    const stream = await client.chat.completions.create(
      { ...body, stream: true, stream_options: { include_usage: true } } as OpenAI.Chat.Completions.ChatCompletionCreateParamsStreaming,
      { signal, timeout: this.settings.timeoutMs, maxRetries: 0 },
    );
    let text = '';
    let sawChoice = false;
    let usage: Completion['usage'];
    const calls = new Map<number, { id: string; name: string; arguments: string }>();
    for await (const chunk of stream) {
      if (chunk.usage) usage = chunk.usage;
      for (const choice of chunk.choices ?? []) {
        if (choice.index !== 0) continue;
        sawChoice = true;
        const d = choice.delta ?? {};
        if (typeof d.content === 'string') text += d.content;
        for (const tc of d.tool_calls ?? []) {
          const cur = calls.get(tc.index) ?? { id: tc.id ?? `call_${tc.index}`, name: '', arguments: '' };
          if (tc.id) cur.id = tc.id;
          if (tc.function?.name) cur.name += tc.function.name;
          if (tc.function?.arguments) cur.arguments += tc.function.arguments;
          calls.set(tc.index, cur);
        }
      }
    }
    if (!sawChoice) throw new EmptyChoices();
    const toolCalls = [...calls.entries()].sort((a, b) => a[0] - b[0]).map(([, c]) => c).filter((c) => c.name !== '');
    return { text, toolCalls, usage };
  }

  #toAgentError(e: unknown, key: string | undefined, attempts: number): AgentError {
    if (e instanceof AgentError) return e;
    const endpoint = this.endpoint;
    const model = this.settings.model;
    const keyHint = this.#profile.apiKeyEnv ? `set ${this.#profile.apiKeyEnv} or run "AIOpsLab: Set API Key…"` : 'check the API key configured for this endpoint';
    const clean = (s: string) => redact(s, [key, this.#apiKey]).slice(0, 600);
    const make = (kind: AgentError['kind'], retryable: boolean, message: string, status?: number) =>
      new AgentError({ kind, retryable, message: clean(message), endpoint, status, attempts });

    if (e instanceof MalformedResponse) {
      return make('malformed-response', false, `The model endpoint ${endpoint} sent a response that is not a valid chat completion: ${e.message}. Check that the base URL points at an OpenAI-compatible API (usually ending in /v1).`);
    }
    if (e instanceof EmptyChoices) {
      return make('empty-response', true, `The model endpoint ${endpoint} returned no choices for model "${model}" (empty "choices" list). The provider may be overloaded or filtered the request; try again or choose another model.`);
    }
    if (e instanceof SyntaxError) {
      return make('malformed-response', false, `The model endpoint ${endpoint} sent malformed JSON (${e.message}). Check that the base URL points at an OpenAI-compatible API (usually ending in /v1).`);
    }
    if (e instanceof OpenAI.APIUserAbortError) {
      return make('cancelled', false, `Request to ${endpoint} was cancelled.`);
    }
    if (e instanceof OpenAI.APIConnectionTimeoutError) {
      return make('timeout', true, `The model endpoint ${endpoint} did not answer within ${this.settings.timeoutMs} ms (after ${attempts} attempt${attempts === 1 ? '' : 's'}). Check that the server is up and not overloaded, or raise the request timeout.`);
    }
    if (e instanceof OpenAI.APIConnectionError) {
      const cause = describeCause(e);
      return make('unreachable', false, `Cannot reach the model endpoint ${endpoint}${cause ? ` (${cause})` : ''}. Check the base URL and that the server is running and reachable from this machine.`);
    }
    if (e instanceof OpenAI.APIError && typeof e.status === 'number') {
      const status = e.status;
      const detail = serverDetail(e);
      const suffix = detail ? ` Server said: ${detail}` : '';
      if (status === 401) return make('auth', false, `The model endpoint ${endpoint} rejected the API key (HTTP 401): ${keyHint}.${suffix}`, status);
      if (status === 403) return make('forbidden', false, `The model endpoint ${endpoint} refused access (HTTP 403): the key lacks permission for model "${model}" or this region; ${keyHint}.${suffix}`, status);
      if (status === 404) return make('model-not-found', false, `The model endpoint ${endpoint} answered 404: model "${model}" was not found (or the base URL is wrong). Set the model name the provider lists, or fix the base URL.${suffix}`, status);
      if (status === 429) return make('rate-limited', true, `The model endpoint ${endpoint} is rate-limiting requests (HTTP 429) after ${attempts} attempt${attempts === 1 ? '' : 's'}. Wait and retry, or lower the request rate / raise your quota.${suffix}`, status);
      if (status === 408) return make('timeout', true, `The model endpoint ${endpoint} timed out the request (HTTP 408).${suffix}`, status);
      if (status >= 500) return make('server', true, `The model endpoint ${endpoint} had a server error (HTTP ${status}) after ${attempts} attempt${attempts === 1 ? '' : 's'}. Try again later.${suffix}`, status);
      if (/context.{0,20}length|maximum context|too many tokens|context window/i.test(detail)) {
        return make('bad-request', false, `The conversation is longer than the context window of model "${model}" at ${endpoint} (HTTP ${status}). Lower the agent's context budget (contextBudgetTokens, now ${this.settings.contextBudgetTokens ?? DEFAULT_CONTEXT_BUDGET_TOKENS} tokens) or the observation cap.${suffix}`, status);
      }
      if (/max_tokens.*max_completion_tokens|max_completion_tokens/i.test(detail)) {
        return make('bad-request', false, `Model "${model}" at ${endpoint} does not accept max_tokens (HTTP ${status}): set maxTokensParam to "max_completion_tokens" (and sendSampling to false if it rejects temperature).${suffix}`, status);
      }
      return make('bad-request', false, `The model endpoint ${endpoint} rejected the request (HTTP ${status}) for model "${model}".${suffix}`, status);
    }
    const msg = e instanceof Error ? e.message : String(e);
    return make('unknown', false, `Request to the model endpoint ${endpoint} failed: ${msg}`);
  }

  /** A cheap reachability probe: `GET <baseURL>/models` (any HTTP answer counts as reachable). */
  async checkReachable(timeoutMs = 5_000): Promise<{ reachable: boolean; status?: number; message: string }> {
    if (!this.settings.baseURL) return { reachable: false, message: `no base URL configured${this.#profile.baseURLEnv ? ` (set ${this.#profile.baseURLEnv})` : ''}` };
    const key = await this.#key();
    const url = `${this.settings.baseURL}/models`;
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), timeoutMs);
    try {
      const res = await fetch(url, { headers: key ? { Authorization: `Bearer ${key}` } : {}, signal: controller.signal });
      await res.body?.cancel().catch(() => undefined);
      const note = res.status === 401 ? ' (key rejected)' : '';
      return { reachable: true, status: res.status, message: `${url} answered HTTP ${res.status}${note}` };
    } catch (e) {
      const why = controller.signal.aborted ? `no answer within ${timeoutMs} ms` : describeCause(e) || 'connection failed';
      return { reachable: false, message: redact(`${url}: ${why}`, [key]) };
    } finally {
      clearTimeout(timer);
    }
  }

  dispose(): void {
    this.#client = undefined;
  }
}

class MalformedResponse extends Error {}
class EmptyChoices extends Error {}

function describeCause(e: unknown): string {
  let cur: unknown = e;
  for (let i = 0; i < 5 && cur; i++) {
    const c = cur as { code?: string; message?: string; cause?: unknown };
    if (typeof c.code === 'string' && /^E[A-Z]+/.test(c.code)) {
      const known: Record<string, string> = {
        ECONNREFUSED: 'connection refused',
        ENOTFOUND: 'host not found',
        EAI_AGAIN: 'DNS lookup failed',
        ECONNRESET: 'connection reset',
        ETIMEDOUT: 'connection timed out',
        EHOSTUNREACH: 'host unreachable',
        ENETUNREACH: 'network unreachable',
      };
      return known[c.code] ?? c.code;
    }
    cur = c.cause;
  }
  return '';
}

function serverDetail(e: InstanceType<typeof OpenAI.APIError>): string {
  const err = e.error as { message?: unknown } | string | undefined;
  if (err && typeof err === 'object' && typeof err.message === 'string') return err.message.slice(0, 200);
  if (typeof err === 'string') return err.slice(0, 200);
  return '';
}
