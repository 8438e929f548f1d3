/** "Recover Leftover Faults": undo what the journal holds, or forget one entry of it. */
import * as fs from 'node:fs';
import * as vscode from 'vscode';
import { heavy } from '../load-heavy';
import { recoverySummary } from '../model/recovery-summary';
import type { CommandContext, CommandHandlers } from './context';

/** How the recovery report names the ways out, in the extension's words. */
const EXTENSION_RECOVERY_COMMANDS = {
  recover: '"AIOpsLab: Recover Leftover Faults"',
  forget: (id: string) => `"Forget Entry…" in the notification of "AIOpsLab: Recover Leftover Faults" (entry ${id})`,
  stop: 'stop it with "AIOpsLab: Stop Session" in the window that runs it, or Ctrl-C in a terminal',
};

type RecoveryReport = Awaited<ReturnType<CommandContext['host']['engine']['recoverLeftovers']>>;

export function recoverCommands(c: CommandContext): CommandHandlers {
  return {
    'aiopslab.recover': async (options?: { forget?: string }) => (options?.forget !== undefined ? forgetEntry(c, options.forget) : recover(c)),
  };
}

/**
 * Undoes leftover faults with the engine (as `aiopslab recover` does), compares each recovered app with its
 * manifests, writes the CLI's full report to the output channel and says in a notification what was undone,
 * cleared, not undone (with the way out: Forget Entry…) or left alone.
 */
async function recover(c: CommandContext): Promise<{ recovered: unknown[]; failed: unknown[]; skipped: unknown[]; message: string; report: string }> {
  const engine = c.host.engine;
  const { checkRecoveredApps, formatRecoveryReport, appManifestsDir } = heavy();
  const { report, checks } = await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: 'AIOpsLab: recovering leftover faults…' }, async (progress) => {
    const r = await engine.recoverLeftovers();
    if (r.recovered.length) progress.report({ message: 'comparing the apps with their manifests…' });
    return { report: r, checks: await checkRecoveredApps(engine, r.recovered).catch(() => undefined) };
  });
  const manifestsDirOf = (entry: { appId: string }) => {
    const app = engine.apps.get(entry.appId);
    const dir = app && !app.metadataOnly ? appManifestsDir(engine.root, app) : undefined;
    return dir && fs.existsSync(dir) ? dir : undefined;
  };
  const text = formatRecoveryReport(report, { journalFile: engine.journal.file, checks, manifestsDirOf, commands: EXTENSION_RECOVERY_COMMANDS });
  c.log.appendLine(`Recover Leftover Faults (${new Date().toLocaleString()}):`);
  c.log.appendLine(text);
  const summary = recoverySummary(report);
  notifyRecovery(c, report, summary);
  c.refresh();
  return { ...report, message: summary.message, report: text };
}

/** The notification after a recovery, with its follow-ups: show the report, retry, or forget a failed entry. */
function notifyRecovery(c: CommandContext, report: RecoveryReport, summary: ReturnType<typeof recoverySummary>): void {
  const actions = [...(report.failed.length ? ['Forget Entry…', 'Retry'] : []), ...(summary.undone.length || summary.cleared.length || report.failed.length || report.skipped.length ? ['Show Report'] : [])];
  const shown = summary.severity === 'warning' ? vscode.window.showWarningMessage(`AIOpsLab: ${summary.message}`, ...actions) : vscode.window.showInformationMessage(`AIOpsLab: ${summary.message}`, ...actions);
  void shown.then(async (action) => {
    if (action === 'Show Report') c.log.show(true);
    else if (action === 'Retry') await vscode.commands.executeCommand('aiopslab.recover');
    else if (action === 'Forget Entry…') {
      const pick = await vscode.window.showQuickPick(
        report.failed.map(({ entry, error }) => ({ label: entry.problemId, description: `${entry.fault.kind} · ${entry.namespace} · ${entry.cluster}`, detail: error.split('\n')[0], id: entry.id })),
        { title: 'Forget which journal entry? (it is dropped without being undone)' },
      );
      if (pick) await vscode.commands.executeCommand('aiopslab.recover', { forget: pick.id });
    }
  });
}

/** Drops one journal entry without undoing it (`aiopslab recover --forget`): undone by hand, or its cluster is gone. */
async function forgetEntry(c: CommandContext, idPrefix: string): Promise<{ forgotten: string } | undefined> {
  const engine = c.host.engine;
  const prefix = idPrefix.trim();
  const matches = prefix ? (await engine.journal.list()).filter((e) => e.id.startsWith(prefix)) : [];
  if (matches.length !== 1) throw new Error(matches.length ? `"${prefix}" matches ${matches.length} journal entries.` : `No entry "${prefix}" in the recovery journal (${engine.journal.file}).`);
  const [entry] = matches;
  await engine.journal.remove(entry.id);
  const message = `Forgot ${entry.fault.kind} of ${entry.problemId} in ${entry.namespace} (${entry.cluster}); it was not undone.`;
  c.log.appendLine(message);
  void vscode.window.showInformationMessage(`AIOpsLab: ${message}`);
  return { forgotten: entry.id };
}
