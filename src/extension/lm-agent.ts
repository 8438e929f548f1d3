/**
 * An Agent (src/core/agents/types.ts) on top of a VS Code language model (`vscode.lm`): any chat model the user has
 * (Copilot, a provider extension) can be evaluated like the OpenAI-compatible agents. Two protocols, as those:
 * `tools` offers the actions as tools and returns a structured tool call; `text` uses the original prompt and
 * returns the reply for the parser.
 */
import * as vscode from 'vscode';
import { toJsonSchema } from '../core/actions';
import type { Agent, AgentContext, AgentTurn } from '../core/agents/types';
import { renderSystemPrompt } from '../agents/prompts';

export type LmProtocol = 'tools' | 'text';

export class LanguageModelAgent implements Agent {
  readonly name: string;
  private messages: vscode.LanguageModelChatMessage[] = [];
  private tools: vscode.LanguageModelChatTool[] = [];
  private pendingCall: vscode.LanguageModelToolCallPart | undefined;
  private inputTokens = 0;

  constructor(private readonly model: vscode.LanguageModelChat, private readonly protocol: LmProtocol = 'tools', name?: string) {
    this.name = name ?? `vscode-lm:${model.vendor}/${model.id}`;
  }

  initContext(context: AgentContext): void {
    const system = renderSystemPrompt(context.problemDescription, context.apis, { showAllApis: true, protocol: this.protocol });
    // vscode.lm has no system role: the prompt opens the first user message.
    this.messages = [vscode.LanguageModelChatMessage.User(`${system}\n\n${context.instructions}`)];
    this.tools = this.protocol === 'tools' ? context.actions.map((a) => ({ name: a.name, description: a.doc, inputSchema: toJsonSchema(a) })) : [];
    this.pendingCall = undefined;
  }

  async getAction(observation: string, signal?: AbortSignal): Promise<AgentTurn> {
    if (this.pendingCall) {
      this.messages.push(vscode.LanguageModelChatMessage.User([new vscode.LanguageModelToolResultPart(this.pendingCall.callId, [new vscode.LanguageModelTextPart(observation)])]));
      this.pendingCall = undefined;
    } else if (this.messages.length > 1 || observation.trim()) {
      this.messages.push(vscode.LanguageModelChatMessage.User(observation));
    }
    const cts = new vscode.CancellationTokenSource();
    const onAbort = () => cts.cancel();
    signal?.addEventListener('abort', onAbort, { once: true });
    try {
      const response = await this.model.sendRequest(this.messages, { tools: this.tools.length ? this.tools : undefined, justification: 'AIOpsLab evaluates this model as an SRE agent.' }, cts.token);
      let text = '';
      let call: vscode.LanguageModelToolCallPart | undefined;
      for await (const part of response.stream) {
        if (part instanceof vscode.LanguageModelTextPart) text += part.value;
        else if (part instanceof vscode.LanguageModelToolCallPart && !call) call = part;
      }
      const assistantParts: Array<vscode.LanguageModelTextPart | vscode.LanguageModelToolCallPart> = [];
      if (text) assistantParts.push(new vscode.LanguageModelTextPart(text));
      if (call) assistantParts.push(call);
      this.messages.push(vscode.LanguageModelChatMessage.Assistant(assistantParts.length ? assistantParts : ''));
      this.pendingCall = call;
      const usage = await this.usage(text);
      return call ? { text, toolCall: { name: call.name, arguments: (call.input ?? {}) as Record<string, unknown> }, usage } : { text, usage };
    } finally {
      signal?.removeEventListener('abort', onAbort);
      cts.dispose();
    }
  }

  private async usage(output: string): Promise<AgentTurn['usage']> {
    try {
      let input = 0;
      for (const m of this.messages.slice(0, -1)) input += await this.model.countTokens(m);
      const out = output ? await this.model.countTokens(output) : 0;
      this.inputTokens += input;
      return { inputTokens: input, outputTokens: out, source: 'tokenizer' };
    } catch {
      return undefined;
    }
  }
}

/** Chat models available to act as agents (empty when there are none or the API refuses). */
export async function availableLanguageModels(): Promise<vscode.LanguageModelChat[]> {
  try {
    return await vscode.lm.selectChatModels({});
  } catch {
    return [];
  }
}
