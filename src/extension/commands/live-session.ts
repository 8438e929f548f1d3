/** Commands that start, drive and stop a session in this window: an agent's run or a human's interactive session. */
import * as vscode from 'vscode';
import type { SessionRecord } from '../../core/session/types';
import { agentChoices, type AgentChoice } from '../agents';
import { humanTextToTurn, submitCallFromText } from '../model/chat-input';
import { TranscriptPanel } from '../panel/transcript-panel';
import { problemIdOf, requireInteractive, sessionIdOf, type CommandContext, type CommandHandlers, type ProblemArg, type SessionArg } from './context';

/** What the Submit input box suggests for each task's answer. */
const SUBMIT_HINTS: Record<string, string> = {
  detection: 'Yes or No',
  localization: 'faulty services, most likely first, comma-separated (empty: none)',
  analysis: 'system level; fault type — e.g. Application; Misconfiguration',
  mitigation: 'press Enter: the cluster state is checked',
};

export function liveSessionCommands(c: CommandContext): CommandHandlers {
  return {
    'aiopslab.startProblem': (arg?: ProblemArg) => startProblem(c, arg),
    'aiopslab.runAgent': (arg?: ProblemArg, agent?: AgentChoice | string) => runAgent(c, arg, agent),
    'aiopslab.actAsHuman': (arg?: ProblemArg) => actAsHuman(c, arg),
    'aiopslab.sendAction': (text?: string) => sendAction(c, text),
    'aiopslab.stopSession': (arg?: SessionArg) => stopSession(c, arg),
    'aiopslab.submit': (answer?: string) => submit(c, answer),
  };
}

async function startProblem(c: CommandContext, arg?: ProblemArg): Promise<string | undefined> {
  const problemId = problemIdOf(arg) ?? (await c.picks.pickProblem('Start which problem?'));
  if (!problemId) return undefined;
  const how = await c.picks.showPick(
    [
      { label: '$(play) Run with an agent…', id: 'agent' },
      { label: '$(person) Act as the agent yourself', id: 'human' },
    ],
    { title: problemId },
  );
  if (!how) return undefined;
  return how.id === 'agent' ? runAgent(c, problemId) : actAsHuman(c, problemId);
}

async function runAgent(c: CommandContext, arg?: ProblemArg, agentArg?: AgentChoice | string): Promise<string | undefined> {
  const { host } = c;
  const problemId = problemIdOf(arg) ?? (await c.picks.pickProblem('Run an agent on which problem?'));
  if (!problemId) return undefined;
  host.engine.problem(problemId);
  let choice: AgentChoice | undefined;
  if (typeof agentArg === 'string') choice = (await agentChoices(c.context.secrets)).find((a) => a.agentName === agentArg);
  else choice = agentArg ?? (await c.picks.pickAgent());
  if (!choice) return undefined;
  if (choice.missing) {
    const fix = await vscode.window.showErrorMessage(`AIOpsLab: agent ${choice.agentName} cannot run yet: ${choice.missing}.`, 'Set API Key…');
    if (fix) await vscode.commands.executeCommand('aiopslab.setApiKey');
    return undefined;
  }
  const agent = await choice.create();
  const live = host.startRun({ problemId, agent, agentName: choice.agentName });
  await TranscriptPanel.open(c.context.extensionUri, host, live.id);
  void vscode.window.withProgress({ location: vscode.ProgressLocation.Window, title: `AIOpsLab: ${problemId} (${choice.agentName})` }, () => live.finished);
  void live.finished.then((record) => notifyEnd(record));
  return live.id;
}

function notifyEnd(record: SessionRecord | undefined): void {
  if (!record) return;
  const what = record.verdict ? (record.verdict.success ? 'solved' : 'not solved') : record.status;
  void vscode.window.showInformationMessage(`AIOpsLab: ${record.problem_id} — ${what} by ${record.agent} in ${record.steps.length} step(s).`);
}

async function actAsHuman(c: CommandContext, arg?: ProblemArg): Promise<string | undefined> {
  const { host } = c;
  const problemId = problemIdOf(arg) ?? (await c.picks.pickProblem('Act as the agent on which problem?'));
  if (!problemId) return undefined;
  host.engine.problem(problemId);
  const live = await vscode.window.withProgress(
    { location: vscode.ProgressLocation.Notification, title: `AIOpsLab: starting ${problemId} (deploy, inject the fault)…` },
    () => host.startInteractive({ problemId, agentName: 'human' }),
  );
  await TranscriptPanel.open(c.context.extensionUri, host, live.id);
  return live.id;
}

async function sendAction(c: CommandContext, text?: string) {
  const live = requireInteractive(c.host);
  const input = text ?? (await vscode.window.showInputBox({ title: `Action for ${live.problemId}`, prompt: 'An API call such as get_logs("<namespace>", "<service>"), or a shell command', ignoreFocusOut: true }));
  if (!input) return undefined;
  const result = await c.host.step(live, humanTextToTurn(input));
  if (result.parseError) void vscode.window.showWarningMessage(result.parseError);
  return result;
}

async function stopSession(c: CommandContext, arg?: SessionArg) {
  const id = sessionIdOf(arg) ?? (await c.picks.pickSession('Stop which session?', true));
  const live = id ? c.host.get(id) : undefined;
  if (!live) {
    if (id) void vscode.window.showInformationMessage('That session is not running in this window.');
    return undefined;
  }
  const record = await c.host.stop(live);
  return record?.status;
}

async function submit(c: CommandContext, answer?: string) {
  const live = requireInteractive(c.host);
  const task = live.transcript.header.task;
  const input = answer ?? (await vscode.window.showInputBox({ title: `Submit (${task})`, prompt: SUBMIT_HINTS[task], ignoreFocusOut: true }));
  if (input === undefined) return undefined;
  return c.host.step(live, humanTextToTurn(submitCallFromText(task, input)));
}
