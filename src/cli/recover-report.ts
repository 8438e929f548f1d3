import * as fs from 'node:fs';
import type { JournalEntry } from '../core/ports/environment';
import type { Engine, LeftoverReport } from '../engine/engine';
import { openCluster } from '../engine/cluster';
import { appManifestsDir } from '../env/app-paths';
import { diffAppAgainstManifests, formatDifference } from '../env/cluster-diff';
import { describeFault, manualUndo } from '../env/faults/describe';
import { Kubectl } from '../env/kubectl';
import { isEmbeddedClusterEntry } from '../env/journal';
import { recoveryErrorCause, summarizeError } from '../env/recovery-errors';

/** What `aiopslab recover` (and the start of `run`/`human`) tells people about faults left behind by killed sessions. */

function when(iso: string): string {
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : d.toISOString().replace('T', ' ').replace(/\.\d+Z$/, ' UTC');
}


function where(entry: JournalEntry): string {
  return `problem ${entry.problemId} · namespace ${entry.namespace} · cluster ${isEmbeddedClusterEntry(entry) ? `embedded (${entry.cluster})` : entry.cluster}`;
}

function origin(entry: JournalEntry): string {
  return `session ${entry.sessionId.slice(0, 8)}, started ${when(entry.createdAt)}${entry.pid ? ` by process ${entry.pid}` : ''}`;
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

/** After recovery: does each recovered app's namespace match its manifests again? One or more lines per entry id. */
export async function checkRecoveredApps(engine: Engine, entries: JournalEntry[]): Promise<Map<string, string[]>> {
  const out = new Map<string, string[]>();
  for (const entry of entries) {
    const app = engine.apps.get(entry.appId);
    if (isEmbeddedClusterEntry(entry)) {
      out.set(entry.id, ['nothing left to check: the embedded cluster it ran on ended with its process']);
      continue;
    }
    if (!app || app.metadataOnly) continue;
    const manifestsDir = appManifestsDir(engine.root, app);
    if (!fs.existsSync(manifestsDir)) continue;
    let cluster: Awaited<ReturnType<typeof openCluster>> | undefined;
    try {
      cluster = await openCluster({ ...engine.config, cluster: entry.cluster }, engine.stateDir);
      const kubectl = new Kubectl({ kubectl: cluster.kubectl, kubeconfigPath: cluster.kubeconfigPath, context: cluster.context, kubeCacheDir: cluster.kubeCacheDir });
      const namespace = (await kubectl.run(['get', 'namespace', entry.namespace, '--ignore-not-found', '-o', 'name'])).trim();
      if (!namespace) {
        out.set(entry.id, [`namespace ${entry.namespace} is gone (the app is not deployed; the next session deploys it afresh)`]);
        continue;
      }
      const differences = await diffAppAgainstManifests({ kubectl, manifestsDir, namespace: entry.namespace });
      out.set(entry.id, differences.length === 0
        ? [`app check: namespace ${entry.namespace} matches the app's manifests again`]
        : [
          `app check: namespace ${entry.namespace} still differs from the app's manifests in ${plural(differences.length, 'place')}:`,
          ...differences.slice(0, 10).map((d) => `  - ${formatDifference(d)}`),
          ...(differences.length > 10 ? [`  - and ${differences.length - 10} more`] : []),
          `  (another change than this fault, e.g. made by hand; \`kubectl apply -R -f ${manifestsDir} -n ${entry.namespace}\` restores the manifests, or the next session redeploys the app)`,
        ]);
    } catch (error) {
      out.set(entry.id, [`app check skipped: ${(error as Error).message.split('\n')[0]}`]);
    } finally {
      await cluster?.release().catch(() => undefined);
    }
  }
  return out;
}

/** How the report names the ways to act on it: the CLI's commands by default (the VS Code extension passes its own). */
export interface RecoveryReportCommands {
  /** Runs the recovery again, e.g. "`aiopslab recover`". */
  recover: string;
  /** Drops one journal entry without undoing it. */
  forget(idPrefix: string): string;
  /** Stops a session that is still running. */
  stop: string;
}

export const CLI_RECOVERY_COMMANDS: RecoveryReportCommands = {
  recover: '`aiopslab recover`',
  forget: (id) => `\`aiopslab recover --forget ${id}\``,
  stop: 'stop it with Ctrl-C',
};

/** The full report of `aiopslab recover`. */
export function formatRecoveryReport(report: LeftoverReport, options: { journalFile: string; checks?: Map<string, string[]>; manifestsDirOf?: (entry: JournalEntry) => string | undefined; commands?: RecoveryReportCommands }): string {
  const { recovered, failed, skipped } = report;
  const commands = options.commands ?? CLI_RECOVERY_COMMANDS;
  const total = recovered.length + failed.length + skipped.length;
  if (total === 0) return `Nothing to recover: the recovery journal (${options.journalFile}) lists no fault left behind.`;
  const lines: string[] = [`The recovery journal (${options.journalFile}) lists ${plural(total, 'fault')} not recovered yet.`];
  if (recovered.length) {
    lines.push('', `Undone (${recovered.length}):`);
    for (const e of recovered) {
      lines.push(`  ✓ ${e.fault.kind}: ${describeFault(e.fault)}`, `      ${where(e)}`, `      ${origin(e)}`);
      for (const l of options.checks?.get(e.id) ?? []) lines.push(`      ${l}`);
    }
  }
  if (failed.length) {
    lines.push('', `Could not undo (${failed.length}) — they stay in the journal:`);
    for (const { entry: e, error } of failed) {
      lines.push(`  ✗ ${e.fault.kind}: ${describeFault(e.fault)}`, `      ${where(e)}`, `      ${origin(e)}`, `      error: ${summarizeError(error)}`);
      lines.push(`      to fix: ${howToFix(e, error, commands)}`);
      const undo = manualUndo(e.fault, e.namespace, options.manifestsDirOf?.(e));
      if (undo.length) {
        lines.push('      or undo it by hand:');
        for (const c of undo) lines.push(`        ${isEmbeddedClusterEntry(e) ? c : c.replace(/^kubectl /, `kubectl --context ${e.cluster} `)}`);
        lines.push(`      and then drop its journal entry: ${commands.forget(e.id.slice(0, 8)).replace(/`/g, '')}`);
      }
    }
  }
  if (skipped.length) {
    lines.push('', `Left alone (${skipped.length}) — still in use:`);
    for (const { entry: e, reason } of skipped) {
      lines.push(`  · ${e.fault.kind}: ${describeFault(e.fault)}`, `      ${where(e)}`, `      ${origin(e)}`, `      ${reason}; its session recovers it when it ends (${commands.stop}), or run ${commands.recover} once it is gone.`);
    }
  }
  return lines.join('\n');
}

function howToFix(entry: JournalEntry, error: string, commands: RecoveryReportCommands): string {
  if (/unknown problem|unknown app/i.test(error)) return `this installation does not know problem ${entry.problemId} any more; undo it by hand.`;
  const cause = recoveryErrorCause(error).kind;
  if (cause === 'no-context' || cause === 'no-kubeconfig') {
    return `point KUBECONFIG at the kubeconfig that has the context "${entry.cluster}" (for a cluster from \`aiopslab twin start\`, the path it printed), then run ${commands.recover} again.`;
  }
  if (/connection refused|ECONNREFUSED|unable to connect|i\/o timeout|no such host|was refused|Unauthorized|forbidden/i.test(error)) {
    return `make the cluster reachable (\`kubectl --context ${entry.cluster} get namespaces\` must work; an embedded cluster from \`aiopslab twin start\` that was stopped took its faults with it: then just drop the entry with ${commands.forget(entry.id.slice(0, 8))}), then run ${commands.recover} again.`;
  }
  return `look at the error above, fix its cause, then run ${commands.recover} again.`;
}

/** Before `run` and `human` start: faults left behind by an earlier session (kill -9, crash) are undone first; say so on stderr. */
export async function recoverLeftoversBeforeRun(engine: Engine): Promise<void> {
  const leftovers = formatLeftoversBeforeRun(await engine.recoverLeftovers());
  if (leftovers) process.stderr.write(leftovers + '\n');
}

/** The short note `run` and `human` print before starting, when the journal had leftovers. Empty when it had none. */
export function formatLeftoversBeforeRun(report: LeftoverReport): string {
  const lines: string[] = [];
  for (const e of report.recovered) {
    if (isEmbeddedClusterEntry(e)) lines.push(`Cleared the journal entry of an earlier session that did not finish (${e.fault.kind}, ${e.problemId}): its embedded cluster ended with it, so nothing was left to undo.`);
    else lines.push(`Recovered a fault left behind by an earlier session that did not finish: ${e.fault.kind} — ${describeFault(e.fault)} (${where(e)}).`);
  }
  for (const { entry: e, error } of report.failed) {
    lines.push(`Could not recover a fault left behind by an earlier session: ${e.fault.kind} — ${describeFault(e.fault)} (${where(e)}): ${summarizeError(error)}. Run \`aiopslab recover\` for how to fix it.`);
  }
  for (const { entry: e, reason } of report.skipped) {
    lines.push(`Note: ${e.fault.kind} on ${e.namespace} (${e.cluster}) belongs to a session that is still running (${reason}); left alone.`);
  }
  return lines.join('\n');
}
