/**
 * SocialNetwork on the twin with the real kubectl: all 27 pods Ready (the git-clone init containers complete);
 * targetPort 9999 on user-service → compose-post-service logs Thrift connection refused under the wrk2 load and wrk2
 * reports non-2xx responses, the patch back heals; url-shorten-mongodb requireTLS → url-shorten-service loops on
 * createIndexes and never starts its server, text-service logs connection refused; the problem's solution heals.
 */
import assert from 'node:assert/strict';
import YAML from 'yaml';
import { wrk2Job, SCRIPT_CONFIGMAP } from '../../../src/env/workload/wrk2';
import { deployApp, startAppTwin, type AppTwin } from './harness';

const NS = 'test-social-network';

describe('twin apps: SocialNetwork containers under faults (real kubectl)', function () {
  this.timeout(60000);
  let twin: AppTwin;
  let url: string;

  before(async () => {
    twin = await startAppTwin();
    await deployApp(twin, 'social-network', NS);
    twin.advance(6000);
    const ip = (await twin.k(['get', 'svc', 'nginx-thrift', '-n', NS, '-o', 'jsonpath={.spec.clusterIP}'])).stdout.trim();
    url = `http://${ip}:8080/wrk2-api/post/compose`;
    const cm = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: SCRIPT_CONFIGMAP, namespace: 'default' }, data: { 'compose-post.lua': '-- compose\n' } };
    const r = await twin.k(['apply', '-f', '-'], YAML.stringify(cm));
    assert.equal(r.code, 0, r.stderr);
  });
  after(async () => {
    await twin?.close();
  });

  /** `kubectl rollout restart` (its annotation has a one-second resolution: a second restart in the same second is retried). */
  async function restart(deploy: string): Promise<void> {
    let r = await twin.k(['rollout', 'restart', 'deployment', deploy, '-n', NS]);
    if (r.code !== 0) {
      await new Promise((res) => setTimeout(res, 1100));
      r = await twin.k(['rollout', 'restart', 'deployment', deploy, '-n', NS]);
    }
    assert.equal(r.code, 0, r.stderr);
  }

  /** Runs the original's wrk2 Job for 10 s at 10 req/s and returns its log. */
  async function runWrk2(): Promise<string> {
    await twin.k(['delete', 'job', 'wrk2-job', '-n', 'default', '--ignore-not-found', '--wait=false']);
    twin.advance(1000);
    const job = wrk2Job({ kind: 'wrk2', rate: 10, dist: 'exp', connections: 2, duration: 10, threads: 2, script: 'compose-post.lua', url: { service: 'nginx-thrift', port: 8080, path: '/wrk2-api/post/compose' } } as any, url, 10);
    const r = await twin.k(['apply', '-f', '-'], YAML.stringify(job));
    assert.equal(r.code, 0, r.stderr);
    twin.advance(13000);
    const pod = await twin.podName('default', 'job-name=wrk2-job');
    return twin.logs('default', pod);
  }

  it('deploys: 27 pods 1/1 Running, init containers completed, services logged their start', async () => {
    const pods = await twin.pods(NS);
    assert.equal(pods.size, 27, [...pods.keys()].join(' '));
    for (const [name, p] of pods) assert.deepEqual([p.ready, p.status], ['1/1', 'Running'], name);
    const nginx = await twin.podName(NS, 'service=nginx-thrift');
    assert.match(await twin.logs(NS, nginx, ['-c', 'fetch-lua-scripts']), /Cloning into '\/tmp\/dsb'\.\.\./);
    const compose = await twin.podName(NS, 'service=compose-post-service');
    assert.match(await twin.logs(NS, compose), /<info>: \(ComposePostService\.cpp:110:main\) Starting the compose-post-service server \.\.\./);
  });

  it('targetPort 9999 on user-service: endpoints on :9999, callers log connection refused under load, wrk2 non-2xx; patch back heals', async () => {
    let r = await twin.k(['patch', 'svc', 'user-service', '-n', NS, '--type', 'json', '-p', '[{"op":"replace","path":"/spec/ports/0/targetPort","value":9999}]']);
    assert.equal(r.code, 0, r.stderr);
    twin.advance(1000);
    r = await twin.k(['describe', 'svc', 'user-service', '-n', NS]);
    assert.match(r.stdout, /Endpoints:\s+10\.244\.\d+\.\d+:9999/);
    assert.match(r.stdout, /TargetPort:\s+9999\/TCP/);
    // F1, only those: no pod changes (27 × 1/1 Running), and a Service patch emits no event.
    const before = await twin.pods(NS);
    assert.equal(before.size, 27);
    for (const [name, p] of before) assert.deepEqual([p.ready, p.status], ['1/1', 'Running'], name);
    r = await twin.k(['get', 'events', '-n', NS, '--field-selector', 'involvedObject.kind=Service']);
    assert.doesNotMatch(r.stdout, /user-service/);
    const report = await runWrk2();
    assert.match(report, /^Running 10s test @ http:\/\/10\.\d+\.\d+\.\d+:8080\/wrk2-api\/post\/compose$/m);
    assert.match(report, /^ {2}2 threads and 2 connections$/m);
    assert.match(report, /^ {2}Thread Stats {3}Avg {6}Stdev {5}99% {3}\+\/- Stdev$/m);
    assert.match(report, /^ {2}100 requests in 10\.00s, [\d.]+KB read$/m);
    assert.match(report, /^ {2}Non-2xx or 3xx responses: 100$/m);
    assert.match(report, /^Requests\/sec: +10\.00$/m);
    const compose = await twin.podName(NS, 'service=compose-post-service');
    const logs = await twin.logs(NS, compose);
    assert.match(logs, /^Thrift: \w{3} \w{3} [ \d]\d \d\d:\d\d:\d\d \d{4} TSocket::open\(\) connect\(\) <Host: user-service Port: 9090>: Connection refused$/m);
    assert.match(logs, /<error>: \(ClientPool\.h:114:Pop\) Failed to connect user-service-client$/m);
    const nginx = await twin.podName(NS, 'service=nginx-thrift');
    r = await twin.k(['exec', nginx, '-n', NS, '--', 'curl', '-s', '-X', 'POST', 'http://nginx-thrift:8080/wrk2-api/post/compose']);
    assert.equal(r.stdout, 'compost_post failure: connect() failed: Connection refused\n');

    r = await twin.k(['patch', 'service', 'user-service', '-n', NS, '--type', 'json', '-p', '[{"op":"replace","path":"/spec/ports/0/targetPort","value":9090}]']);
    assert.equal(r.code, 0, r.stderr);
    twin.advance(1000);
    const healed = await runWrk2();
    assert.doesNotMatch(healed, /Non-2xx/);
    assert.match(healed, /100 requests in 10\.00s/);
    const pods = await twin.pods(NS);
    assert.equal(pods.get(compose)!.restarts, '0');
  });

  it('auth_miss_mongodb: requireTLS on url-shorten-mongodb → url-shorten-service loops on createIndexes; the solution heals', async () => {
    let r = await twin.k(['get', 'configmap', 'url-shorten-mongodb', '-n', NS, '-o', 'json']);
    const cm = JSON.parse(r.stdout);
    cm.data['mongod.conf'] = cm.data['mongod.conf'].replace('mode: disabled', 'mode: requireTLS\n    certificateKeyFile: /etc/tls/tls.pem\n    CAFile: /etc/tls/ca.crt');
    r = await twin.k(['apply', '-f', '-'], JSON.stringify(cm));
    assert.equal(r.code, 0, r.stderr);
    await restart('url-shorten-mongodb');
    twin.advance(4000);
    await twin.k(['delete', 'pod', '-n', NS, '-l', 'app=url-shorten-service', '--wait=false']);
    twin.advance(5000);
    const svcPod = await twin.podName(NS, 'app=url-shorten-service');
    assert.deepEqual({ ...(await twin.pods(NS)).get(svcPod)! }, { ready: '1/1', status: 'Running', restarts: '0' });
    const logs = await twin.logs(NS, svcPod);
    assert.match(logs, /<error>: \(utils_mongodb\.h:76:CreateIndex\) Error in createIndexes: No suitable servers found: `serverSelectionTimeoutMS` expired: \[connection closed calling ismaster on 'url-shorten-mongodb:27017'\]/);
    assert.match(logs, /\(UrlShortenService\.cpp:65:main\) Failed to create mongodb index, try again/);
    assert.doesNotMatch(logs, /Starting the url-shorten-service server/);
    const mongoPod = await twin.podName(NS, 'service=url-shorten-mongodb');
    const mongoLogs = await twin.logs(NS, mongoPod);
    assert.match(mongoLogs, /"tls":\{"mode":"requireTLS","certificateKeyFile":"\/etc\/tls\/tls.pem","CAFile":"\/etc\/tls\/ca.crt"\}/);
    assert.match(mongoLogs, /The server is configured to only allow SSL connections/);
    await runWrk2();
    const text = await twin.logs(NS, await twin.podName(NS, 'service=text-service'));
    assert.match(text, /TSocket::open\(\) connect\(\) <Host: url-shorten-service Port: 9090>: Connection refused/);

    // The problem's solution (the sed of the ConfigMap done here in JS).
    r = await twin.k(['get', 'configmap', 'url-shorten-mongodb', '-n', NS, '-o', 'yaml']);
    const fixed = r.stdout.replace(/requireTLS/g, 'disabled').split('\n').filter((l) => !/certificateKeyFile:|CAFile:/.test(l)).join('\n');
    r = await twin.k(['apply', '-f', '-'], fixed);
    assert.equal(r.code, 0, r.stderr);
    await restart('url-shorten-mongodb');
    twin.advance(4000);
    r = await twin.k(['rollout', 'status', 'deployment', 'url-shorten-mongodb', '-n', NS, '--timeout=5s']);
    assert.equal(r.code, 0, r.stderr);
    await twin.k(['delete', 'pod', '-n', NS, '-l', 'app=url-shorten-service', '--wait=false']);
    twin.advance(4000);
    const healed = await twin.podName(NS, 'app=url-shorten-service');
    assert.match(await twin.logs(NS, healed), /Starting the url-shorten-service server \.\.\./);
    const report = await runWrk2();
    assert.doesNotMatch(report, /Non-2xx/);
  });

  it('scale_pod: user-service scaled to 0 → no pod, no endpoints, callers log connection refused; scale back heals', async () => {
    let r = await twin.k(['scale', 'deployment', 'user-service', '-n', NS, '--replicas=0']);
    assert.equal(r.code, 0, r.stderr);
    twin.advance(3000);
    const pods = await twin.pods(NS);
    assert.equal(pods.size, 26);
    r = await twin.k(['get', 'endpoints', 'user-service', '-n', NS]);
    assert.match(r.stdout, /user-service\s+<none>/);
    // F6: the Deployment reads 0/0, the scale-down and the pod's stop are in the events.
    r = await twin.k(['get', 'deployment', 'user-service', '-n', NS, '--no-headers']);
    assert.match(r.stdout, /^user-service\s+0\/0\s+0\s+0\s/);
    r = await twin.k(['get', 'events', '-n', NS]);
    assert.match(r.stdout, /ScalingReplicaSet\s+deployment\/user-service\s+Scaled down replica set user-service-[a-z0-9]+ to 0 from 1/);
    assert.match(r.stdout, /Killing\s+pod\/user-service-[a-z0-9]+-[a-z0-9]+\s+Stopping container user-service/);
    const compose = await twin.podName(NS, 'service=compose-post-service');
    const count = async () => (await twin.logs(NS, compose)).split('\n').filter((l) => /Failed to connect user-service-client$/.test(l)).length;
    const before = await count();
    const report = await runWrk2();
    assert.match(report, /Non-2xx or 3xx responses: 100/);
    assert.equal((await count()) - before, 100, 'one Thrift failure per compose request');
    r = await twin.k(['scale', 'deployment', 'user-service', '-n', NS, '--replicas=1']);
    assert.equal(r.code, 0, r.stderr);
    twin.advance(3000);
    assert.doesNotMatch(await runWrk2(), /Non-2xx/);
  });

  it('a service started while its Mongo is down retries createIndexes every ~1.3 s, callers fail; once Mongo is up it starts and serves', async () => {
    let r = await twin.k(['scale', 'deployment', 'user-mongodb', '-n', NS, '--replicas=0']);
    assert.equal(r.code, 0, r.stderr);
    twin.advance(2000);
    await restart('user-service');
    twin.advance(6000);
    const user = await twin.podName(NS, 'service=user-service');
    let logs = await twin.logs(NS, user);
    const tries = logs.split('\n').filter((l) => /<error>: \(UserService\.cpp:80:main\) Failed to create mongodb index, try again$/.test(l));
    // Started ~6 s ago (image pull included): the first try ~0.3 s after start, then every 1.3 s.
    assert.ok(tries.length >= 3 && tries.length <= 5, `${tries.length} tries:\n${logs}`);
    assert.match(logs, /Error in createIndexes: No suitable servers found: `serverSelectionTimeoutMS` expired: \[connection refused calling ismaster on 'user-mongodb:27017'\]/);
    assert.doesNotMatch(logs, /Starting the user-service server/);
    assert.deepEqual([(await twin.pods(NS)).get(user)!.ready], ['1/1'], 'no probes: Ready while looping');
    assert.match(await runWrk2(), /Non-2xx or 3xx responses: 100/);

    r = await twin.k(['scale', 'deployment', 'user-mongodb', '-n', NS, '--replicas=1']);
    assert.equal(r.code, 0, r.stderr);
    twin.advance(3000);
    logs = await twin.logs(NS, user);
    assert.match(logs, /<info>: \(UserService\.cpp:94:main\) Starting the user-service server \.\.\.$/m);
    const after = logs.slice(logs.indexOf('Starting the user-service server'));
    assert.doesNotMatch(after, /try again/, 'the loop ends with the start');
    assert.doesNotMatch(await runWrk2(), /Non-2xx/);
    assert.equal((await twin.pods(NS)).get(user)!.restarts, '0', 'the same process recovered');
  });
});
