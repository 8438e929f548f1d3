/**
 * HotelReservation on the twin with the real kubectl: deploy → all Ready; revoke_auth and storage_user_unregistered
 * through the failure scripts in mongodb-geo → geo crash-loops with the real log lines; the problems' `solution`
 * commands heal it; geo:app3 panics with `no reachable servers` and `rollout undo` heals; the wrong binary in profile
 * runs geo.
 */
import assert from 'node:assert/strict';
import { deployApp, startAppTwin, type AppTwin } from './harness';

const NS = 'test-hotel-reservation';

describe('twin apps: HotelReservation containers under faults (real kubectl)', function () {
  this.timeout(60000);
  let twin: AppTwin;

  before(async () => {
    twin = await startAppTwin();
    await deployApp(twin, 'hotel-reservation', NS);
    twin.advance(3000);
  });
  after(async () => {
    await twin?.close();
  });

  const geoPod = () => twin.podName(NS, 'io.kompose.service=geo');
  const execMongo = (args: string[]) => twin.k(['exec', 'deploy/mongodb-geo', '-n', NS, '--', ...args]);

  it('deploys: every pod 1/1 Running, geo registered in consul, mongod logs its init and start', async () => {
    const pods = await twin.pods(NS);
    assert.equal(pods.size, 19, [...pods.keys()].join(' '));
    for (const [name, p] of pods) assert.deepEqual([p.ready, p.status], ['1/1', 'Running'], name);
    const logs = await twin.logs(NS, await geoPod());
    assert.match(logs, /^\{"level":"info","time":"[^"]+","message":"TLS disabled."\}$/m);
    assert.match(logs, /INF cmd\/geo\/main.go:36 > Read database URL: mongodb-geo:27017$/m);
    assert.match(logs, /INF cmd\/geo\/db.go:29 > New session successfull...$/m);
    assert.match(logs, /Trying to register service \[ name: srv-geo, id: [0-9a-f-]+, address: 10\.244\.\d+\.\d+:8083 \]/);
    assert.match(logs, /Successfully registered in consul$/m);
    const mongoLogs = await twin.logs(NS, await twin.podName(NS, 'io.kompose.service=mongodb-geo'));
    assert.match(mongoLogs, /running \/docker-entrypoint-initdb.d\/k8s-geo-mongo.sh/);
    assert.match(mongoLogs, /"msg":"Waiting for connections","attr":\{"port":27017,"ssl":"off"\}/);
    assert.match(mongoLogs, /"Successful authentication".*"principalName":"admin"/);
    const members = await twin.k(['exec', 'deploy/consul', '-n', NS, '--', 'consul', 'catalog', 'services']);
    assert.match(members.stdout, /srv-geo/);
    const users = await execMongo(['mongo', 'admin', '-u', 'root', '-p', 'root', '--quiet', '--eval', 'db.getUsers().map(function (u) { return u.user; }).join(",")']);
    assert.equal(users.code, 0, users.stderr + users.stdout);
    assert.equal(users.stdout.trim(), 'admin,root');
  });

  it('revoke_auth: the revoke script + pod delete → geo FTL not authorized, exit 1, CrashLoopBackOff; the solution heals it', async () => {
    const revoke = await execMongo(['/bin/bash', '/scripts/revoke-admin-geo-mongo.sh']);
    assert.equal(revoke.code, 0, revoke.stdout + revoke.stderr);
    assert.doesNotMatch(revoke.stdout, /readWrite/);
    assert.match(revoke.stdout, /"role" : "userAdminAnyDatabase"/);
    let r = await twin.k(['delete', 'pod', '-n', NS, '-l', 'io.kompose.service=geo', '--wait=false']);
    assert.equal(r.code, 0, r.stderr);
    twin.advance(15000);
    const pod = await geoPod();
    const state = (await twin.pods(NS)).get(pod)!;
    assert.equal(state.ready, '0/1');
    assert.match(state.status, /^(CrashLoopBackOff|Error)$/);
    assert.notEqual(state.restarts, '0');
    const current = await twin.logs(NS, pod);
    assert.match(current, /FTL cmd\/geo\/db.go:35 > not authorized on geo-db to execute command \{ count: "geo", query: \{ hotelId: "1" \}, \$db: "geo-db" \}/);
    assert.doesNotMatch(current, /Successfully registered/);
    const previous = await twin.logs(NS, pod, ['--previous']);
    assert.match(previous, /not authorized on geo-db/);
    r = await twin.k(['get', 'pod', pod, '-n', NS, '-o', 'jsonpath={.status.containerStatuses[0].lastState.terminated.exitCode}']);
    assert.equal(r.stdout, '1');
    const events = await twin.k(['get', 'events', '-n', NS, '--field-selector', `involvedObject.name=${pod}`]);
    assert.match(events.stdout, /Back-off restarting failed container hotel-reserv-geo/);
    // Only geo (F3): every other pod stays 1/1 Running; mongodb-geo saw geo's admin authenticate successfully (the
    // authorization failure itself is not logged at default verbosity).
    for (const [name, p] of await twin.pods(NS)) if (!name.startsWith('geo-')) assert.deepEqual([p.ready, p.status], ['1/1', 'Running'], name);
    const mongoLog = await twin.logs(NS, await twin.podName(NS, 'io.kompose.service=mongodb-geo'));
    assert.match(mongoLog, /"msg":"Successful authentication","attr":\{"mechanism":"SCRAM-SHA-\d+","principalName":"admin"/);
    assert.doesNotMatch(mongoLog, /not authorized/);

    // The problem's solution.
    r = await execMongo(['mongo', 'admin', '-u', 'admin', '-p', 'admin', '--authenticationDatabase', 'admin', '--eval', "db.grantRolesToUser('admin', [{role: 'readWrite', db: 'geo-db'}])"]);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.match(r.stdout, /^MongoDB shell version v4\.4\.6$/m);
    r = await twin.k(['delete', 'pod', '-n', NS, '-l', 'io.kompose.service=geo', '--wait=false']);
    assert.equal(r.code, 0, r.stderr);
    twin.advance(3000);
    const healed = await geoPod();
    assert.notEqual(healed, pod);
    assert.deepEqual({ ...(await twin.pods(NS)).get(healed)! }, { ready: '1/1', status: 'Running', restarts: '0' });
    r = await twin.k(['wait', '--for=condition=ready', 'pod', '-n', NS, '-l', 'io.kompose.service=geo', '--timeout=5s']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(await twin.logs(NS, healed), /Successfully registered in consul/);
  });

  it('storage_user_unregistered: admin dropped → SASL authentication panic (exit 2); recreate + grant heals', async () => {
    let r = await execMongo(['/bin/bash', '/scripts/remove-admin-mongo.sh']);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.match(r.stdout, /users in admin: root/);
    r = await execMongo(['mongo', 'admin', '-u', 'admin', '-p', 'admin', '--authenticationDatabase', 'admin', '--eval', 'db.runCommand({ping: 1})']);
    assert.equal(r.code, 1);
    assert.match(r.stdout, /Error: Authentication failed\./);
    await twin.k(['delete', 'pod', '-n', NS, '-l', 'io.kompose.service=geo', '--wait=false']);
    twin.advance(2000);
    const pod = await geoPod();
    const logs = await twin.logs(NS, pod);
    assert.match(logs, /PNC cmd\/geo\/db.go:26 > server returned error on SASL authentication step: Authentication failed\./);
    assert.match(logs, /^panic: server returned error on SASL authentication step: Authentication failed\.$/m);
    assert.match(logs, /goroutine 1 \[running\]:/);
    r = await twin.k(['get', 'pod', pod, '-n', NS, '-o', 'jsonpath={.status.containerStatuses[0].state.terminated.exitCode}{.status.containerStatuses[0].lastState.terminated.exitCode}']);
    assert.match(r.stdout, /^2+$/);
    const mongoLogs = await twin.logs(NS, await twin.podName(NS, 'io.kompose.service=mongodb-geo'));
    assert.match(mongoLogs, /"Authentication failed".*UserNotFound: Could not find user \\"admin\\" for db \\"admin\\"/);

    r = await execMongo(['mongo', 'admin', '-u', 'root', '-p', 'root', '--authenticationDatabase', 'admin', '--eval', "db.createUser({user: 'admin', pwd: 'admin', roles: [{role: 'userAdminAnyDatabase', db: 'admin'}]});\n    db.grantRolesToUser('admin', [{role: 'readWrite', db: 'geo-db'}])"]);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.match(r.stdout, /Successfully added user/);
    await twin.k(['delete', 'pod', '-n', NS, '-l', 'io.kompose.service=geo', '--wait=false']);
    twin.advance(3000);
    const healed = await geoPod();
    assert.deepEqual({ ...(await twin.pods(NS)).get(healed)! }, { ready: '1/1', status: 'Running', restarts: '0' });
  });

  it('misconfig_app: geo:app3 dials mongodb-geo:27777, panics with no reachable servers after ~10 s; rollout undo heals', async () => {
    let r = await twin.k(['set', 'image', 'deployment/geo', 'hotel-reserv-geo=yinfangchen/geo:app3', '-n', NS]);
    assert.equal(r.code, 0, r.stderr);
    twin.advance(5000);
    let pods = await twin.pods(NS);
    const geo = [...pods.entries()].filter(([n]) => n.startsWith('geo-'));
    assert.equal(geo.length, 1, 'the old pod is gone once the new one is available');
    const [pod] = geo[0];
    assert.deepEqual([geo[0][1].ready, geo[0][1].status], ['1/1', 'Running']);
    twin.advance(7000);
    pods = await twin.pods(NS);
    assert.match(pods.get(pod)!.restarts, /^1 /, 'the first crash restarts at once');
    twin.advance(11000);
    pods = await twin.pods(NS);
    assert.match(pods.get(pod)!.status, /^(Error|CrashLoopBackOff)$/);
    const logs = await twin.logs(NS, pod, ['--previous']);
    assert.match(logs, /Read database URL: mongodb-geo:27777/);
    assert.match(logs, /PNC cmd\/geo\/db.go:26 > no reachable servers/);
    assert.match(logs, /^panic: no reachable servers$/m);
    // F5: describe shows the image and the port; revision 2; the rollout and pull events; mongodb-geo saw nothing.
    r = await twin.k(['describe', 'pod', pod, '-n', NS]);
    assert.match(r.stdout, /Image:\s+yinfangchen\/geo:app3/);
    assert.match(r.stdout, /Port:\s+8083\/TCP/);
    assert.match(r.stdout, /Last State:\s+Terminated\n\s+Reason:\s+Error\n\s+Exit Code:\s+2/);
    r = await twin.k(['get', 'deployment', 'geo', '-n', NS, '-o', 'jsonpath={.metadata.annotations.deployment\\.kubernetes\\.io/revision}']);
    assert.equal(r.stdout, '2');
    r = await twin.k(['get', 'events', '-n', NS]);
    assert.match(r.stdout, /ScalingReplicaSet\s+deployment\/geo\s+Scaled up replica set geo-[a-z0-9]+ to 1/);
    assert.match(r.stdout, /ScalingReplicaSet\s+deployment\/geo\s+Scaled down replica set geo-[a-z0-9]+ to 0 from 1/);
    assert.match(r.stdout, /Pulling image "yinfangchen\/geo:app3"/);
    assert.doesNotMatch(await twin.logs(NS, await twin.podName(NS, 'io.kompose.service=mongodb-geo'), ['--since=60s']), /27777/);
    r = await twin.k(['rollout', 'undo', 'deployment/geo', '-n', NS]);
    assert.equal(r.code, 0, r.stderr);
    twin.advance(4000);
    pods = await twin.pods(NS);
    const after = [...pods.entries()].filter(([n]) => n.startsWith('geo-'));
    assert.equal(after.length, 1);
    assert.deepEqual([after[0][1].ready, after[0][1].status], ['1/1', 'Running']);
    assert.match(await twin.logs(NS, after[0][0]), /Successfully registered in consul/);
  });

  it('wrong_bin_usage: profile running the geo binary logs as geo and srv-profile keeps only a stale entry; frontend /hotels fails', async () => {
    let r = await twin.k(['patch', 'deployment', 'profile', '-n', NS, '--type', 'json', '-p', '[{"op":"replace","path":"/spec/template/spec/containers/0/command","value":["geo"]}]']);
    assert.equal(r.code, 0, r.stderr);
    twin.advance(4000);
    const pod = await twin.podName(NS, 'io.kompose.service=profile');
    assert.deepEqual({ ...(await twin.pods(NS)).get(pod)! }, { ready: '1/1', status: 'Running', restarts: '0' });
    const logs = await twin.logs(NS, pod);
    assert.match(logs, /Read database URL: mongodb-geo:27017/);
    assert.match(logs, /Initializing jaeger agent \[service name: geo \| host: jaeger:6831\]/);
    assert.match(logs, /Trying to register service \[ name: srv-geo, .*:8083 \]/);
    const front = await twin.podName(NS, 'io.kompose.service=frontend');
    r = await twin.k(['exec', front, '-n', NS, '--', 'curl', '-s', 'http://localhost:5000/hotels?inDate=2015-04-09&outDate=2015-04-10&lat=37.7749&lon=-122.4194']);
    assert.equal(r.stdout, 'rpc error: code = Unavailable desc = there is no connection available\n');
    r = await twin.k(['patch', 'deployment', 'profile', '-n', NS, '--type', 'json', '-p', '[{"op":"replace","path":"/spec/template/spec/containers/0/command","value":["profile"]}]']);
    assert.equal(r.code, 0, r.stderr);
    twin.advance(4000);
    r = await twin.k(['exec', front, '-n', NS, '--', 'curl', '-s', '-o', '/dev/null', '-w', '%{http_code}', 'http://localhost:5000/hotels?lat=37.7&lon=-122.4']);
    assert.equal(r.stdout, '200');
  });

  it('wrk2 into the frontend while profile runs geo: non-2xx in the report, frontend logs GetProfiles failed', async () => {
    let r = await twin.k(['patch', 'deployment', 'profile', '-n', NS, '--type', 'json', '-p', '[{"op":"replace","path":"/spec/template/spec/containers/0/command","value":["geo"]}]']);
    assert.equal(r.code, 0, r.stderr);
    twin.advance(4000);
    const ip = (await twin.k(['get', 'svc', 'frontend', '-n', NS, '-o', 'jsonpath={.spec.clusterIP}'])).stdout.trim();
    await twin.k(['create', 'configmap', 'wrk2-payload-script', '-n', 'default', '--from-literal=mixed-workload_type_1.lua=-- x']);
    const job = {
      apiVersion: 'batch/v1', kind: 'Job', metadata: { name: 'wrk2-job', namespace: 'default' },
      spec: { backoffLimit: 0, template: { spec: { restartPolicy: 'Never', containers: [{ name: 'wrk2', image: 'deathstarbench/wrk2-client:latest', args: ['wrk', '-D', 'exp', '-t', '2', '-c', '2', '-d', '10s', '-L', '-s', '/scripts/mixed-workload_type_1.lua', `http://${ip}:5000`, '-R', '10', '--latency'], volumeMounts: [{ name: 's', mountPath: '/scripts/mixed-workload_type_1.lua', subPath: 'mixed-workload_type_1.lua' }] }], volumes: [{ name: 's', configMap: { name: 'wrk2-payload-script' } }] } } },
    };
    r = await twin.k(['apply', '-f', '-'], JSON.stringify(job));
    assert.equal(r.code, 0, r.stderr);
    twin.advance(13000);
    r = await twin.k(['get', 'job', 'wrk2-job', '-n', 'default', '-o', 'jsonpath={.status.succeeded}']);
    assert.equal(r.stdout, '1');
    const report = await twin.logs('default', await twin.podName('default', 'job-name=wrk2-job'));
    assert.match(report, /^ {2}100 requests in 10\.00s/m);
    const non2xx = Number(/Non-2xx or 3xx responses: (\d+)/.exec(report)?.[1]);
    assert.ok(non2xx >= 95, report);
    assert.match(report, /^ 50\.000% +[\d.]+ms$/m);
    assert.match(report, /Detailed Percentile spectrum:/);
    const front = await twin.logs(NS, await twin.podName(NS, 'io.kompose.service=frontend'));
    const lines = front.split('\n').filter((l) => /ERR services\/frontend\/server.go:227 > SearchHandler GetProfiles failed$/.test(l));
    assert.ok(lines.length >= 50 && lines.length <= 70, `${lines.length} GetProfiles lines`);
    r = await twin.k(['patch', 'deployment', 'profile', '-n', NS, '--type', 'json', '-p', '[{"op":"replace","path":"/spec/template/spec/containers/0/command","value":["profile"]}]']);
    assert.equal(r.code, 0, r.stderr);
    twin.advance(4000);
  });

  it('container-kill on geo: one restart, --previous ends without an error line, a fresh registration; pod-failure on user: pause image, callers fail until recovery', async () => {
    const geo = await geoPod();
    assert.equal(twin.cluster.killContainer(NS, geo, 'hotel-reserv-geo', 137, 'Error'), true);
    twin.advance(3000);
    let p = (await twin.pods(NS)).get(geo)!;
    assert.deepEqual([p.ready, p.status], ['1/1', 'Running']);
    assert.match(p.restarts, /^1 /);
    const prev = await twin.logs(NS, geo, ['--previous']);
    assert.match(prev, /Successfully registered in consul\n?$/);
    assert.doesNotMatch(prev, /FTL|PNC|panic/);
    const ids = [...(prev + (await twin.logs(NS, geo))).matchAll(/id: ([0-9a-f-]+), address/g)].map((m) => m[1]);
    assert.equal(new Set(ids).size, 2, 'a new registration id after the restart');

    const user = await twin.podName(NS, 'io.kompose.service=user');
    const patch = (image: string) => twin.k(['patch', 'pod', user, '-n', NS, '-p', JSON.stringify({ spec: { containers: [{ name: 'hotel-reserv-user', image }] } })]);
    let r = await patch('gcr.io/google-containers/pause:latest');
    assert.equal(r.code, 0, r.stderr);
    twin.advance(3000);
    p = (await twin.pods(NS)).get(user)!;
    assert.deepEqual([p.ready, p.status], ['1/1', 'Running']);
    assert.equal(await twin.logs(NS, user), '');
    const front = await twin.podName(NS, 'io.kompose.service=frontend');
    r = await twin.k(['exec', front, '-n', NS, '--', 'curl', '-s', '-X', 'POST', 'http://localhost:5000/user?username=Cornell_1&password=1111111111']);
    assert.equal(r.stdout, 'rpc error: code = Unavailable desc = there is no connection available\n');
    r = await patch('yinfangchen/hotelreservation:latest');
    assert.equal(r.code, 0, r.stderr);
    twin.advance(3000);
    r = await twin.k(['exec', front, '-n', NS, '--', 'curl', '-s', '-X', 'POST', 'http://localhost:5000/user?username=Cornell_1&password=1111111111']);
    assert.equal(r.stdout, '{"message":"Login successfully!"}\n');
  });

  it('geo started before its database: mgo keeps dialling, and a mongodb-geo that comes up within the 10 s timeout is found (no restart)', async () => {
    let r = await twin.k(['scale', 'deployment', 'mongodb-geo', '-n', NS, '--replicas=0']);
    assert.equal(r.code, 0, r.stderr);
    twin.advance(3000);
    r = await twin.k(['delete', 'pod', '-n', NS, '-l', 'io.kompose.service=geo', '--wait=false']);
    assert.equal(r.code, 0, r.stderr);
    twin.advance(3000);
    r = await twin.k(['scale', 'deployment', 'mongodb-geo', '-n', NS, '--replicas=1']);
    assert.equal(r.code, 0, r.stderr);
    twin.advance(12000);
    const geo = await geoPod();
    const pods = await twin.pods(NS);
    assert.deepEqual([pods.get(geo)!.ready, pods.get(geo)!.status, pods.get(geo)!.restarts], ['1/1', 'Running', '0']);
    const logs = await twin.logs(NS, geo);
    assert.match(logs, /INF cmd\/geo\/db.go:29 > New session successfull...$/m);
    assert.doesNotMatch(logs, /no reachable servers/);
  });

  it('redeploy_without_PV: Released PVs keep the claims Pending, data services panic; freeing the PVs keeps the users and heals', async () => {
    let r = await twin.k(['delete', 'namespace', NS, '--wait=false']);
    assert.equal(r.code, 0, r.stderr);
    twin.advance(5000);
    r = await twin.k(['get', 'pv', 'geo-pv', '-o', 'jsonpath={.status.phase}']);
    assert.equal(r.stdout, 'Released');
    await deployApp(twin, 'hotel-reservation', NS);
    twin.advance(14000);
    let pods = await twin.pods(NS);
    const mongo = [...pods.entries()].filter(([n]) => n.startsWith('mongodb-'));
    assert.equal(mongo.length, 6);
    for (const [, p] of mongo) assert.equal(p.status, 'Pending');
    const geo = await geoPod();
    assert.match(await twin.logs(NS, geo, ['--previous']), /PNC cmd\/geo\/db.go:26 > no reachable servers/);
    assert.notEqual(pods.get(geo)!.restarts, '0');
    for (const pv of ['geo', 'profile', 'rate', 'recommendation', 'reservation', 'user']) {
      r = await twin.k(['patch', 'pv', `${pv}-pv`, '--type', 'merge', '-p', '{"spec":{"claimRef":null}}']);
      assert.equal(r.code, 0, r.stderr);
    }
    twin.advance(4000);
    // Same data directory: no init phase this time, the users are still there.
    const mongoGeo = await twin.podName(NS, 'io.kompose.service=mongodb-geo');
    assert.doesNotMatch(await twin.logs(NS, mongoGeo), /docker-entrypoint-initdb/);
    r = await twin.k(['delete', 'pod', '-n', NS, '-l', 'io.kompose.service in (geo,profile,rate,recommendation,reservation,user)', '--wait=false']);
    assert.equal(r.code, 0, r.stderr);
    twin.advance(4000);
    pods = await twin.pods(NS);
    for (const [name, p] of pods) assert.deepEqual([p.ready, p.status], ['1/1', 'Running'], name);
    r = await twin.k(['exec', 'deploy/frontend', '-n', NS, '--', 'curl', '-s', '-o', '/dev/null', '-w', '%{http_code}', 'http://localhost:5000/hotels']);
    assert.equal(r.stdout, '200');
  });
});
