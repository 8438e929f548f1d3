import * as vscode from 'vscode';
import type { ToolCall } from '../../core/agents/types';
import type { TaskType } from '../../core/tasks/task-type';
import type { LiveSession } from '../host';
import { submitArgumentsFor } from '../model/tool-schemas';
import { ActionTool, observationText, textResult } from './base';

type SubmitInput = { has_anomaly?: string; faulty_components?: string[]; analysis?: Record<string, string> };

/** submit: one tool for the four tasks; the running session's task decides which argument counts. */
export class SubmitTool extends ActionTool<SubmitInput> {
  prepareInvocation(options: vscode.LanguageModelToolInvocationPrepareOptions<SubmitInput>): vscode.PreparedToolInvocation {
    // No confirmation: submitting only ends the episode; the cluster is judged as it is.
    return { invocationMessage: `Submitting ${JSON.stringify(options.input ?? {})}` };
  }

  protected override toCall(input: SubmitInput, session: LiveSession): ToolCall {
    const reduced = submitArgumentsFor(session.transcript.header.task as TaskType, input);
    if (!reduced.ok) throw new Error(reduced.error);
    return { name: 'submit', arguments: reduced.args };
  }

  override async invoke(options: vscode.LanguageModelToolInvocationOptions<SubmitInput>, token: vscode.CancellationToken): Promise<vscode.LanguageModelToolResult> {
    const session = this.session();
    const reduced = submitArgumentsFor(session.transcript.header.task as TaskType, (options.input ?? {}));
    // A wrong argument is answered without spending a step, with what to send instead.
    if (!reduced.ok) return textResult(reduced.error);
    const result = await this.host.step(session, { text: '', toolCall: { name: 'submit', arguments: reduced.args } });
    void token;
    return textResult(observationText(result.parseError ?? result.observation, result.done, session));
  }
}
