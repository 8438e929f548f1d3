/**
 * mongo:4.4.6 containers: mongod's JSON start-up log (with the docker-entrypoint init phase on a fresh data directory
 * that runs /docker-entrypoint-initdb.d), users and roles kept per data volume, TLS mode and access control from the
 * args or the mounted mongod.conf, client authentications in the server log, and an exec'able legacy `mongo` shell
 * (also inside `bash /scripts/<file>.sh` and `sh -c`).
 */
import YAML from 'yaml';
import type { ContainerBehaviour, ContainerContext, KubeObject } from '../contracts';
import { buildFiles } from '../cluster/container-context';
import { Shell, type ShellResult } from '../cluster/shell';
import { shellEnv } from '../cluster/default-behaviour';
import { failingWrites, lockFileFailure } from './disk';
import { mongoLog } from './formats';
import { authenticate, evalShell, type MongoServer } from './mongo-shell';
import { reach, backendPod } from './net';
import type { AppWorld, MongoData } from './world';

export const MONGO_IMAGE = /(^|\/)mongo:[^/]*$/;

export interface MongoInstance extends MongoServer {
  pod: KubeObject;
  container: any;
  files: Record<string, string>;
  hostname: string;
  configPath?: string;
  tlsFiles?: { certificateKeyFile?: string; CAFile?: string };
}

function argValue(args: string[], ...names: string[]): string | undefined {
  for (let i = 0; i < args.length; i++) {
    for (const n of names) {
      if (args[i] === n) return args[i + 1];
      if (args[i].startsWith(`${n}=`)) return args[i].slice(n.length + 1);
    }
  }
  return undefined;
}

function dataKey(world: AppWorld, pod: KubeObject, container: any): string {
  const mount = ((container.volumeMounts ?? []) as any[]).find((m) => m.mountPath === '/data/db' || m.mountPath === '/data/db/');
  const vol = mount ? ((pod.spec?.volumes ?? []) as any[]).find((v) => v.name === mount.name) : undefined;
  if (vol?.persistentVolumeClaim) {
    const pvc = world.store.get('persistentvolumeclaims', pod.metadata.namespace, vol.persistentVolumeClaim.claimName);
    const pvName = pvc?.spec?.volumeName;
    if (pvName) {
      const pv = world.store.get('persistentvolumes', undefined, pvName);
      const hp = pv?.spec?.hostPath?.path ?? pv?.spec?.local?.path;
      return hp ? `hostpath:${hp}` : `pv:${pvName}`;
    }
    return `pvc:${pod.metadata.namespace}/${vol.persistentVolumeClaim.claimName}`;
  }
  if (vol?.hostPath) return `hostpath:${vol.hostPath.path}`;
  return `pod:${pod.metadata.uid}`;
}

/** The Mongo server a pod runs, with its configuration and its data. */
export function mongoInstance(world: AppWorld, pod: KubeObject, files?: Record<string, string>): MongoInstance | undefined {
  const container = ((pod.spec?.containers ?? []) as any[]).find((c) => MONGO_IMAGE.test(String(c.image ?? '')));
  if (!container) return undefined;
  const args: string[] = [...((container.command ?? []) as string[]), ...((container.args ?? []) as string[])].map(String);
  const f = files ?? buildFiles(world.store, pod, container);
  let auth = args.includes('--auth');
  let tlsMode = argValue(args, '--tlsMode', '--sslMode') ?? 'disabled';
  let port = Number(argValue(args, '--port') ?? 27017);
  const configPath = argValue(args, '--config', '-f');
  let tlsFiles: MongoInstance['tlsFiles'];
  if (configPath && f[configPath] !== undefined) {
    try {
      const conf = YAML.parse(f[configPath]) ?? {};
      if (conf?.security?.authorization === 'enabled') auth = true;
      const tls = conf?.net?.tls ?? conf?.net?.ssl;
      if (tls?.mode) tlsMode = String(tls.mode);
      if (tls) tlsFiles = { certificateKeyFile: tls.certificateKeyFile ?? tls.PEMKeyFile, CAFile: tls.CAFile };
      if (conf?.net?.port) port = Number(conf.net.port);
    } catch {
      /* a broken config: mongod would refuse to start; handled at start */
    }
  }
  const data = world.mongoData(dataKey(world, pod, container));
  return {
    pod,
    container,
    files: f,
    hostname: pod.spec?.hostname ?? pod.metadata.name ?? '',
    data,
    auth,
    tlsMode,
    port,
    configPath,
    tlsFiles,
    collections: (data as MongoData & { collections?: Record<string, string[]> }).collections,
  };
}

export function setCollections(data: MongoData, db: string, names: string[]): void {
  const d = data as MongoData & { collections?: Record<string, string[]> };
  d.collections = { ...(d.collections ?? {}), [db]: names };
}

/** Runs the init scripts on a fresh data directory (once per volume). */
export function ensureInitialized(world: AppWorld, inst: MongoInstance): void {
  if (inst.data.initialized) return;
  inst.data.initialized = true;
  const lines: string[] = [];
  const scripts = Object.keys(inst.files)
    .filter((p) => p.startsWith('/docker-entrypoint-initdb.d/'))
    .sort();
  const temp: MongoServer = { ...inst, auth: false };
  for (const path of scripts) {
    if (path.endsWith('.sh')) {
      lines.push(`/usr/local/bin/docker-entrypoint.sh: running ${path}`);
      const r = runScript(world, inst, temp, inst.files[path], '');
      lines.push(...splitLines(r.stdout), ...splitLines(r.stderr));
    } else if (path.endsWith('.js')) {
      lines.push(`/usr/local/bin/docker-entrypoint.sh: running ${path}`);
      const r = mongoCli(world, inst, temp, ['mongo', 'admin', '--quiet', path], '', true);
      lines.push(...splitLines(r.stdout), ...splitLines(r.stderr));
    } else {
      lines.push(`/usr/local/bin/docker-entrypoint.sh: ignoring ${path}`);
    }
  }
  inst.data.initLines = scripts.length ? lines : [];
  inst.data.initLogged = false;
}

function splitLines(text: string): string[] {
  const l = text.split('\n');
  if (l[l.length - 1] === '') l.pop();
  return l;
}

function runScript(world: AppWorld, inst: MongoInstance, server: MongoServer, script: string, stdin: string): ShellResult {
  const sh = { env: { HOME: '/root', PATH: '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' }, files: inst.files, hostname: inst.hostname, pid1: 'mongod', external: (argv: string[], input: string) => mongoExternal(world, inst, server, argv, input) };
  return new Shell(sh).run(script.replace(/^#!.*\n/, ''), stdin);
}

function mongoExternal(world: AppWorld, inst: MongoInstance, server: MongoServer, argv: string[], stdin: string): ShellResult | undefined {
  const base = argv[0].split('/').pop();
  if (base === 'mongo') return mongoCli(world, inst, server, argv, stdin, server.auth === false);
  if (base === 'mongod' && argv.includes('--version')) return { stdout: 'db version v4.4.6\nBuild Info: {\n    "version": "4.4.6",\n    "gitVersion": "72e66213c2c3eab37d9358d5e78ad7f5c1d0d0d7",\n    "openSSLVersion": "OpenSSL 1.1.1  11 Sep 2018",\n    "modules": [],\n    "allocator": "tcmalloc",\n    "environment": {\n        "distmod": "ubuntu1804",\n        "distarch": "x86_64",\n        "target_arch": "x86_64"\n    }\n}\n', stderr: '', exitCode: 0 };
  if (base === 'mongosh') return undefined; // not in the 4.4 image
  if ((base === 'bash' || base === 'sh') && argv[1] && !argv[1].startsWith('-')) {
    const script = inst.files[argv[1]];
    if (script === undefined) return { stdout: '', stderr: `${base}: ${argv[1]}: No such file or directory\n`, exitCode: 127 };
    return runScript(world, inst, server, script, stdin);
  }
  return undefined;
}

const CONNECT_FAIL_TAIL = 'connect@src/mongo/shell/mongo.js:374:17\n@(connect):2:6\nexception: connect failed\nexiting with code 1\n';

/** The mongo shell's command line: options, then the connection address and the script files. */
interface MongoCliOptions {
  user?: string;
  pwd?: string;
  authDb?: string;
  evalCode?: string;
  quiet: boolean;
  host?: string;
  port?: number;
  tls: boolean;
  nodb: boolean;
  dbName: string;
  files: string[];
}

const MONGO_SHELL_VERSION = 'MongoDB shell version v4.4.6\nBuild Info: {\n    "version": "4.4.6",\n    "gitVersion": "72e66213c2c3eab37d9358d5e78ad7f5c1d0d0d7"\n}\n';
const MONGO_SHELL_HELP = 'MongoDB shell version v4.4.6\nusage: mongo [options] [db address] [file names (ending in .js)]\ndb address can be:\n  foo                   foo database on local machine\n  192.168.0.5/foo       foo database on 192.168.0.5 machine\n  192.168.0.5:9999/foo  foo database on 192.168.0.5 machine on port 9999\n  mongodb://192.168.0.5:9999/foo  connection string URI can also be used\n';
/** Options the shell accepts that change nothing here. */
const IGNORED_MONGO_OPTIONS = ['--norc', '--shell', '--verbose', '--ipv6', '--disableImplicitSessions'];

/** The parsed command line, or the shell's whole answer when it ends there (--version, --help, a bad option). */
function parseMongoArgs(argv: string[]): MongoCliOptions | ShellResult {
  const args = argv.slice(1);
  const o: MongoCliOptions = { quiet: false, tls: false, nodb: false, dbName: 'test', files: [] };
  const positional: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    const next = () => args[++i];
    if (a === '-u' || a === '--username') o.user = next();
    else if (a.startsWith('--username=')) o.user = a.slice(11);
    else if (a === '-p' || a === '--password') o.pwd = next();
    else if (a.startsWith('--password=')) o.pwd = a.slice(11);
    else if (a === '--authenticationDatabase') o.authDb = next();
    else if (a.startsWith('--authenticationDatabase=')) o.authDb = a.slice(25);
    else if (a === '--eval') o.evalCode = next();
    else if (a.startsWith('--eval=')) o.evalCode = a.slice(7);
    else if (a === '--quiet') o.quiet = true;
    else if (a === '--host') o.host = next();
    else if (a.startsWith('--host=')) o.host = a.slice(7);
    else if (a === '--port') o.port = Number(next());
    else if (a === '--ssl' || a === '--tls') o.tls = true;
    else if (a === '--nodb') o.nodb = true;
    else if (a === '--version' || a === '-version') return { stdout: MONGO_SHELL_VERSION, stderr: '', exitCode: 0 };
    else if (a === '--help' || a === '-h') return { stdout: MONGO_SHELL_HELP, stderr: '', exitCode: 0 };
    else if (a.startsWith('-')) {
      if (IGNORED_MONGO_OPTIONS.includes(a)) continue;
      return { stdout: '', stderr: `Error parsing command line: unrecognised option '${a}'\ntry 'mongo --help' for more information\n`, exitCode: 2 };
    } else positional.push(a);
  }
  for (const p of positional) {
    if (p.endsWith('.js')) o.files.push(p);
    else if (o.dbName === 'test' && o.files.length === 0) applyMongoAddress(o, p);
  }
  return o;
}

/** A positional address: a mongodb:// URI, `host[:port]/db`, or a database name. */
function applyMongoAddress(o: MongoCliOptions, p: string): void {
  let addr = p;
  const uri = /^mongodb:\/\/(?:([^:@/]+)(?::([^@/]*))?@)?([^/?]+)(?:\/([^?]*))?(?:\?(.*))?$/.exec(p);
  if (uri) {
    if (uri[1]) o.user = decodeURIComponent(uri[1]);
    if (uri[2] !== undefined) o.pwd = decodeURIComponent(uri[2]);
    const [h, pt] = uri[3].split(':');
    o.host = h;
    if (pt) o.port = Number(pt);
    if (uri[4]) o.dbName = uri[4];
    const src = /(?:^|&)authSource=([^&]+)/.exec(uri[5] ?? '');
    if (src) o.authDb = src[1];
    if (/(?:^|&)(tls|ssl)=true/.test(uri[5] ?? '')) o.tls = true;
    return;
  }
  const slash = addr.indexOf('/');
  if (slash >= 0) {
    const hp = addr.slice(0, slash);
    addr = addr.slice(slash + 1);
    const [h, pt] = hp.split(':');
    o.host = h;
    if (pt) o.port = Number(pt);
  }
  if (addr) o.dbName = addr;
}

/** One run of the shell once its command line is read: where it connects, as whom, and what it has printed so far. */
interface MongoCliRun {
  world: AppWorld;
  local: MongoInstance;
  o: MongoCliOptions;
  initPhase: boolean;
  targetHost: string;
  targetPort: number;
  authSource?: string;
  server: MongoServer;
  instance: MongoInstance;
  isLocal: boolean;
  out: string;
}

/** The legacy mongo shell. `initPhase`: the no-auth temporary server of the init scripts. */
export function mongoCli(world: AppWorld, local: MongoInstance, localServer: MongoServer, argv: string[], stdin: string, initPhase = false): ShellResult {
  const o = parseMongoArgs(argv);
  if ('exitCode' in o) return o;
  const targetHost = o.host ?? '127.0.0.1';
  const targetPort = o.port ?? 27017;
  const authSource = o.authDb ?? (o.user ? o.dbName : undefined);
  const query = [authSource && o.user ? `authSource=${authSource}` : '', 'compressors=disabled', 'gssapiServiceName=mongodb'].filter(Boolean).join('&');
  const header = `MongoDB shell version v4.4.6\n${o.nodb ? '' : `connecting to: mongodb://${targetHost}:${targetPort}/${o.dbName}?${query}\n`}`;
  const isLocal = ['127.0.0.1', 'localhost', local.hostname, String(local.pod.status?.podIP ?? '')].includes(targetHost);
  const run: MongoCliRun = { world, local, o, initPhase, targetHost, targetPort, authSource, server: localServer, instance: local, isLocal, out: o.quiet ? '' : header };
  const refused = connectMongo(run, localServer);
  if (refused) return refused;
  let principal: { user: string; db: string } | undefined;
  if (!o.nodb && o.user !== undefined) {
    const auth = authenticateMongo(run, o.user);
    if ('exitCode' in auth) return auth;
    principal = auth;
  }
  if (!o.quiet && !o.nodb) {
    run.out += `Implicit session: session { "id" : UUID("${world.uuid('lsid')}") }\nMongoDB server version: 4.4.6\n`;
    if (!run.server.auth && !initPhase) {
      run.out += '---\nThe server generated these startup warnings when booting: \n        2026-01-01T00:00:00.000+00:00: Access control is not enabled for the database. Read and write access to data and configuration is unrestricted\n---\n';
    }
  }
  if (o.evalCode === undefined && o.files.length === 0) return mongoInteractive(run, principal, stdin);
  return mongoScripts(run, principal);
}

/** Picks the server the shell talks to (this pod's or another reached through the cluster network); undefined when connected. */
function connectMongo(run: MongoCliRun, localServer: MongoServer): ShellResult | undefined {
  const { world, local, o, targetHost, targetPort } = run;
  if (o.nodb) return undefined;
  if (!run.isLocal) {
    const r = reach(world, local.pod.metadata.namespace ?? 'default', targetHost, targetPort);
    const pod = r.ok ? r.pod : undefined;
    const remote = pod ? mongoInstance(world, pod) : undefined;
    if (!r.ok || !remote) {
      const why = !r.ok && r.kind === 'nxdomain' ? `Error: couldn't initialize connection to host ${targetHost}, address is invalid :` : `Error: couldn't connect to server ${targetHost}:${targetPort}, connection attempt failed: SocketException: Error connecting to ${targetHost}:${targetPort}${r.ip ? ` (${r.ip}:${targetPort})` : ''} :: caused by :: Connection refused :`;
      return { stdout: run.out + why + '\n' + CONNECT_FAIL_TAIL, stderr: '', exitCode: 1 };
    }
    ensureInitialized(world, remote);
    run.server = remote;
    run.instance = remote;
  } else if (targetPort !== localServer.port) {
    return { stdout: run.out + `Error: couldn't connect to server ${targetHost}:${targetPort}, connection attempt failed: SocketException: Error connecting to ${targetHost}:${targetPort} :: caused by :: Connection refused :\n` + CONNECT_FAIL_TAIL, stderr: '', exitCode: 1 };
  }
  if (!run.initPhase && run.server.tlsMode === 'requireTLS' && !o.tls) {
    return { stdout: run.out + `Error: network error while attempting to run command 'isMaster' on host '${targetHost}:${targetPort}'  :\n` + CONNECT_FAIL_TAIL, stderr: '', exitCode: 1 };
  }
  return undefined;
}

/** Authenticates `user` with SCRAM against the server's users, logging the attempt in the server's log as mongod does. */
function authenticateMongo(run: MongoCliRun, user: string): { user: string; db: string } | ShellResult {
  const { world, local, instance, o, initPhase, authSource } = run;
  if (o.pwd === undefined) return { stdout: run.out, stderr: 'Enter password: \nError: Authentication failed. :\n', exitCode: 1 };
  const a = authenticate(run.server, user, o.pwd, authSource ?? 'admin');
  const remote = String(local.pod.status?.podIP ?? '127.0.0.1');
  const mongoPodUid = instance.pod.metadata.uid ?? '';
  const mongoCtr = instance.container.name;
  const now = world.now();
  if (a !== 'ok') {
    if (!initPhase) {
      world.inject(mongoPodUid, mongoCtr, now, mongoLog(now, 'I', 'ACCESS', 20249, 'conn' + (1 + (now % 97)), 'Authentication failed', {
        mechanism: 'SCRAM-SHA-256',
        speculative: true,
        principalName: user,
        authenticationDatabase: authSource ?? 'admin',
        remote: `${run.isLocal ? '127.0.0.1' : remote}:${40000 + (now % 20000)}`,
        extraInfo: {},
        error: a === 'UserNotFound' ? `UserNotFound: Could not find user "${user}" for db "${authSource ?? 'admin'}"` : 'AuthenticationFailed: SCRAM authentication failed, storedKey mismatch',
      }));
    }
    return { stdout: run.out + 'Error: Authentication failed. :\n' + CONNECT_FAIL_TAIL, stderr: '', exitCode: 1 };
  }
  if (!initPhase) {
    world.inject(mongoPodUid, mongoCtr, now, mongoLog(now, 'I', 'ACCESS', 20250, 'conn' + (1 + (now % 97)), 'Successful authentication', { mechanism: 'SCRAM-SHA-256', principalName: user, authenticationDatabase: authSource ?? 'admin', client: `${run.isLocal ? '127.0.0.1' : remote}:${40000 + (now % 20000)}` }));
  }
  return { user, db: authSource ?? 'admin' };
}

/** Interactive: the shell reads stdin line by line, echoes each statement's value, reports errors and goes on. */
function mongoInteractive(run: MongoCliRun, principal: { user: string; db: string } | undefined, stdin: string): ShellResult {
  const { world, instance } = run;
  let dbName = run.o.dbName;
  for (const raw of stdin.split('\n')) {
    const line = raw.trim();
    if (!line) continue;
    if (/^(exit|quit\(\))\s*;?$/.test(line)) break;
    const use = /^use\s+([\w.-]+)\s*;?$/.exec(line);
    if (use) {
      dbName = use[1];
      run.out += `switched to db ${dbName}\n`;
      continue;
    }
    const r = evalShell({ server: run.server, db: dbName, principal, code: line, echo: true, host: instance.hostname, ids: [world.uuid('user'), world.uuid('user')], lsid: world.uuid('lsid'), localhost: run.isLocal });
    if (r.lines.length) run.out += r.lines.join('\n') + '\n';
    if (r.error) run.out += r.error.mongo ? `uncaught exception: Error: ${r.error.message} :\n_getErrorWithCode@src/mongo/shell/utils.js:25:13\n@(shell):1:1\n` : `uncaught exception: ${r.error.name}: ${r.error.message} :\n@(shell):1:1\n`;
  }
  if (!run.o.quiet) run.out += 'bye\n';
  return { stdout: run.out, stderr: '', exitCode: 0 };
}

/** --eval and .js files: each runs in turn; the first error ends the shell with the code mongo exits with. */
function mongoScripts(run: MongoCliRun, principal: { user: string; db: string } | undefined): ShellResult {
  const { world, local, instance, o } = run;
  const codes: Array<{ code: string; echo: boolean; where: string }> = [];
  if (o.evalCode !== undefined) codes.push({ code: o.evalCode, echo: true, where: '(shell eval)' });
  for (const f of o.files) {
    const text = instance.files[f] ?? local.files[f];
    if (text === undefined) return { stdout: run.out + `file [${f}] doesn't exist\nfailed to load: ${f}\n`, stderr: '', exitCode: 253 };
    codes.push({ code: text, echo: false, where: f });
  }
  let exitCode = 0;
  for (const c of codes) {
    const r = evalShell({
      server: run.server,
      db: o.dbName,
      principal,
      code: c.code,
      echo: c.echo,
      host: instance.hostname,
      ids: [world.uuid('user'), world.uuid('user'), world.uuid('user'), world.uuid('user')],
      lsid: world.uuid('lsid'),
      localhost: run.isLocal,
    });
    if (r.lines.length) run.out += r.lines.join('\n') + '\n';
    if (r.error) {
      if (r.error.mongo) {
        run.out += `uncaught exception: Error: ${r.error.message} :\n_getErrorWithCode@src/mongo/shell/utils.js:25:13\n@${c.where}:1:1\n`;
      } else {
        run.out += `uncaught exception: ${r.error.name}: ${r.error.message} :\n@${c.where}:1:1\n`;
      }
      if (c.where === '(shell eval)') {
        run.out += 'exiting with code -4\n';
        exitCode = 252;
      } else {
        run.out += `failed to load: ${c.where}\nexiting with code -3\n`;
        exitCode = 253;
      }
      break;
    }
  }
  return { stdout: run.out, stderr: '', exitCode };
}

/** mongod's start-up lines. */
function startupLines(t: number, inst: MongoInstance, pid: number): string[] {
  const options: Record<string, unknown> = { net: { bindIp: '*' } };
  if (inst.configPath) {
    options.config = inst.configPath;
    const net: Record<string, unknown> = { bindIp: '*', port: inst.port };
    if (inst.tlsMode !== 'disabled' || inst.tlsFiles) net.tls = { mode: inst.tlsMode, ...(inst.tlsFiles?.certificateKeyFile ? { certificateKeyFile: inst.tlsFiles.certificateKeyFile } : {}), ...(inst.tlsFiles?.CAFile ? { CAFile: inst.tlsFiles.CAFile } : {}) };
    options.net = net;
    options.storage = { dbPath: '/data/db' };
  }
  if (inst.auth) options.security = { authorization: 'enabled' };
  const L = (dt: number, ...a: Parameters<typeof mongoLog> extends [number, ...infer R] ? R : never) => mongoLog(t + dt, ...a);
  const lines = [
    L(0, 'I', 'CONTROL', 23285, 'main', "Automatically disabling TLS 1.0, to force-enable TLS 1.0 specify --sslDisabledProtocols 'none'"),
    L(1, 'W', 'ASIO', 22601, 'main', 'No TransportLayer configured during NetworkInterface startup'),
    L(1, 'I', 'NETWORK', 4648601, 'main', 'Implicit TCP FastOpen unavailable. If TCP FastOpen is required, set tcpFastOpenServer, tcpFastOpenClient, and tcpFastOpenQueueSize.'),
    L(2, 'I', 'STORAGE', 4615611, 'initandlisten', 'MongoDB starting', { pid, port: inst.port, dbPath: '/data/db', architecture: '64-bit', host: inst.hostname }),
    L(2, 'I', 'CONTROL', 23403, 'initandlisten', 'Build Info', { buildInfo: { version: '4.4.6', gitVersion: '72e66213c2c3eab37d9358d5e78ad7f5c1d0d0d7', openSSLVersion: 'OpenSSL 1.1.1  11 Sep 2018', modules: [], allocator: 'tcmalloc', environment: { distmod: 'ubuntu1804', distarch: 'x86_64', target_arch: 'x86_64' } } }),
    L(2, 'I', 'CONTROL', 51765, 'initandlisten', 'Operating System', { os: { name: 'Ubuntu', version: '18.04' } }),
    L(2, 'I', 'CONTROL', 21951, 'initandlisten', 'Options set by command line', { options }),
    L(3, 'I', 'STORAGE', 22315, 'initandlisten', 'Opening WiredTiger', { config: 'create,cache_size=15542M,session_max=33000,eviction=(threads_min=4,threads_max=4),config_base=false,statistics=(fast),log=(enabled=true,archive=true,path=journal,compressor=snappy),file_manager=(close_idle_time=100000,close_scan_interval=10,close_handle_minimum=250),statistics_log=(wait=0),verbose=[recovery_progress,checkpoint_progress,compact_progress],' }),
    L(380, 'I', 'STORAGE', 4795906, 'initandlisten', 'WiredTiger opened', { durationMillis: 377 }),
    L(381, 'I', 'RECOVERY', 23987, 'initandlisten', 'WiredTiger recoveryTimestamp', { recoveryTimestamp: { $timestamp: { t: 0, i: 0 } } }),
  ];
  if (!inst.auth) {
    lines.push(L(390, 'W', 'CONTROL', 22120, 'initandlisten', 'Access control is not enabled for the database. Read and write access to data and configuration is unrestricted', { tags: ['startupWarnings'] }));
  }
  lines.push(
    L(400, 'I', 'STORAGE', 20320, 'initandlisten', 'createCollection', { namespace: 'admin.system.version', uuidDisposition: 'provided', uuid: { uuid: { $uuid: '0a9c1f06-3b1e-4c22-9f1a-3b5b5a0e9d11' } }, options: {} }),
    L(420, 'I', 'FTDC', 20625, 'initandlisten', 'Initializing full-time diagnostic data capture', { dataDirectory: '/data/db/diagnostic.data' }),
    L(421, 'I', 'NETWORK', 23015, 'listener', 'Listening on', { address: '/tmp/mongodb-27017.sock' }),
    L(421, 'I', 'NETWORK', 23015, 'listener', 'Listening on', { address: '0.0.0.0' }),
    L(421, 'I', 'NETWORK', 23016, 'listener', 'Waiting for connections', { port: inst.port, ssl: inst.tlsMode === 'disabled' ? 'off' : 'on' }),
  );
  return lines;
}

export function mongoBehaviour(world: AppWorld): ContainerBehaviour {
  const instanceFor = (ctx: ContainerContext) => {
    const pod = world.store.get('pods', ctx.namespace, ctx.pod.metadata.name ?? '') ?? ctx.pod;
    return mongoInstance(world, pod, ctx.files);
  };
  return {
    start(ctx) {
      const inst = instanceFor(ctx);
      const now = world.now();
      if (!inst) return { kind: 'running', lines: [] };
      const diskError = failingWrites(world, world.store.get('pods', ctx.namespace, ctx.pod.metadata.name ?? '') ?? ctx.pod, ctx.containerName);
      if (diskError) return { kind: 'exit', exitCode: 100, lines: lockFileFailure(now, diskError), afterMs: 60 };
      if (inst.configPath && ctx.files[inst.configPath] === undefined) {
        return { kind: 'exit', exitCode: 1, lines: [`Error reading config file: No such file or directory`, 'try \'mongod --help\' for more information'] };
      }
      if (inst.tlsMode !== 'disabled') {
        const pem = inst.tlsFiles?.certificateKeyFile;
        if (pem && ctx.files[pem] === undefined) {
          return { kind: 'exit', exitCode: 1, lines: [mongoLog(now, 'F', 'NETWORK', 28652, 'main', 'The provided SSL certificate is expired or not yet valid.')] };
        }
      }
      const lines: string[] = [];
      const fresh = !inst.data.initialized;
      ensureInitialized(world, inst);
      let t = now;
      if ((fresh || !inst.data.initLogged) && (inst.data.initLines ?? []).length > 0) {
        lines.push('about to fork child process, waiting until server is ready for connections.', 'forked process: 27');
        lines.push(...startupLines(t, { ...inst, auth: false, tlsMode: 'disabled', configPath: undefined }, 27).slice(0, 7));
        lines.push('child process started successfully, parent exiting', '');
        lines.push(...(inst.data.initLines ?? []), '');
        lines.push(mongoLog(t + 900, 'I', 'CONTROL', 20698, 'main', '***** SERVER RESTARTED *****'));
        lines.push('', 'MongoDB init process complete; ready for start up.', '');
        t += 1000;
      }
      inst.data.initLogged = true;
      lines.push(...startupLines(t, inst, 1));
      world.record(ctx, { binary: 'mongod', ports: [inst.port], servingFromMs: now, extra: { dataKey: inst.data.key } });
      return { kind: 'running', lines };
    },
    logsBetween(ctx, fromMs, toMs) {
      return [...world.takeInjected(ctx.pod.metadata.uid ?? '', ctx.containerName, toMs), ...tlsRejectLines(world, ctx.pod.metadata.uid ?? '', fromMs, toMs)];
    },
    exec(ctx, command, stdin) {
      const inst = instanceFor(ctx);
      if (!inst) return undefined;
      ensureInitialized(world, inst);
      const direct = mongoExternal(world, inst, inst, command, stdin ?? '');
      if (direct) return { stdout: direct.stdout, stderr: direct.stderr, exitCode: direct.exitCode };
      const sh = shellEnv(ctx, (argv, input) => mongoExternal(world, inst, inst, argv, input));
      const r = new Shell(sh).exec(command, stdin ?? '', false);
      return { stdout: r.stdout, stderr: r.stderr, exitCode: r.exitCode };
    },
    usage(ctx) {
      const h = (ctx.pod.metadata.uid ?? '').length;
      return { cpuMillis: 6 + (h % 5), memoryBytes: (72 + (h % 9)) * 1024 * 1024 };
    },
  };
}

/** The Mongo server behind a Service name (for clients), or undefined. */
export function mongoBehind(world: AppWorld, ns: string, service: string): MongoInstance | undefined {
  const pod = backendPod(world, ns, service);
  return pod ? mongoInstance(world, pod) : undefined;
}

/** mongod's log lines for the plaintext connections a TLS-only server drops (one per client retry). */
export function tlsRejectLines(world: AppWorld, mongoPodUid: string, fromMs: number, toMs: number): string[] {
  const out: string[] = [];
  for (const info of world.instances.values()) {
    if (info.extra?.tlsClientOf !== mongoPodUid) continue;
    const pod = world.store.list('pods', info.namespace).find((p) => p.metadata.uid === info.podUid);
    if (!pod || pod.metadata.deletionTimestamp) continue;
    const first = Math.max(0, Math.ceil((fromMs - info.startMs - 300) / 1300));
    for (let k = first; out.length < 2000; k++) {
      const t = info.startMs + 300 + k * 1300;
      if (t >= toMs) break;
      const conn = 10 + k;
      const remote = `${pod.status?.podIP ?? '10.244.1.1'}:${40000 + (k % 20000)}`;
      out.push(
        mongoLog(t, 'I', 'NETWORK', 22943, 'listener', 'Connection accepted', { remote, connectionId: conn, connectionCount: 1 }),
        mongoLog(t, 'I', 'NETWORK', 22988, `conn${conn}`, 'Error receiving request from client. Ending connection from remote', { error: { code: 141, codeName: 'SSLHandshakeFailed', errmsg: 'The server is configured to only allow SSL connections' }, remote, connectionId: conn }),
        mongoLog(t, 'I', 'NETWORK', 22944, `conn${conn}`, 'Connection ended', { remote, connectionId: conn, connectionCount: 0 }),
      );
    }
  }
  return out;
}

