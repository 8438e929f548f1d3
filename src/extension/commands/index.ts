/**
 * The AIOpsLab commands (palette category "AIOpsLab", tree inline actions and context menus), registered from one
 * table per feature: live sessions, saved sessions, recovery, and the helper commands.
 */
import * as vscode from 'vscode';
import { createPickers } from './picks';
import type { CommandContext, CommandDeps, CommandHandlers } from './context';
import { liveSessionCommands } from './live-session';
import { savedSessionCommands } from './saved-session';
import { recoverCommands } from './recover';
import { toolCommands } from './tools';

export type { CommandDeps } from './context';

export function registerCommands(deps: CommandDeps): vscode.Disposable[] {
  const c: CommandContext = { ...deps, picks: createPickers(deps) };
  const handlers: CommandHandlers = { ...liveSessionCommands(c), ...savedSessionCommands(c), ...recoverCommands(c), ...toolCommands(c) };
  return Object.entries(handlers).map(([id, handler]) => vscode.commands.registerCommand(id, reportingErrors(deps.log, id, handler)));
}

/** A command's failure goes to the log and an error notification; the command then returns undefined. */
function reportingErrors(log: vscode.OutputChannel, id: string, handler: CommandHandlers[string]) {
  return async (...args: unknown[]) => {
    try {
      return await (handler as (...a: unknown[]) => unknown)(...args);
    } catch (e) {
      const message = (e as Error).message;
      log.appendLine(`${id}: ${message}`);
      void vscode.window.showErrorMessage(`AIOpsLab: ${message}`);
      return undefined;
    }
  };
}
