/**
 * SocialNetwork (DSB C++ services, image `deathstarbench/social-network-microservices`, `command: [<Name>Service]`,
 * plus nginx-thrift / media-frontend): start-up logs, the createIndexes loop against the service's Mongo (start-up
 * race noise while Mongo comes up; forever — never opening :9090 — against a TLS-only or unreachable Mongo, F2), and
 * the callers' Thrift errors while load runs (`TSocket::open() connect() <Host: x Port: 9090>: Connection refused` +
 * `(ClientPool.h:114:Pop) Failed to connect x-client`) when a callee's Service has no endpoints, a targetPort that no
 * container listens on, or a pod that does not serve.
 */
import type { ContainerBehaviour, ContainerContext, KubeObject } from '../contracts';
import { Shell } from '../cluster/shell';
import { shellEnv } from '../cluster/default-behaviour';
import { dsb, thrift } from './formats';
import { loadArrivals } from './load';
import { mongoBehind } from './mongo';
import { reach, type Reach } from './net';
import { netTools, type HttpAnswer, type NonHttp } from './tools';
import type { AppWorld, InstanceInfo, Wrk2Run } from './world';
import { hex } from './world';

interface CppService {
  service: string;
  file: string;
  startLine: number;
  mongo?: { service: string; failLine: number };
}

export const SOCIAL: Record<string, CppService> = {
  ComposePostService: { service: 'compose-post-service', file: 'ComposePostService.cpp', startLine: 110 },
  HomeTimelineService: { service: 'home-timeline-service', file: 'HomeTimelineService.cpp', startLine: 82 },
  MediaService: { service: 'media-service', file: 'MediaService.cpp', startLine: 60 },
  PostStorageService: { service: 'post-storage-service', file: 'PostStorageService.cpp', startLine: 92, mongo: { service: 'post-storage-mongodb', failLine: 78 } },
  SocialGraphService: { service: 'social-graph-service', file: 'SocialGraphService.cpp', startLine: 96, mongo: { service: 'social-graph-mongodb', failLine: 82 } },
  TextService: { service: 'text-service', file: 'TextService.cpp', startLine: 60 },
  UniqueIdService: { service: 'unique-id-service', file: 'UniqueIdService.cpp', startLine: 70 },
  UrlShortenService: { service: 'url-shorten-service', file: 'UrlShortenService.cpp', startLine: 79, mongo: { service: 'url-shorten-mongodb', failLine: 65 } },
  UserMentionService: { service: 'user-mention-service', file: 'UserMentionService.cpp', startLine: 70 },
  UserService: { service: 'user-service', file: 'UserService.cpp', startLine: 94, mongo: { service: 'user-mongodb', failLine: 80 } },
  UserTimelineService: { service: 'user-timeline-service', file: 'UserTimelineService.cpp', startLine: 90, mongo: { service: 'user-timeline-mongodb', failLine: 76 } },
};

/** The createIndexes loop of the C++ services (observed: every ~1.3 s; the first try a moment after start). */
const RETRY_MS = 1300;
const FIRST_TRY_MS = 300;
/** From a successful createIndexes to the Thrift server listening. */
const SERVER_OPEN_MS = 10;

interface SocialRun {
  spec: CppService;
  binary: string;
  /** The createIndexes loop: its detail text, and until when it runs (Infinity = forever). */
  loop?: { detail: string; untilMs: number; mongoPodUid?: string; mongoCtr?: string; tls: boolean };
}

const runs = new WeakMap<InstanceInfo, SocialRun>();

function binaryOf(ctx: ContainerContext): string {
  return ([...ctx.command, ...ctx.args][0] ?? '').split('/').pop() ?? '';
}

/** Can a caller in `ns` open a Thrift connection to `<svc>:9090` now? */
function thriftReach(world: AppWorld, ns: string, svc: string): Reach {
  return reach(world, ns, svc, 9090);
}

function thriftFailure(ms: number, svc: string, r: Reach): string[] {
  const what = !r.ok && r.kind === 'nxdomain' ? `TSocket::open() getaddrinfo() <Host: ${svc} Port: 9090>Name or service not known` : !r.ok && r.kind === 'timeout' ? `TSocket::open() connect() <Host: ${svc} Port: 9090>: Connection timed out` : `TSocket::open() connect() <Host: ${svc} Port: 9090>: Connection refused`;
  return [thrift(ms, what), dsb(ms, 'error', 'ClientPool.h:114:Pop', `Failed to connect ${svc}-client`)];
}

/** The first service on the compose path that fails, with the caller that logs it. */
export function composePath(world: AppWorld, ns: string): { ok: true } | { ok: false; caller?: string; callee: string; reach: Reach; failures: Array<{ caller: string; callee: string; reach: Reach }> } {
  const compose = thriftReach(world, ns, 'compose-post-service');
  if (!compose.ok) return { ok: false, callee: 'compose-post-service', reach: compose, failures: [] };
  const failures: Array<{ caller: string; callee: string; reach: Reach }> = [];
  for (const callee of ['text-service', 'user-service', 'media-service', 'unique-id-service']) {
    const r = thriftReach(world, ns, callee);
    if (!r.ok) failures.push({ caller: 'compose-post-service', callee, reach: r });
    else if (callee === 'text-service') {
      for (const sub of ['url-shorten-service', 'user-mention-service']) {
        const s = thriftReach(world, ns, sub);
        if (!s.ok) failures.push({ caller: 'text-service', callee: sub, reach: s });
      }
    }
  }
  if (failures.length === 0) {
    for (const callee of ['post-storage-service', 'user-timeline-service', 'home-timeline-service']) {
      const r = thriftReach(world, ns, callee);
      if (!r.ok) {
        failures.push({ caller: 'compose-post-service', callee, reach: r });
        break;
      }
    }
  }
  if (failures.length === 0) return { ok: true };
  return { ok: false, caller: failures[0].caller, callee: failures[0].callee, reach: failures[0].reach, failures };
}

export function socialBehaviour(world: AppWorld): ContainerBehaviour {
  return {
    start(ctx) {
      const now = world.now();
      const binary = binaryOf(ctx);
      const spec = SOCIAL[binary];
      if (!spec) return { kind: 'exit', exitCode: 128, lines: [], reason: 'StartError' };
      const info = world.record(ctx, { binary, ports: [9090], servingFromMs: now });
      const run: SocialRun = { spec, binary };
      runs.set(info, run);
      const started = dsb(now, 'info', `${spec.file}:${spec.startLine}:main`, `Starting the ${spec.service} server ...`);
      if (spec.mongo) {
        const r = reach(world, ctx.namespace, spec.mongo.service, 27017);
        const server = r.ok ? mongoBehind(world, ctx.namespace, spec.mongo.service) : undefined;
        if (r.ok && server && server.tlsMode !== 'requireTLS') return { kind: 'running', lines: [started] };
        const soon = !r.ok ? reach(world, ctx.namespace, spec.mongo.service, 27017, { allowStarting: true }) : r;
        const tls = !!server && server.tlsMode === 'requireTLS';
        const detail = tls ? `connection closed calling ismaster on '${spec.mongo.service}:27017'` : `connection refused calling ismaster on '${spec.mongo.service}:27017'`;
        run.loop = { detail, untilMs: Infinity, tls, mongoPodUid: server?.pod.metadata.uid, mongoCtr: server?.container?.name };
        info.servingFromMs = Infinity;
        info.extra = { tlsClientOf: tls ? server?.pod.metadata.uid : undefined };
        if (!tls && world.canSchedule) {
          // The loop as the service runs it: createIndexes first ~300 ms after start, then every RETRY_MS; the server
          // starts (and opens 9090) at the first try that reaches a Mongo accepting plain connections.
          const attempt = (t: number) => {
            if (!world.isCurrent(info)) return;
            const m = reach(world, ctx.namespace, spec.mongo!.service, 27017);
            const behind = m.ok ? mongoBehind(world, ctx.namespace, spec.mongo!.service) : undefined;
            if (m.ok && behind && behind.tlsMode !== 'requireTLS') {
              run.loop!.untilMs = t;
              info.servingFromMs = t + SERVER_OPEN_MS;
              info.reviewAtMs = undefined;
              return;
            }
            info.reviewAtMs = t + RETRY_MS + SERVER_OPEN_MS;
            world.later(RETRY_MS, () => attempt(t + RETRY_MS));
          };
          info.reviewAtMs = now + FIRST_TRY_MS + SERVER_OPEN_MS;
          world.later(FIRST_TRY_MS, () => attempt(now + FIRST_TRY_MS));
        } else if (!tls && soon.ok) {
          // No scheduling clock: Mongo is still coming up, the first createIndexes fails, the retry succeeds.
          run.loop.untilMs = now + FIRST_TRY_MS + RETRY_MS;
          info.servingFromMs = run.loop.untilMs;
        }
        return { kind: 'running', lines: [] };
      }
      return { kind: 'running', lines: [started] };
    },

    logsBetween(ctx, fromMs, toMs) {
      const info = world.byContext.get(ctx);
      const run = info ? runs.get(info) : undefined;
      if (!info || !run) return [];
      const out: string[] = [];
      if (run.loop) {
        const t0 = info.startMs;
        const first = Math.max(0, Math.ceil((fromMs - t0 - FIRST_TRY_MS) / RETRY_MS));
        for (let k = first; ; k++) {
          const t = t0 + FIRST_TRY_MS + k * RETRY_MS;
          if (t >= toMs || t >= run.loop.untilMs || out.length > 4000) break;
          out.push(
            dsb(t, 'error', 'utils_mongodb.h:76:CreateIndex', `Error in createIndexes: No suitable servers found: \`serverSelectionTimeoutMS\` expired: [${run.loop.detail}]`),
            dsb(t, 'error', `${run.spec.file}:${run.spec.mongo!.failLine}:main`, 'Failed to create mongodb index, try again'),
          );
        }
        if (run.loop.untilMs !== Infinity && run.loop.untilMs >= fromMs && run.loop.untilMs < toMs) {
          out.push(dsb(run.loop.untilMs, 'info', `${run.spec.file}:${run.spec.startLine}:main`, `Starting the ${run.spec.service} server ...`));
        }
      }
      if (run.binary === 'ComposePostService' || run.binary === 'TextService') {
        const arrivals = loadArrivals(world, ctx.namespace, 'nginx-thrift', fromMs, toMs);
        if (arrivals.length) {
          const path = composePath(world, ctx.namespace);
          if (!path.ok) {
            const mine = path.failures.filter((f) => f.caller === run.spec.service);
            for (const t of arrivals) for (const f of mine) out.push(...thriftFailure(t, f.callee, f.reach));
          }
        }
      }
      return out;
    },

    exec(ctx, command, stdin) {
      const sh = shellEnv(ctx, (argv) => netTools(world, ctx, argv, ['getent']));
      const r = new Shell(sh).exec(command, stdin ?? '', false);
      return { stdout: r.stdout, stderr: r.stderr, exitCode: r.exitCode };
    },
  };
}

/** nginx-thrift (openresty) and media-frontend. */
export function socialFrontendBehaviour(world: AppWorld): ContainerBehaviour {
  return {
    start(ctx) {
      world.record(ctx, { binary: 'nginx', ports: [8080], servingFromMs: world.now() });
      return { kind: 'running', lines: [] };
    },
    exec(ctx, command, stdin) {
      const sh = shellEnv(ctx, (argv) => netTools(world, ctx, argv, ['curl']));
      const r = new Shell(sh).exec(command, stdin ?? '', false);
      return { stdout: r.stdout, stderr: r.stderr, exitCode: r.exitCode };
    },
  };
}

function isImage(pod: KubeObject, re: RegExp): boolean {
  return ((pod.spec?.containers ?? []) as any[]).some((c) => re.test(String(c.image ?? '')));
}

export function composeAnswer(world: AppWorld, ns: string): HttpAnswer {
  const p = composePath(world, ns);
  if (p.ok) return { status: 200, body: 'Successfully upload post\n', contentType: 'text/plain' };
  return { status: 500, body: 'compost_post failure: connect() failed: Connection refused\n', contentType: 'text/plain' };
}

export function socialResponder(world: AppWorld, pod: KubeObject, port: number, _method: string, path: string): HttpAnswer | NonHttp | undefined {
  const ns = pod.metadata.namespace ?? '';
  if (isImage(pod, /openresty-thrift/) && port === 8080) {
    if (path.startsWith('/wrk2-api/post/compose') || path.startsWith('/api/post/compose')) return composeAnswer(world, ns);
    if (path === '/' || path.startsWith('/index.html')) return { status: 200, body: '<!DOCTYPE html>\n<html>\n<head><title>Social Network</title></head>\n<body></body>\n</html>\n', contentType: 'text/html' };
    return { status: 404, body: '<html>\r\n<head><title>404 Not Found</title></head>\r\n<body>\r\n<center><h1>404 Not Found</h1></center>\r\n<hr><center>openresty/1.15.8.1rc1</center>\r\n</body>\r\n</html>\r\n', contentType: 'text/html' };
  }
  if (isImage(pod, /media-frontend/) && port === 8080) return { status: 200, body: '<!DOCTYPE html>\n<html><head><title>Media</title></head><body></body></html>\n', contentType: 'text/html' };
  if (isImage(pod, /social-network-microservices/) && port === 9090) return { curlExit: 52, curlText: 'curl: (52) Empty reply from server' };
  return undefined;
}

export function socialOracle(world: AppWorld, run: Wrk2Run, i: number): { status: number; bytes: number; latencyMs: number } | undefined {
  if (!run.targetNamespace || (run.targetService !== 'nginx-thrift' && run.targetService !== 'media-frontend')) return undefined;
  const jitter = (parseInt(hex(`${run.podUid}/${i}/lat`, 6), 16) % 1000) / 1000;
  if (run.targetService === 'media-frontend') return { status: 200, bytes: 120, latencyMs: 1.5 + jitter * 2 };
  const a = composeAnswer(world, run.targetNamespace);
  return { status: a.status, bytes: a.body.length, latencyMs: a.status >= 500 ? 2.4 + jitter * 1.4 : 6 + jitter * 9 };
}
