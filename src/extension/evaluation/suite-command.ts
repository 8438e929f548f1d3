/**
 * "Run Evaluation Suite…": asks for the agents, the problem filter, the parallelism and the repeats, runs the suite in
 * the engine (as `aiopslab eval --parallel N --repeat K` does) with a cancellable progress notification, and shows the
 * Evaluation view updating as sessions end. Cancelling cancels every running session; each recovers its fault.
 */
import * as vscode from 'vscode';
import { buildLeaderboard, type LeaderboardRow } from '../../core/session/leaderboard';
import { TASK_TYPES } from '../../core/tasks/task-type';
import { agentChoices, type AgentChoice } from '../agents';
import type { EngineHost } from '../host';
import { heavy } from '../load-heavy';
import { EvaluationPanel } from './panel';

export interface SuiteCommandOptions {
  pattern?: string;
  /** Agent names; `agent` (one) is kept for callers of the first version. */
  agents?: string[];
  agent?: string;
  parallel?: number;
  repeat?: number;
}

export async function runSuiteCommand(context: vscode.ExtensionContext, host: EngineHost, log: vscode.OutputChannel, options: SuiteCommandOptions = {}): Promise<LeaderboardRow[] | undefined> {
  // From the palette (no options) every question is asked; a caller that passes options gets defaults for the rest.
  const interactive = Object.keys(options).length === 0;
  const all = await agentChoices(context.secrets);
  const named = options.agents ?? (options.agent ? [options.agent] : undefined);
  const choices = named ? named.map((n) => all.find((c) => c.agentName === n) ?? unknownAgent(n)) : await pickAgents(all);
  if (!choices?.length) return undefined;
  const missing = choices.find((c) => c.missing);
  if (missing) throw new Error(`agent ${missing.agentName} cannot run yet: ${missing.missing} (AIOpsLab: Set API Key…).`);

  const pattern = options.pattern ?? (await vscode.window.showInputBox({ title: 'Evaluation suite: which problems?', prompt: 'Globs or substrings of problem IDs (comma-separated), an app, or a task (empty: all registered problems)', placeHolder: 'e.g. *hotel*detection* or mitigation', ignoreFocusOut: true }));
  if (pattern === undefined) return undefined;
  const trimmed = pattern.trim();
  const byTask = TASK_TYPES.find((t) => t === trimmed);
  const byApp = host.engine.apps.has(trimmed) ? trimmed : undefined;
  const problems = host.engine.listProblems(byTask ? { task: byTask } : byApp ? { app: byApp } : { pattern: trimmed || undefined });
  if (!problems.length) throw new Error(`No problems match "${pattern}".`);

  const embedded = host.engine.config.cluster === 'embedded';
  const parallel = options.parallel ?? (!interactive ? 1 : embedded ? await askNumber('Sessions at once', 'Each runs on its own embedded cluster; model agents spend most of a session waiting for the model.', 4) : 1);
  if (parallel === undefined) return undefined;
  const repeat = options.repeat ?? (!interactive ? 1 : await askNumber('Runs of each problem per agent', 'With more than one: a 95 % interval on accuracy, pass@k and pass^k.', 1));
  if (repeat === undefined) return undefined;

  const panel = await EvaluationPanel.show(context.extensionUri, host);
  const byName = new Map(choices.map((c) => [c.agentName, c]));
  const total = problems.length * choices.length * repeat;
  const result = await vscode.window.withProgress(
    { location: vscode.ProgressLocation.Notification, title: `AIOpsLab suite: ${total} session(s)`, cancellable: true },
    async (progress, token) => {
      const abort = new AbortController();
      const sub = token.onCancellationRequested(() => abort.abort());
      let reported = 0;
      try {
        return await heavy().runSuite(host.engine, {
          problems,
          agents: choices.map((c) => c.agentName),
          repeat,
          parallel,
          signal: abort.signal,
          createAgent: (name) => byName.get(name)!.create(),
          onProgress: (p) => {
            const line = `${p.done}/${p.total} done, ${p.running} running, ${p.failed} failed (${p.workers} worker${p.workers === 1 ? '' : 's'})${p.etaSeconds !== undefined && p.done < p.total ? `, about ${p.etaSeconds} s left` : ''}`;
            progress.report({ message: line, increment: p.total ? (100 * (p.done - reported)) / p.total : 0 });
            reported = p.done;
            panel.setProgress(line);
            if (p.finished) {
              const { job, record, error } = p.finished;
              log.appendLine(`[suite ${p.done}/${p.total}] ${job.problem.id} × ${job.agentName}: ${record ? (record.verdict ? (record.verdict.success ? 'solved' : 'not solved') : record.status) : `failed: ${error}`}`);
            }
          },
        });
      } finally {
        sub.dispose();
      }
    },
  );
  panel.setProgress(undefined);
  if (result.plan.sequentialBecause) log.appendLine(`Note: ${result.plan.sequentialBecause}.`);
  const rows = buildLeaderboard(result.records).rows;
  const text = rows.map((r) => `${r.agent} ${r.task}: ${r.solved}/${r.sessions}`).join(', ');
  void vscode.window.showInformationMessage(`AIOpsLab suite ${result.cancelled ? 'cancelled' : 'finished'}: ${result.records.length} session(s). ${text}`);
  return rows;
}

function unknownAgent(name: string): AgentChoice {
  return { label: name, agentName: name, missing: 'no such agent', create: async () => { throw new Error(`No agent ${name}.`); } };
}

async function pickAgents(all: AgentChoice[]): Promise<AgentChoice[] | undefined> {
  const picks = await vscode.window.showQuickPick(all.map((c) => ({ label: c.label, description: c.description, detail: c.detail, choice: c, picked: c.agentName === 'baseline' })), {
    title: 'Evaluation suite: which agents?',
    placeHolder: 'Pick one or more; they run side by side on the same problems',
    canPickMany: true,
    matchOnDescription: true,
    ignoreFocusOut: true,
  });
  return picks?.map((p) => p.choice);
}

async function askNumber(title: string, prompt: string, value: number): Promise<number | undefined> {
  const text = await vscode.window.showInputBox({
    title,
    prompt,
    value: String(value),
    ignoreFocusOut: true,
    validateInput: (v) => (/^\s*[1-9]\d*\s*$/.test(v) ? undefined : 'A whole number, 1 or more.'),
  });
  return text === undefined ? undefined : Number(text.trim());
}
