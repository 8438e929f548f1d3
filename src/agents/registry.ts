/**
 * The agent registry: the original's client names plus `human` and `baseline`.
 * `listAgents` says for each whether it is configured (key present, base URL set);
 * `checkReachable` probes an endpoint; `createAgent` builds one.
 */
import type { Agent } from '../core/agents/types';
import { BaselineAgent, type BaselineOptions } from './baseline';
import { HumanAgent, type AskFn, type HumanAgentOptions } from './human';
import { OpenAICompatibleAgent, resolveSettings, type OpenAIAgentOptions } from './openai-client';
import { CLIENT_PROFILES } from './profiles';

export type AgentKind = 'openai-compatible' | 'human' | 'baseline';

export interface AgentInfo {
  name: string;
  kind: AgentKind;
  description: string;
  model?: string;
  baseURL?: string;
  configured: boolean;
  /** What is missing, e.g. "OPENAI_API_KEY not set". */
  missing?: string;
}

export interface CreateAgentOptions extends OpenAIAgentOptions, BaselineOptions, HumanAgentOptions {
  /** For `human`: how to ask the person for the next action. */
  ask?: AskFn;
}

const OTHER_AGENTS: ReadonlyArray<{ name: string; kind: AgentKind; description: string }> = [
  { name: 'baseline', kind: 'baseline', description: 'rule-based SRE, no model' },
  { name: 'human', kind: 'human', description: 'you, at the keyboard' },
];

/** Every registry name, in listing order. */
export function agentNames(): string[] {
  return [...Object.keys(CLIENT_PROFILES), ...OTHER_AGENTS.map((a) => a.name)];
}

export function listAgents(env: NodeJS.ProcessEnv = process.env, options: Pick<OpenAIAgentOptions, 'apiKey'> & { secretsPresent?: string[] } = {}): AgentInfo[] {
  const out: AgentInfo[] = [];
  for (const profile of Object.values(CLIENT_PROFILES)) {
    const { settings } = resolveSettings(profile.name, { env });
    const keyPresent = settings.apiKeySet || (profile.apiKeyEnv !== undefined && (options.secretsPresent ?? []).includes(profile.apiKeyEnv));
    let missing: string | undefined;
    if (!settings.baseURL) missing = `${profile.baseURLEnv} not set`;
    else if (profile.keyRequired && !keyPresent) missing = `${profile.apiKeyEnv} not set`;
    out.push({
      name: profile.name,
      kind: 'openai-compatible',
      description: profile.description,
      model: settings.model,
      baseURL: settings.baseURL || undefined,
      configured: missing === undefined,
      ...(missing ? { missing } : {}),
    });
  }
  for (const a of OTHER_AGENTS) out.push({ name: a.name, kind: a.kind, description: a.description, configured: true });
  return out;
}

export class UnknownAgentError extends Error {
  constructor(name: string) {
    super(`Agent ${name} not registered. Available agents: ${agentNames().join(', ')}`);
    this.name = 'UnknownAgentError';
  }
}

export function createAgent(name: string, options: CreateAgentOptions = {}): Agent {
  if (CLIENT_PROFILES[name]) return new OpenAICompatibleAgent(name, options);
  if (name === 'baseline') return new BaselineAgent(options);
  if (name === 'human') {
    if (!options.ask) throw new Error('Agent human needs an input function (options.ask) to read each action from a person.');
    return new HumanAgent(options.ask, options);
  }
  throw new UnknownAgentError(name);
}

/** Whether an agent's endpoint answers (any HTTP status counts); human and baseline are always reachable. */
export async function checkReachable(name: string, options: OpenAIAgentOptions & { timeoutMs?: number } = {}): Promise<{ reachable: boolean; message: string; status?: number }> {
  if (name === 'baseline' || name === 'human') return { reachable: true, message: 'local agent' };
  if (!CLIENT_PROFILES[name]) throw new UnknownAgentError(name);
  const agent = new OpenAICompatibleAgent(name, options);
  return agent.checkReachable(options.timeoutMs ?? 5_000);
}
