/**
 * The OpenAI-compatible clients of the original, by registry name, with their defaults.
 * Options passed at creation time override every field.
 */

export interface ClientProfile {
  name: string;
  description: string;
  defaultModel: string;
  /** Environment variable that overrides the model. */
  modelEnv?: string;
  /** Default base URL (omitted when it must come from `baseURLEnv`). */
  baseURL?: string;
  /** Environment variable that sets the base URL. */
  baseURLEnv?: string;
  /** Environment variable (and secret name) holding the API key. */
  apiKeyEnv?: string;
  /** Whether the endpoint needs a key at all (local servers do not). */
  keyRequired: boolean;
  maxTokens: number;
  /** Use streaming responses (DashScope's QwQ models only answer streamed). */
  stream?: boolean;
}

export const CLIENT_PROFILES: Readonly<Record<string, ClientProfile>> = Object.freeze({
  gpt: {
    name: 'gpt',
    description: 'OpenAI chat completions',
    defaultModel: 'gpt-4o',
    baseURL: 'https://api.openai.com/v1',
    apiKeyEnv: 'OPENAI_API_KEY',
    keyRequired: true,
    maxTokens: 1024,
  },
  deepseek: {
    name: 'deepseek',
    description: 'DeepSeek API',
    defaultModel: 'deepseek-reasoner',
    baseURL: 'https://api.deepseek.com',
    apiKeyEnv: 'DEEPSEEK_API_KEY',
    keyRequired: true,
    maxTokens: 1024,
  },
  qwen: {
    name: 'qwen',
    description: 'Alibaba DashScope (OpenAI-compatible mode)',
    defaultModel: 'qwq-32b',
    baseURL: 'https://dashscope.aliyuncs.com/compatible-mode/v1',
    apiKeyEnv: 'DASHSCOPE_API_KEY',
    keyRequired: true,
    maxTokens: 1024,
    stream: true,
  },
  vllm: {
    name: 'vllm',
    description: 'local vLLM server',
    defaultModel: 'Qwen/Qwen2.5-Coder-3B-Instruct',
    baseURL: 'http://localhost:8000/v1',
    keyRequired: false,
    maxTokens: 1024,
  },
  openrouter: {
    name: 'openrouter',
    description: 'OpenRouter',
    defaultModel: 'openai/gpt-4o-mini',
    modelEnv: 'OPENROUTER_MODEL',
    baseURL: 'https://openrouter.ai/api/v1',
    apiKeyEnv: 'OPENROUTER_API_KEY',
    keyRequired: true,
    maxTokens: 1024,
  },
  groq: {
    name: 'groq',
    description: 'Groq (LLaMA)',
    defaultModel: 'llama-3.1-8b-instant',
    baseURL: 'https://api.groq.com/openai/v1',
    apiKeyEnv: 'GROQ_API_KEY',
    keyRequired: true,
    maxTokens: 1024,
  },
  generic: {
    name: 'generic',
    description: 'any OpenAI-compatible endpoint',
    defaultModel: 'gpt-4o',
    modelEnv: 'OPENAI_COMPATIBLE_MODEL',
    baseURLEnv: 'OPENAI_COMPATIBLE_BASE_URL',
    apiKeyEnv: 'OPENAI_COMPATIBLE_API_KEY',
    keyRequired: false,
    maxTokens: 16000,
  },
});

export function envValue(env: NodeJS.ProcessEnv, name: string | undefined): string | undefined {
  if (!name) return undefined;
  const v = env[name];
  return v !== undefined && v.trim() !== '' ? v.trim() : undefined;
}
