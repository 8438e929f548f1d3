/**
 * One chat-completions round trip against a configured OpenAI-compatible endpoint, for the language-model chat
 * provider that puts those endpoints into VS Code's model picker. Part of the heavy bundle (it loads the openai SDK).
 */
import OpenAI from 'openai';
import { resolveSettings } from '../../agents/openai-client';
import { CLIENT_PROFILES } from '../../agents/profiles';

export interface EndpointMessage {
  role: 'user' | 'assistant' | 'tool';
  content: string;
  toolCalls?: Array<{ id: string; name: string; input: unknown }>;
  toolCallId?: string;
}

export interface EndpointTool {
  name: string;
  description: string;
  inputSchema?: object;
}

export interface ResolvedEndpoint {
  name: string;
  model: string;
  baseURL: string;
  apiKey?: string;
  maxTokens: number;
}

/** The endpoint behind a registry name, its key from the environment or the secret store; undefined when unusable. */
export async function resolveEndpoint(name: string, env: NodeJS.ProcessEnv, getSecret: (n: string) => Promise<string | undefined>): Promise<ResolvedEndpoint | { missing: string }> {
  const profile = CLIENT_PROFILES[name];
  if (!profile) return { missing: `unknown agent ${name}` };
  const { settings, apiKey } = resolveSettings(name, { env });
  if (!settings.baseURL) return { missing: `${profile.baseURLEnv} not set` };
  const key = apiKey ?? (profile.apiKeyEnv ? await getSecret(profile.apiKeyEnv) : undefined);
  if (profile.keyRequired && !key) return { missing: `${profile.apiKeyEnv} not set` };
  return { name, model: settings.model, baseURL: settings.baseURL, apiKey: key, maxTokens: settings.maxTokens };
}

export async function endpointChat(
  endpoint: ResolvedEndpoint,
  messages: EndpointMessage[],
  tools: EndpointTool[],
  signal?: AbortSignal,
): Promise<{ text: string; toolCalls: Array<{ id: string; name: string; input: Record<string, unknown> }> }> {
  const client = new OpenAI({ baseURL: endpoint.baseURL, apiKey: endpoint.apiKey ?? 'none', maxRetries: 2, timeout: 120_000 });
  const body: OpenAI.Chat.Completions.ChatCompletionCreateParamsNonStreaming = {
    model: endpoint.model,
    max_tokens: endpoint.maxTokens,
    messages: messages.map((m): OpenAI.Chat.Completions.ChatCompletionMessageParam => {
      if (m.role === 'tool') return { role: 'tool', tool_call_id: m.toolCallId ?? '', content: m.content };
      if (m.role === 'assistant') {
        return {
          role: 'assistant',
          content: m.content || null,
          ...(m.toolCalls?.length ? { tool_calls: m.toolCalls.map((c) => ({ id: c.id, type: 'function' as const, function: { name: c.name, arguments: JSON.stringify(c.input ?? {}) } })) } : {}),
        };
      }
      return { role: 'user', content: m.content };
    }),
    ...(tools.length ? { tools: tools.map((t) => ({ type: 'function' as const, function: { name: t.name, description: t.description, parameters: (t.inputSchema ?? { type: 'object', properties: {} }) as Record<string, unknown> } })) } : {}),
  };
  const completion = await client.chat.completions.create(body, { signal });
  const message = completion.choices[0]?.message;
  const toolCalls = (message?.tool_calls ?? []).flatMap((c) => {
    if (c.type !== 'function') return [];
    let input: Record<string, unknown> = {};
    try {
      input = JSON.parse(c.function.arguments || '{}') as Record<string, unknown>;
    } catch {
      input = {};
    }
    return [{ id: c.id, name: c.function.name, input }];
  });
  return { text: message?.content ?? '', toolCalls };
}
