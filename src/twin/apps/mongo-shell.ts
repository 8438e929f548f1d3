/**
 * The legacy `mongo` shell of mongo:4.4.6 as far as SREs and AIOpsLab's scripts use it: `mongo [db] [-u u -p p
 * --authenticationDatabase d] [--quiet] [--eval js] [--host h] [--port p] [file.js]`, with db.createUser / dropUser /
 * grantRolesToUser / revokeRolesFromUser / getUsers / getUser / runCommand({ping:1}) / getSiblingDB / auth,
 * print / printjson, `use <db>` and `show users|dbs|collections`.
 *
 * The JavaScript runs in a separate V8 context that is given only a JSON string (never a host object) and hands back
 * only a JSON string, with a time limit, so a typed command cannot reach the twin process.
 */
import vm from 'node:vm';
import type { MongoData, MongoUser } from './world';

export interface MongoServer {
  data: MongoData;
  /** mongod runs with access control (--auth or security.authorization: enabled). */
  auth: boolean;
  /** net.tls.mode. */
  tlsMode: string;
  port: number;
  /** Collections per database (for getCollectionNames / count). */
  collections?: Record<string, string[]>;
}

export interface ShellOutcome {
  stdout: string;
  stderr: string;
  exitCode: number;
}

const PRELUDE = String.raw`
'use strict';
var __s = JSON.parse(__input);
var __out = [];
var __principal = __s.principal;
function __pad(n) { var s = ''; for (var i = 0; i < n; i++) s += '\t'; return s; }
function __tojson(x, ind) {
  ind = ind || 0;
  if (x === null) return 'null';
  if (x === undefined) return 'undefined';
  if (typeof x === 'string') return JSON.stringify(x);
  if (typeof x === 'number' || typeof x === 'boolean') return String(x);
  if (typeof x === 'function') return String(x);
  if (x && x.__uuid) return 'UUID("' + x.__uuid + '")';
  if (Array.isArray(x)) {
    if (x.length === 0) return '[ ]';
    return '[\n' + x.map(function (v) { return __pad(ind + 1) + __tojson(v, ind + 1); }).join(',\n') + '\n' + __pad(ind) + ']';
  }
  var keys = Object.keys(x).filter(function (k) { return k.indexOf('__') !== 0 && typeof x[k] !== 'function'; });
  if (keys.length === 0) return '{ }';
  return '{\n' + keys.map(function (k) { return __pad(ind + 1) + JSON.stringify(k) + ' : ' + __tojson(x[k], ind + 1); }).join(',\n') + '\n' + __pad(ind) + '}';
}
function tojson(x) { return __tojson(x, 0); }
function print() { __out.push(Array.prototype.map.call(arguments, function (a) { return typeof a === 'string' ? a : __tojson(a, 0); }).join(' ')); }
function printjson(x) { __out.push(__tojson(x, 0)); }
function __fail(msg, code, codeName) { var e = new Error(msg); e.__mongo = { code: code, codeName: codeName }; throw e; }
function __roles() {
  if (!__s.auth) return null;
  if (!__principal) return [];
  var u = __s.users.filter(function (x) { return x.user === __principal.user && x.db === __principal.db; })[0];
  return u ? u.roles : [];
}
function __has(pred) { var r = __roles(); if (r === null) return true; return r.some(pred); }
function __userAdmin(dbn) {
  return __has(function (r) { return r.role === 'root' || r.role === 'userAdminAnyDatabase' || (r.db === dbn && (r.role === 'userAdmin' || r.role === 'dbOwner')); });
}
function __canRead(dbn) {
  return __has(function (r) { return r.role === 'root' || r.role === 'readAnyDatabase' || r.role === 'readWriteAnyDatabase' || (r.db === dbn && (r.role === 'read' || r.role === 'readWrite' || r.role === 'dbOwner')); });
}
function __needAuth(cmd, dbn, ok) {
  if (ok) return;
  if (__s.auth && !__principal) __fail('command ' + cmd + ' requires authentication', 13, 'Unauthorized');
  __fail('not authorized on ' + dbn + ' to execute command { ' + cmd + ': 1.0, lsid: { id: UUID("' + __s.lsid + '") }, $db: "' + dbn + '" }', 13, 'Unauthorized');
}
function __normRoles(roles, dbn) {
  return (roles || []).map(function (r) { return typeof r === 'string' ? { role: r, db: dbn } : { role: String(r.role), db: String(r.db || dbn) }; });
}
function __userDoc(u) {
  return { _id: u.db + '.' + u.user, userId: { __uuid: u.userId }, user: u.user, db: u.db, roles: u.roles.map(function (r) { return { role: r.role, db: r.db }; }), mechanisms: ['SCRAM-SHA-1', 'SCRAM-SHA-256'] };
}
function __find(name, dbn) { return __s.users.filter(function (x) { return x.user === name && x.db === dbn; })[0]; }
function __collection(dbn, name) {
  var docs = (__s.collections[dbn] || []).indexOf(name) >= 0 ? 80 : 0;
  var check = function (cmd) { __needAuth(cmd, dbn, __canRead(dbn)); };
  return {
    count: function () { check('count'); return docs; },
    countDocuments: function () { check('aggregate'); return docs; },
    estimatedDocumentCount: function () { check('count'); return docs; },
    find: function () { check('find'); return { count: function () { return docs; }, toArray: function () { return []; }, limit: function () { return this; }, pretty: function () { return this; }, forEach: function () {} }; },
    findOne: function () { check('find'); return null; },
    getName: function () { return name; }
  };
}
function DB(name) { this.__name = name; }
DB.prototype.getName = function () { return this.__name; };
DB.prototype.toString = function () { return this.__name; };
DB.prototype.getSiblingDB = function (n) { return __db(String(n)); };
DB.prototype.getMongo = function () { return { getDB: function (n) { return __db(String(n)); }, toString: function () { return 'connection to 127.0.0.1:27017'; } }; };
DB.prototype.version = function () { return '4.4.6'; };
DB.prototype.auth = function (u, p) {
  if (typeof u === 'object' && u) { p = u.pwd; u = u.user; }
  var x = __find(String(u), this.__name);
  if (!x || x.pwd !== String(p)) { __out.push('Error: Authentication failed.'); return 0; }
  __principal = { user: x.user, db: x.db }; __s.principal = __principal; return 1;
};
DB.prototype.createUser = function (spec) {
  __needAuth('createUser', this.__name, __userAdmin(this.__name) || (__s.users.length === 0 && __s.localhost));
  if (!spec || !spec.user) __fail('couldn\'t add user: "createUser" had the wrong type. Expected string, found missing', 14, 'TypeMismatch');
  if (__find(spec.user, this.__name)) __fail('couldn\'t add user: User "' + spec.user + '@' + this.__name + '" already exists', 51003, 'Location51003');
  var u = { user: String(spec.user), db: this.__name, pwd: String(spec.pwd || ''), roles: __normRoles(spec.roles, this.__name), userId: __s.nextIds.shift() || '00000000-0000-4000-a000-000000000000' };
  __s.users.push(u);
  print('Successfully added user: ' + __tojson({ user: u.user, roles: spec.roles || [] }, 0));
};
DB.prototype.dropUser = function (name) {
  __needAuth('dropUser', this.__name, __userAdmin(this.__name));
  var before = __s.users.length; var d = this.__name;
  __s.users = __s.users.filter(function (x) { return !(x.user === name && x.db === d); });
  return __s.users.length !== before;
};
DB.prototype.dropAllUsers = function () {
  __needAuth('dropAllUsersFromDatabase', this.__name, __userAdmin(this.__name));
  var d = this.__name; var before = __s.users.length;
  __s.users = __s.users.filter(function (x) { return x.db !== d; });
  return before - __s.users.length;
};
DB.prototype.grantRolesToUser = function (name, roles) {
  __needAuth('grantRolesToUser', this.__name, __userAdmin(this.__name));
  var u = __find(name, this.__name);
  if (!u) __fail('Could not find user "' + name + '" for db "' + this.__name + '"', 11, 'UserNotFound');
  __normRoles(roles, this.__name).forEach(function (r) { if (!u.roles.some(function (x) { return x.role === r.role && x.db === r.db; })) u.roles.push(r); });
};
DB.prototype.revokeRolesFromUser = function (name, roles) {
  __needAuth('revokeRolesFromUser', this.__name, __userAdmin(this.__name));
  var u = __find(name, this.__name);
  if (!u) __fail('Could not find user "' + name + '" for db "' + this.__name + '"', 11, 'UserNotFound');
  var rm = __normRoles(roles, this.__name);
  u.roles = u.roles.filter(function (x) { return !rm.some(function (r) { return r.role === x.role && r.db === x.db; }); });
};
DB.prototype.updateUser = function (name, upd) {
  __needAuth('updateUser', this.__name, __userAdmin(this.__name));
  var u = __find(name, this.__name);
  if (!u) __fail('Could not find user "' + name + '" for db "' + this.__name + '"', 11, 'UserNotFound');
  if (upd && upd.pwd) u.pwd = String(upd.pwd);
  if (upd && upd.roles) u.roles = __normRoles(upd.roles, this.__name);
};
DB.prototype.changeUserPassword = function (name, pwd) { this.updateUser(name, { pwd: pwd }); };
DB.prototype.getUsers = function () {
  __needAuth('usersInfo', this.__name, __userAdmin(this.__name));
  var d = this.__name;
  return __s.users.filter(function (x) { return x.db === d; }).map(__userDoc);
};
DB.prototype.getUser = function (name) {
  __needAuth('usersInfo', this.__name, __userAdmin(this.__name));
  var u = __find(name, this.__name);
  return u ? __userDoc(u) : null;
};
DB.prototype.getCollectionNames = function () { __needAuth('listCollections', this.__name, __canRead(this.__name)); return (__s.collections[this.__name] || []).slice(); };
DB.prototype.getCollection = function (n) { return __collection(this.__name, String(n)); };
DB.prototype.stats = function () { __needAuth('dbStats', this.__name, __canRead(this.__name)); return { db: this.__name, collections: (__s.collections[this.__name] || []).length, ok: 1 }; };
DB.prototype.serverStatus = function () { return { host: __s.host, version: '4.4.6', process: 'mongod', ok: 1 }; };
DB.prototype.isMaster = function () { return { ismaster: true, maxWireVersion: 9, minWireVersion: 0, ok: 1 }; };
DB.prototype.hello = DB.prototype.isMaster;
DB.prototype.adminCommand = function (c) { return __db('admin').runCommand(c); };
DB.prototype.runCommand = function (c) {
  if (typeof c === 'string') { var o = {}; o[c] = 1; c = o; }
  var k = Object.keys(c || {})[0] || '';
  try {
    switch (k) {
      case 'ping': return { ok: 1 };
      case 'buildInfo': case 'buildinfo': return { version: '4.4.6', gitVersion: '72e66213c2c3eab37d9358d5e78ad7f5c1d0d0d7', ok: 1 };
      case 'isMaster': case 'ismaster': case 'hello': return this.isMaster();
      case 'connectionStatus': return { authInfo: { authenticatedUsers: __principal ? [__principal] : [], authenticatedUserRoles: (__roles() || []).map(function (r) { return { role: r.role, db: r.db }; }) }, ok: 1 };
      case 'usersInfo': return { users: this.getUsers(), ok: 1 };
      case 'grantRolesToUser': this.grantRolesToUser(c[k], c.roles); return { ok: 1 };
      case 'revokeRolesFromUser': this.revokeRolesFromUser(c[k], c.roles); return { ok: 1 };
      case 'createUser': this.createUser({ user: c[k], pwd: c.pwd, roles: c.roles }); return { ok: 1 };
      case 'dropUser': return this.dropUser(c[k]) ? { ok: 1 } : { ok: 0, errmsg: 'User \'' + c[k] + '@' + this.__name + '\' not found', code: 11, codeName: 'UserNotFound' };
      case 'listDatabases': __needAuth('listDatabases', 'admin', __canRead('admin') || __has(function (r) { return r.role === 'root'; })); return { databases: __dbs(), ok: 1 };
      default: return { ok: 0, errmsg: 'no such command: \'' + k + '\'', code: 59, codeName: 'CommandNotFound' };
    }
  } catch (e) {
    if (e && e.__mongo) return { ok: 0, errmsg: e.message, code: e.__mongo.code, codeName: e.__mongo.codeName };
    throw e;
  }
};
function __dbs() { return ['admin', 'config', 'local'].concat(Object.keys(__s.collections)).map(function (n) { return { name: n, sizeOnDisk: 40960, empty: false }; }); }
function __db(name) {
  var d = new DB(name);
  return new Proxy(d, { get: function (t, p) { if (typeof p === 'string' && !(p in t) && p.indexOf('__') !== 0) return __collection(name, p); return t[p]; } });
}
var db = __db(__s.db);
function __show(what) {
  if (what === 'users') db.getUsers().forEach(function (u) { printjson(u); });
  else if (what === 'dbs' || what === 'databases') __dbs().forEach(function (d) { print(d.name + '  0.000GB'); });
  else if (what === 'collections' || what === 'tables') db.getCollectionNames().forEach(function (c) { print(c); });
  else __fail("don't know how to show [" + what + ']', 0, '');
}
function __use(n) { db = __db(n); print('switched to db ' + n); }
`;

const RUN = String.raw`
var __res, __err = null;
try {
  __res = (0, eval)(__code);
  if (__res !== undefined && __s.echo) {
    if (__res && __res.__name && typeof __res.getName === 'function') __out.push(__res.getName());
    else __out.push(typeof __res === 'string' ? __res : __tojson(__res, 0));
  }
} catch (e) {
  __err = { message: String(e && e.message !== undefined ? e.message : e), mongo: !!(e && e.__mongo), name: String(e && e.name || 'Error') };
}
JSON.stringify({ out: __out, users: __s.users, principal: __principal, err: __err });
`;

/** Rewrites shell helpers (`use x`, `show users`) into calls. */
function preprocess(code: string): string {
  return code
    .split('\n')
    .map((line) => {
      const use = /^\s*use\s+([\w.-]+)\s*;?\s*$/.exec(line);
      if (use) return `__use(${JSON.stringify(use[1])});`;
      const show = /^\s*show\s+(\w+)\s*;?\s*$/.exec(line);
      if (show) return `__show(${JSON.stringify(show[1])});`;
      if (/^\s*(exit|quit\(\))\s*;?\s*$/.test(line)) return '';
      return line;
    })
    .join('\n');
}

export interface EvalInput {
  server: MongoServer;
  db: string;
  principal?: { user: string; db: string };
  code: string;
  /** Print the value of the last expression (as the shell does for --eval and interactive input). */
  echo: boolean;
  host: string;
  /** Fresh ids for users created in this run. */
  ids: string[];
  lsid: string;
  /** The localhost exception: no users yet and connected over localhost. */
  localhost: boolean;
}

export interface EvalOutput {
  lines: string[];
  error?: { message: string; mongo: boolean; name: string };
}

/** CPU time a shell eval may use: the catalog's scripts take a few ms; a script that never ends stops here. */
const EVAL_CPU_LIMIT_MS = 250;
/** The longest wall time a starved eval is given (the twin's event loop waits for it meanwhile). */
const EVAL_WALL_CAP_MS = 16_000;

/**
 * Runs the eval with a limit on the CPU time it uses, not on wall time: vm's timeout counts wall time, and on a machine
 * whose cores are busy elsewhere a two-line init script could be cut short after 250 ms without having run (a
 * mongodb's first-start script then left it without users, and its Go service failed to authenticate for good). A
 * try cut short with little CPU used was starved, not looping: it is tried again with four times the wall time, up
 * to EVAL_WALL_CAP_MS; one that used its CPU time is a loop and fails with the time limit.
 */
function runWithCpuLimit(context: () => vm.Context): unknown {
  for (let wallMs = EVAL_CPU_LIMIT_MS; ; wallMs *= 4) {
    const before = process.cpuUsage();
    try {
      return vm.runInContext(PRELUDE + RUN, context(), { timeout: wallMs, filename: 'shell eval' });
    } catch (e) {
      const used = process.cpuUsage(before);
      const cpuMs = (used.user + used.system) / 1000;
      const timedOut = /timed out/i.test(String((e as Error)?.message ?? e));
      if (!timedOut || cpuMs >= EVAL_CPU_LIMIT_MS || wallMs * 4 > EVAL_WALL_CAP_MS) throw e;
    }
  }
}

/** Runs shell JavaScript against a server's user data; mutates `server.data.users` on success and on error alike (as the real shell does statement by statement). */
export function evalShell(input: EvalInput): EvalOutput {
  const state = {
    users: input.server.data.users,
    principal: input.principal ?? null,
    auth: input.server.auth,
    db: input.db,
    echo: input.echo,
    collections: input.server.collections ?? {},
    host: input.host,
    nextIds: input.ids,
    lsid: input.lsid,
    localhost: input.localhost,
  };
  let raw: unknown;
  try {
    raw = runWithCpuLimit(() => {
      // A fresh context per try: a try cut short leaves nothing behind (users change only from a finished run's result).
      const sandbox: Record<string, unknown> = Object.create(null);
      sandbox.__input = JSON.stringify(state);
      sandbox.__code = preprocess(input.code);
      return vm.createContext(sandbox, { codeGeneration: { strings: true, wasm: false } });
    });
  } catch (e) {
    const msg = String((e as Error)?.message ?? e);
    return { lines: [], error: { message: /timed out/i.test(msg) ? 'Interrupted by the time limit' : msg, mongo: false, name: 'Error' } };
  }
  if (typeof raw !== 'string') return { lines: [], error: { message: 'internal error', mongo: false, name: 'Error' } };
  const parsed = JSON.parse(raw) as { out: string[]; users: MongoUser[]; err: EvalOutput['error'] | null };
  input.server.data.users = parsed.users.map((u) => ({
    user: String(u.user),
    db: String(u.db),
    pwd: String(u.pwd),
    userId: String(u.userId),
    roles: (u.roles).map((r) => ({ role: String(r.role), db: String(r.db) })),
  }));
  return { lines: parsed.out.map(String), error: parsed.err ?? undefined };
}

/** Does a user authenticate (SCRAM) against this server? */
export function authenticate(server: MongoServer, user: string, pwd: string, authDb: string): 'ok' | 'UserNotFound' | 'AuthenticationFailed' {
  const u = server.data.users.find((x) => x.user === user && x.db === authDb);
  if (!u) return 'UserNotFound';
  return u.pwd === pwd ? 'ok' : 'AuthenticationFailed';
}

/** Can this user read/write a database? */
export function authorized(server: MongoServer, user: string, authDb: string, db: string, write: boolean): boolean {
  if (!server.auth) return true;
  const u = server.data.users.find((x) => x.user === user && x.db === authDb);
  if (!u) return false;
  return u.roles.some(
    (r) =>
      r.role === 'root' ||
      r.role === 'readWriteAnyDatabase' ||
      (!write && r.role === 'readAnyDatabase') ||
      (r.db === db && (r.role === 'readWrite' || r.role === 'dbOwner' || (!write && r.role === 'read'))),
  );
}
