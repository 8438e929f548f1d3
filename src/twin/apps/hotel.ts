/**
 * HotelReservation Go services (`yinfangchen/hotelreservation:latest` with `command: [<service>]`, and the rebuilt
 * fault image `yinfangchen/geo:app3`): the zerolog start-up sequence, the Mongo connection with the hard-coded
 * admin/admin of geo and rate (authentication failure → panic, exit 2; missing readWrite → FTL not authorized, exit 1;
 * nothing reachable → `no reachable servers` panic after mgo's 10 s dial timeout, exit 2), consul registration of the
 * pod IP (stale entries stay when pods are replaced), and the frontend's two error log lines while load runs and a
 * downstream service is unreachable through consul.
 */
import type { ContainerBehaviour, ContainerContext, ContainerStartOutcome, KubeObject } from '../contracts';
import { Shell } from '../cluster/shell';
import { shellEnv } from '../cluster/default-behaviour';
import { zerolog, zerologJson } from './formats';
import { ensureInitialized, mongoBehind, setCollections, type MongoInstance } from './mongo';
import { authenticate, authorized } from './mongo-shell';
import { listening, reach } from './net';
import { loadArrivals } from './load';
import { netTools } from './tools';
import { mountTools } from './kernel';
import type { AppWorld, InstanceInfo } from './world';

interface DbSpec {
  service: string;
  db: string;
  collection: string;
  /** geo and rate log in as admin/admin (hard-coded in the image). */
  creds: boolean;
  /** Source lines in the real logs. */
  lines: { session: number; generate: number; fatal: number; panic: number };
  countQuery: string;
}

interface HotelService {
  port: number;
  db?: DbSpec;
  memcached?: string;
  registers: boolean;
  /** Name in the config-reading lines (`Read <x> memcashed address`). */
  label: string;
}

export const HOTEL: Record<string, HotelService> = {
  frontend: { port: 5000, registers: false, label: 'frontend' },
  search: { port: 8082, registers: true, label: 'search' },
  geo: { port: 8083, registers: true, label: 'geo', db: { service: 'mongodb-geo', db: 'geo-db', collection: 'geo', creds: true, lines: { session: 29, generate: 31, fatal: 35, panic: 26 }, countQuery: '{ count: "geo", query: { hotelId: "1" }, $db: "geo-db" }' } },
  rate: { port: 8084, registers: true, label: 'rate', memcached: 'memcached-rate', db: { service: 'mongodb-rate', db: 'rate-db', collection: 'inventory', creds: true, lines: { session: 39, generate: 41, fatal: 45, panic: 36 }, countQuery: '{ count: "inventory", query: { hotelId: "1" }, $db: "rate-db" }' } },
  profile: { port: 8081, registers: true, label: 'profile', memcached: 'memcached-profile', db: { service: 'mongodb-profile', db: 'profile-db', collection: 'hotels', creds: false, lines: { session: 25, generate: 27, fatal: 31, panic: 22 }, countQuery: '{ count: "hotels", query: { id: "1" }, $db: "profile-db" }' } },
  recommendation: { port: 8085, registers: true, label: 'recommendation', db: { service: 'mongodb-recommendation', db: 'recommendation-db', collection: 'recommendation', creds: false, lines: { session: 25, generate: 27, fatal: 31, panic: 22 }, countQuery: '{ count: "recommendation", query: { hotelId: "1" }, $db: "recommendation-db" }' } },
  reservation: { port: 8087, registers: true, label: 'reservation', memcached: 'memcached-reserve', db: { service: 'mongodb-reservation', db: 'reservation-db', collection: 'reservation', creds: false, lines: { session: 25, generate: 27, fatal: 31, panic: 22 }, countQuery: '{ count: "reservation", query: { hotelId: "4" }, $db: "reservation-db" }' } },
  user: { port: 8086, registers: true, label: 'user', db: { service: 'mongodb-user', db: 'user-db', collection: 'user', creds: false, lines: { session: 25, generate: 27, fatal: 31, panic: 22 }, countQuery: '{ count: "user", query: { username: "Cornell_0" }, $db: "user-db" }' } },
};

const DIAL_TIMEOUT_MS = 10_000;
/** How often mgo's dial tries the database again before its timeout. */
const DIAL_RETRY_MS = 500;
const SRC = '/go/src/github.com/harlow/go-micro-services';

function configJson(mongoPortOverride?: number): string {
  const m = (svc: string) => `${svc}:${mongoPortOverride && svc === 'mongodb-geo' ? mongoPortOverride : 27017}`;
  return `{
  "consulAddress": "consul:8500",
  "jaegerAddress": "jaeger:6831",
  "FrontendPort": "5000",
  "GeoPort": "8083",
  "GeoMongoAddress": "${m('mongodb-geo')}",
  "ProfilePort": "8081",
  "ProfileMongoAddress": "${m('mongodb-profile')}",
  "ProfileMemcAddress": "memcached-profile:11211",
  "RatePort": "8084",
  "RateMongoAddress": "${m('mongodb-rate')}",
  "RateMemcAddress": "memcached-rate:11211",
  "RecommendPort": "8085",
  "RecommendMongoAddress": "${m('mongodb-recommendation')}",
  "ReservePort": "8087",
  "ReserveMongoAddress": "${m('mongodb-reservation')}",
  "ReserveMemcAddress": "memcached-reserve:11211",
  "SearchPort": "8082",
  "UserPort": "8086",
  "UserMongoAddress": "${m('mongodb-user')}",
  "KnativeDomainName": "example.com"
}
`;
}

function panicStack(binary: string, msg: string, dbLine: number): string[] {
  return [
    `panic: ${msg}`,
    '',
    'goroutine 1 [running]:',
    'github.com/harlow/go-micro-services/vendor/github.com/rs/zerolog.(*Logger).Panic.func1({0xc0001a4000, 0x15})',
    `\t${SRC}/vendor/github.com/rs/zerolog/log.go:359 +0x2d`,
    'github.com/harlow/go-micro-services/vendor/github.com/rs/zerolog.(*Event).msg(0xc0001b2000, {0xc0001a4000, 0x15})',
    `\t${SRC}/vendor/github.com/rs/zerolog/event.go:156 +0x2a2`,
    'github.com/harlow/go-micro-services/vendor/github.com/rs/zerolog.(*Event).Msg(...)',
    `\t${SRC}/vendor/github.com/rs/zerolog/event.go:108`,
    'main.initializeDatabase({0xc00002a0f0, 0x11})',
    `\t${SRC}/cmd/${binary}/db.go:${dbLine} +0x167`,
    'main.main()',
    `\t${SRC}/cmd/${binary}/main.go:38 +0x877`,
  ];
}

export interface HotelVariant {
  /** Port the binary dials for its Mongo (geo:app3 bakes in 27777). */
  mongoPort?: number;
}

interface HotelRun {
  binary: string;
  spec: HotelService;
  /** Lines due after start, relative to the actual start. */
  later: Array<{ afterMs: number; line: string }>;
  registration?: { id: string; port: number };
  actualStart?: number;
}

const runs = new WeakMap<InstanceInfo, HotelRun>();

function binaryOf(ctx: ContainerContext): string {
  const argv = [...ctx.command, ...ctx.args];
  return (argv[0] ?? '').split('/').pop() ?? '';
}

/** Live registered instances of `srv-<name>` (a pod that exists and listens on the registered port). */
export function consulStatus(world: AppWorld, ns: string, name: string): 'ok' | 'no-address' | 'no-connection' {
  const regs = world.registrations(ns, `srv-${name}`);
  if (regs.length === 0) return 'no-address';
  const pods = world.store.list('pods', ns);
  for (const r of regs) {
    const pod = pods.find((p) => p.status?.podIP === r.address && !p.metadata.deletionTimestamp);
    if (pod && listening(world, pod, r.port)) return 'ok';
  }
  return 'no-connection';
}

export function grpcError(status: 'no-address' | 'no-connection'): string {
  return status === 'no-address' ? 'rpc error: code = Unavailable desc = there is no address available' : 'rpc error: code = Unavailable desc = there is no connection available';
}

function podIP(world: AppWorld, ctx: ContainerContext): string {
  const pod = world.store.get('pods', ctx.namespace, ctx.pod.metadata.name ?? '');
  return String(pod?.status?.podIP ?? ctx.pod.status?.podIP ?? '');
}

export function hotelBehaviour(world: AppWorld, variant: HotelVariant = {}): ContainerBehaviour {
  return {
    start(ctx): ContainerStartOutcome {
      const now = world.now();
      const binary = binaryOf(ctx);
      const spec = HOTEL[binary];
      if (!spec) {
        // Not a binary of the image: the runtime cannot exec it.
        return { kind: 'exit', exitCode: 128, lines: [], reason: 'StartError' };
      }
      const L = (line: number | string, msg: string, file = 'main.go', level: 'INF' | 'FTL' | 'PNC' | 'ERR' = 'INF') => zerolog(now, level, `cmd/${binary}/${file}:${line}`, msg);
      const lines: string[] = [
        zerologJson(now, 'TLS disabled.'),
        zerologJson(now, 'Set global log level: info'),
        zerologJson(now, 'Tune: setGCPercent to 100'),
        L(23, 'Reading config...'),
      ];
      const run: HotelRun = { binary, spec, later: [] };
      const info = world.record(ctx, { binary, ports: [], servingFromMs: Infinity });
      runs.set(info, run);
      const finish = (exitCode: number, afterMs?: number, reason?: string): ContainerStartOutcome => ({ kind: 'exit', exitCode, lines, afterMs, reason });
      const ns = ctx.namespace;
      // Everything after the database connection: the session, the data, the rest of the start-up.
      const connected = (server: MongoInstance | undefined, at: number): ContainerStartOutcome => {
        const L2 = (line: number | string, msg: string, file = 'main.go', level: 'INF' | 'FTL' | 'PNC' | 'ERR' = 'INF') => zerolog(at, level, `cmd/${binary}/${file}:${line}`, msg);
        if (spec.db && server) {
          ensureInitialized(world, server);
          if (spec.db.creds) {
            const a = authenticate(server, 'admin', 'admin', 'admin');
            const remote = `${podIP(world, ctx) || '10.244.1.1'}:${41000 + (at % 20000)}`;
            const mongoCtr = server.container.name;
            if (a !== 'ok') {
              world.inject(server.pod.metadata.uid ?? '', mongoCtr, at, mongoAuthFailed(at, remote, a));
              const msg = 'server returned error on SASL authentication step: Authentication failed.';
              lines.push(zerolog(at, 'PNC', `cmd/${binary}/db.go:${spec.db.lines.panic}`, msg), ...panicStack(binary, msg, spec.db.lines.panic));
              return finish(2);
            }
            world.inject(server.pod.metadata.uid ?? '', mongoCtr, at, mongoAuthOk(at, remote));
          }
          lines.push(L2(spec.db.lines.session, 'New session successfull...', 'db.go'), L2(spec.db.lines.generate, 'Generating test data...', 'db.go'));
          if (spec.db.creds && !authorized(server, 'admin', 'admin', spec.db.db, true)) {
            lines.push(zerolog(at, 'FTL', `cmd/${binary}/db.go:${spec.db.lines.fatal}`, `not authorized on ${spec.db.db} to execute command ${spec.db.countQuery}`));
            return finish(1);
          }
          setCollections(server.data, spec.db.db, binary === 'reservation' ? ['reservation', 'number'] : [spec.db.collection]);
          lines.push(L2(40, 'Successfull'));
        }
        return serve(at, L2);
      };
      const serve = (at: number, L2: typeof L): ContainerStartOutcome => {
        if (spec.memcached) {
          lines.push(L2(44, `Read ${spec.label} memcashed address: ${spec.memcached}:11211`), L2(45, 'Initializing Memcashed client...'), L2(47, 'Successfull'));
        }
        lines.push(
          L2(48, `Read target port: ${spec.port}`),
          L2(49, 'Read consul address: consul:8500'),
          L2(50, 'Read jaeger address: jaeger:6831'),
          L2(58, `Initializing jaeger agent [service name: ${binary} | host: jaeger:6831]...`),
          zerolog(at, 'INF', 'tracing/tracer.go:26', 'Jaeger client: adjusted sample ratio 1.000000'),
          L2(63, 'Jaeger agent initialized'),
          L2(65, 'Initializing consul agent [host: consul:8500]...'),
          L2(70, 'Consul agent initialized'),
          L2(81, 'Starting server...'),
        );
        info.ports = [spec.port];
        info.servingFromMs = at;
        if (spec.registers) {
          const id = world.uuid(`srv-${binary}/${ctx.pod.metadata.uid}`);
          run.registration = { id, port: spec.port };
          world.register(ns, { podUid: ctx.pod.metadata.uid, name: `srv-${binary}`, id, address: podIP(world, ctx), port: spec.port, atMs: at });
        }
        return { kind: 'running', lines };
      };
      if (!spec.db) return serve(now, L);
      const port = binary === 'geo' && variant.mongoPort ? variant.mongoPort : 27017;
      lines.push(L(36, `Read database URL: ${spec.db.service}:${port}`), L(37, 'Initializing DB connection...'));
      // mgo dials until its timeout, re-resolving and retrying: a database that comes up within it is found.
      const serverNow = (): MongoInstance | undefined => {
        const r = reach(world, ns, spec.db!.service, port, { allowStarting: true });
        const server = r.ok ? mongoBehind(world, ns, spec.db!.service) : undefined;
        return server && server.tlsMode !== 'requireTLS' ? server : undefined;
      };
      const server = serverNow();
      if (server) return connected(server, now);
      const panic = [zerolog(now + DIAL_TIMEOUT_MS, 'PNC', `cmd/${binary}/db.go:${spec.db.lines.panic}`, 'no reachable servers'), ...panicStack(binary, 'no reachable servers', spec.db.lines.panic)];
      for (const l of panic) run.later.push({ afterMs: DIAL_TIMEOUT_MS, line: l });
      return {
        kind: 'exit', exitCode: 2, lines, afterMs: DIAL_TIMEOUT_MS + 40,
        retry: {
          everyMs: DIAL_RETRY_MS,
          check: () => {
            const found = serverNow();
            if (!found) return undefined;
            run.later = run.later.filter((l) => !panic.includes(l.line));
            lines.length = 0;
            return connected(found, world.now());
          },
        },
      };
    },

    logsBetween(ctx, fromMs, toMs) {
      const info = world.byContext.get(ctx);
      const run = info ? runs.get(info) : undefined;
      if (!info || !run) return [];
      if (run.actualStart === undefined) run.actualStart = fromMs;
      const t0 = run.actualStart;
      const out: string[] = [];
      if (run.registration && fromMs <= t0 && t0 < toMs + 1) {
        const ip = podIP(world, ctx);
        // The address is known now: fix up a registration made before the pod IP was visible.
        const reg = world.registrations(ctx.namespace, `srv-${run.binary}`).find((r) => r.id === run.registration!.id);
        if (reg && !reg.address) reg.address = ip;
        out.push(
          zerolog(t0, 'INF', 'registry/registry.go:91', `Trying to register service [ name: srv-${run.binary}, id: ${run.registration.id}, address: ${ip}:${run.registration.port} ]`),
          zerolog(t0, 'INF', `services/${run.binary}/server.go:110`, 'Successfully registered in consul'),
        );
      }
      for (const l of run.later) {
        const at = t0 + l.afterMs;
        // eslint-disable-next-line no-control-regex -- replaces the time stamp after zerolog's grey ANSI colour code
        if (at >= fromMs && at < toMs) out.push(l.line.replace(/^(\u001b\[90m)[^\u001b]+/, `$1${new Date(Math.floor(at / 1000) * 1000).toISOString().replace('.000Z', 'Z')}`));
      }
      if (run.binary === 'frontend') out.push(...frontendErrors(world, ctx.namespace, fromMs, toMs));
      return out;
    },

    exec(ctx, command, stdin) {
      const files = { ...ctx.files, [`${SRC}/config.json`]: configJson(variant.mongoPort) };
      const sh = shellEnv({ ...ctx, files }, (argv) => netTools(world, ctx, argv) ?? mountTools(world.store, ctx.pod, argv));
      sh.env.PWD = SRC;
      const r = new Shell(sh).exec(command, stdin ?? '', false);
      return { stdout: r.stdout, stderr: r.stderr, exitCode: r.exitCode };
    },

    usage(ctx) {
      const info = world.byContext.get(ctx);
      const up = info && info.servingFromMs !== Infinity;
      return { cpuMillis: up ? 2 + ((ctx.pod.metadata.name ?? '').length % 4) : 1, memoryBytes: (up ? 9 : 4) * 1024 * 1024 + ((ctx.pod.metadata.name ?? '').length % 7) * 262144 };
    },
  };
}

function mongoAuthOk(ms: number, remote: string): string {
  const d = new Date(ms).toISOString().replace('Z', '+00:00');
  return `{"t":{"$date":"${d}"},"s":"I",  "c":"ACCESS",   "id":20250,   "ctx":"conn${(ms % 89) + 2}","msg":"Successful authentication","attr":{"mechanism":"SCRAM-SHA-1","principalName":"admin","authenticationDatabase":"admin","client":"${remote}"}}`;
}

function mongoAuthFailed(ms: number, remote: string, why: 'UserNotFound' | 'AuthenticationFailed'): string {
  const d = new Date(ms).toISOString().replace('Z', '+00:00');
  const err = why === 'UserNotFound' ? 'UserNotFound: Could not find user \\"admin\\" for db \\"admin\\"' : 'AuthenticationFailed: SCRAM authentication failed, storedKey mismatch';
  return `{"t":{"$date":"${d}"},"s":"I",  "c":"ACCESS",   "id":20249,   "ctx":"conn${(ms % 89) + 2}","msg":"Authentication failed","attr":{"mechanism":"SCRAM-SHA-1","speculative":false,"principalName":"admin","authenticationDatabase":"admin","remote":"${remote}","extraInfo":{},"error":"${err}"}}`;
}

/**
 * The frontend logs only two downstream failures: CheckAvailability (reservation) and
 * GetProfiles (profile) on the /hotels path, after search succeeded. One line per failing /hotels request of the load.
 */
function frontendErrors(world: AppWorld, ns: string, fromMs: number, toMs: number): string[] {
  const arrivals = loadArrivals(world, ns, 'frontend', fromMs, toMs, 0.6);
  if (arrivals.length === 0) return [];
  const search = ['search', 'geo', 'rate'].every((s) => consulStatus(world, ns, s) === 'ok');
  if (!search) return [];
  const reservation = consulStatus(world, ns, 'reservation') === 'ok';
  const profile = consulStatus(world, ns, 'profile') === 'ok';
  if (reservation && profile) return [];
  return arrivals.map((t) =>
    !reservation ? zerolog(t, 'ERR', 'services/frontend/server.go:213', 'SearchHandler CheckAvailability failed') : zerolog(t, 'ERR', 'services/frontend/server.go:227', 'SearchHandler GetProfiles failed'),
  );
}

/** The HTTP answer of the hotel frontend for a path, as curl would see it (status, body). */
export function hotelFrontendAnswer(world: AppWorld, ns: string, path: string): { status: number; body: string } {
  const p = path.split('?')[0];
  const need: string[] = p.startsWith('/hotels') ? ['search', 'geo', 'rate', 'reservation', 'profile'] : p.startsWith('/recommendations') ? ['recommendation', 'profile'] : p.startsWith('/user') ? ['user'] : p.startsWith('/reservation') ? ['user', 'reservation'] : [];
  if (!need.length) {
    if (p === '/' || p === '/index.html') return { status: 200, body: '<!DOCTYPE html>\n<html>\n<head><title>Hotel Reservation</title></head>\n<body>\n</body>\n</html>\n' };
    return { status: 404, body: '404 page not found\n' };
  }
  for (const s of need) {
    const st = consulStatus(world, ns, s);
    if (st !== 'ok') return { status: 500, body: `${grpcError(st)}\n` };
  }
  if (p.startsWith('/user')) return { status: 200, body: '{"message":"Login successfully!"}\n' };
  if (p.startsWith('/reservation')) return { status: 200, body: '{"message":"Reserve successfully!"}\n' };
  return { status: 200, body: '{"type":"FeatureCollection","features":[{"type":"Feature","id":"1","properties":{"name":"Clift Hotel","phone_number":"(415) 775-4700"},"geometry":{"type":"Point","coordinates":[-122.4071,37.7834]}}]}\n' };
}

export function isHotelPod(pod: KubeObject): boolean {
  return ((pod.spec?.containers ?? []) as any[]).some((c) => /hotelreservation|yinfangchen\/geo/.test(String(c.image ?? '')));
}
