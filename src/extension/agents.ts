/**
 * Which agents the extension offers and how it builds them: the registry's OpenAI-compatible agents (keys from
 * SecretStorage handed over through `getSecret`, never written anywhere), the baseline, and every VS Code language
 * model.
 */
import * as vscode from 'vscode';
import type { Agent } from '../core/agents/types';
import type { AgentInfo } from '../agents/registry';
import { heavy } from './load-heavy';
import { CLIENT_PROFILES } from '../agents/profiles';
import { availableLanguageModels, LanguageModelAgent, type LmProtocol } from './lm-agent';

export const SECRET_PREFIX = 'aiopslab.key.';

export interface AgentChoice {
  label: string;
  description?: string;
  detail?: string;
  /** The name recorded in sessions. */
  agentName: string;
  /** What is missing before it can run (e.g. "OPENAI_API_KEY not set"), if anything. */
  missing?: string;
  create(): Promise<Agent>;
}

/** Secret names (API key variables) stored in SecretStorage. */
export async function storedSecretNames(secrets: vscode.SecretStorage): Promise<string[]> {
  const names: string[] = [];
  for (const p of Object.values(CLIENT_PROFILES)) {
    if (p.apiKeyEnv && (await secrets.get(SECRET_PREFIX + p.apiKeyEnv))) names.push(p.apiKeyEnv);
  }
  return names;
}

export function apiKeyVariables(): string[] {
  return [...new Set(Object.values(CLIENT_PROFILES).flatMap((p) => (p.apiKeyEnv ? [p.apiKeyEnv] : [])))];
}

export async function agentChoices(secrets: vscode.SecretStorage): Promise<AgentChoice[]> {
  const protocol = vscode.workspace.getConfiguration('aiopslab').get<LmProtocol>('languageModel.protocol', 'tools');
  const getSecret = async (name: string): Promise<string | undefined> => secrets.get(SECRET_PREFIX + name);
  const present = await storedSecretNames(secrets);
  const out: AgentChoice[] = [];
  const { createAgent, listAgents } = heavy();
  const infos: AgentInfo[] = listAgents(process.env, { secretsPresent: present });
  for (const info of infos) {
    if (info.kind === 'human') continue;
    out.push({
      label: info.name,
      description: info.kind === 'baseline' ? info.description : `${info.model ?? ''}${info.configured ? '' : ` — ${info.missing ?? 'not configured'}`}`,
      detail: info.kind === 'openai-compatible' ? `${info.description}${info.baseURL ? ` · ${info.baseURL}` : ''}` : undefined,
      agentName: info.name,
      missing: info.configured ? undefined : info.missing ?? 'not configured',
      create: async () => createAgent(info.name, { getSecret }),
    });
  }
  for (const model of await availableLanguageModels()) {
    out.push({
      label: `$(sparkle) ${model.name}`,
      description: `VS Code language model · ${model.vendor}/${model.id}`,
      agentName: `vscode-lm:${model.vendor}/${model.id}`,
      create: async () => new LanguageModelAgent(model, protocol),
    });
  }
  return out;
}
