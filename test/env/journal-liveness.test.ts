import { strict as assert } from 'node:assert';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { FileJournal, processStart, sessionProcessAlive } from '../../src/env/journal';

/** Whose fault is a journal entry: a session still running is left alone; a killed one (or a reused pid) is not. */
describe('recovery journal: is the session that wrote an entry still running?', () => {
  const linux = fs.existsSync('/proc/self/stat');

  it('records the writing process and when it started', async () => {
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'aiopslab-journal-')), 'j.json');
    const journal = new FileJournal(file);
    await journal.add({ id: 'a', problemId: 'p', sessionId: 'a', cluster: 'c', namespace: 'n', appId: 'x', createdAt: new Date().toISOString(), fault: { kind: 'noop', params: {} } });
    const [entry] = await journal.list();
    assert.equal(entry.pid, process.pid);
    if (linux) assert.equal(entry.pidStart, processStart(process.pid));
    assert.equal(sessionProcessAlive(entry.pid, entry.pidStart), true);
  });

  it('a process that ended is not running; a pid now used by a process started at another time is not the session', async () => {
    const child = spawn(process.execPath, ['-e', '0']);
    await new Promise((r) => child.on('exit', r));
    assert.equal(sessionProcessAlive(child.pid!, undefined), false);
    if (linux) assert.equal(sessionProcessAlive(process.pid, '1'), false, 'same pid, other start time: another process');
  });
});
