/**
 * Infrastructure images of the apps: consul (dev agent; members, catalog, HTTP API on 8500 with the registrations the
 * hotel services made, stale ones included), jaeger all-in-one, memcached, redis (redis-cli), busybox-style init
 * containers that wait with `until nc -z <svc> <port>` (they complete once the Service has a pod coming up), and the
 * alpine/git init containers that clone the DSB Lua scripts (they succeed with git's output).
 */
import type { ContainerBehaviour, ContainerContext, KubeObject } from '../contracts';
import { defaultBehaviour, shellEnv, shellScript } from '../cluster/default-behaviour';
import { Shell, type ShellResult } from '../cluster/shell';
import { isoSec } from './formats';
import { reach, type Reach } from './net';
import { addResponder, netTools, type HttpAnswer } from './tools';
import type { AppWorld } from './world';

function run(ctx: ContainerContext, world: AppWorld, command: string[], stdin: string | undefined, extra?: (argv: string[], stdin: string) => ShellResult | undefined, tools?: string[]) {
  const sh = shellEnv(ctx, (argv, input) => extra?.(argv, input) ?? netTools(world, ctx, argv, tools));
  const r = new Shell(sh).exec(command, stdin ?? '', false);
  return { stdout: r.stdout, stderr: r.stderr, exitCode: r.exitCode };
}

const CONSUL_VERSION = '1.20.1';

function consulCatalog(world: AppWorld, ns: string): Record<string, Array<{ id: string; address: string; port: number }>> {
  const out: Record<string, Array<{ id: string; address: string; port: number }>> = { consul: [] };
  for (const r of world.registrations(ns)) (out[r.name] ??= []).push({ id: r.id, address: r.address, port: r.port });
  return out;
}

function consulHttp(world: AppWorld, pod: KubeObject, path: string): HttpAnswer {
  const ns = pod.metadata.namespace ?? 'default';
  const node = pod.metadata.name ?? 'consul';
  const cat = consulCatalog(world, ns);
  const json = (x: unknown): HttpAnswer => ({ status: 200, body: JSON.stringify(x, null, 4) + '\n', contentType: 'application/json' });
  const p = path.split('?')[0];
  if (p === '/v1/catalog/services') return json(Object.fromEntries(Object.keys(cat).sort().map((k) => [k, []])));
  const svc = /^\/v1\/(?:catalog|health)\/service\/([^/]+)$/.exec(p);
  if (svc) {
    return json((cat[svc[1]] ?? []).map((r) => ({ ID: '', Node: node, Address: '127.0.0.1', Datacenter: 'dc1', ServiceKind: '', ServiceID: r.id, ServiceName: svc[1], ServiceTags: [], ServiceAddress: r.address, ServicePort: r.port, ServiceEnableTagOverride: false, Namespace: '', Partition: '' })));
  }
  if (p === '/v1/agent/services') {
    const o: Record<string, unknown> = {};
    for (const [name, list] of Object.entries(cat)) for (const r of list) o[r.id] = { ID: r.id, Service: name, Tags: [], Meta: {}, Port: r.port, Address: r.address, Datacenter: 'dc1' };
    return json(o);
  }
  if (p === '/v1/status/leader') return json('127.0.0.1:8300');
  if (p === '/v1/agent/members') return json([{ Name: node, Addr: '127.0.0.1', Port: 8301, Status: 1 }]);
  if (p === '/' || p.startsWith('/ui')) return { status: 301, body: '<a href="/ui/">Moved Permanently</a>.\n\n', contentType: 'text/html; charset=utf-8' };
  return { status: 404, body: `Invalid URL path: not a recognized HTTP API endpoint\n` };
}

export function consulBehaviour(world: AppWorld): ContainerBehaviour {
  addResponder((w, pod, port, _m, path) => (port === 8500 && ((pod.spec?.containers ?? []) as any[]).some((c) => /consul/.test(String(c.image))) ? consulHttp(w, pod, path) : undefined));
  return {
    start(ctx) {
      const now = world.now();
      const name = ctx.pod.metadata.name ?? 'consul';
      world.record(ctx, { binary: 'consul', ports: [8300, 8301, 8500, 8600], servingFromMs: now });
      const t = isoSec(now).replace('Z', '.000Z');
      return {
        kind: 'running',
        lines: [
          '==> Starting Consul agent...',
          `               Version: '${CONSUL_VERSION}'`,
          "            Build Date: '2024-10-29 19:04:05 +0000 UTC'",
          `               Node ID: '${world.uuid(`node/${ctx.pod.metadata.uid}`)}'`,
          `             Node name: '${name}'`,
          "            Datacenter: 'dc1' (Segment: '<all>')",
          '                Server: true (Bootstrap: false)',
          '           Client Addr: [0.0.0.0] (HTTP: 8500, HTTPS: -1, gRPC: 8502, gRPC-TLS: 8503, DNS: 8600)',
          '          Cluster Addr: 127.0.0.1 (LAN: 8301, WAN: 8302)',
          '     Gossip Encryption: false',
          '      Auto-Encrypt-TLS: false',
          '           ACL Enabled: false',
          '    ACL Default Policy: allow',
          '',
          '==> Log data will now stream in as it occurs:',
          '',
          `${t} [INFO]  agent.server.raft: initial configuration: index=1 servers="[{Suffrage:Voter ID:${world.uuid('raft')} Address:127.0.0.1:8300}]"`,
          `${t} [INFO]  agent.server: cluster leadership acquired`,
          `${t} [INFO]  agent: Started DNS server: address=0.0.0.0:8600 network=udp`,
          `${t} [INFO]  agent: Started HTTP server: address=[::]:8500 network=tcp`,
          `${t} [INFO]  agent: Consul agent running!`,
          `${t} [INFO]  agent: Synced node info`,
        ],
      };
    },
    logsBetween(ctx, fromMs, toMs) {
      const regs = world.registrations(ctx.namespace).filter((r) => r.atMs >= fromMs && r.atMs < toMs);
      return regs.map((r) => `${new Date(r.atMs).toISOString()} [INFO]  agent: Synced service: service=${r.id}`);
    },
    exec(ctx, command, stdin) {
      return run(ctx, world, command, stdin, (argv) => {
        if ((argv[0].split('/').pop() ?? '') !== 'consul') return undefined;
        const sub = argv.slice(1).join(' ');
        if (sub.startsWith('members')) {
          return { stdout: `Node${' '.repeat(Math.max(1, (ctx.pod.metadata.name ?? '').length - 3))}Address         Status  Type    Build   Protocol  DC   Partition  Segment\n${ctx.pod.metadata.name}  127.0.0.1:8301  alive   server  ${CONSUL_VERSION}  2         dc1  default    <all>\n`, stderr: '', exitCode: 0 };
        }
        if (sub.startsWith('catalog services')) return { stdout: Object.keys(consulCatalog(world, ctx.namespace)).sort().join('\n') + '\n', stderr: '', exitCode: 0 };
        if (sub.startsWith('catalog nodes')) return { stdout: `Node  ID        Address    DC\n${ctx.pod.metadata.name}  ${world.uuid('n').slice(0, 8)}  127.0.0.1  dc1\n`, stderr: '', exitCode: 0 };
        if (sub.startsWith('version')) return { stdout: `Consul v${CONSUL_VERSION}\nRevision 2d9ec7e4\nBuild Date 2024-10-29T19:04:05Z\nProtocol 2 spoken by default, understands 2 to 3 (agent will automatically use protocol >2 when speaking to compatible agents)\n\n`, stderr: '', exitCode: 0 };
        return { stdout: '', stderr: `Usage: consul [--version] [--help] <command> [<args>]\n`, exitCode: 1 };
      }, ['curl', 'nslookup', 'wget']);
    },
  };
}

export function jaegerBehaviour(world: AppWorld): ContainerBehaviour {
  return {
    start(ctx) {
      const now = world.now();
      world.record(ctx, { binary: 'all-in-one', ports: [5775, 6831, 6832, 5778, 16686, 14268, 14250, 9411, 4317, 4318], servingFromMs: now });
      const ts = (now / 1000).toFixed(7);
      const j = (caller: string, msg: string, extra: Record<string, unknown> = {}) => JSON.stringify({ level: 'info', ts: Number(ts), caller, msg, ...extra });
      return {
        kind: 'running',
        lines: [
          '2026/01/01 00:00:00 maxprocs: Leaving GOMAXPROCS=8: CPU quota undefined',
          j('flags/service.go:110', 'Mounting metrics handler on admin server', { route: '/metrics' }),
          j('flags/admin.go:135', 'Starting admin HTTP server', { 'http-addr': ':14269' }),
          j('memory/factory.go:79', 'Memory storage initialized', { configuration: { MaxTraces: 0 } }),
          j('server/grpc.go:104', 'Starting jaeger-collector gRPC server', { 'grpc.host-port': '[::]:14250' }),
          j('server/http.go:56', 'Starting jaeger-collector HTTP server', { 'http host-port': ':14268' }),
          j('app/agent.go:69', 'Starting jaeger-agent HTTP server', { 'http-port': 5778 }),
          j('app/server.go:255', 'Query server started', { 'http_addr': '[::]:16686', 'grpc_addr': '[::]:16685' }),
        ],
      };
    },
    exec: (ctx, command, stdin) => run(ctx, world, command, stdin, undefined, ['wget', 'nc']),
  };
}

export function memcachedBehaviour(world: AppWorld): ContainerBehaviour {
  return {
    start(ctx) {
      world.record(ctx, { binary: 'memcached', ports: [11211], servingFromMs: world.now() });
      return { kind: 'running', lines: [] };
    },
    exec: (ctx, command, stdin) => run(ctx, world, command, stdin),
    usage: () => ({ cpuMillis: 1, memoryBytes: 3 * 1024 * 1024 }),
  };
}

function redisTime(ms: number): string {
  const d = new Date(ms);
  const M = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'][d.getUTCMonth()];
  const p = (n: number, w = 2) => String(n).padStart(w, '0');
  return `${p(d.getUTCDate())} ${M} ${d.getUTCFullYear()} ${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())}.${p(d.getUTCMilliseconds(), 3)}`;
}

export function redisBehaviour(world: AppWorld): ContainerBehaviour {
  return {
    start(ctx) {
      const now = world.now();
      world.record(ctx, { binary: 'redis-server', ports: [6379], servingFromMs: now });
      const t = redisTime(now);
      return {
        kind: 'running',
        lines: [
          `1:C ${t} # oO0OoO0OoO0Oo Redis is starting oO0OoO0OoO0Oo`,
          `1:C ${t} # Redis version=6.2.4, bits=64, commit=00000000, modified=0, pid=1, just started`,
          `1:C ${t} # Warning: no config file specified, using the default config. In order to specify a config file use redis-server /path/to/redis.conf`,
          `1:M ${t} * monotonic clock: POSIX clock_gettime`,
          `1:M ${t} * Running mode=standalone, port=6379.`,
          `1:M ${t} # Server initialized`,
          `1:M ${t} * Ready to accept connections`,
        ],
      };
    },
    exec: (ctx, command, stdin) =>
      run(ctx, world, command, stdin, (argv) => {
        if ((argv[0].split('/').pop() ?? '') !== 'redis-cli') return undefined;
        const cmd = argv.slice(1).filter((a, i, all) => !['-h', '-p', '-a', '-n'].includes(a) && !['-h', '-p', '-a', '-n'].includes(all[i - 1] ?? ''));
        const c = (cmd[0] ?? '').toLowerCase();
        if (c === 'ping') return { stdout: 'PONG\n', stderr: '', exitCode: 0 };
        if (c === 'dbsize') return { stdout: '(integer) 0\n', stderr: '', exitCode: 0 };
        if (c === 'info') return { stdout: '# Server\r\nredis_version:6.2.4\r\nredis_mode:standalone\r\nos:Linux 6.8.0 x86_64\r\ntcp_port:6379\r\n', stderr: '', exitCode: 0 };
        if (c === 'keys') return { stdout: '(empty array)\n', stderr: '', exitCode: 0 };
        return { stdout: `(error) ERR unknown command \`${cmd[0] ?? ''}\`, with args beginning with: \n`, stderr: '', exitCode: 0 };
      }),
  };
}

/** `until nc -z [-v] [-w30] <host> <port>; do …; [sleep N;] done` → the (host, port) it waits for and the pause between tries. */
export function waitTarget(script: string): { host: string; port: number; message?: string; sleepMs: number } | undefined {
  const m = /until\s+nc\s+((?:-\S+\s+)*)([\w.-]+)\s+(\d+)\s*;\s*do\s+(.*?);?\s*done/.exec(script);
  if (!m) return undefined;
  const echo = /echo\s+("?)([^";]+)\1/.exec(m[4]);
  const sleep = /(?:^|[;\s])sleep\s+(\d+(?:\.\d+)?)/.exec(m[4]);
  return { host: m[2], port: Number(m[3]), message: echo?.[2]?.trim(), sleepMs: sleep ? Number(sleep[1]) * 1000 : 0 };
}

/** From the shell's start to nc's first answer (shell start-up, DNS lookup, connect). */
const NC_TRY_MS = 50;

/** busybox: wait loops complete when the target comes up; anything else is the default container. */
export function busyboxBehaviour(world: AppWorld): ContainerBehaviour {
  return {
    start(ctx) {
      const script = shellScript([...ctx.command, ...ctx.args]) ?? '';
      const target = waitTarget(script);
      if (!target) return defaultBehaviour.start(ctx);
      const verbose = /nc\s+(?:-\S+\s+)*-\S*v/.test(script);
      const now = reach(world, ctx.namespace, target.host, target.port);
      if (now.ok) return { kind: 'exit', exitCode: 0, lines: verbose ? [`${target.host} (${now.ip}:${target.port}) open`] : [], afterMs: NC_TRY_MS };
      const failLines = (r: Reach) => [
        ...(verbose ? [!r.ok && r.kind === 'nxdomain' ? `nc: bad address '${target.host}'` : `nc: ${target.host} (${(r.ip ?? '')}:${target.port}): Connection refused`] : []),
        ...(target.message ? [target.message] : []),
      ];
      const openLine = (ip: string | undefined) => `${target.host} (${ip ?? ''}:${target.port}) open`;
      if (world.killContainer && world.canSchedule) {
        // The loop as the shell runs it: nc tries once the shell is up, then again after every `sleep`; the container
        // completes at the first try the target answers (a dependency started a moment earlier counts).
        const info = world.record(ctx, { binary: 'sh', ports: [], servingFromMs: Infinity });
        const uid = ctx.pod.metadata.uid ?? '';
        const attempt = () => {
          if (!world.isCurrent(info)) return;
          const r = reach(world, ctx.namespace, target.host, target.port);
          const t = world.now();
          if (r.ok) {
            if (verbose) world.inject(uid, ctx.containerName, t, openLine(r.ip));
            world.killContainer!(ctx.namespace, info.podName, ctx.containerName, 0, 'Completed');
            return;
          }
          for (const line of failLines(r)) world.inject(uid, ctx.containerName, t, line);
          world.later(Math.max(target.sleepMs, 100) + NC_TRY_MS, attempt);
        };
        world.later(NC_TRY_MS, attempt);
        return { kind: 'running', lines: [] };
      }
      const soon = reach(world, ctx.namespace, target.host, target.port, { allowStarting: true });
      const loop = failLines(now);
      if (soon.ok) {
        // The dependency is starting (its container is being pulled or started, well under the loop's pause here):
        // the first try fails, the next one after the `sleep` answers.
        return { kind: 'exit', exitCode: 0, lines: [...loop, ...(verbose ? [openLine(now.ip || soon.ip)] : [])], afterMs: Math.max(target.sleepMs, 100) };
      }
      // Nothing answers yet: the loop runs until the target comes up (re-checked on cluster changes, see index.ts).
      world.record(ctx, { binary: 'sh', ports: [], servingFromMs: Infinity, extra: { loop } });
      world.waitLoops.push({
        namespace: ctx.namespace,
        pod: ctx.pod.metadata.name ?? '',
        podUid: ctx.pod.metadata.uid ?? '',
        container: ctx.containerName,
        host: target.host,
        port: target.port,
        openLine: verbose ? openLine : undefined,
      });
      return { kind: 'running', lines: loop };
    },
    logsBetween(ctx, fromMs, toMs) {
      const info = world.byContext.get(ctx);
      const loop = (info?.extra?.loop ?? []) as string[];
      if (!info || !loop.length) return world.takeInjected(ctx.pod.metadata.uid ?? '', ctx.containerName, toMs + 1);
      const n = Math.floor((toMs - info.startMs) / 2000) - Math.floor((fromMs - info.startMs) / 2000);
      const out: string[] = [];
      for (let i = 0; i < Math.min(n, 500); i++) out.push(...loop);
      out.push(...world.takeInjected(ctx.pod.metadata.uid ?? '', ctx.containerName, toMs + 1));
      return out;
    },
    exec: (ctx, command, stdin) => run(ctx, world, command, stdin, undefined, ['nc', 'nslookup', 'wget']),
  };
}

/** Finishes the wait loops whose target answers now (called after cluster changes). */
export function recheckWaitLoops(world: AppWorld): void {
  if (!world.killContainer) return;
  for (const loop of [...world.waitLoops]) {
    const pod = world.store.get('pods', loop.namespace, loop.pod);
    if (!pod || pod.metadata.uid !== loop.podUid || pod.metadata.deletionTimestamp) {
      world.waitLoops.splice(world.waitLoops.indexOf(loop), 1);
      continue;
    }
    const r = reach(world, loop.namespace, loop.host, loop.port);
    if (!r.ok) continue;
    if (loop.openLine) world.inject(loop.podUid, loop.container, world.now(), loop.openLine(r.ip));
    if (world.killContainer(loop.namespace, loop.pod, loop.container, 0, 'Completed')) world.waitLoops.splice(world.waitLoops.indexOf(loop), 1);
  }
}

/** A shallow `git clone` of the app's repository (the twin's network is as quick as its image pulls). */
const CLONE_MS = 800;

/** alpine/git init containers: `git clone` succeeds with git's progress output; the script's echo lines follow. */
export function gitBehaviour(world: AppWorld): ContainerBehaviour {
  return {
    start(ctx) {
      const argv = [...ctx.command, ...ctx.args];
      const script = shellScript(argv) ?? argv.join(' ');
      const lines: string[] = [];
      for (const raw of script.split('\n')) {
        const line = raw.trim();
        const clone = /^git\s+clone\s+(?:--\S+(?:\s+\d+)?\s+)*(\S+)\s+(\S+)/.exec(line);
        if (clone) lines.push(`Cloning into '${clone[2]}'...`);
        const echo = /^echo\s+(["']?)(.*)\1$/.exec(line);
        if (echo) lines.push(echo[2]);
      }
      if (!lines.length && argv[0] === 'git') return { kind: 'exit', exitCode: 0, lines: ['git version 2.43.0'] };
      void world;
      return { kind: 'exit', exitCode: 0, lines, afterMs: CLONE_MS };
    },
  };
}
