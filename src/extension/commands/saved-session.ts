/** Commands on sessions in the results folder: open, replay, re-evaluate, export, delete. */
import * as path from 'node:path';
import * as vscode from 'vscode';
import { snapshotFromRecord } from '../model/transcript-model';
import { TranscriptPanel } from '../panel/transcript-panel';
import { PROTOCOL_VERSION } from '../protocol';
import type { SessionRecord } from '../../core/session/types';
import { sessionIdOf, type CommandContext, type CommandHandlers, type SessionArg } from './context';

export function savedSessionCommands(c: CommandContext): CommandHandlers {
  return {
    'aiopslab.openTranscript': (arg?: SessionArg) => openTranscript(c, arg, 'Open the transcript of which session?', false),
    'aiopslab.replaySession': (arg?: SessionArg) => openTranscript(c, arg, 'Replay which session?', true),
    'aiopslab.reevaluateSession': (arg?: SessionArg) => reevaluate(c, arg),
    'aiopslab.exportSession': (arg: SessionArg, target?: vscode.Uri) => exportSession(c, arg, target),
    'aiopslab.deleteSession': (arg?: SessionArg, options?: { confirm?: boolean }) => deleteSession(c, arg, options),
  };
}

async function openTranscript(c: CommandContext, arg: SessionArg, title: string, replay: boolean): Promise<string | undefined> {
  const id = sessionIdOf(arg) ?? (await c.picks.pickSession(title));
  if (!id) return undefined;
  const panel = await TranscriptPanel.open(c.context.extensionUri, c.host, id, replay ? { replay: true } : undefined);
  return panel.sessionId;
}

async function reevaluate(c: CommandContext, arg?: SessionArg) {
  const id = sessionIdOf(arg) ?? (await c.picks.pickSession('Re-evaluate which session?'));
  if (!id) return undefined;
  // The engine scores the saved answer again with the current evaluators and ground truth, and saves the record.
  let record: SessionRecord;
  try {
    record = await vscode.window.withProgress({ location: vscode.ProgressLocation.Window, title: `AIOpsLab: re-evaluating ${id.slice(0, 8)}…` }, () => c.host.engine.reevaluate(id));
  } catch (error) {
    // Why it cannot be scored again (a mitigation, a cancelled session): said once, not left as a command failure.
    void vscode.window.showWarningMessage(`AIOpsLab: ${id.slice(0, 8)} cannot be re-evaluated. ${(error as Error).message}`);
    return undefined;
  }
  const panel = TranscriptPanel.get(id);
  if (panel && !panel.replay) panel.post({ type: 'init', version: PROTOCOL_VERSION, snapshot: snapshotFromRecord(record) });
  c.refresh();
  const what = record.verdict ? `${record.verdict.success ? 'solved' : 'not solved'}: ${record.verdict.explanation}` : record.status;
  void vscode.window.showInformationMessage(`AIOpsLab: re-evaluated ${record.problem_id} (${id.slice(0, 8)}) — ${what}`);
  return record;
}

async function exportSession(c: CommandContext, arg: SessionArg, target?: vscode.Uri): Promise<string | undefined> {
  const id = sessionIdOf(arg) ?? (await c.picks.pickSession('Export which session?'));
  if (!id) return undefined;
  const record = await c.host.loadRecord(id);
  if (!record) throw new Error(`Session ${id} is not in the results folder.`);
  const uri = target ?? (await vscode.window.showSaveDialog({ defaultUri: vscode.Uri.file(path.join(c.host.cwd, `${record.problem_id}_${id.slice(0, 8)}.json`)), filters: { JSON: ['json'] } }));
  if (!uri) return undefined;
  await vscode.workspace.fs.writeFile(uri, Buffer.from(JSON.stringify(record, null, 4) + '\n'));
  if (!target) void vscode.window.showInformationMessage(`Exported session ${id.slice(0, 8)} to ${uri.fsPath}`);
  return uri.fsPath;
}

async function deleteSession(c: CommandContext, arg?: SessionArg, options?: { confirm?: boolean }): Promise<boolean> {
  const id = sessionIdOf(arg);
  if (!id) return false;
  if (options?.confirm !== false) {
    const ok = await vscode.window.showWarningMessage(`Delete session ${id.slice(0, 8)} and its files from the results folder?`, { modal: true }, 'Delete');
    if (ok !== 'Delete') return false;
  }
  TranscriptPanel.get(id)?.panel.dispose();
  const deleted = await c.host.engine.store.delete(id);
  c.refresh();
  return deleted;
}
