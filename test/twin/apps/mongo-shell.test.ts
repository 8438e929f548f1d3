/** The mongo shell's JavaScript: user administration semantics, access control, and the sandbox. */
import assert from 'node:assert/strict';
import { authenticate, authorized, evalShell, type MongoServer } from '../../../src/twin/apps/mongo-shell';

function server(auth = true): MongoServer {
  return { data: { key: 'k', initialized: true, users: [] }, auth, tlsMode: 'disabled', port: 27017 };
}

function run(s: MongoServer, code: string, principal?: { user: string; db: string }, db = 'admin') {
  return evalShell({ server: s, db, principal, code, echo: true, host: 'mongo-0', ids: ['11111111-1111-4111-a111-111111111111', '22222222-2222-4222-a222-222222222222'], lsid: '33333333-3333-4333-a333-333333333333', localhost: true });
}

describe('twin apps: mongo shell', () => {
  it('creates users through the localhost exception, then needs authentication', () => {
    const s = server();
    let r = run(s, 'db.createUser({user: "admin", pwd: "admin", roles: [{role: "userAdminAnyDatabase", db: "admin"}]})');
    assert.equal(r.error, undefined);
    assert.match(r.lines[0], /^Successfully added user: \{\n\t"user" : "admin",/);
    r = run(s, 'db.createUser({user: "root", pwd: "root", roles: ["root"]})');
    assert.match(r.error!.message, /requires authentication/);
    r = run(s, 'db.createUser({user: "admin", pwd: "x", roles: []})', { user: 'admin', db: 'admin' });
    assert.equal(r.error!.message, 'couldn\'t add user: User "admin@admin" already exists');
    assert.equal(authenticate(s, 'admin', 'admin', 'admin'), 'ok');
    assert.equal(authenticate(s, 'admin', 'nope', 'admin'), 'AuthenticationFailed');
    assert.equal(authenticate(s, 'ghost', 'x', 'admin'), 'UserNotFound');
  });

  it('grants and revokes roles per database; authorization follows', () => {
    const s = server();
    const admin = { user: 'admin', db: 'admin' };
    let r = run(s, 'db.createUser({user: "admin", pwd: "admin", roles: [{role: "userAdminAnyDatabase", db: "admin"}]}); db.grantRolesToUser("admin", [{role: "readWrite", db: "geo-db"}])');
    assert.match(r.error!.message, /requires authentication/, 'the localhost exception ends with the first user');
    r = run(s, 'db.grantRolesToUser("admin", [{role: "readWrite", db: "geo-db"}])', admin);
    assert.equal(r.error, undefined);
    assert.equal(authorized(s, 'admin', 'admin', 'geo-db', true), true);
    r = run(s, 'db.revokeRolesFromUser("admin", [{role: "readWrite", db: "geo-db"}]); printjson(db.getUser("admin").roles)', admin);
    assert.equal(r.lines[0], '[\n\t{\n\t\t"role" : "userAdminAnyDatabase",\n\t\t"db" : "admin"\n\t}\n]');
    assert.equal(authorized(s, 'admin', 'admin', 'geo-db', true), false);
    r = run(s, 'db.grantRolesToUser("ghost", ["readWrite"])', admin);
    assert.equal(r.error!.message, 'Could not find user "ghost" for db "admin"');
    r = run(s, 'db.dropUser("admin")', admin);
    assert.deepEqual(r.lines, ['true']);
    assert.equal(authenticate(s, 'admin', 'admin', 'admin'), 'UserNotFound');
  });

  it('echoes the last value, prints with print/printjson, and answers ping', () => {
    const s = server(false);
    assert.deepEqual(run(s, 'db.runCommand({ping: 1})').lines, ['{\n\t"ok" : 1\n}']);
    assert.deepEqual(run(s, 'print("a", 1); 2 + 3').lines, ['a 1', '5']);
    assert.deepEqual(run(s, 'db.getSiblingDB("geo-db").getName()').lines, ['geo-db']);
  });

  it('gives typed code no way into the twin process and stops endless loops', () => {
    const s = server(false);
    let r = run(s, 'this.constructor.constructor("return process")().exit(1)');
    assert.ok(r.error);
    r = run(s, 'db.createUser.constructor("return typeof process")()');
    assert.deepEqual(r.lines, ['undefined']);
    r = run(s, 'while (true) {}');
    assert.match(r.error!.message, /time limit/);
  });

  it('runs a script to its end when the machine starves the twin of CPU (the limit is CPU time, not wall time)', () => {
    // Atomics.wait blocks the thread without using CPU, as a process waiting for a busy core does: 400 ms of wall time
    // before the first-start script's users are created, longer than the CPU time an eval may use.
    const s = server();
    const r = run(s, 'Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 400); db.createUser({user: "admin", pwd: "admin", roles: [{role: "userAdminAnyDatabase", db: "admin"}]})');
    assert.equal(r.error, undefined);
    assert.equal(authenticate(s, 'admin', 'admin', 'admin'), 'ok');
  });
});
