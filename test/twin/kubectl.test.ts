/**
 * Golden tests: the real kubectl (1.31, resolved by kubectl-path) against the twin's API server, checking exit
 * status and the lines and columns a user relies on. Pods are made "running" by the test itself (playing the
 * kubelet through the store), since controllers are the cluster half's job.
 */
import assert from 'node:assert/strict';
import path from 'node:path';
import fs from 'node:fs';
import { startTestTwin, TestTwin, tableRows, markPodRunning, NODE, FIXTURES, until } from './helpers';

describe('twin API server with the real kubectl', function () {
  this.timeout(60000);
  let twin: TestTwin;
  let k: TestTwin['kubectl'];
  let depUid = '';

  before(async () => {
    twin = await startTestTwin();
    k = twin.kubectl;
    const r = await k(['apply', '-f', path.join(FIXTURES, 'app.yaml')]);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(r.stdout.trim().split('\n'), ['namespace/demo created', 'configmap/web-config created', 'deployment.apps/web created', 'service/web created']);
    // What the cluster half would do: a node, a ReplicaSet owned by the Deployment, a pod owned by the RS, slices, events.
    twin.store.create('nodes', structuredClone(NODE));
    const dep = twin.store.mustGet('deployments.apps', 'demo', 'web');
    depUid = dep.metadata.uid!;
    const rs = twin.store.create('replicasets.apps', {
      apiVersion: 'apps/v1', kind: 'ReplicaSet',
      metadata: { name: 'web-7d4b9c8f6d', namespace: 'demo', labels: { app: 'web', 'pod-template-hash': '7d4b9c8f6d' }, annotations: { 'deployment.kubernetes.io/revision': '1' },
        ownerReferences: [{ apiVersion: 'apps/v1', kind: 'Deployment', name: 'web', uid: depUid, controller: true, blockOwnerDeletion: true }] },
      spec: { replicas: 1, selector: { matchLabels: { app: 'web', 'pod-template-hash': '7d4b9c8f6d' } }, template: { metadata: { labels: { app: 'web', 'pod-template-hash': '7d4b9c8f6d' } }, spec: dep.spec.template.spec } },
    });
    twin.store.create('pods', {
      apiVersion: 'v1', kind: 'Pod',
      metadata: { name: 'web-7d4b9c8f6d-x2x9k', namespace: 'demo', labels: { app: 'web', 'pod-template-hash': '7d4b9c8f6d' },
        ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: rs.metadata.name!, uid: rs.metadata.uid!, controller: true, blockOwnerDeletion: true }] },
      spec: { containers: [{ name: 'web', image: 'nginx:1.25', ports: [{ containerPort: 8080 }] }] },
    });
    markPodRunning(twin, 'demo', 'web-7d4b9c8f6d-x2x9k');
    twin.store.create('endpointslices.discovery.k8s.io', {
      apiVersion: 'discovery.k8s.io/v1', kind: 'EndpointSlice',
      metadata: { name: 'web-abcde', namespace: 'demo', labels: { 'kubernetes.io/service-name': 'web', 'endpointslice.kubernetes.io/managed-by': 'endpointslice-controller.k8s.io' } },
      addressType: 'IPv4',
      endpoints: [{ addresses: ['10.244.0.12'], conditions: { ready: true, serving: true, terminating: false }, nodeName: 'twin-node-1', targetRef: { kind: 'Pod', name: 'web-7d4b9c8f6d-x2x9k', namespace: 'demo' } }],
      ports: [{ name: 'http', port: 8080, protocol: 'TCP' }],
    });
    const pod = twin.store.mustGet('pods', 'demo', 'web-7d4b9c8f6d-x2x9k');
    const ts = new Date(Date.now() - 5000).toISOString().replace(/\.\d+Z$/, 'Z');
    twin.store.create('events', {
      apiVersion: 'v1', kind: 'Event',
      metadata: { name: 'web-7d4b9c8f6d-x2x9k.1800000000000001', namespace: 'demo' },
      involvedObject: { kind: 'Pod', name: pod.metadata.name, namespace: 'demo', uid: pod.metadata.uid, apiVersion: 'v1' },
      reason: 'Started', message: 'Started container web', type: 'Normal', source: { component: 'kubelet', host: 'twin-node-1' },
      firstTimestamp: ts, lastTimestamp: ts, count: 1,
    });
    twin.runtime.setLogs('demo', 'web-7d4b9c8f6d-x2x9k', 'web', ['starting web', 'listening on :8080', 'GET / 200', 'GET /health 200']);
  });
  after(async () => { await twin?.close(); });

  it('reports server v1.31 and serves api-resources including Chaos Mesh kinds', async () => {
    const v = await k(['version']);
    assert.equal(v.code, 0, v.stderr);
    assert.match(v.stdout, /Server Version: v1\.31\.\d+/);
    const r = await k(['api-resources']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^deployments\s+deploy\s+apps\/v1\s+true\s+Deployment$/m);
    assert.match(r.stdout, /^podchaos\s+chaos-mesh\.org\/v1alpha1\s+true\s+PodChaos$/m);
    assert.match(r.stdout, /^pods\s+metrics\.k8s\.io\/v1beta1\s+true\s+PodMetrics$/m);
  });

  it('re-applying unchanged manifests reports unchanged', async () => {
    const r = await k(['apply', '-f', path.join(FIXTURES, 'app.yaml')]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /deployment\.apps\/web unchanged/);
    assert.match(r.stdout, /service\/web unchanged/);
  });

  it('get pods: default, -o wide, -A, --show-labels', async () => {
    let r = await k(['get', 'pods', '-n', 'demo']);
    assert.equal(r.code, 0, r.stderr);
    let rows = tableRows(r.stdout);
    assert.deepEqual(rows[0], ['NAME', 'READY', 'STATUS', 'RESTARTS', 'AGE']);
    assert.deepEqual(rows[1].slice(0, 4), ['web-7d4b9c8f6d-x2x9k', '1/1', 'Running', '0']);
    r = await k(['get', 'pods', '-n', 'demo', '-o', 'wide']);
    rows = tableRows(r.stdout);
    assert.deepEqual(rows[0], ['NAME', 'READY', 'STATUS', 'RESTARTS', 'AGE', 'IP', 'NODE', 'NOMINATED NODE', 'READINESS GATES']);
    assert.deepEqual(rows[1].slice(5), ['10.244.0.12', 'twin-node-1', '<none>', '<none>']);
    r = await k(['get', 'pods', '-A']);
    rows = tableRows(r.stdout);
    assert.equal(rows[0][0], 'NAMESPACE');
    assert.deepEqual(rows[1].slice(0, 2), ['demo', 'web-7d4b9c8f6d-x2x9k']);
    r = await k(['get', 'pods', '-n', 'demo', '--show-labels']);
    assert.match(r.stdout, /LABELS/);
    assert.match(r.stdout, /app=web,pod-template-hash=7d4b9c8f6d/);
  });

  it('get in yaml, json, name, jsonpath and custom-columns', async () => {
    let r = await k(['get', 'pod', 'web-7d4b9c8f6d-x2x9k', '-n', 'demo', '-o', 'json']);
    assert.equal(r.code, 0, r.stderr);
    const pod = JSON.parse(r.stdout);
    assert.equal(pod.kind, 'Pod');
    assert.equal(pod.status.phase, 'Running');
    assert.equal(pod.spec.restartPolicy, 'Always');
    assert.equal(pod.spec.dnsPolicy, 'ClusterFirst');
    assert.equal(pod.spec.terminationGracePeriodSeconds, 30);
    r = await k(['get', 'svc', 'web', '-n', 'demo', '-o', 'yaml']);
    assert.match(r.stdout, /^kind: Service$/m);
    assert.match(r.stdout, /sessionAffinity: None/);
    assert.match(r.stdout, /clusterIP: 10\.\d+\.\d+\.\d+/);
    r = await k(['get', 'deploy,svc,cm', '-n', 'demo', '-o', 'name']);
    assert.deepEqual(r.stdout.trim().split('\n'), ['deployment.apps/web', 'service/web', 'configmap/kube-root-ca.crt', 'configmap/web-config']);
    r = await k(['get', 'pods', '-n', 'demo', '-o', 'jsonpath={.items[*].metadata.name}']);
    assert.equal(r.stdout, 'web-7d4b9c8f6d-x2x9k');
    r = await k(['get', 'pods', '-n', 'demo', '-o', 'custom-columns=NAME:.metadata.name,IMAGE:.spec.containers[0].image,NODE:.spec.nodeName']);
    assert.deepEqual(tableRows(r.stdout), [['NAME', 'IMAGE', 'NODE'], ['web-7d4b9c8f6d-x2x9k', 'nginx:1.25', 'twin-node-1']]);
  });

  it('get --sort-by sorts on the full objects (includeObject=Object)', async () => {
    for (const n of ['zeta', 'alpha', 'mid']) {
      const r = await k(['create', 'configmap', `sort-${n}`, '-n', 'demo', `--from-literal=k=${n}`]);
      assert.equal(r.code, 0, r.stderr);
    }
    const r = await k(['get', 'cm', '-n', 'demo', '--sort-by=.metadata.name', '-l', '!app', '-o', 'name']);
    assert.equal(r.code, 0, r.stderr);
    const names = r.stdout.trim().split('\n').filter((x) => x.includes('sort-'));
    assert.deepEqual(names, ['configmap/sort-alpha', 'configmap/sort-mid', 'configmap/sort-zeta']);
    const t = await k(['get', 'cm', '-n', 'demo', '--sort-by=.data.k']);
    const rows = tableRows(t.stdout).map((x) => x[0]).filter((x) => x.startsWith('sort-'));
    assert.deepEqual(rows, ['sort-alpha', 'sort-mid', 'sort-zeta']);
    const ev = await k(['get', 'events', '-n', 'demo', '--sort-by=.lastTimestamp']);
    assert.equal(ev.code, 0, ev.stderr);
    assert.deepEqual(tableRows(ev.stdout)[0], ['LAST SEEN', 'TYPE', 'REASON', 'OBJECT', 'MESSAGE']);
    assert.match(ev.stdout, /Normal\s+Started\s+pod\/web-7d4b9c8f6d-x2x9k\s+Started container web/);
  });

  it('get svc, deploy -o wide, rs, endpointslices, nodes, all', async () => {
    const svc = twin.store.mustGet('services', 'demo', 'web');
    let r = await k(['get', 'svc', '-n', 'demo', '-o', 'wide']);
    let rows = tableRows(r.stdout);
    assert.deepEqual(rows[0], ['NAME', 'TYPE', 'CLUSTER-IP', 'EXTERNAL-IP', 'PORT(S)', 'AGE', 'SELECTOR']);
    assert.deepEqual([...rows[1].slice(0, 5), rows[1][6]], ['web', 'ClusterIP', svc.spec.clusterIP, '<none>', '80/TCP', 'app=web']);
    r = await k(['get', 'deploy', '-n', 'demo', '-o', 'wide']);
    rows = tableRows(r.stdout);
    assert.deepEqual(rows[0], ['NAME', 'READY', 'UP-TO-DATE', 'AVAILABLE', 'AGE', 'CONTAINERS', 'IMAGES', 'SELECTOR']);
    assert.deepEqual([rows[1][0], rows[1][1], rows[1][5], rows[1][6], rows[1][7]], ['web', '0/2', 'web', 'nginx:1.25', 'app=web']);
    r = await k(['get', 'rs', '-n', 'demo']);
    assert.deepEqual(tableRows(r.stdout)[0], ['NAME', 'DESIRED', 'CURRENT', 'READY', 'AGE']);
    r = await k(['get', 'endpointslices', '-n', 'demo']);
    rows = tableRows(r.stdout);
    assert.deepEqual(rows[0], ['NAME', 'ADDRESSTYPE', 'PORTS', 'ENDPOINTS', 'AGE']);
    assert.deepEqual(rows[1].slice(0, 4), ['web-abcde', 'IPv4', '8080', '10.244.0.12']);
    r = await k(['get', 'nodes', '-o', 'wide']);
    rows = tableRows(r.stdout);
    assert.deepEqual(rows[0], ['NAME', 'STATUS', 'ROLES', 'AGE', 'VERSION', 'INTERNAL-IP', 'EXTERNAL-IP', 'OS-IMAGE', 'KERNEL-VERSION', 'CONTAINER-RUNTIME']);
    assert.deepEqual(rows[1].slice(0, 3), ['twin-node-1', 'Ready', '<none>']);
    r = await k(['get', 'all', '-n', 'demo']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^pod\/web-7d4b9c8f6d-x2x9k\s+1\/1\s+Running/m);
    assert.match(r.stdout, /^service\/web\s+ClusterIP/m);
    assert.match(r.stdout, /^deployment\.apps\/web\s+0\/2/m);
    assert.match(r.stdout, /^replicaset\.apps\/web-7d4b9c8f6d\s+1\s+0\s+0/m);
  });

  it('describe svc, pod, node, deploy and ns', async () => {
    let r = await k(['describe', 'svc', 'web', '-n', 'demo']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^Endpoints:\s+10\.244\.0\.12:8080$/m);
    assert.match(r.stdout, /^Session Affinity:\s+None$/m);
    assert.match(r.stdout, /^Selector:\s+app=web$/m);
    r = await k(['describe', 'pod', 'web-7d4b9c8f6d-x2x9k', '-n', 'demo']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^Node:\s+twin-node-1\/172\.18\.0\.2$/m);
    assert.match(r.stdout, /^Controlled By:\s+ReplicaSet\/web-7d4b9c8f6d$/m);
    assert.match(r.stdout, /^QoS Class:\s+BestEffort$/m);
    assert.match(r.stdout, /Normal\s+Started\s+\S+\s+kubelet\s+Started container web/);
    r = await k(['describe', 'node', 'twin-node-1']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^Non-terminated Pods:\s+\(1 in total\)$/m);
    assert.match(r.stdout, /demo\s+web-7d4b9c8f6d-x2x9k/);
    r = await k(['describe', 'deploy', 'web', '-n', 'demo']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^StrategyType:\s+RollingUpdate$/m);
    assert.match(r.stdout, /^RollingUpdateStrategy:\s+25% max unavailable, 25% max surge$/m);
    r = await k(['describe', 'ns', 'demo']);
    assert.match(r.stdout, /^Status:\s+Active$/m);
  });

  it('Status errors are worded like the real apiserver', async () => {
    let r = await k(['get', 'pod', 'nope', '-n', 'demo']);
    assert.equal(r.code, 1);
    assert.equal(r.stderr.trim(), 'Error from server (NotFound): pods "nope" not found');
    r = await k(['create', 'deployment', 'web', '-n', 'demo', '--image=nginx']);
    assert.equal(r.code, 1);
    assert.equal(r.stderr.trim(), 'error: failed to create deployment: deployments.apps "web" already exists');
    r = await k(['get', 'pods', '-n', 'nowhere']);
    assert.equal(r.code, 0);
    assert.match(r.stderr, /No resources found in nowhere namespace\./);
    r = await k(['create', 'configmap', 'x', '-n', 'nowhere']);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /namespaces "nowhere" not found/);
    r = await k(['apply', '-f', '-'], { stdin: 'apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: bad, namespace: demo}\nspec:\n  selector: {matchLabels: {app: x}}\n  template:\n    metadata: {labels: {app: other}}\n    spec:\n      containers: [{name: c}]\n' });
    assert.equal(r.code, 1);
    assert.equal(r.stderr.trim(), 'The Deployment "bad" is invalid: \n* spec.template.metadata.labels: Invalid value: map[string]string{"app":"other"}: `selector` does not match template `labels`\n* spec.template.spec.containers[0].image: Required value');
    r = await k(['apply', '-f', '-'], { stdin: 'apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: typo, namespace: demo}\nspec:\n  replica: 2\n  selector: {matchLabels: {app: t}}\n  template:\n    metadata: {labels: {app: t}}\n    spec:\n      containers: [{name: c, image: nginx, imagee: x}]\n' });
    assert.equal(r.code, 1);
    assert.equal(r.stderr.trim(), 'Error from server (BadRequest): error when creating "STDIN": Deployment in version "v1" cannot be handled as a Deployment: strict decoding error: unknown field "spec.replica", unknown field "spec.template.spec.containers[0].imagee"');
    r = await k(['get', 'frobnicators']);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /the server doesn't have a resource type "frobnicators"/);
  });

  it('scale, patch (strategic, json, merge, no-op), set env, set image', async () => {
    let r = await k(['scale', 'deploy', 'web', '-n', 'demo', '--replicas=3']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout.trim(), 'deployment.apps/web scaled');
    assert.equal(twin.store.mustGet('deployments.apps', 'demo', 'web').spec.replicas, 3);
    r = await k(['patch', 'svc', 'web', '-n', 'demo', '-p', '{"spec":{"ports":[{"port":80,"targetPort":9090}]}}']);
    assert.equal(r.stdout.trim(), 'service/web patched');
    let svc = twin.store.mustGet('services', 'demo', 'web');
    assert.deepEqual(svc.spec.ports, [{ name: 'http', port: 80, protocol: 'TCP', targetPort: 9090 }]);
    r = await k(['patch', 'svc', 'web', '-n', 'demo', '-p', '{"spec":{"ports":[{"port":80,"targetPort":9090}]}}']);
    assert.equal(r.stdout.trim(), 'service/web patched (no change)');
    r = await k(['patch', 'svc', 'web', '-n', 'demo', '--type=json', '-p', '[{"op":"replace","path":"/spec/ports/0/targetPort","value":8080}]']);
    assert.equal(r.stdout.trim(), 'service/web patched');
    r = await k(['patch', 'svc', 'web', '-n', 'demo', '--type=merge', '-p', '{"metadata":{"labels":{"tier":"front"}}}']);
    assert.equal(r.stdout.trim(), 'service/web patched');
    svc = twin.store.mustGet('services', 'demo', 'web');
    assert.equal(svc.spec.ports[0].targetPort, 8080);
    assert.equal(svc.metadata.labels!.tier, 'front');
    r = await k(['patch', 'svc', 'web', '-n', 'demo', '--type=json', '-p', '[{"op":"replace","path":"/spec/nothere/x","value":1}]']);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /The request is invalid: jsonpatch replace operation does not apply/);
    r = await k(['set', 'env', 'deploy/web', '-n', 'demo', 'NEWVAR=1']);
    assert.equal(r.stdout.trim(), 'deployment.apps/web env updated');
    r = await k(['set', 'env', 'deploy/web', '-n', 'demo', 'LOG_LEVEL-']);
    assert.equal(r.code, 0, r.stderr);
    r = await k(['set', 'image', 'deploy/web', '-n', 'demo', 'web=nginx:1.26']);
    assert.equal(r.stdout.trim(), 'deployment.apps/web image updated');
    const dep = twin.store.mustGet('deployments.apps', 'demo', 'web');
    assert.deepEqual(dep.spec.template.spec.containers[0].env, [{ name: 'NEWVAR', value: '1' }]);
    assert.equal(dep.spec.template.spec.containers[0].image, 'nginx:1.26');
    assert.equal(dep.metadata.generation, 5);
    r = await k(['rollout', 'restart', 'deploy/web', '-n', 'demo']);
    assert.equal(r.code, 0, r.stderr);
    assert.ok(twin.store.mustGet('deployments.apps', 'demo', 'web').spec.template.metadata.annotations['kubectl.kubernetes.io/restartedAt']);
  });

  it('apply --server-side creates when absent and updates when present', async () => {
    const file = path.join(twin.dir, 'ssa.yaml');
    fs.writeFileSync(file, 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ssa-cm\n  namespace: demo\ndata:\n  a: "1"\n');
    let r = await k(['apply', '--server-side', '-f', file]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout.trim(), 'configmap/ssa-cm serverside-applied');
    fs.writeFileSync(file, 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ssa-cm\n  namespace: demo\ndata:\n  a: "2"\n');
    r = await k(['apply', '--server-side', '-f', file]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal((twin.store.mustGet('configmaps', 'demo', 'ssa-cm').data as Record<string, string>).a, '2');
  });

  it('get -w streams changes and ends at --request-timeout', async () => {
    const before = twin.store.listenerCount();
    const watching = k(['get', 'cm', 'web-config', '-n', 'demo', '-w', '--output-watch-events', '--request-timeout=3s']);
    await until(() => twin.store.listenerCount() > before, 'kubectl to start watching');
    const cm = twin.store.mustGet('configmaps', 'demo', 'web-config') as { data: Record<string, string> } & import('../../src/twin/contracts').KubeObject;
    cm.data.LOG_LEVEL = 'debug';
    twin.store.update('configmaps', cm);
    const r = await watching;
    const rows = tableRows(r.stdout);
    assert.deepEqual(rows[0], ['EVENT', 'NAME', 'DATA', 'AGE']);
    assert.deepEqual(rows.slice(1).map((x) => x.slice(0, 3)), [['ADDED', 'web-config', '2'], ['MODIFIED', 'web-config', '2']]);
  });

  it('logs with --tail, --timestamps, -c, --previous and bounded -f', async () => {
    const pod = 'web-7d4b9c8f6d-x2x9k';
    let r = await k(['logs', pod, '-n', 'demo']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, 'starting web\nlistening on :8080\nGET / 200\nGET /health 200\n');
    r = await k(['logs', pod, '-n', 'demo', '--tail=2']);
    assert.equal(r.stdout, 'GET / 200\nGET /health 200\n');
    r = await k(['logs', pod, '-n', 'demo', '--tail=1', '--timestamps']);
    assert.match(r.stdout, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z GET \/health 200\n$/);
    r = await k(['logs', 'deploy/web', '-n', 'demo', '-c', 'web', '--tail=1']);
    assert.equal(r.stdout, 'GET /health 200\n');
    r = await k(['logs', pod, '-n', 'demo', '-c', 'sidecar']);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /container sidecar is not valid for pod web-7d4b9c8f6d-x2x9k/);
    r = await k(['logs', pod, '-n', 'demo', '--previous']);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /Error from server \(BadRequest\): previous terminated container "web" in pod "web-7d4b9c8f6d-x2x9k" not found/);
    const following = k(['logs', '-f', pod, '-n', 'demo', '--tail=1']);
    await until(() => twin.runtime.followers.size > 0, 'kubectl logs -f to follow');
    twin.runtime.emit('demo', pod, 'web', 'GET /late 200');
    r = await following;
    assert.equal(r.stdout, 'GET /health 200\nGET /late 200\n');
  });

  it('exec over websocket v5: stdout, exit codes, stdin', async () => {
    const pod = 'web-7d4b9c8f6d-x2x9k';
    let r = await k(['exec', pod, '-n', 'demo', '--', 'echo', 'hello', 'twin']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, 'hello twin\n');
    r = await k(['exec', pod, '-n', 'demo', '--', 'sh', '-c', 'exit 3']);
    assert.equal(r.code, 3);
    assert.match(r.stderr, /command terminated with exit code 3/);
    r = await k(['exec', pod, '-n', 'demo', '--', 'nosuchtool']);
    assert.equal(r.code, 127);
    assert.match(r.stderr, /executable file not found/);
    r = await k(['exec', '-i', pod, '-n', 'demo', '--', 'cat'], { stdin: 'line one\nline two\n' });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, 'line one\nline two\n');
    r = await k(['exec', 'deploy/web', '-n', 'demo', '--', 'hostname']);
    assert.equal(r.stdout, `${pod}\n`);
  });

  it('top pods and nodes from metrics.k8s.io', async () => {
    let r = await k(['top', 'pods', '-n', 'demo']);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(tableRows(r.stdout), [['NAME', 'CPU(cores)', 'MEMORY(bytes)'], ['web-7d4b9c8f6d-x2x9k', '84m', '101Mi']]);
    r = await k(['top', 'pods', '-n', 'demo', '--containers']);
    assert.deepEqual(tableRows(r.stdout)[1], ['web-7d4b9c8f6d-x2x9k', 'web', '84m', '101Mi']);
    r = await k(['top', 'nodes']);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(tableRows(r.stdout)[1], ['twin-node-1', '250m', '3%', '2048Mi', '12%']);
  });

  it('Chaos Mesh kinds and CRD-defined kinds are served', async () => {
    const file = path.join(twin.dir, 'chaos.yaml');
    fs.writeFileSync(file, [
      'apiVersion: chaos-mesh.org/v1alpha1', 'kind: PodChaos', 'metadata:', '  name: kill-web', '  namespace: demo',
      'spec:', '  action: pod-kill', '  mode: one', '  duration: 30s', '  selector:', '    labelSelectors:', '      app: web', '',
    ].join('\n'));
    let r = await k(['apply', '-f', file]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout.trim(), 'podchaos.chaos-mesh.org/kill-web created');
    r = await k(['get', 'podchaos', '-n', 'demo']);
    assert.deepEqual(tableRows(r.stdout)[0], ['NAME', 'ACTION', 'DURATION', 'AGE']);
    assert.deepEqual(tableRows(r.stdout)[1].slice(0, 3), ['kill-web', 'pod-kill', '30s']);
    r = await k(['delete', 'podchaos', 'kill-web', '-n', 'demo']);
    assert.equal(r.stdout.trim(), 'podchaos.chaos-mesh.org "kill-web" deleted');
    const crd = path.join(twin.dir, 'crd.yaml');
    fs.writeFileSync(crd, [
      'apiVersion: apiextensions.k8s.io/v1', 'kind: CustomResourceDefinition', 'metadata:', '  name: widgets.example.com', 'spec:', '  group: example.com',
      '  names: {kind: Widget, plural: widgets, singular: widget, shortNames: [wd]}', '  scope: Namespaced', '  versions:',
      '  - name: v1', '    served: true', '    storage: true', '    schema: {openAPIV3Schema: {type: object, x-kubernetes-preserve-unknown-fields: true}}',
    ].join('\n'));
    r = await k(['apply', '-f', crd]);
    assert.equal(r.code, 0, r.stderr);
    r = await k(['apply', '-f', '-'], { stdin: 'apiVersion: example.com/v1\nkind: Widget\nmetadata: {name: w1, namespace: demo}\nspec: {size: 3}\n' });
    assert.equal(r.code, 0, r.stderr);
    r = await k(['get', 'wd', '-n', 'demo', '-o', 'jsonpath={.items[0].spec.size}']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, '3');
  });

  it('refuses pod spec changes a real apiserver refuses, allows image changes', async () => {
    const pod = 'web-7d4b9c8f6d-x2x9k';
    let r = await k(['patch', 'pod', pod, '-n', 'demo', '-p', '{"spec":{"containers":[{"name":"web","env":[{"name":"A","value":"1"}]}]}}']);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /^The Pod "web-7d4b9c8f6d-x2x9k" is invalid: spec: Forbidden: pod updates may not change fields other than `spec\.containers\[\*\]\.image`/);
    r = await k(['set', 'image', `pod/${pod}`, '-n', 'demo', 'web=nginx:1.27']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(twin.store.mustGet('pods', 'demo', pod).spec.containers[0].image, 'nginx:1.27');
    r = await k(['label', 'pod', pod, '-n', 'demo', 'checked=yes']);
    assert.equal(r.code, 0, r.stderr);
  });

  it('keeps a ConfigMap key named __proto__ as data through writes, as a real apiserver does (the store copies objects key by key)', async () => {
    let r = await k(['create', 'configmap', 'proto-keys', '-n', 'default', '--from-literal=__proto__=kept', '--from-literal=constructor=also']);
    assert.equal(r.code, 0, r.stderr);
    r = await k(['label', 'configmap', 'proto-keys', '-n', 'default', 'touched=yes']); // a write: the store copies it again
    assert.equal(r.code, 0, r.stderr);
    r = await k(['get', 'configmap', 'proto-keys', '-n', 'default', '-o', 'json']);
    assert.deepEqual((JSON.parse(r.stdout) as { data: unknown }).data, JSON.parse('{"__proto__":"kept","constructor":"also"}'));
    assert.equal(({} as Record<string, unknown>).polluted, undefined);
    await k(['delete', 'configmap', 'proto-keys', '-n', 'default']);
  });

  it('delete: graceful pod shows Terminating; deployment cascades to ReplicaSet and pods; namespace finalizes', async () => {
    const pod = 'web-7d4b9c8f6d-x2x9k';
    let r = await k(['delete', 'pod', pod, '-n', 'demo', '--wait=false']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout.trim(), `pod "${pod}" deleted`);
    r = await k(['get', 'pod', pod, '-n', 'demo']);
    assert.equal(tableRows(r.stdout)[1][2], 'Terminating');
    r = await k(['delete', 'deploy', 'web', '-n', 'demo']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout.trim(), 'deployment.apps "web" deleted');
    assert.equal(twin.store.list('replicasets.apps', 'demo').length, 0);
    // The pod was already terminating gracefully: it stays (Terminating) until its kubelet or the grace period ends it.
    assert.deepEqual(twin.store.list('pods', 'demo').map((p) => !!p.metadata.deletionTimestamp), [true]);
    r = await k(['delete', 'ns', 'demo']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout.trim(), 'namespace "demo" deleted');
    r = await k(['get', 'ns', 'demo']);
    assert.equal(r.stderr.trim(), 'Error from server (NotFound): namespaces "demo" not found');
    assert.equal(twin.store.list('configmaps', 'demo').length, 0);
  });
});
