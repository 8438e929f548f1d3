import { strict as assert } from 'assert';
import {
  diagnose,
  emptySnapshot,
  parseDeployments,
  parseEndpoints,
  parseEvents,
  parseFlags,
  parseFlagData,
  parseJsonSequence,
  parsePods,
  parseServices,
  parseVolumes,
  splitSections,
  type Snapshot,
} from '../../src/agents/baseline-rules';
import { BaselineAgent, namespaceFromDescription, recentlyReplaced } from '../../src/agents/baseline';
import { parseCallStats } from '../../src/agents/baseline-traces';
import { commonLabelKey, parsePrefixedLogs } from '../../src/agents/baseline-rules';
import type { TaskType } from '../../src/core/tasks/task-type';
import { parseResponse } from '../../src/core/parser';
import { makeContext } from './fixtures';
import { deployment, endpoints, list, NS_HR, NS_SN, pod, service, socialNetwork, warning } from './kube-fixtures';

/** The project's parser, as the orchestrator applies it to every reply. */
function parseReply(reply: string): { api: string; args: unknown[] } {
  assert.equal([...reply.matchAll(/```\s*\n([\s\S]*?)\n```/g)].length, 1, `exactly one code block in:\n${reply}`);
  const parsed = parseResponse(reply);
  return { api: parsed.api_name, args: parsed.args };
}

function snapshot(ns: string, parts: Record<string, unknown>): Snapshot {
  return { ...emptySnapshot(ns), ...(parts as Partial<Snapshot>) };
}

describe('agents / baseline: reading kubectl output', () => {
  it('reads the compact jsonpath lines exactly as kubectl prints them', () => {
    // Lines as printed by kubectl 1.32 for the baseline's templates (tabs between fields).
    const podLine =
      'geo-c47ff745-wk5mk\t2026-09-15T13:16:00Z\tRunning\t{"io.kompose.service":"geo","pod-template-hash":"c47ff745"}\t\tyinfangchen/geo:app3\t8083\t' +
      '{"waiting":{"message":"back-off 40s restarting failed container=hotel-reserv-geo pod=geo-c47ff745-wk5mk_test-hotel-reservation(1)","reason":"CrashLoopBackOff"}}\t' +
      '{"terminated":{"exitCode":2,"finishedAt":"2026-09-15T13:17:10Z","reason":"Error","startedAt":"2026-09-15T13:17:00Z"}}\tfalse\t3';
    const [p] = parsePods(`${podLine}\n`);
    assert.equal(p.metadata.name, 'geo-c47ff745-wk5mk');
    assert.equal(p.metadata.labels?.['io.kompose.service'], 'geo');
    assert.equal(p.spec?.nodeSelector, undefined);
    assert.equal(p.spec?.containers?.[0].ports?.[0].containerPort, 8083);
    assert.equal(p.status?.containerStatuses?.[0].state?.waiting?.reason, 'CrashLoopBackOff');
    assert.equal(p.status?.containerStatuses?.[0].lastState?.terminated?.exitCode, 2);
    assert.equal(p.status?.containerStatuses?.[0].restartCount, 3);

    const [d] = parseDeployments('profile\t1\t1\t{"io.kompose.service":"profile"}\t{"kubernetes.io/hostname":"extra-node"}\tyinfangchen/hotelreservation:latest\t["geo"]\t2\n');
    assert.deepEqual(d.spec?.template?.spec?.containers?.[0].command, ['geo']);
    assert.deepEqual(d.spec?.template?.spec?.nodeSelector, { 'kubernetes.io/hostname': 'extra-node' });
    assert.equal(d.metadata.annotations?.['deployment.kubernetes.io/revision'], '2');
    const [zero] = parseDeployments('user-service\t0\t\t{"service":"user-service"}\t\tdeathstarbench/social-network-microservices:latest\t\t3\n');
    assert.equal(zero.spec?.replicas, 0);
    assert.equal(zero.status?.availableReplicas, undefined);

    const [s] = parseServices('user-service\t{"service":"user-service"}\t[{"name":"9090","port":9090,"protocol":"TCP","targetPort":9999}]\n');
    assert.equal(s.spec?.ports?.[0].targetPort, 9999);
    const eps = parseEndpoints('user-service\t10.244.1.7\t\t9999\nuser-mongodb\t\t\t\n');
    assert.equal(eps[0].subsets?.[0].addresses?.[0].ip, '10.244.1.7');
    assert.deepEqual(eps[1].subsets, []);

    const [e] = parseEvents('Pod\tuser-service-6d5c8b7f9-q2x4m\tFailedScheduling\t7\t0/2 nodes are available: 1 node(s) didn\'t match Pod\'s node affinity/selector.\n');
    assert.deepEqual([e.involvedObject?.name, e.reason, e.count], ['user-service-6d5c8b7f9-q2x4m', 'FailedScheduling', 7]);
  });

  it('also reads full -o json Lists', () => {
    const sn = socialNetwork();
    assert.equal(parsePods(list(sn.pods)).length, 3);
    assert.equal(parseServices(list(sn.services))[0].spec?.ports?.[0].port, 9090);
    assert.equal(parseDeployments(list(sn.deployments))[1].metadata.name, 'user-service');
  });

  it('splits sections and parses runs of JSON values', () => {
    const s = splitSections('### pods\na\nb\n### deployments\nc\n### end\n');
    assert.deepEqual([s.pods, s.deployments], ['a\nb', 'c']);
    assert.deepEqual(parseJsonSequence('{"running":{}} {"waiting":{"reason":"a b"}} [1,2] true 3'), [{ running: {} }, { waiting: { reason: 'a b' } }, [1, 2], true, 3]);
  });

  it('reads flagd flags', () => {
    const flagd = JSON.stringify({
      'demo.flagd.json': JSON.stringify({
        $schema: 'https://flagd.dev/schema/v0/flags.json',
        flags: {
          paymentUnreachable: { description: 'Payment service is unavailable', state: 'ENABLED', variants: { on: true, off: false }, defaultVariant: 'on' },
          adFailure: { state: 'ENABLED', variants: { on: true, off: false }, defaultVariant: 'off' },
        },
      }),
    });
    assert.deepEqual(parseFlags(flagd), [
      { key: 'paymentUnreachable', defaultVariant: 'on' },
      { key: 'adFailure', defaultVariant: 'off' },
    ]);
  });

  it('finds the namespace in the task description', () => {
    assert.equal(namespaceFromDescription(makeContext().problemDescription), 'test-social-network');
    assert.equal(namespaceFromDescription('no namespace here'), undefined);
  });
});

describe('agents / baseline: rules', () => {
  const top = (snap: Snapshot) => diagnose(snap).suspects[0];

  it('a healthy namespace raises nothing (no false alarm)', () => {
    const sn = socialNetwork();
    const d = diagnose(snapshot(NS_SN, sn));
    assert.deepEqual(d.suspects.filter((s) => s.score >= 40), []);
  });

  it('targetPort matching no container port → that service, Virtualization/Misconfiguration, patch back', () => {
    const sn = socialNetwork();
    sn.services[1] = service('user-service', { targetPort: 9999 });
    sn.endpoints[1] = endpoints('user-service', { port: 9999 });
    const f = top(snapshot(NS_SN, sn));
    assert.equal(f.target, 'user-service');
    assert.equal(f.rule, 'target-port-mismatch');
    assert.deepEqual(f.analysis, { system_level: 'Virtualization', fault_type: 'Misconfiguration' });
    assert.deepEqual(f.fix, [`kubectl patch service user-service -n ${NS_SN} --type json -p '[{"op":"replace","path":"/spec/ports/0/targetPort","value":9090}]'`]);
  });

  it('scaled to zero → Virtualization/Operation Error, scale back to 1', () => {
    const sn = socialNetwork();
    sn.pods.splice(1, 1);
    sn.deployments[1] = deployment('user-service', { replicas: 0, revision: '1' });
    sn.endpoints[1] = endpoints('user-service', { ips: [] });
    const d = diagnose(snapshot(NS_SN, sn));
    assert.equal(d.suspects[0].target, 'user-service');
    assert.deepEqual(d.suspects[0].analysis, { system_level: 'Virtualization', fault_type: 'Operation Error' });
    assert.deepEqual(d.suspects[0].fix, [`kubectl scale deployment user-service -n ${NS_SN} --replicas=1`, `kubectl rollout status deployment/user-service -n ${NS_SN} --timeout=25s`]);
    assert.equal(d.suspects.filter((s) => s.score >= 40).length, 1);
  });

  it('Pending with a nodeSelector → Virtualization/Dependency Problem, remove it with a JSON patch', () => {
    const sn = socialNetwork();
    const sel = { 'kubernetes.io/hostname': 'extra-node' };
    sn.pods[1] = pod('user-service-6d5c8b7f9-q2x4m', { app: 'user-service', phase: 'Pending', nodeSelector: sel });
    sn.deployments[1] = deployment('user-service', { nodeSelector: sel, available: 0 });
    const events = [warning('Pod', 'user-service-6d5c8b7f9-q2x4m', 'FailedScheduling', "0/2 nodes are available: 1 node(s) didn't match Pod's node affinity/selector, 1 node(s) had untolerated taint {node-role.kubernetes.io/control-plane: }.", 9)];
    const f = top(snapshot(NS_SN, { ...sn, events }));
    assert.equal(f.target, 'user-service');
    assert.deepEqual(f.analysis, { system_level: 'Virtualization', fault_type: 'Dependency Problem' });
    assert.deepEqual(f.fix, [`kubectl patch deployment user-service -n ${NS_SN} --type json -p '[{"op":"remove","path":"/spec/template/spec/nodeSelector"}]'`, `kubectl rollout status deployment/user-service -n ${NS_SN} --timeout=25s`]);
  });

  const hotel = (geo: Record<string, unknown>, geoDeployment: Record<string, unknown> = {}) => {
    const k = 'io.kompose.service';
    return {
      pods: [
        pod('geo-c47ff745-wk5mk', { app: 'geo', labelKey: k, ns: NS_HR, image: 'yinfangchen/hotelreservation:latest', port: 8083, ...geo }),
        pod('mongodb-geo-5f7d9c8b6-abcde', { app: 'mongodb-geo', labelKey: k, ns: NS_HR, image: 'mongo:4.4.6', port: 27017 }),
        pod('frontend-7b9c5d4f8-zz9qq', { app: 'frontend', labelKey: k, ns: NS_HR, image: 'yinfangchen/hotelreservation:latest', port: 5000 }),
      ],
      deployments: [
        deployment('geo', { labelKey: k, ns: NS_HR, image: 'yinfangchen/hotelreservation:latest', command: ['geo'], ...geoDeployment }),
        deployment('mongodb-geo', { labelKey: k, ns: NS_HR, image: 'mongo:4.4.6' }),
        deployment('frontend', { labelKey: k, ns: NS_HR, image: 'yinfangchen/hotelreservation:latest', command: ['frontend'] }),
      ],
    };
  };
  const crashing = { state: { waiting: { reason: 'CrashLoopBackOff', message: 'back-off 40s' } }, lastState: { terminated: { exitCode: 1, reason: 'Error' } }, ready: false, restarts: 4 };
  const geoStart = '{"level":"info","time":"2026-09-15T13:16:10Z","message":"TLS disabled."}\n2026-09-15T13:16:10Z INF cmd/geo/main.go:36 > Read database URL: mongodb-geo:27017\n2026-09-15T13:16:10Z INF cmd/geo/main.go:37 > Initializing DB connection...\n';

  it('crash loop whose log says "not authorized" → the Mongo it uses, Application/Authentication Issue', () => {
    const h = hotel(crashing);
    const logs = { geo: `${geoStart}2026-09-15T13:16:10Z INF cmd/geo/db.go:29 > New session successfull...\n2026-09-15T13:16:10Z FTL cmd/geo/db.go:35 > not authorized on geo-db to execute command { count: "geo", query: { hotelId: "1" }, $db: "geo-db" }\n` };
    const d = diagnose(snapshot(NS_HR, { ...h, logs }));
    assert.equal(d.suspects[0].target, 'mongodb-geo');
    assert.deepEqual(d.suspects[0].analysis, { system_level: 'Application', fault_type: 'Authentication Issue' });
    assert.deepEqual(d.suspects.filter((s) => s.score >= 40).map((s) => s.target), ['mongodb-geo'], 'the crashing client is explained by its database');
    assert.deepEqual(d.suspects[0].fix, [
      `kubectl exec mongodb-geo-5f7d9c8b6-abcde -n ${NS_HR} -- mongo admin -u admin -p admin --authenticationDatabase admin --eval 'db.grantRolesToUser("admin",[{role:"readWrite",db:"geo-db"}])'`,
      `kubectl delete pod geo-c47ff745-wk5mk -n ${NS_HR}`,
      `kubectl wait --for=condition=Ready pods --all -n ${NS_HR} --timeout=25s`,
    ]);
  });

  it('crash loop on failed authentication → the Mongo it uses, user missing (Network/Storage Issue)', () => {
    const h = hotel({ ...crashing, lastState: { terminated: { exitCode: 2, reason: 'Error' } } });
    const logs = { geo: `${geoStart}2026-09-15T13:16:10Z PNC cmd/geo/db.go:26 > server returned error on SASL authentication step: Authentication failed.\npanic: server returned error on SASL authentication step: Authentication failed.\n` };
    const f = top(snapshot(NS_HR, { ...h, logs }));
    assert.equal(f.target, 'mongodb-geo');
    assert.deepEqual(f.analysis, { system_level: 'Application', fault_type: 'Network/Storage Issue' });
    assert.match(f.fix?.[0] ?? '', /db\.createUser\(\{user:"admin",pwd:"admin"/);
  });

  it('a changed image that crash-loops → that workload, Application/Misconfiguration, rollout undo', () => {
    const h = hotel({ ...crashing, image: 'yinfangchen/geo:app3' }, { image: 'yinfangchen/geo:app3', revision: '2' });
    const logs = { geo: geoStart.replace('27017', '27777') + '2026-09-15T13:16:21Z PNC cmd/geo/db.go:26 > no reachable servers\npanic: no reachable servers\n' };
    const f = top(snapshot(NS_HR, { ...h, logs }));
    assert.equal(f.target, 'geo');
    assert.deepEqual(f.analysis, { system_level: 'Application', fault_type: 'Misconfiguration' });
    assert.deepEqual(f.fix, [`kubectl rollout undo deployment geo -n ${NS_HR}`, `kubectl rollout status deployment/geo -n ${NS_HR} --timeout=25s`]);
  });

  it('ImagePullBackOff → that workload, Application/Misconfiguration', () => {
    const h = hotel({ state: { waiting: { reason: 'ImagePullBackOff', message: 'Back-off pulling image "x"' } }, ready: false }, { revision: '2' });
    const f = top(snapshot(NS_HR, h));
    assert.deepEqual([f.target, f.rule, f.analysis?.fault_type], ['geo', 'image-pull-failure', 'Misconfiguration']);
  });

  it('a workload running a sibling service binary → that workload, patch the command back', () => {
    const h = hotel({});
    h.deployments.push(deployment('profile', { labelKey: 'io.kompose.service', ns: NS_HR, image: 'yinfangchen/hotelreservation:latest', command: ['geo'] }));
    const f = top(snapshot(NS_HR, h));
    assert.equal(f.target, 'profile');
    assert.deepEqual(f.analysis, { system_level: 'Application', fault_type: 'Network/Storage Issue' });
    assert.deepEqual(f.fix, [`kubectl patch deployment profile -n ${NS_HR} --type json -p '[{"op":"replace","path":"/spec/template/spec/containers/0/command","value":["profile"]}]'`, `kubectl rollout status deployment/profile -n ${NS_HR} --timeout=25s`]);
  });

  it('a pod swapped to a pause image (Chaos Mesh pod-failure) drifts from its deployment', () => {
    const h = hotel({});
    h.pods.push(pod('user-66d5d6f874-9gh86', { app: 'user', labelKey: 'io.kompose.service', ns: NS_HR, image: 'gcr.io/google-containers/pause:latest', port: 8086, restarts: 1 }));
    h.deployments.push(deployment('user', { labelKey: 'io.kompose.service', ns: NS_HR, image: 'yinfangchen/hotelreservation:latest', command: ['user'] }));
    const drift = top(snapshot(NS_HR, h));
    assert.deepEqual([drift.target, drift.rule], ['user', 'image-drift']);
  });

  it('a failure feature flag switched on names the service it breaks, and the fix switches it off', () => {
    const f = top(snapshot('astronomy-shop', { flags: [{ key: 'paymentUnreachable', defaultVariant: 'on' }, { key: 'adFailure', defaultVariant: 'off' }] }));
    assert.deepEqual([f.target, f.rule, f.fix], ['checkout', 'failure-flag-on', undefined]);
    const file = JSON.stringify({ flags: { kafkaQueueProblems: { description: "Overload Kafka's queue", state: 'ENABLED', variants: { on: 100, off: 0 }, defaultVariant: 'on' } } });
    const flagData = parseFlagData(JSON.stringify({ 'demo.flagd.json': file }));
    const k = top(snapshot('astronomy-shop', { flags: parseFlags(JSON.stringify(flagData)), flagData }));
    assert.equal(k.target, 'kafka');
    const patch = k.fix?.[0] ?? '';
    assert.match(patch, /^kubectl patch configmap flagd-config -n astronomy-shop --type merge -p '/);
    // Undo the shell quoting ('\'' → ') and check the patched file.
    const body = JSON.parse(patch.slice(patch.indexOf("'") + 1, -1).split("'\\''").join("'"));
    assert.equal(JSON.parse(body.data['demo.flagd.json']).flags.kafkaQueueProblems.defaultVariant, 'off');
    assert.deepEqual(k.fix?.slice(1), ['kubectl rollout restart deployment flagd -n astronomy-shop', 'kubectl rollout status deployment/flagd -n astronomy-shop --timeout=25s']);
  });

  it('clients that cannot select their database and never start → that database', () => {
    const sn = socialNetwork();
    const logs = {
      'url-shorten-service': "[2026-Sep-15 12:37:49.366394] <error>: (utils_mongodb.h:76:CreateIndex) Error in createIndexes: No suitable servers found: `serverSelectionTimeoutMS` expired: [socket error or timeout calling ismaster on 'url-shorten-mongodb:27017']\n[2026-Sep-15 12:37:49.366400] <error>: (UrlShortenService.cpp:65:main) Failed to create mongodb index, try again\n",
    };
    const f = top(snapshot(NS_SN, { ...sn, logs }));
    assert.deepEqual([f.target, f.analysis?.system_level, f.analysis?.fault_type], ['url-shorten-mongodb', 'Application', 'Misconfiguration']);
    const healthyAfterRetry = { 'user-service': logs['url-shorten-service'].replace(/url-shorten/g, 'user') + '(UserService.cpp:94:main) Starting the user-service server ...\n' };
    assert.deepEqual(diagnose(snapshot(NS_SN, { ...sn, logs: healthyAfterRetry })).suspects.filter((s) => s.score >= 40), [], 'startup noise is not a fault');
  });

  it('Pending on unbound claims with released volumes → Virtualization/Operation Error, release the volumes', () => {
    const k = 'io.kompose.service';
    const pods = [
      pod('mongodb-geo-5f7d9c8b6-abcde', { app: 'mongodb-geo', labelKey: k, ns: NS_HR, image: 'mongo:4.4.6', port: 27017, phase: 'Pending' }),
      pod('geo-c47ff745-wk5mk', { app: 'geo', labelKey: k, ns: NS_HR, port: 8083, state: { waiting: { reason: 'CrashLoopBackOff' } }, ready: false, restarts: 3 }),
    ];
    const deployments = [deployment('mongodb-geo', { labelKey: k, ns: NS_HR, available: 0 }), deployment('geo', { labelKey: k, ns: NS_HR, available: 0 })];
    const events = [warning('Pod', 'mongodb-geo-5f7d9c8b6-abcde', 'FailedScheduling', '0/2 nodes are available: pod has unbound immediate PersistentVolumeClaims. preemption: 0/2 nodes are available: 2 Preemption is not helpful for scheduling.', 4)];
    // As kubectl prints the baseline's PV template.
    const volumes = parseVolumes(
      'geo-pv\tReleased\t{"apiVersion":"v1","kind":"PersistentVolumeClaim","name":"geo-pvc","namespace":"test-hotel-reservation","resourceVersion":"1201","uid":"0b6f3c1e"}\n' +
        'other-pv\tBound\t{"kind":"PersistentVolumeClaim","name":"data","namespace":"default"}\n',
    );
    const d = diagnose(snapshot(NS_HR, { pods, deployments, events, volumes }));
    const f = d.suspects[0];
    assert.deepEqual([f.target, f.rule], ['mongodb-geo', 'pending-unbound-volume']);
    assert.deepEqual(f.analysis, { system_level: 'Virtualization', fault_type: 'Operation Error' });
    const wait = `kubectl wait --for=condition=Ready pods --all -n ${NS_HR} --timeout=25s`;
    assert.deepEqual(f.fix, [`kubectl patch pv geo-pv --type json -p '[{"op":"remove","path":"/spec/claimRef"}]'`, wait, `kubectl delete pod geo-c47ff745-wk5mk -n ${NS_HR}`, wait]);
    // A client still running (in its connect window) but whose log names the stuck database is restarted too.
    const running = [pods[0], pod('rate-768c67f867-wjn98', { app: 'rate', labelKey: k, ns: NS_HR, port: 8084 }), pod('mongodb-rate-5cbb494f6d-xdw2q', { app: 'mongodb-rate', labelKey: k, ns: NS_HR, port: 27017, phase: 'Pending' })];
    const logs = { rate: 'INF cmd/rate/main.go:36 > Read database URL: mongodb-rate:27017\n' };
    const g = diagnose(snapshot(NS_HR, { pods: running, deployments: [...deployments, deployment('rate', { labelKey: k, ns: NS_HR }), deployment('mongodb-rate', { labelKey: k, ns: NS_HR, available: 0 })], events, volumes, logs })).suspects[0];
    assert.deepEqual(g.fix?.slice(2, 3), [`kubectl delete pod rate-768c67f867-wjn98 -n ${NS_HR}`]);
  });

  it('connection refused to a named host (Thrift or gRPC) makes that host a suspect', () => {
    const thrift = { 'compose-post-service': 'Thrift: Tue Sep 15 12:37:49 2026 TSocket::open() connect() <Host: user-service Port: 9090>: Connection refused\n[2026-Sep-15 12:37:49.366394] <error>: (ClientPool.h:114:Pop) Failed to connect user-service-client\n' };
    assert.deepEqual(diagnose(snapshot(NS_SN, { logs: thrift })).suspects.map((s) => [s.target, s.rule]), [['user-service', 'connection-refused']]);
    const grpc = { frontend: 'rpc error: code = Unavailable desc = connection error: desc = "transport: Error while dialing: dial tcp user:8086: connect: connection refused"\n' };
    assert.equal(diagnose(snapshot(NS_HR, { logs: grpc })).suspects[0].target, 'user');
  });

  it('groups prefixed log lines by workload and picks the common label key', () => {
    const sn = socialNetwork();
    const logs = parsePrefixedLogs('[pod/user-service-5d8f9c7b4-bx7k2/user-service] a\n[pod/user-service-5d8f9c7b4-bx7k2/user-service] b\nnoise\n[pod/gone-abc-def/c] c\n', sn.pods as never, sn.deployments as never);
    assert.deepEqual(logs, { 'user-service': 'a\nb\n', gone: 'c\n' });
    assert.equal(commonLabelKey(sn.pods as never), 'service');
    assert.equal(commonLabelKey([]), undefined);
  });

  it('a deployment changed after creation is a suspect; with no other clue it is undone', () => {
    const sn = socialNetwork();
    sn.deployments[1] = deployment('user-service', { revision: '2', image: 'example/user-service:broken' });
    const f = top(snapshot(NS_SN, sn));
    assert.deepEqual([f.target, f.rule, f.score], ['user-service', 'changed-deployment', 55]);
    assert.deepEqual(f.fix, [`kubectl rollout undo deployment user-service -n ${NS_SN}`, `kubectl rollout status deployment/user-service -n ${NS_SN} --timeout=25s`]);
  });

  it('traces: calls into one service far slower than the rest, or mostly failing, name it; ordinary traffic names nothing', () => {
    const calls = parseCallStats(NORMAL_CALLS + 'frontend user 2 10000412 0 2\n');
    const f = top(snapshot(NS_HR, { calls }));
    assert.deepEqual([f.target, f.rule], ['user', 'slow-calls']);
    assert.match(f.evidence, /frontend → user: 2 call\(s\), mean 10\.0 s/);
    const failing = top(snapshot(NS_HR, { calls: parseCallStats(NORMAL_CALLS + 'frontend user 6 2100 5\n') }));
    assert.deepEqual([failing.target, failing.rule], ['user', 'failing-calls']);
    assert.deepEqual(diagnose(snapshot(NS_HR, { calls: parseCallStats(NORMAL_CALLS) })).suspects, []);
    // Two late calls among four fast ones: the aftermath of an earlier fault, not a slow service.
    assert.deepEqual(diagnose(snapshot(NS_HR, { calls: parseCallStats(NORMAL_CALLS + 'frontend user 6 3300000 0 2\n') })).suspects, []);
  });

  it('finds workloads replaced after the rest of the namespace', () => {
    const sn = socialNetwork();
    sn.pods[2] = pod('text-service-5d8f9c7b4-cx7k2', { app: 'text-service', created: '2026-09-15T12:45:00Z' });
    assert.deepEqual(recentlyReplaced(snapshot(NS_SN, sn)), ['text-service']);
  });
});

/** A fake environment answering the baseline's calls from kubectl JSON fixtures. */
function fakeEnvironment(state: { pods: object[]; deployments: object[]; services: object[]; endpoints: object[]; events?: object[]; calls?: string; flagd?: string; logs?: Record<string, string>; prefixedLogs?: string; configMaps?: object[] }) {
  const calls: Array<{ api: string; args: unknown[] }> = [];
  const respond = (reply: string): string => {
    const call = parseReply(reply);
    calls.push(call);
    if (call.api === 'exec_shell') {
      const cmd = String(call.args[0]);
      const sections: Record<string, string> = {
        pods: list(state.pods),
        deployments: list(state.deployments),
        services: list(state.services),
        endpoints: list(state.endpoints),
        events: list(state.events ?? []),
        calls: state.calls ?? '',
        flags: state.flagd ?? 'Error from server (NotFound): configmaps "flagd-config" not found',
        volumes: list([]),
        logs: state.prefixedLogs ?? '',
        configmapnames: (state.configMaps ?? []).map((c) => (c as { metadata: { name: string } }).metadata.name).join(' '),
        configmaps: JSON.stringify({ apiVersion: 'v1', kind: 'List', items: state.configMaps ?? [] }, null, 2),
      };
      const asked = [...cmd.matchAll(/echo '### (\w+)'/g)].map((m) => m[1]);
      if (asked.length > 0) return asked.map((name) => `### ${name}\n${sections[name] ?? ''}`).join('\n') + '\n';
      return `applied: ${cmd}`;
    }
    if (call.api === 'get_traces') return state.calls === undefined ? 'Error: no Jaeger query service is reachable' : 'Traces data exported to: /session/trace_output/traces_1.csv';
    if (call.api === 'get_logs') return state.logs?.[String(call.args[1])] ?? 'Error: Your service/namespace does not exist. Use kubectl to check.';
    if (call.api === 'submit') return 'SUBMITTED';
    return `Invalid action: ${call.api}`;
  };
  return { calls, respond };
}

async function runBaseline(task: TaskType, env: ReturnType<typeof fakeEnvironment>, ns = NS_SN, maxSteps = 30): Promise<unknown[]> {
  const agent = new BaselineAgent();
  agent.initContext(makeContext({ task, problemDescription: `Service Details:\nService Name: X\nNamespace: ${ns}\n` }));
  let observation = 'Please take the next action';
  for (let i = 0; i < maxSteps; i++) {
    const reply = await agent.getAction(observation);
    observation = env.respond(reply);
    if (env.calls[env.calls.length - 1].api === 'submit') return env.calls[env.calls.length - 1].args;
  }
  assert.fail('the baseline never submitted');
}

/** `caller callee count meanUs errors` of a healthy Hotel Reservation under the mixed workload. */
const NORMAL_CALLS = 'frontend search 527 2100 0 0\nfrontend profile 700 1500 0 0\nsearch geo 527 900 0 0\nsearch rate 527 1100 0 0\nfrontend reservation 527 1300 0 0\nfrontend recommendation 173 1000 0 0\n';

describe('agents / baseline: whole episodes through the text protocol', () => {
  it('a network delay nothing in the objects shows: reads the traces and names the slow callee', async () => {
    const env = fakeEnvironment({ ...socialNetwork(), calls: NORMAL_CALLS + 'frontend user-service 3 10000100 0 3\n' });
    assert.deepEqual(await runBaseline('localization', env), [['user-service']]);
    const summary = env.calls.find((c) => c.api === 'exec_shell' && /### calls/.test(String(c.args[0])));
    assert.match(String(summary?.args[0]), /awk -F, '.*' '\/session\/trace_output\/traces_1\.csv'/);
  });

  it('localization: three inventory calls, then submits the faulty service', async () => {
    const sn = socialNetwork();
    sn.services[1] = service('user-service', { targetPort: 9999 });
    const env = fakeEnvironment(sn);
    const answer = await runBaseline('localization', env);
    assert.deepEqual(answer, [['user-service']]);
    assert.deepEqual(env.calls.map((c) => c.api), ['exec_shell', 'exec_shell', 'exec_shell', 'submit']);
    const first = String(env.calls[0].args[0]);
    assert.match(first, /^echo '### pods'; kubectl get pods -n test-social-network -o jsonpath='\{range \.items\[\*\]\}\{\.metadata\.name\}\{"\\t"\}/);
  });

  it('detection on a healthy namespace answers No; with a fault, Yes', async () => {
    assert.deepEqual(await runBaseline('detection', fakeEnvironment(socialNetwork())), ['No']);
    const sn = socialNetwork();
    sn.deployments[1] = deployment('user-service', { replicas: 0 });
    sn.pods.splice(1, 1);
    assert.deepEqual(await runBaseline('detection', fakeEnvironment(sn)), ['Yes']);
  });

  it('mitigation: applies the fix with kubectl, then submits', async () => {
    const sn = socialNetwork();
    sn.deployments[1] = deployment('user-service', { replicas: 0 });
    sn.pods.splice(1, 1);
    const env = fakeEnvironment(sn);
    assert.deepEqual(await runBaseline('mitigation', env), []);
    assert.equal(env.calls[3].args[0], `kubectl scale deployment user-service -n ${NS_SN} --replicas=1; kubectl rollout status deployment/user-service -n ${NS_SN} --timeout=25s`);
    assert.deepEqual(env.calls.map((c) => c.api), ['exec_shell', 'exec_shell', 'exec_shell', 'exec_shell', 'submit']);
  });

  it('analysis: reads the crashing workload\'s logs and classifies from them', async () => {
    const k = 'io.kompose.service';
    const state = {
      pods: [
        pod('geo-c47ff745-wk5mk', { app: 'geo', labelKey: k, ns: NS_HR, port: 8083, state: { waiting: { reason: 'CrashLoopBackOff' } }, ready: false, restarts: 5 }),
        pod('mongodb-geo-5f7d9c8b6-abcde', { app: 'mongodb-geo', labelKey: k, ns: NS_HR, port: 27017 }),
      ],
      deployments: [deployment('geo', { labelKey: k, ns: NS_HR }), deployment('mongodb-geo', { labelKey: k, ns: NS_HR })],
      services: [service('geo', { labelKey: k, ns: NS_HR, port: 8083 }), service('mongodb-geo', { labelKey: k, ns: NS_HR, port: 27017 })],
      endpoints: [endpoints('geo', { ips: [], ns: NS_HR }), endpoints('mongodb-geo', { port: 27017, ns: NS_HR })],
      logs: { geo: '2026-09-15T13:16:10Z INF cmd/geo/main.go:36 > Read database URL: mongodb-geo:27017\n2026-09-15T13:16:10Z FTL cmd/geo/db.go:35 > not authorized on geo-db to execute command { count: "geo" }\n' },
    };
    const env = fakeEnvironment(state);
    const answer = await runBaseline('analysis', env, NS_HR);
    assert.deepEqual(answer, [{ system_level: 'Application', fault_type: 'Authentication Issue' }]);
    assert.deepEqual(env.calls.find((c) => c.api === 'get_logs')?.args, [NS_HR, 'geo']);
  });

  it('with no structural clue, reads the error lines of all pods in one call and follows them', async () => {
    const k = 'io.kompose.service';
    const state = {
      pods: [
        pod('geo-5c86d97575-qdnbj', { app: 'geo', labelKey: k, ns: NS_HR, port: 8083 }),
        pod('mongodb-geo-78f8c445f7-mdbnh', { app: 'mongodb-geo', labelKey: k, ns: NS_HR, port: 27017 }),
        pod('frontend-55c6c9fbbd-t2wd6', { app: 'frontend', labelKey: k, ns: NS_HR, port: 5000 }),
      ],
      deployments: [deployment('geo', { labelKey: k, ns: NS_HR }), deployment('mongodb-geo', { labelKey: k, ns: NS_HR }), deployment('frontend', { labelKey: k, ns: NS_HR })],
      services: [],
      endpoints: [],
      prefixedLogs:
        '[pod/geo-5c86d97575-qdnbj/hotel-reserv-geo] 2026-09-15T13:16:10Z INF cmd/geo/main.go:36 > Read database URL: mongodb-geo:27017\n' +
        '[pod/geo-5c86d97575-qdnbj/hotel-reserv-geo] 2026-09-15T13:16:10Z FTL cmd/geo/db.go:35 > not authorized on geo-db to execute command { count: "geo" }\n',
    };
    const env = fakeEnvironment(state);
    assert.deepEqual(await runBaseline('localization', env, NS_HR), [['mongodb-geo']]);
    const logCall = String(env.calls[3].args[0]);
    assert.match(logCall, /^echo '### logs'; kubectl logs -n test-hotel-reservation -l io\.kompose\.service --all-containers --prefix --tail=20 --max-log-requests=100 \| grep -iE '[^']*not authorized[^']*' \| grep -v 'FastOpen' \| cut -c1-300 \| tail -n 60; echo '### end'$/);
  });

  it('no false alarm on a fresh deploy: a start-up race that ends in "Starting the … server" is not a fault', async () => {
    const sn = socialNetwork();
    const race = (t: string) => `[pod/user-service-5d8f9c7b4-bx7k2/user-service] [2026-Nov-28 02:49:${t}] <error>: (utils_mongodb.h:76:CreateIndex) Error in createIndexes: No suitable servers found: \`serverSelectionTimeoutMS\` expired: [connection refused calling ismaster on 'user-mongodb:27017']\n`;
    const env = fakeEnvironment({ ...sn, prefixedLogs: race('51.891000') + race('53.191000') + '[pod/user-service-5d8f9c7b4-bx7k2/user-service] [2026-Nov-28 02:49:54.491000] <info>: (UserService.cpp:94:main) Starting the user-service server ...\n' });
    assert.deepEqual(await runBaseline('detection', env), ['No']);
    const logCall = String(env.calls[3].args[0]);
    assert.match(logCall, /Starting the/, 'the grep keeps the start line');
  });

  it('mitigation of a database that requires TLS (auth_miss_mongodb): reads the ConfigMap it mounts, switches TLS off, restarts it and its client', async () => {
    const names = ['compose-post-service', 'url-shorten-service', 'url-shorten-mongodb'];
    const sn = socialNetwork({
      pods: names.map((n, i) => pod(`${n}-5d8f9c7b4-${'abc'[i]}x7k2`, { app: n, port: n.endsWith('mongodb') ? 27017 : 9090 })),
      deployments: names.map((n) => deployment(n)),
      services: names.map((n) => service(n, { port: n.endsWith('mongodb') ? 27017 : 9090 })),
      endpoints: names.map((n) => endpoints(n, { port: n.endsWith('mongodb') ? 27017 : 9090 })),
    });
    const unselectable = (t: string) =>
      `[pod/url-shorten-service-5d8f9c7b4-bx7k2/url-shorten-service] [2026-Nov-28 04:48:${t}] <error>: (utils_mongodb.h:76:CreateIndex) Error in createIndexes: No suitable servers found: \`serverSelectionTimeoutMS\` expired: [connection closed calling ismaster on 'url-shorten-mongodb:27017']\n`;
    const mongodConf = 'net:\n  bindIp: 0.0.0.0\n  port: 27017\n  tls:\n    mode: requireTLS\n    certificateKeyFile: /etc/tls/tls.pem\n    CAFile: /etc/tls/ca.crt\n';
    const env = fakeEnvironment({
      ...sn,
      prefixedLogs: unselectable('00.419000') + unselectable('01.719000'),
      configMaps: [{ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'url-shorten-mongodb', namespace: NS_SN }, data: { 'mongod.conf': mongodConf } }],
    });
    assert.deepEqual(await runBaseline('mitigation', env), []);
    const shell = env.calls.filter((c) => c.api === 'exec_shell').map((c) => String(c.args[0]));
    assert.equal(shell[4], `echo '### configmapnames'; kubectl get deployment url-shorten-mongodb -n ${NS_SN} -o jsonpath='{.spec.template.spec.volumes[*].configMap.name}'; echo; echo '### end'`);
    assert.equal(shell[5], `echo '### configmaps'; kubectl get configmap url-shorten-mongodb -n ${NS_SN} -o json; echo '### end'`);
    for (const cmd of shell) assert.doesNotMatch(cmd, /\$\(|`/, 'no command substitution (refused by the guarded shell policy)');
    const fix = shell.slice(6).join('; ');
    const patch = /kubectl patch configmap url-shorten-mongodb -n test-social-network --type merge -p '(.*?)'; /.exec(fix);
    assert.ok(patch, `a ConfigMap patch in: ${fix}`);
    assert.equal(JSON.parse(patch[1]).data['mongod.conf'], 'net:\n  bindIp: 0.0.0.0\n  port: 27017\n  tls:\n    mode: disabled\n');
    assert.match(fix, /kubectl rollout restart deployment url-shorten-mongodb -n test-social-network; kubectl rollout status deployment\/url-shorten-mongodb -n test-social-network --timeout=25s; kubectl delete pod url-shorten-service-5d8f9c7b4-bx7k2 -n test-social-network; kubectl wait --for=condition=Ready pods --all -n test-social-network --timeout=25s$/);
    assert.equal(env.calls[env.calls.length - 1].api, 'submit');
  });

  it('a database that cannot be selected but whose configuration asks for no TLS gets no TLS fix', async () => {
    const names = ['url-shorten-service', 'url-shorten-mongodb'];
    const sn = socialNetwork({ pods: names.map((n, i) => pod(`${n}-5d8f9c7b4-${'ab'[i]}x7k2`, { app: n })), deployments: names.map((n) => deployment(n)), services: names.map((n) => service(n)), endpoints: names.map((n) => endpoints(n)) });
    const line = `[pod/url-shorten-service-5d8f9c7b4-ax7k2/url-shorten-service] [2026-Nov-28 04:48:00.419000] <error>: (utils_mongodb.h:76:CreateIndex) Error in createIndexes: No suitable servers found: \`serverSelectionTimeoutMS\` expired: [connection refused calling ismaster on 'url-shorten-mongodb:27017']\n`;
    const env = fakeEnvironment({ ...sn, prefixedLogs: line, configMaps: [{ kind: 'ConfigMap', metadata: { name: 'url-shorten-mongodb' }, data: { 'mongod.conf': 'net:\n  tls:\n    mode: disabled\n' } }] });
    await runBaseline('mitigation', env);
    assert.ok(!env.calls.some((c) => /kubectl patch configmap/.test(String(c.args[0]))), 'nothing to switch off');
  });

  it('never loops: unreadable observations still end in a submit within the step budget', async () => {
    const agent = new BaselineAgent({ maxSteps: 5 });
    agent.initContext(makeContext({ task: 'localization' }));
    const replies: string[] = [];
    for (let i = 0; i < 8; i++) replies.push(await agent.getAction('[ERROR] Command execution failed (exit code 1): connection refused'));
    const apis = replies.map((r) => parseReply(r).api);
    assert.ok(apis.indexOf('submit') >= 0 && apis.indexOf('submit') < 5);
    assert.deepEqual(parseReply(replies[apis.indexOf('submit')]).args, [[]]);
    assert.ok(apis.slice(apis.indexOf('submit')).every((a) => a === 'submit'), 'after submitting it only submits');
  });
});
