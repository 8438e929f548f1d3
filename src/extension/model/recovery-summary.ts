/**
 * What "AIOpsLab: Recover Leftover Faults" tells people in its notification: which faults were undone, which journal
 * entries were only cleared (their embedded cluster ended with the session, so nothing was left to undo), which
 * could not be undone and why, and which were left alone because their session still runs. The full report (the
 * one `aiopslab recover` prints) goes to the output channel. No vscode import, so it is unit-tested in Node.
 */
import type { JournalEntry } from '../../core/ports/environment';
import type { LeftoverReport } from '../../engine/engine';
import { describeFault } from '../../env/faults/describe';
import { isEmbeddedClusterEntry } from '../../env/journal';
import { summarizeError } from '../../env/recovery-errors';

export interface RecoverySummary {
  /** One notification line. */
  message: string;
  severity: 'info' | 'warning';
  undone: JournalEntry[];
  cleared: JournalEntry[];
}

/** An entry of an embedded cluster (the engine's rule), whose faults ended with its session. */
export const isEmbeddedEntry = isEmbeddedClusterEntry;

function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}

function some<T>(items: T[], show: (item: T) => string, max = 2): string {
  const shown = items.slice(0, max).map(show).join('; ');
  return items.length > max ? `${shown}; and ${items.length - max} more` : shown;
}

export function recoverySummary(report: LeftoverReport): RecoverySummary {
  const undone = report.recovered.filter((e) => !isEmbeddedEntry(e));
  const cleared = report.recovered.filter((e) => isEmbeddedEntry(e));
  const { failed, skipped } = report;
  if (!undone.length && !cleared.length && !failed.length && !skipped.length) {
    return { message: 'Nothing to recover: the recovery journal lists no fault left behind.', severity: 'info', undone, cleared };
  }
  const parts: string[] = [];
  if (undone.length) {
    parts.push(`Undid ${plural(undone.length, 'leftover fault')} (${some(undone, (e) => `${e.problemId}: ${describeFault(e.fault)} in ${e.namespace}`)})`);
  }
  if (cleared.length) {
    parts.push(`cleared ${plural(cleared.length, 'journal entry', 'journal entries')} of ${some(cleared, (e) => e.problemId)}: ${cleared.length === 1 ? 'its embedded cluster' : 'their embedded clusters'} ended with the session, so nothing was left to undo`);
  }
  if (failed.length) {
    parts.push(`could not undo ${plural(failed.length, 'fault')} (${some(failed, ({ entry, error }) => `${entry.problemId} on ${entry.cluster}: ${summarizeError(error, { brief: true })}`)}); ${failed.length === 1 ? 'it stays' : 'they stay'} in the journal`);
  }
  if (skipped.length) {
    parts.push(`left ${plural(skipped.length, 'fault')} alone (${some(skipped, ({ entry, reason }) => `${entry.problemId}: ${reason}`)})`);
  }
  const text = parts.join('; ');
  return { message: `${text.charAt(0).toUpperCase()}${text.slice(1)}.`, severity: failed.length ? 'warning' : 'info', undone, cleared };
}
