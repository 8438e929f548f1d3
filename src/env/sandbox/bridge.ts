import * as net from 'node:net';
import * as path from 'node:path';
import type { ApiEndpoint } from './kubeconfig-endpoints';

/**
 * The host side of the sandbox's only way out: one Unix socket per API server, in a folder that the sandbox sees
 * (read-only), each connected to that server and nothing else. Inside, a forwarder listens on the server's address on
 * the sandbox's own loopback and connects to the socket, so the agent's kubectl reaches its API server while every
 * other address stays unreachable (the sandbox has no network of its own).
 */
export class ApiBridge {
  private readonly servers: net.Server[] = [];
  private readonly sockets = new Set<net.Socket>();

  private constructor(readonly socketPaths: string[]) {}

  static async open(endpoints: ApiEndpoint[], socketDir: string): Promise<ApiBridge> {
    const bridge = new ApiBridge(endpoints.map((_, i) => path.join(socketDir, `api-${i}.sock`)));
    try {
      await Promise.all(endpoints.map((endpoint, i) => bridge.listen(endpoint, bridge.socketPaths[i])));
    } catch (error) {
      await bridge.close();
      throw error;
    }
    return bridge;
  }

  private listen(endpoint: ApiEndpoint, socketPath: string): Promise<void> {
    const server = net.createServer((inner) => {
      const outer = net.connect({ host: endpoint.host, port: endpoint.port });
      for (const s of [inner, outer]) {
        this.sockets.add(s);
        s.on('close', () => this.sockets.delete(s));
        s.on('error', () => { inner.destroy(); outer.destroy(); });
      }
      inner.pipe(outer);
      outer.pipe(inner);
    });
    this.servers.push(server);
    return new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen(socketPath, () => { server.off('error', reject); resolve(); });
    });
  }

  async close(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await Promise.all(this.servers.map((s) => new Promise<void>((resolve) => s.close(() => resolve()))));
  }
}
