import * as fs from 'node:fs';
import * as path from 'node:path';
import type { SessionStore } from '../core/ports/environment';
import type { SessionIndexEntry, SessionRecord } from '../core/session/types';

export const INDEX_FILE = 'index.jsonl';

/**
 * Sessions as files: one JSON per session named like the original's (`<session_id>_<start_time>.json`, indent 4),
 * a folder per session for its exports, and an append-only `index.jsonl` for fast listing (a deletion appends a
 * tombstone line, so the index is never rewritten while another process may append).
 */
export class FileSessionStore implements SessionStore {
  constructor(readonly resultsDir: string) {}

  sessionDir(sessionId: string): string {
    return path.join(this.resultsDir, sessionId);
  }

  async save(record: SessionRecord): Promise<string> {
    await fs.promises.mkdir(this.resultsDir, { recursive: true });
    const file = path.join(this.resultsDir, `${record.session_id}_${record.start_time}.json`);
    const tmp = file + '.tmp';
    await fs.promises.writeFile(tmp, JSON.stringify(record, null, 4) + '\n');
    await fs.promises.rename(tmp, file);
    await this.appendIndex(indexEntry(record, path.basename(file)));
    return file;
  }

  async load(sessionId: string): Promise<SessionRecord | undefined> {
    const entry = (await this.list()).find((e) => e.session_id === sessionId || e.session_id.startsWith(sessionId));
    const file = entry ? path.join(this.resultsDir, entry.file) : this.findFile(sessionId);
    if (!file || !fs.existsSync(file)) return undefined;
    return JSON.parse(await fs.promises.readFile(file, 'utf8')) as SessionRecord;
  }

  /** The record of an index entry (undefined when its file is gone or unreadable): no index lookup, for batch reads. */
  async read(entry: Pick<SessionIndexEntry, 'file'>): Promise<SessionRecord | undefined> {
    try {
      return JSON.parse(await fs.promises.readFile(path.join(this.resultsDir, entry.file), 'utf8')) as SessionRecord;
    } catch {
      return undefined;
    }
  }

  /** Newest first; the latest line for a session wins; tombstoned sessions are left out. */
  async list(): Promise<SessionIndexEntry[]> {
    const file = path.join(this.resultsDir, INDEX_FILE);
    if (!fs.existsSync(file)) return [];
    const latest = new Map<string, SessionIndexEntry>();
    for (const line of (await fs.promises.readFile(file, 'utf8')).split('\n')) {
      if (!line.trim()) continue;
      try {
        const entry = JSON.parse(line) as SessionIndexEntry;
        latest.set(entry.session_id, entry);
      } catch {
        // A torn last line (crash mid-append) is skipped, never fatal.
      }
    }
    return [...latest.values()].filter((e) => !e.deleted).sort((a, b) => b.start_time - a.start_time);
  }

  async delete(sessionId: string): Promise<boolean> {
    const entry = (await this.list()).find((e) => e.session_id === sessionId);
    if (!entry) return false;
    await fs.promises.rm(path.join(this.resultsDir, entry.file), { force: true });
    await fs.promises.rm(this.sessionDir(sessionId), { recursive: true, force: true });
    await this.appendIndex({ ...entry, deleted: true });
    return true;
  }

  private findFile(sessionId: string): string | undefined {
    if (!fs.existsSync(this.resultsDir)) return undefined;
    const name = fs.readdirSync(this.resultsDir).find((f) => f.startsWith(sessionId) && f.endsWith('.json'));
    return name ? path.join(this.resultsDir, name) : undefined;
  }

  private async appendIndex(entry: SessionIndexEntry): Promise<void> {
    const file = path.join(this.resultsDir, INDEX_FILE);
    // After a crash mid-append the last line may be torn: start on a fresh line so this entry stays readable.
    const torn = await lastByteIsNotNewline(file);
    await fs.promises.appendFile(file, (torn ? '\n' : '') + JSON.stringify(entry) + '\n');
  }
}

export function indexEntry(record: SessionRecord, file: string): SessionIndexEntry {
  const success = record.verdict ? record.verdict.success : null;
  return {
    session_id: record.session_id,
    problem_id: record.problem_id,
    task_type: record.task_type,
    agent: record.agent,
    status: record.status,
    success: record.status === 'completed' || record.status === 'timeout' ? success : null,
    start_time: record.start_time,
    end_time: record.end_time,
    steps: record.steps.length,
    tokens: record.tokens,
    file,
  };
}

async function lastByteIsNotNewline(file: string): Promise<boolean> {
  let handle: fs.promises.FileHandle | undefined;
  try {
    handle = await fs.promises.open(file, 'r');
    const { size } = await handle.stat();
    if (size === 0) return false;
    const buffer = Buffer.alloc(1);
    await handle.read(buffer, 0, 1, size - 1);
    return buffer[0] !== 10;
  } catch {
    return false;
  } finally {
    await handle?.close();
  }
}
