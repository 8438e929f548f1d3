/** What every group of commands works with: the extension's host and log, the pickers, and the argument helpers. */
import type * as vscode from 'vscode';
import type { ProblemDefinition } from '../../core/problems/types';
import type { SessionIndexEntry } from '../../core/session/types';
import type { EngineHost, LiveSession } from '../host';
import type { ProblemNode } from '../model/tree-model';
import type { Pickers } from './picks';

export interface CommandDeps {
  context: vscode.ExtensionContext;
  host: EngineHost;
  log: vscode.OutputChannel;
  refresh(): void;
  /** Fired with each quick pick the commands show (the integration tests drive them through it). */
  quickPickShown?: vscode.EventEmitter<vscode.QuickPick<vscode.QuickPickItem>>;
}

export interface CommandContext extends CommandDeps {
  picks: Pickers;
}

/** Command id → handler; each group of commands contributes one such table. */
export type CommandHandlers = Record<string, (...args: never[]) => unknown>;

/** A session as a command receives it: a tree item, an id, or nothing (then the command asks). */
export type SessionArg = Pick<SessionIndexEntry, 'session_id'> | string | undefined;
/** A problem as a command receives it: a tree node, a definition, an id, or nothing (then the command asks). */
export type ProblemArg = ProblemNode | ProblemDefinition | string | undefined;

export function sessionIdOf(arg: SessionArg): string | undefined {
  if (!arg) return undefined;
  return typeof arg === 'string' ? arg : arg.session_id;
}

export function problemIdOf(arg: ProblemArg): string | undefined {
  if (!arg) return undefined;
  if (typeof arg === 'string') return arg;
  if ('kind' in arg && (arg).kind) return (arg).kind === 'problem' ? (arg as { problem: ProblemDefinition }).problem.id : undefined;
  return (arg).id;
}

export function requireInteractive(host: EngineHost): LiveSession {
  const live = host.currentInteractive();
  if (!live) throw new Error('No interactive session is running. Start one with "AIOpsLab: Act as Human Agent" or "@aiopslab /human <problem-id>".');
  return live;
}
