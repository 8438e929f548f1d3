/**
 * A worn-out disk under MongoDB: a Chaos Mesh IOChaos (action fault) makes the writes under the Mongo data volume fail
 * with an errno (5, EIO). What mongod 4.4 does about it, as on a real node:
 *
 * - running: the next WiredTiger journal flush fails (`pwrite: failed to write … Input/output error`); WiredTiger
 *   panics, mongod logs the fatal assertion and aborts (SIGABRT: exit code 134);
 * - restarted: writing its process id into `mongod.lock` fails at once, and mongod exits with code 100 — so the pod
 *   crash-loops until the fault is gone, and every service using that database loses it.
 */
import type { KubeObject } from '../contracts';
import type { AppWorld } from './world';
import { mongoLog } from './formats';

const IO_CHAOS = 'iochaos.chaos-mesh.org';
const ERRNO_TEXT: Record<number, string> = { 5: 'Input/output error', 28: 'No space left on device', 30: 'Read-only file system', 13: 'Permission denied' };

interface IoChaosStatus { experiment?: { desiredPhase?: string; containerRecords?: Array<{ id: string; phase: string }> } }

/** The text of the errno that writes under `dataPath` fail with in this container, if an IOChaos fails them. */
export function failingWrites(world: AppWorld, pod: KubeObject, container: string, dataPath = '/data/db'): string | undefined {
  const id = `${pod.metadata.namespace}/${pod.metadata.name}/${container}`;
  for (const chaos of world.store.list(IO_CHAOS)) {
    const spec = chaos.spec as { action?: string; methods?: string[]; volumePath?: string; errno?: number } | undefined;
    const experiment = (chaos.status as IoChaosStatus | undefined)?.experiment;
    if (chaos.metadata.deletionTimestamp || experiment?.desiredPhase !== 'Run' || spec?.action !== 'fault') continue;
    if (spec.methods?.length && !spec.methods.some((m) => /^write$/i.test(m))) continue;
    if (spec.volumePath && !dataPath.startsWith(spec.volumePath)) continue;
    if (!experiment.containerRecords?.some((r) => r.id === id && r.phase === 'Injected')) continue;
    const errno = Math.abs(Number(spec.errno ?? 5));
    return ERRNO_TEXT[errno] ?? `Unknown error ${errno}`;
  }
  return undefined;
}

/** mongod's start-up with a failing disk: the lock file cannot be written; it exits with code 100. */
export function lockFileFailure(nowMs: number, error: string): string[] {
  return [
    mongoLog(nowMs, 'I', 'CONTROL', 23285, 'main', 'Automatically disabling TLS 1.0, to force-enable TLS 1.0 specify --sslDisabledProtocols \'none\''),
    mongoLog(nowMs + 2, 'I', 'CONTROL', 4615611, 'initandlisten', 'MongoDB starting', { pid: 1, port: 27017, dbPath: '/data/db', architecture: '64-bit', host: 'mongodb' }),
    mongoLog(nowMs + 5, 'E', 'STORAGE', 20557, 'initandlisten', 'DBException in initAndListen, terminating', { error: `FileStreamFailed: Unable to write process id 1 to file (/data/db/mongod.lock): ${error}` }),
    mongoLog(nowMs + 6, 'I', 'REPL', 4784900, 'initandlisten', 'Stepping down the ReplicationCoordinator for shutdown', { waitTimeMillis: 10000 }),
    mongoLog(nowMs + 8, 'I', 'CONTROL', 20565, 'initandlisten', 'Now exiting'),
    mongoLog(nowMs + 8, 'I', 'CONTROL', 23138, 'initandlisten', 'Shutting down', { exitCode: 100 }),
  ];
}

/** What a running mongod logs when its journal write fails, before it aborts. */
function journalWriteFailure(nowMs: number, error: string): string[] {
  const secs = Math.floor(nowMs / 1000);
  return [
    mongoLog(nowMs, 'E', 'STORAGE', 22435, 'WTJournalFlusher', 'WiredTiger error', { error: 5, message: `[${secs}:${(nowMs % 1000) * 1000}][1:0x7f3c2a1fc700], WT_SESSION.log_flush: __posix_file_write, 615: /data/db/journal/WiredTigerLog.0000000001: handle-write: pwrite: failed to write 128 bytes at offset 6016: ${error}` }),
    mongoLog(nowMs + 1, 'E', 'STORAGE', 22435, 'WTJournalFlusher', 'WiredTiger error', { error: -31804, message: `[${secs}:${(nowMs % 1000) * 1000 + 40}][1:0x7f3c2a1fc700], WT_SESSION.log_flush: __wt_panic, 490: the process must exit and restart: WT_PANIC: WiredTiger library panic` }),
    mongoLog(nowMs + 1, 'F', '-', 23089, 'WTJournalFlusher', 'Fatal assertion', { msgid: 50853, file: 'src/mongo/db/storage/wiredtiger/wiredtiger_util.cpp', line: 538 }),
    mongoLog(nowMs + 2, 'F', '-', 23090, 'WTJournalFlusher', '\n\n***aborting after fassert() failure\n\n'),
    mongoLog(nowMs + 3, 'F', 'CONTROL', 4757800, 'WTJournalFlusher', 'Writing fatal message', { message: 'Got signal: 6 (Aborted).\n' }),
  ];
}

/**
 * Watches IOChaos objects: a running Mongo container whose writes start failing logs the journal failure and aborts
 * (its restarts then fail at start-up, see `lockFileFailure`). Returns the unsubscribe function.
 */
export function watchDiskFaults(world: AppWorld, isMongo: (image: string) => boolean): () => void {
  const aborted = new Set<string>();
  let pending = false;
  const check = () => {
    pending = false;
    for (const chaos of world.store.list(IO_CHAOS)) {
      for (const record of (chaos.status as IoChaosStatus | undefined)?.experiment?.containerRecords ?? []) {
        const [namespace, name, container] = record.id.split('/');
        const pod = world.store.get('pods', namespace, name);
        const containers = (pod?.spec as { containers?: Array<{ name: string; image: string }> } | undefined)?.containers;
        const spec = containers?.find((c) => c.name === container);
        if (!pod || !spec || !isMongo(spec.image)) continue;
        const key = `${chaos.metadata.uid}/${pod.metadata.uid}/${container}`;
        const error = failingWrites(world, pod, container);
        if (!error || aborted.has(key)) continue;
        const now = world.now();
        for (const [i, line] of journalWriteFailure(now - 20, error).entries()) world.inject(pod.metadata.uid ?? '', container, now - 20 + i, line);
        world.killContainer?.(namespace, name, container, 134, 'Error'); // not running: its next start fails instead
        aborted.add(key);
      }
    }
  };
  return world.store.subscribe((e) => {
    if (e.resource !== IO_CHAOS || pending) return;
    pending = true;
    setImmediate(check);
  });
}
