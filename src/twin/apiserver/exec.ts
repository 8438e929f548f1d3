/**
 * `pods/exec` over WebSocket (the `channel.k8s.io` family; v5 preferred): stdin on channel 0 (v5 close signal
 * 255/0), stdout 1, stderr 2, a Status JSON with the exit code on channel 3, then a close frame with code 1000.
 */
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type { WebSocketServer, WebSocket } from 'ws';
import type { PodRuntime } from '../contracts';
import { ApiError, badRequest, notFound, toApiError } from './errors';
import type { MemoryStore } from './store';

const PROTOCOLS = ['v5.channel.k8s.io', 'v4.channel.k8s.io', 'v3.channel.k8s.io', 'v2.channel.k8s.io', 'channel.k8s.io'];

export interface ExecTarget { namespace: string; pod: string; url: URL }

function writeHttpError(socket: Duplex, e: unknown): void {
  const err = toApiError(e);
  const body = JSON.stringify(err.toStatus());
  const text = { 400: 'Bad Request', 403: 'Forbidden', 404: 'Not Found', 405: 'Method Not Allowed', 500: 'Internal Server Error' }[err.code] ?? 'Error';
  try {
    socket.end(`HTTP/1.1 ${err.code} ${text}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`);
  } catch { /* socket gone */ }
}

const OPEN = 1;

export class ExecServer {
  private server: WebSocketServer | undefined;
  constructor(private readonly store: MemoryStore, private readonly runtime: PodRuntime) {}

  /** The WebSocket server, created on the first exec (loading `ws` costs tens of milliseconds at twin start). */
  private get wss(): WebSocketServer {
    if (!this.server) {
      // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded lazily, see above
      const { WebSocketServer: Wss } = require('ws') as typeof import('ws');
      this.server = new Wss({ noServer: true, handleProtocols: (offered: Set<string>) => PROTOCOLS.find((p) => offered.has(p)) ?? false });
    }
    return this.server;
  }

  close(): void {
    if (!this.server) return;
    for (const c of this.server.clients) c.terminate();
    this.server.close();
  }

  /** Validates the request, then upgrades; errors before the upgrade are plain HTTP Status responses. */
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer, target: ExecTarget): void {
    let command: string[];
    let container: string;
    try {
      const pod = this.store.get('pods', target.namespace, target.pod);
      if (!pod) throw notFound('pods', '', target.pod);
      const q = target.url.searchParams;
      command = q.getAll('command');
      if (!command.length) throw badRequest('you must specify at least 1 command');
      const names: string[] = (pod.spec?.containers ?? []).map((c: { name: string }) => c.name);
      const requested = q.get('container');
      if (requested) {
        const all = [...names, ...(pod.spec?.initContainers ?? []).map((c: { name: string }) => c.name), ...(pod.spec?.ephemeralContainers ?? []).map((c: { name: string }) => c.name)];
        if (!all.includes(requested)) throw badRequest(`container ${requested} is not valid for pod ${target.pod}`);
        container = requested;
      } else if (names.length === 1) container = names[0];
      else {
        const def = pod.metadata.annotations?.['kubectl.kubernetes.io/default-container'];
        if (def && names.includes(def)) container = def;
        else throw badRequest(`a container name must be specified for pod ${target.pod}, choose one of: [${names.join(' ')}]`);
      }
      const offered = String(req.headers['sec-websocket-protocol'] ?? '').split(',').map((s) => s.trim());
      if (!offered.some((p) => PROTOCOLS.includes(p))) throw badRequest('Upgrade request required');
    } catch (e) {
      writeHttpError(socket, e);
      return;
    }
    const wantStdin = ['true', '1'].includes(target.url.searchParams.get('stdin') ?? '');
    this.wss.handleUpgrade(req, socket, head, (ws) => this.session(ws, target, container, command, wantStdin));
  }

  private session(ws: WebSocket, target: ExecTarget, container: string, command: string[], wantStdin: boolean): void {
    const v5 = ws.protocol === 'v5.channel.k8s.io';
    const statusJson = v5 || ws.protocol === 'v4.channel.k8s.io';
    const stdin: Buffer[] = [];
    let started = false;
    let idle: NodeJS.Timeout | undefined;
    const run = async (): Promise<void> => {
      if (started) return;
      started = true;
      if (idle) clearTimeout(idle);
      const send = (channel: number, data: Buffer | string): void => {
        if (ws.readyState !== OPEN) return;
        const b = typeof data === 'string' ? Buffer.from(data) : data;
        for (let off = 0; off < b.length || (off === 0 && channel === 3); off += 32 * 1024) {
          ws.send(Buffer.concat([Buffer.from([channel]), b.subarray(off, off + 32 * 1024)]));
          if (b.length === 0) break;
        }
      };
      try {
        const result = await this.runtime.exec({
          namespace: target.namespace, pod: target.pod, container, command,
          stdin: wantStdin ? Buffer.concat(stdin).toString() : undefined,
        });
        if (result.stdout) send(1, result.stdout);
        if (result.stderr) send(2, result.stderr);
        if (statusJson) {
          const status = result.exitCode === 0
            ? { metadata: {}, status: 'Success' }
            : {
              metadata: {}, status: 'Failure',
              message: `command terminated with non-zero exit code: error executing command [${command.join(' ')}], exit code ${result.exitCode}`,
              reason: 'NonZeroExitCode', details: { causes: [{ reason: 'ExitCode', message: String(result.exitCode) }] },
            };
          send(3, JSON.stringify(status));
        } else if (result.exitCode !== 0) {
          send(3, `command terminated with non-zero exit code: exit code ${result.exitCode}`);
        }
      } catch (e) {
        const err = e instanceof ApiError ? e : toApiError(e);
        if (statusJson) send(3, JSON.stringify({ metadata: {}, status: 'Failure', message: err.message, reason: err.wireReason || 'InternalError', code: err.code }));
        else send(3, err.message);
      }
      if (ws.readyState === OPEN) ws.close(1000);
    };
    ws.on('message', (data: Buffer, isBinary: boolean) => {
      void isBinary;
      const buf = Buffer.isBuffer(data) ? data : Buffer.from(data);
      if (!buf.length) return;
      const ch = buf[0];
      if (ch === 0 && wantStdin && !started) {
        stdin.push(buf.subarray(1));
        if (!v5) { if (idle) clearTimeout(idle); idle = setTimeout(() => void run(), 200); }
      } else if (ch === 255 && v5 && buf[1] === 0) void run();
    });
    ws.on('error', () => undefined);
    ws.on('close', () => { if (idle) clearTimeout(idle); });
    if (!wantStdin) void run();
  }
}
