import * as vscode from 'vscode';
import { isChangingCommand } from '../model/tool-schemas';
import { ActionTool } from './base';

/** exec_shell: commands that change the cluster ask the user first. */
export class ExecShellTool extends ActionTool<{ command: string; timeout?: number }> {
  prepareInvocation(options: vscode.LanguageModelToolInvocationPrepareOptions<{ command: string; timeout?: number }>): vscode.PreparedToolInvocation {
    const command = options.input.command ?? '';
    const prepared: vscode.PreparedToolInvocation = { invocationMessage: `Running \`${command.length > 80 ? command.slice(0, 77) + '...' : command}\`` };
    if (isChangingCommand(command)) {
      prepared.confirmationMessages = {
        title: 'Change the incident cluster?',
        message: new vscode.MarkdownString(`The agent wants to run a command that changes the cluster:\n\n\`\`\`sh\n${command}\n\`\`\``),
      };
    }
    return prepared;
  }
}
