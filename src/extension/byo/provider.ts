/**
 * "Bring your own model": the OpenAI-compatible endpoints named in `aiopslab.languageModels.endpoints` (vLLM,
 * OpenRouter, …; keys from SecretStorage) appear in VS Code's model picker, so they can drive @aiopslab and any chat.
 * Uses vscode.lm.registerLanguageModelChatProvider (finalized in VS Code 1.104); skipped on older versions.
 *
 * Always there besides them: "AIOpsLab (no model)". VS Code refuses every chat request — even `@aiopslab /human`,
 * which needs no model — with "Language model unavailable" when no model is selectable (no Copilot, nothing
 * configured). This entry makes @aiopslab's human and control commands (/human, /status, /submit, /stop, /start)
 * work in such a profile; asked to answer, it says what to do instead of pretending to be a model.
 */
import * as vscode from 'vscode';
import { SECRET_PREFIX } from '../agents';
import { heavy } from '../load-heavy';
import type { EndpointMessage, ResolvedEndpoint } from './endpoint-chat';

export const BYO_VENDOR = 'aiopslab';
/** The model id of the built-in entry that serves @aiopslab's commands without a language model. */
export const NO_MODEL_ID = 'no-model';

const NO_MODEL: ChatInformation = {
  id: NO_MODEL_ID, name: 'AIOpsLab (no model: /human and commands)', family: 'aiopslab-no-model', version: '1',
  tooltip: 'Lets @aiopslab run /human, /status, /submit, /stop and /start without a language model. To let a model investigate, pick a real one.',
  detail: 'no language model', maxInputTokens: 100_000, maxOutputTokens: 4_000,
  // The chat's agent mode lists only models that can call tools; this one never does, but must be listed.
  capabilities: { toolCalling: true }, isUserSelectable: true,
};

export const NO_MODEL_REPLY = 'This entry is not a language model: it lets **@aiopslab** work without one. Act as the agent yourself with `@aiopslab /human <problem-id>`, then send API calls or shell commands and finish with `/submit <answer>`. To let a model investigate, pick a real model in the model picker (GitHub Copilot, or an endpoint in the setting `aiopslab.languageModels.endpoints`).';

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
  /** Shown in the model picker (not only under "Manage Models"). */
  isUserSelectable?: boolean;
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
      const out: ChatInformation[] = [NO_MODEL];
      for (const name of names) {
        const e = await resolve(name);
        if (!e) continue;
        out.push({ id: name, name: `${name} · ${e.model}`, family: e.model, version: '1', detail: e.baseURL, tooltip: `AIOpsLab endpoint ${name} (${e.baseURL})`, maxInputTokens: 128_000, maxOutputTokens: e.maxTokens, capabilities: { toolCalling: true }, isUserSelectable: true });
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
      if (model.id === NO_MODEL_ID) {
        progress.report(new vscode.LanguageModelTextPart(NO_MODEL_REPLY));
        return;
      }
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
