/** The helper commands: a terminal on the session's cluster, API keys, parsing a reply, a problem's definition. */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { ResponseParsingError, parseResponse } from '../../core/parser';
import { apiKeyVariables, SECRET_PREFIX } from '../agents';
import { runSuiteCommand, type SuiteCommandOptions } from '../evaluation/suite-command';
import { formatAction } from '../model/transcript-model';
import { definitionLine } from '../model/tree-model';
import { problemIdOf, sessionIdOf, type CommandContext, type CommandHandlers, type ProblemArg, type SessionArg } from './context';

export function toolCommands(c: CommandContext): CommandHandlers {
  return {
    'aiopslab.runSuite': (options?: SuiteCommandOptions) => runSuiteCommand(c.context, c.host, c.log, options),
    'aiopslab.openClusterTerminal': (arg?: SessionArg) => openClusterTerminal(c, arg),
    'aiopslab.setApiKey': (name?: string, value?: string) => setApiKey(c, name, value),
    'aiopslab.parseReply': (text?: string) => parseReply(c, text),
    'aiopslab.openDefinition': (arg?: ProblemArg) => openDefinition(c, arg),
    'aiopslab.refresh': () => {
      c.host.reset();
      c.refresh();
    },
  };
}

async function openClusterTerminal(c: CommandContext, arg?: SessionArg) {
  const { host } = c;
  const id = sessionIdOf(arg) ?? (host.running().length > 1 ? await c.picks.pickSession('Open a terminal on the cluster of which session?', true) : undefined);
  const live = id ? host.get(id) : host.running()[0];
  if (id && !live) throw new Error(`Session ${id.slice(0, 8)} is not running in this window; its cluster is gone with it.`);
  const { kubeconfig, context: kubeContext } = host.kubeconfigFor(live);
  const env: Record<string, string> = {};
  if (kubeconfig) env.KUBECONFIG = kubeconfig;
  const terminal = vscode.window.createTerminal({ name: `AIOpsLab cluster${live ? ` (${live.problemId})` : ''}`, env, message: kubeContext ? `kubectl context: ${kubeContext} (use --context ${kubeContext})` : `KUBECONFIG=${kubeconfig}` });
  terminal.show();
  return kubeconfig ?? kubeContext;
}

async function setApiKey(c: CommandContext, name?: string, value?: string): Promise<boolean> {
  const secrets = c.context.secrets;
  const variable = name ?? (await vscode.window.showQuickPick(apiKeyVariables(), { title: 'Set the API key for…', placeHolder: 'The key is kept in VS Code SecretStorage and handed to the agent; never written to files, logs or session records' }));
  if (!variable) return false;
  const key = value ?? (await vscode.window.showInputBox({ title: variable, prompt: 'API key (leave empty to remove the stored key)', password: true, ignoreFocusOut: true }));
  if (key === undefined) return false;
  if (key.trim()) await secrets.store(SECRET_PREFIX + variable, key.trim());
  else await secrets.delete(SECRET_PREFIX + variable);
  if (!value) void vscode.window.showInformationMessage(key.trim() ? `Stored ${variable} in SecretStorage.` : `Removed ${variable}.`);
  return true;
}

async function parseReply(c: CommandContext, text?: string) {
  let input = text;
  if (input === undefined) {
    const editor = vscode.window.activeTextEditor;
    input = editor && !editor.selection.isEmpty ? editor.document.getText(editor.selection) : await vscode.env.clipboard.readText();
  }
  if (!input?.trim()) throw new Error('Select an agent reply in an editor (or copy one to the clipboard) first.');
  try {
    const parsed = parseResponse(input);
    const call = formatAction({ name: parsed.api_name, args: parsed.args, kwargs: parsed.kwargs });
    c.log.appendLine(`Parse Agent Reply: ${call}`);
    if (text === undefined) void vscode.window.showInformationMessage(`Parsed call: ${call}`);
    return { ok: true, call, parsed };
  } catch (e) {
    const message = e instanceof ResponseParsingError ? e.message : `Error parsing response: ${(e as Error).message}`;
    c.log.appendLine(`Parse Agent Reply: ${message}`);
    if (text === undefined) void vscode.window.showWarningMessage(message, { modal: false });
    return { ok: false, error: message };
  }
}

async function openDefinition(c: CommandContext, arg?: ProblemArg) {
  const id = problemIdOf(arg) ?? (await c.picks.pickProblem('Open the definition of which problem?'));
  if (!id) return undefined;
  const { problem } = c.host.engine.problem(id);
  const file = path.join(c.host.engine.root, problem.sourceFile);
  const text = fs.readFileSync(file, 'utf8');
  const line = definitionLine(text, problem);
  const doc = await vscode.workspace.openTextDocument(vscode.Uri.file(file));
  const range = new vscode.Range(line, 0, line, 0);
  await vscode.window.showTextDocument(doc, { selection: range, preview: true });
  return { file, line };
}
