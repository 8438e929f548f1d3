/**
 * "Bring your own model": the OpenAI-compatible endpoints named in `aiopslab.languageModels.endpoints` (vLLM,
 * OpenRouter, …; keys from SecretStorage) appear in VS Code's model picker, so they can drive @aiopslab and any chat.
 * Uses vscode.lm.registerLanguageModelChatProvider (finalized in VS Code 1.104); skipped on older versions.
 */
import * as vscode from 'vscode';
import { SECRET_PREFIX } from '../agents';
import { heavy } from '../load-heavy';
import type { EndpointMessage, ResolvedEndpoint } from './endpoint-chat';

export const BYO_VENDOR = 'aiopslab';

interface ChatInformation {
  id: string;
  name: string;
  family: string;
  version: string;
  tooltip?: string;
  detail?: string;
  maxInputTokens: number;
  maxOutputTokens: number;
  capabilities: { toolCalling?: boolean | number; imageInput?: boolean };
}

interface ProviderApi {
  registerLanguageModelChatProvider?(vendor: string, provider: unknown): vscode.Disposable;
}

type RequestMessage = { role: vscode.LanguageModelChatMessageRole; content: ReadonlyArray<unknown>; name?: string };

export function toEndpointMessages(messages: readonly RequestMessage[]): EndpointMessage[] {
  const out: EndpointMessage[] = [];
  for (const m of messages) {
    let text = '';
    const calls: EndpointMessage['toolCalls'] = [];
    const results: EndpointMessage[] = [];
    for (const p of m.content) {
      if (p instanceof vscode.LanguageModelTextPart) text += p.value;
      else if (p instanceof vscode.LanguageModelToolCallPart) calls.push({ id: p.callId, name: p.name, input: p.input });
      else if (p instanceof vscode.LanguageModelToolResultPart) {
        const content = p.content.map((c) => (c instanceof vscode.LanguageModelTextPart ? c.value : '')).join('');
        results.push({ role: 'tool', toolCallId: p.callId, content });
      }
    }
    if (m.role === vscode.LanguageModelChatMessageRole.Assistant) out.push({ role: 'assistant', content: text, toolCalls: calls.length ? calls : undefined });
    else {
      out.push(...results);
      if (text || !results.length) out.push({ role: 'user', content: text });
    }
  }
  return out;
}

export function registerEndpointProvider(secrets: vscode.SecretStorage): vscode.Disposable[] {
  const api = vscode.lm as unknown as ProviderApi;
  if (typeof api.registerLanguageModelChatProvider !== 'function') return [];
  const changed = new vscode.EventEmitter<void>();
  const getSecret = async (name: string) => secrets.get(SECRET_PREFIX + name);
  const resolve = async (name: string): Promise<ResolvedEndpoint | undefined> => {
    const r = await heavy().resolveEndpoint(name, process.env, getSecret);
    return 'missing' in r ? undefined : r;
  };
  const provider = {
    onDidChangeLanguageModelChatInformation: changed.event,
    async provideLanguageModelChatInformation(): Promise<ChatInformation[]> {
      const names = vscode.workspace.getConfiguration('aiopslab').get<string[]>('languageModels.endpoints', []);
      const out: ChatInformation[] = [];
      for (const name of names) {
        const e = await resolve(name);
        if (!e) continue;
        out.push({ id: name, name: `${name} · ${e.model}`, family: e.model, version: '1', detail: e.baseURL, tooltip: `AIOpsLab endpoint ${name} (${e.baseURL})`, maxInputTokens: 128_000, maxOutputTokens: e.maxTokens, capabilities: { toolCalling: true } });
      }
      return out;
    },
    async provideLanguageModelChatResponse(
      model: ChatInformation,
      messages: readonly RequestMessage[],
      options: { tools?: readonly vscode.LanguageModelChatTool[] },
      progress: vscode.Progress<vscode.LanguageModelTextPart | vscode.LanguageModelToolCallPart>,
      token: vscode.CancellationToken,
    ): Promise<void> {
      const endpoint = await resolve(model.id);
      if (!endpoint) throw new Error(`The AIOpsLab endpoint ${model.id} is not configured (base URL or key missing; see AIOpsLab: Set API Key…).`);
      const abort = new AbortController();
      const sub = token.onCancellationRequested(() => abort.abort());
      try {
        const tools = (options.tools ?? []).map((t) => ({ name: t.name, description: t.description, inputSchema: t.inputSchema }));
        const r = await heavy().endpointChat(endpoint, toEndpointMessages(messages), tools, abort.signal);
        if (r.text) progress.report(new vscode.LanguageModelTextPart(r.text));
        for (const c of r.toolCalls) progress.report(new vscode.LanguageModelToolCallPart(c.id, c.name, c.input));
      } finally {
        sub.dispose();
      }
    },
    async provideTokenCount(_model: ChatInformation, text: string | { content: ReadonlyArray<unknown> }): Promise<number> {
      const s = typeof text === 'string' ? text : text.content.map((p) => (p instanceof vscode.LanguageModelTextPart ? p.value : '')).join('');
      return Math.ceil(s.length / 4);
    },
  };
  return [
    api.registerLanguageModelChatProvider(BYO_VENDOR, provider),
    changed,
    vscode.workspace.onDidChangeConfiguration((e) => {
      if (e.affectsConfiguration('aiopslab.languageModels.endpoints')) changed.fire();
    }),
    secrets.onDidChange(() => changed.fire()),
  ];
}
