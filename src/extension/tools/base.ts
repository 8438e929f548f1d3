/**
 * Language-model tools: each invocation is one step of the running interactive session (the most recent one this
 * window started: from @aiopslab /start, "Act as Human Agent" or the start tool), and the tool result is the
 * observation. Usable from the @aiopslab participant and from any agent mode that lists tools.
 */
import * as vscode from 'vscode';
import type { ToolCall } from '../../core/agents/types';
import type { EngineHost, LiveSession } from '../host';
import { actionOfTool } from '../model/tool-schemas';

export class NoSessionError extends Error {
  constructor() {
    super('No AIOpsLab session is running in this window. Start one with "@aiopslab /start <problem-id>" or the command "AIOpsLab: Start Problem…".');
  }
}

export function textResult(text: string): vscode.LanguageModelToolResult {
  return new vscode.LanguageModelToolResult([new vscode.LanguageModelTextPart(text)]);
}

/** What the tool returns after a step: the observation, plus the outcome when the session ended. */
export function observationText(observation: string, done: boolean, session: LiveSession): string {
  if (!done) return observation;
  const results = session.transcript.results;
  const v = results?.verdict;
  const outcome = v ? `${v.success ? 'SOLVED' : 'NOT SOLVED'}: ${v.explanation}` : `ended (${session.transcript.header.status})`;
  return `${observation}\n\n[The AIOpsLab session has ended — ${outcome}]`;
}

export abstract class ActionTool<T extends object> implements vscode.LanguageModelTool<T> {
  constructor(protected readonly host: EngineHost, readonly toolName: string) {}

  protected get action(): string {
    return actionOfTool(this.toolName)!;
  }

  protected session(): LiveSession {
    const s = this.host.currentInteractive();
    if (!s) throw new NoSessionError();
    return s;
  }

  /** The structured call handed to the session (subclasses adapt the input). */
  protected toCall(input: T, _session: LiveSession): ToolCall {
    return { name: this.action, arguments: { ...(input as Record<string, unknown>) } };
  }

  async invoke(options: vscode.LanguageModelToolInvocationOptions<T>, _token: vscode.CancellationToken): Promise<vscode.LanguageModelToolResult> {
    const session = this.session();
    const call = this.toCall(options.input ?? ({} as T), session);
    const result = await this.host.step(session, { text: '', toolCall: call });
    const body = result.parseError ? result.parseError : result.observation;
    return textResult(observationText(body, result.done, session));
  }
}

export class GetLogsTool extends ActionTool<{ namespace: string; service: string }> {
  prepareInvocation(options: vscode.LanguageModelToolInvocationPrepareOptions<{ namespace: string; service: string }>): vscode.PreparedToolInvocation {
    return { invocationMessage: `Reading logs of ${options.input.service} in ${options.input.namespace}` };
  }
}

export class GetMetricsTool extends ActionTool<{ namespace: string; duration?: number }> {
  prepareInvocation(options: vscode.LanguageModelToolInvocationPrepareOptions<{ namespace: string; duration?: number }>): vscode.PreparedToolInvocation {
    return { invocationMessage: `Exporting metrics of ${options.input.namespace} (last ${options.input.duration ?? 5} min)` };
  }
}

export class GetTracesTool extends ActionTool<{ namespace: string; duration?: number }> {
  prepareInvocation(options: vscode.LanguageModelToolInvocationPrepareOptions<{ namespace: string; duration?: number }>): vscode.PreparedToolInvocation {
    return { invocationMessage: `Exporting traces of ${options.input.namespace} (last ${options.input.duration ?? 5} min)` };
  }
}

export class ReadMetricsTool extends ActionTool<{ file_path: string }> {
  prepareInvocation(options: vscode.LanguageModelToolInvocationPrepareOptions<{ file_path: string }>): vscode.PreparedToolInvocation {
    return { invocationMessage: `Reading metrics file ${options.input.file_path}` };
  }
}

export class ReadTracesTool extends ActionTool<{ file_path: string }> {
  prepareInvocation(options: vscode.LanguageModelToolInvocationPrepareOptions<{ file_path: string }>): vscode.PreparedToolInvocation {
    return { invocationMessage: `Reading traces file ${options.input.file_path}` };
  }
}
