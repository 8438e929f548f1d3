import * as fs from 'node:fs';
import * as path from 'node:path';
import type { JournalEntry, RecoveryJournal } from '../core/ports/environment';

/**
 * The recovery journal as a JSON file, rewritten atomically (write + rename) so a kill -9 at any moment leaves either
 * the old or the new list, never a torn one.
 */
export class FileJournal implements RecoveryJournal {
  constructor(readonly file: string) {}

  async add(entry: JournalEntry): Promise<void> {
    return serialized(this.file, () => this.addNow(entry));
  }

  async remove(id: string): Promise<void> {
    return serialized(this.file, () => this.removeNow(id));
  }

  private async addNow(entry: JournalEntry): Promise<void> {
    const entries = (await this.list()).filter((e) => e.id !== entry.id);
    const pid = entry.pid ?? process.pid;
    const pidStart = entry.pidStart ?? processStart(pid);
    entries.push({ ...entry, pid, ...(pidStart ? { pidStart } : {}) });
    await this.write(entries);
  }

  private async removeNow(id: string): Promise<void> {
    const entries = await this.list();
    const rest = entries.filter((e) => e.id !== id);
    if (rest.length !== entries.length) await this.write(rest);
  }

  async list(): Promise<JournalEntry[]> {
    try {
      const parsed = JSON.parse(await fs.promises.readFile(this.file, 'utf8'));
      return Array.isArray(parsed) ? (parsed as JournalEntry[]) : [];
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw new Error(`The recovery journal ${this.file} is unreadable (${(error as Error).message}). Inspect it, then delete it once the cluster is clean.`);
    }
  }

  private async write(entries: JournalEntry[]): Promise<void> {
    await fs.promises.mkdir(path.dirname(this.file), { recursive: true });
    const tmp = `${this.file}.${process.pid}.tmp`;
    await fs.promises.writeFile(tmp, JSON.stringify(entries, null, 2) + '\n');
    await fs.promises.rename(tmp, this.file);
  }
}

/**
 * Read-modify-write of one journal file, one at a time within this process: the sessions of a parallel evaluation
 * share the results folder's journal, and two interleaved updates would lose an entry.
 */
const queues = new Map<string, Promise<unknown>>();
function serialized<T>(file: string, update: () => Promise<T>): Promise<T> {
  const run = (queues.get(file) ?? Promise.resolve()).then(update, update);
  const tail = run.catch(() => undefined);
  queues.set(file, tail);
  void tail.then(() => {
    if (queues.get(file) === tail) queues.delete(file);
  });
  return run;
}

/** When process `pid` started, where the system tells (Linux: /proc/<pid>/stat field 22, clock ticks since boot). */
export function processStart(pid: number): string | undefined {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
  } catch {
    return undefined;
  }
}

/**
 * Whether the session process that wrote a journal entry still runs. Not when it is gone, when it is a zombie (killed
 * with kill -9, not reaped yet), or when its pid now belongs to another process (started at another time).
 */
export function sessionProcessAlive(pid: number, pidStart?: string): boolean {
  try {
    process.kill(pid, 0);
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM'; // exists, owned by someone else
  }
  let stat: string;
  try {
    stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return true; // no /proc (macOS, Windows): the pid exists, so assume it is the session
  }
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  if (fields[0] === 'Z') return false;
  return pidStart === undefined || fields[19] === pidStart;
}

/**
 * A journal entry of an embedded cluster (its API server on the loopback address): the cluster lived only as long as
 * its session's process, so its faults went with it and there is nothing to undo.
 */
export function isEmbeddedClusterEntry(entry: Pick<JournalEntry, 'cluster'>): boolean {
  return entry.cluster.startsWith('http://127.0.0.1') || entry.cluster.startsWith('http://localhost');
}
