import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import type { Readable } from 'node:stream';
import { systemBinds } from './availability';
import type { ApiEndpoint } from './kubeconfig-endpoints';

/** Where the holder sees the bridge's sockets (the same place as a command's sandbox does). */
export const INNER_SOCKETS = '/run/aiopslab';

/** How long the forwarders may take to listen before the session gives up on a shared network. */
const READY_TIMEOUT_MS = 15_000;

/**
 * The sandbox's network for a whole session: one network namespace that has nothing but a loopback, on which one
 * forwarder (socat) per API server listens and passes connections to the host through the bridge's Unix socket.
 * Every command of the session runs in a fresh sandbox of its own (its own mount, PID, IPC and UTS namespaces, so
 * nothing it starts outlives it) that joins this namespace instead of making a new one and starting its forwarders
 * again, which was most of what the sandbox cost per command.
 *
 * The namespaces are held by file descriptors of this process, and a command joins them through this process's
 * /proc entry, never through the holder's PID: a PID can be reused, a descriptor cannot. Should the holder die, the
 * namespace stays as it was (no network at all), so commands fail closed; the next command starts a new holder.
 */
export class SessionNetwork {
  private exited = false;

  private constructor(private readonly holder: ChildProcess, private readonly userFd: number, private readonly netFd: number) {
    holder.once('exit', () => { this.exited = true; });
  }

  /** Starts the holder and waits until every forwarder listens. */
  static async open(bwrap: string, socketDir: string, endpoints: ApiEndpoint[], initScript: string): Promise<SessionNetwork> {
    const holder = spawn(bwrap, [
      // No --dev and no --uid: either would make bwrap nest a second user namespace, and the network namespace would
      // then belong to one that a command cannot enter.
      '--unshare-user', '--unshare-net', '--unshare-pid', '--unshare-ipc', '--unshare-uts', '--die-with-parent', '--new-session',
      ...systemBinds(), '--dev-bind', '/dev/null', '/dev/null', '--ro-bind', socketDir, INNER_SOCKETS,
      '--info-fd', '3', '--clearenv', '--setenv', 'PATH', '/usr/bin:/bin',
      '--', '/bin/bash', '-c', initScript, 'aiopslab-network', 'echo ready; exec sleep infinity',
    ], { detached: true, stdio: ['ignore', 'pipe', 'pipe', 'pipe'] });
    try {
      const childPid = await holderReady(holder, endpoints.length);
      const userFd = fs.openSync(`/proc/${childPid}/ns/user`, 'r');
      const netFd = fs.openSync(`/proc/${childPid}/ns/net`, 'r');
      const network = new SessionNetwork(holder, userFd, netFd);
      // Left running, it must not keep a CLI from exiting; --die-with-parent ends it with this process.
      holder.unref();
      for (const stream of [holder.stdout, holder.stderr]) (stream as unknown as { unref?: () => void } | null)?.unref?.();
      // The namespace must be the holder's new one, never this process's own (a holder that died and a PID reused).
      if (fs.fstatSync(netFd).ino === fs.statSync('/proc/self/ns/net').ino || network.exited) {
        network.close();
        throw new Error('the sandbox network holder ended before its namespace could be held');
      }
      return network;
    } catch (error) {
      killGroup(holder);
      throw error;
    }
  }

  /** Whether commands can still join it (its forwarders are running). */
  get alive(): boolean {
    return !this.exited;
  }

  /** The command line prefix that runs a program (bwrap) inside this network namespace. */
  enter(nsenter: string): string[] {
    return [nsenter, `--user=/proc/${process.pid}/fd/${this.userFd}`, `--net=/proc/${process.pid}/fd/${this.netFd}`, '--preserve-credentials', '--'];
  }

  close(): void {
    killGroup(this.holder);
    for (const fd of [this.userFd, this.netFd]) {
      try {
        fs.closeSync(fd);
      } catch {
        // closed already
      }
    }
  }
}

/** The holder's PID inside the sandbox (bwrap's --info-fd), once it says every forwarder listens. */
function holderReady(holder: ChildProcess, forwarders: number): Promise<number> {
  return new Promise((resolve, reject) => {
    let info = '';
    let out = '';
    let err = '';
    const timer = setTimeout(() => fail(`its ${forwarders} forwarder(s) did not listen within ${READY_TIMEOUT_MS / 1000} s`), READY_TIMEOUT_MS);
    const fail = (why: string) => {
      clearTimeout(timer);
      reject(new Error(`the sandbox network could not start: ${why}${err.trim() ? ` (${err.trim().split('\n').slice(-2).join('; ')})` : ''}`));
    };
    let infoEnded = false;
    const settle = () => {
      if (!out.includes('ready') || !infoEnded) return;
      const pid = /"child-pid":\s*(\d+)/.exec(info)?.[1];
      if (!pid) return fail('bwrap did not say the PID of its process');
      clearTimeout(timer);
      resolve(Number(pid));
    };
    const infoStream = holder.stdio[3] as Readable;
    infoStream.on('data', (b: Buffer) => { info += b.toString(); });
    infoStream.once('end', () => { infoEnded = true; settle(); });
    holder.stderr!.on('data', (b: Buffer) => { if (err.length < 4096) err += b.toString(); });
    holder.stdout!.on('data', (b: Buffer) => { out += b.toString(); settle(); });
    holder.once('error', (error) => fail(error.message));
    holder.once('exit', (code, signal) => fail(`it ended (${signal ?? `exit ${code}`})`));
  });
}

function killGroup(child: ChildProcess): void {
  try {
    if (child.pid && child.exitCode === null && child.signalCode === null) process.kill(-child.pid, 'SIGKILL');
  } catch {
    // gone already
  }
}
