/**
 * The embedded cluster as a stand-in for a real one: a bare twin (as `kind create cluster` leaves it) over HTTPS,
 * reached only through kubeconfigs, with bearer-token identities and RBAC — driven by the real kubectl and helm, and
 * attacked: other namespaces, the fault machinery, CRDs, escalation, unknown and revoked tokens.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import https from 'node:https';
import type { CoreV1EventList, V1Secret, V1SelfSubjectReview } from '@kubernetes/client-node';
import os from 'node:os';
import path from 'node:path';
import { startTwin, resolveKubectl, resolveHelm, type TwinHandle } from '../../src/twin';
import { writeKubeconfig } from '../../src/twin/process/kubeconfig';
import { chaosMeshCrd, CHAOS_MESH_KINDS } from '../../src/twin/apiserver/registry';
import { createTwinTls } from '../../src/twin/process/tls';

interface Run { code: number; out: string; err: string }

function exec(file: string, args: string[], env: NodeJS.ProcessEnv, input?: string): Promise<Run> {
  return new Promise((resolve) => {
    const child = execFile(file, args, { env: { ...process.env, ...env }, timeout: 60_000, maxBuffer: 8 << 20 }, (e, stdout, stderr) => {
      resolve({ code: e ? (typeof (e as { code?: unknown }).code === 'number' ? (e as { code: number }).code : 1) : 0, out: String(stdout), err: String(stderr) });
    });
    // Always end stdin: kubectl asks for a user name on stdin when the kubeconfig's user entry has no credentials.
    child.stdin!.end(input ?? '');
  });
}

async function until<T>(what: string, probe: () => Promise<T>, ok: (v: T) => boolean, ms = 15_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await probe();
    if (ok(v)) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}: ${JSON.stringify(v).slice(0, 600)}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** A ServiceAccount, a Role with these rules (YAML flow mappings) and the RoleBinding that gives the one the other. */
function serviceAccountWithRole(o: { namespace: string; serviceAccount: string; role: string; binding: string; rules: string[] }): string {
  return `
apiVersion: v1
kind: ServiceAccount
metadata: {name: ${o.serviceAccount}, namespace: ${o.namespace}}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {name: ${o.role}, namespace: ${o.namespace}}
rules:
${o.rules.map((rule) => `- ${rule}`).join('\n')}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: ${o.binding}, namespace: ${o.namespace}}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: ${o.role}}
subjects: [{kind: ServiceAccount, name: ${o.serviceAccount}, namespace: ${o.namespace}}]
`;
}

/** A PodChaos as the tests read it back: its finalizers and the records of Chaos Mesh's controller. */
interface PodChaos {
  metadata: { finalizers?: string[] };
  status?: { experiment?: { containerRecords?: unknown[] } };
}

const POD_READER = '{apiGroups: [""], resources: [pods, pods/log], verbs: [get, list, watch]}';

describe('twin as a real cluster (bare, HTTPS, tokens, RBAC)', function () {
  this.timeout(60_000);
  let dir: string;
  let twin: TwinHandle;
  let kubectl: string;
  let admin: NodeJS.ProcessEnv;
  let cacheN = 0;
  const k = (env: NodeJS.ProcessEnv, args: string[], input?: string) => exec(kubectl, args, env, input);
  /** `kubectl get … -o json`, read as the type the caller expects. */
  const getJson = async <T>(env: NodeJS.ProcessEnv, args: string[]): Promise<T> => {
    const r = await k(env, ['get', ...args, '-o', 'json']);
    assert.equal(r.code, 0, r.err);
    return JSON.parse(r.out) as T;
  };
  /** A kubeconfig for the same cluster with another bearer token (or none). */
  const asToken = (token: string | undefined): NodeJS.ProcessEnv => {
    const file = writeKubeconfig(path.join(dir, `kc-${++cacheN}`), { server: twin.agentUrl, token, caPem: twin.tls!.caPem, contextName: 'twin', userName: 'u' });
    // Discovery is the same for every authenticated caller, so all share the admin's kubectl cache (as on one machine).
    return { KUBECONFIG: file, KUBECACHEDIR: twin.kubeCacheDir };
  };
  const tokenFor = async (ns: string, sa: string): Promise<string> => {
    const r = await k(admin, ['create', 'token', sa, '-n', ns]);
    assert.equal(r.code, 0, r.err);
    return r.out.trim();
  };

  before(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'twin-real-'));
    [twin, kubectl] = await Promise.all([startTwin({ stateDir: path.join(dir, 'state'), bare: true, tls: true, name: 'twin-real' }), resolveKubectl()]);
    admin = twin.env;
    const setup = ['team-a', 'team-b'].map((ns) => `apiVersion: v1\nkind: Namespace\nmetadata: {name: ${ns}}\n---\n`).join('') +
      serviceAccountWithRole({ namespace: 'team-a', serviceAccount: 'sre', role: 'pod-reader', binding: 'sre-reads-pods', rules: [POD_READER] });
    const r = await k(admin, ['apply', '-f', '-'], setup);
    assert.equal(r.code, 0, r.err);
  });
  after(async () => {
    await twin?.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('is reached over HTTPS with its own CA and a random admin token, and is as bare as a fresh kind cluster', async () => {
    const kc = fs.readFileSync(twin.kubeconfigPath, 'utf8');
    assert.match(kc, /server: https:\/\/127\.0\.0\.1:\d+\n/);
    assert.match(kc, /certificate-authority-data: /);
    assert.doesNotMatch(kc, /insecure-skip-tls-verify/);
    assert.match(kc, /current-context: twin-real/);
    assert.ok(twin.tls!.adminToken.length >= 40 && !kc.includes('aiopslab-admin'));
    const ns = await k(admin, ['get', 'ns', '-o', 'name']);
    assert.deepEqual(ns.out.trim().split('\n').sort(), ['namespace/default', 'namespace/kube-node-lease', 'namespace/kube-public', 'namespace/kube-system', 'namespace/team-a', 'namespace/team-b']);
    assert.equal((await k(admin, ['api-resources', '--api-group=chaos-mesh.org', '-o', 'name'])).out.trim(), '');
    const sc = await k(admin, ['get', 'storageclass']);
    assert.equal(sc.code, 0, sc.err);
    assert.match(sc.err, /No resources found/);
    assert.equal((await k(admin, ['get', 'nodes', '-o', 'name'])).out.trim().split('\n').length, 2);
    // Trusting another CA, the admin token is not sent; without a token nothing but health and version answers.
    const noCa = writeKubeconfig(path.join(dir, 'kc-noca'), { server: twin.agentUrl, token: twin.tls!.adminToken });
    fs.writeFileSync(noCa, fs.readFileSync(noCa, 'utf8').replace('insecure-skip-tls-verify: true', `certificate-authority: ${path.join(dir, 'none.pem')}`));
    fs.writeFileSync(path.join(dir, 'none.pem'), (await createTwinTls('other')).caPem);
    const untrusted = await k({ KUBECONFIG: noCa, KUBECACHEDIR: path.join(dir, 'c-noca') }, ['get', 'ns']);
    assert.notEqual(untrusted.code, 0);
    assert.match(untrusted.err, /certificate signed by unknown authority/);
    // (kubectl itself asks for a user name when its kubeconfig has no credentials, so these go without it.)
    const anonymous = (p: string) => new Promise<{ code: number; body: string }>((resolve, reject) => {
      https.get(`${twin.agentUrl}${p}`, { ca: twin.tls!.caPem }, (res) => {
        let body = '';
        res.on('data', (d: Buffer) => (body += d.toString()));
        res.on('end', () => resolve({ code: res.statusCode ?? 0, body }));
      }).on('error', reject);
    });
    assert.equal((await anonymous('/version')).code, 200);
    const api = await anonymous('/api');
    assert.equal(api.code, 403);
    assert.equal((JSON.parse(api.body) as { message: string }).message, 'forbidden: User "system:anonymous" cannot get path "/api"');
    assert.equal((await anonymous('/api/v1/namespaces/default/pods')).code, 403);
  });

  it('a ServiceAccount token with a Role on one namespace: allowed there, 403 elsewhere, and `auth can-i` agrees', async () => {
    const sre = asToken(await tokenFor('team-a', 'sre'));
    assert.equal((await k(admin, ['run', 'web', '--image=nginx:1.27.3', '-n', 'team-a'])).code, 0);
    const own = await k(sre, ['get', 'pods', '-n', 'team-a', '-o', 'name']);
    assert.equal(own.code, 0, own.err);
    assert.equal(own.out.trim(), 'pod/web');
    const other = await k(sre, ['get', 'pods', '-n', 'team-b']);
    assert.equal(other.code, 1);
    assert.equal(other.err.trim(), 'Error from server (Forbidden): pods is forbidden: User "system:serviceaccount:team-a:sre" cannot list resource "pods" in API group "" in the namespace "team-b"');
    assert.match((await k(sre, ['delete', 'pod', 'web', '-n', 'team-a'])).err, /pods "web" is forbidden: User "system:serviceaccount:team-a:sre" cannot delete resource "pods" in API group "" in the namespace "team-a"/);
    assert.match((await k(sre, ['get', 'pods', '-A'])).err, /cannot list resource "pods" in API group "" at the cluster scope/);
    assert.match((await k(sre, ['get', 'crd'])).err, /customresourcedefinitions\.apiextensions\.k8s\.io is forbidden: User "system:serviceaccount:team-a:sre" cannot list resource "customresourcedefinitions" in API group "apiextensions\.k8s\.io" at the cluster scope/);
    // Discovery answers every authenticated caller (system:discovery), so kubectl can resolve what it is refused.
    assert.equal((await k(sre, ['api-resources', '-o', 'name'])).code, 0);
    const canI = async (...args: string[]) => (await k(sre, ['auth', 'can-i', ...args])).out.trim();
    assert.equal(await canI('list', 'pods', '-n', 'team-a'), 'yes');
    assert.equal(await canI('get', 'pods/log', '-n', 'team-a'), 'yes');
    assert.equal(await canI('list', 'pods', '-n', 'team-b'), 'no');
    assert.equal(await canI('delete', 'pods', '-n', 'team-a'), 'no');
    assert.equal(await canI('list', 'podchaos.chaos-mesh.org', '-n', 'team-a'), 'no');
    const list = await k(sre, ['auth', 'can-i', '--list', '-n', 'team-a']);
    assert.match(list.out, /^pods\s+\[\]\s+\[\]\s+\[get list watch\]$/m);
    assert.match(list.out, /^pods\/log\s+\[\]\s+\[\]\s+\[get list watch\]$/m);
    assert.doesNotMatch(list.out, /^\*\.\*/m);
    const who = await k(sre, ['auth', 'whoami', '-o', 'json']);
    assert.deepEqual((JSON.parse(who.out) as V1SelfSubjectReview).status?.userInfo?.groups, ['system:serviceaccounts', 'system:serviceaccounts:team-a', 'system:authenticated']);
    // The same log access through the subresource the Role names.
    assert.equal((await k(sre, ['logs', 'web', '-n', 'team-a'])).code, 0);
  });

  it('installing the Chaos Mesh CRDs serves its kinds; its controller acts only once chaos-controller-manager is available; the SA gets 403 on them', async () => {
    const crds = CHAOS_MESH_KINDS.map((kind) => JSON.stringify(chaosMeshCrd(kind))).join('\n');
    assert.equal((await k(admin, ['apply', '-f', '-'], crds)).code, 0);
    await until('the chaos kinds to be served', () => k(admin, ['api-resources', '--api-group=chaos-mesh.org', '-o', 'name']), (r) => r.out.includes('podchaos.chaos-mesh.org'));
    const chaos = 'apiVersion: chaos-mesh.org/v1alpha1\nkind: PodChaos\nmetadata: {name: kill-web, namespace: team-a}\nspec: {action: pod-failure, mode: all, duration: 60s, selector: {namespaces: [team-a], labelSelectors: {run: web}}}\n';
    const created = await k(admin, ['apply', '-f', '-'], chaos);
    assert.equal(created.code, 0, created.err);
    await new Promise((r) => setTimeout(r, 800));
    const idle = await getJson<PodChaos>(admin, ['podchaos', 'kill-web', '-n', 'team-a']);
    assert.equal(idle.status, undefined, 'no controller, no status');
    assert.equal(idle.metadata.finalizers, undefined);
    const sre = asToken(await tokenFor('team-a', 'sre'));
    assert.match((await k(sre, ['get', 'podchaos', '-n', 'team-a'])).err, /podchaos\.chaos-mesh\.org is forbidden: User "system:serviceaccount:team-a:sre" cannot list resource "podchaos" in API group "chaos-mesh\.org" in the namespace "team-a"/);
    assert.equal((await k(admin, ['create', 'namespace', 'chaos-mesh'])).code, 0);
    assert.equal((await k(admin, ['create', 'deployment', 'chaos-controller-manager', '--image=ghcr.io/chaos-mesh/chaos-mesh:v2.6.7', '-n', 'chaos-mesh'])).code, 0);
    const acted = await until('the controller to act', () => getJson<PodChaos>(admin, ['podchaos', 'kill-web', '-n', 'team-a']), (o) => !!o.status?.experiment?.containerRecords?.length);
    assert.deepEqual(acted.metadata.finalizers, ['chaos-mesh/records']);
    await until('the pod to run the pause image', async () => (await k(admin, ['get', 'pod', 'web', '-n', 'team-a', '-o', 'jsonpath={.spec.containers[0].image}'])).out, (img) => /pause/.test(img));
  });

  it('Prometheus answers through the service proxy only once a Prometheus Deployment and Service are installed', async () => {
    const query = '/api/v1/namespaces/observe/services/prometheus-server:80/proxy/api/v1/query?query=up';
    assert.match((await k(admin, ['get', '--raw', query])).err, /NotFound/);
    const install = `
apiVersion: v1
kind: Namespace
metadata: {name: observe}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: prometheus-server, namespace: observe}
spec:
  selector: {matchLabels: {app: prometheus}}
  template:
    metadata: {labels: {app: prometheus}}
    spec:
      containers:
      - {name: config-reload, image: quay.io/prometheus-operator/prometheus-config-reloader:v0.76.0}
      - {name: prometheus-server, image: prom/prometheus:v2.54.1, ports: [{containerPort: 9090}]}
---
apiVersion: v1
kind: Service
metadata: {name: prometheus-server, namespace: observe}
spec: {selector: {app: prometheus}, ports: [{port: 80, targetPort: 9090}]}
`;
    assert.equal((await k(admin, ['apply', '-f', '-'], install)).code, 0);
    const answer = await until('Prometheus to answer', () => k(admin, ['get', '--raw', query]), (r) => r.code === 0);
    assert.equal((JSON.parse(answer.out) as { status: string }).status, 'success');
  });

  it('an unknown token, a token of a deleted ServiceAccount and one of a deleted token Secret get 401', async () => {
    const unauthorized = /You must be logged in to the server/;
    assert.match((await k(asToken('not-a-token'), ['get', 'pods', '-n', 'team-a'])).err, unauthorized);
    // A forged token: the payload of a valid one with another ServiceAccount's name.
    const real = await tokenFor('team-a', 'sre');
    const [h, p, s] = real.split('.');
    const claims = JSON.parse(Buffer.from(p, 'base64url').toString()) as { 'kubernetes.io': { serviceaccount: { name: string } } };
    claims['kubernetes.io'].serviceaccount.name = 'default';
    assert.match((await k(asToken(`${h}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}.${s}`), ['get', 'pods', '-n', 'team-a'])).err, unauthorized);

    assert.equal((await k(admin, ['create', 'sa', 'temp', '-n', 'team-a'])).code, 0);
    const secret = 'apiVersion: v1\nkind: Secret\ntype: kubernetes.io/service-account-token\nmetadata: {name: temp-token, namespace: team-a, annotations: {kubernetes.io/service-account.name: temp}}\n';
    assert.equal((await k(admin, ['apply', '-f', '-'], secret)).code, 0);
    const filled = await until('the token controller', () => getJson<V1Secret>(admin, ['secret', 'temp-token', '-n', 'team-a']), (o) => !!o.data?.token);
    const decoded = (key: string) => Buffer.from(filled.data?.[key] ?? '', 'base64').toString();
    assert.equal(decoded('namespace'), 'team-a');
    assert.equal(decoded('ca.crt'), twin.tls!.caPem);
    const fromSecret = asToken(decoded('token'));
    const fromRequest = asToken(await tokenFor('team-a', 'temp'));
    assert.equal((await k(fromSecret, ['auth', 'whoami', '-o', 'jsonpath={.status.userInfo.username}'])).out, 'system:serviceaccount:team-a:temp');
    assert.equal((await k(fromRequest, ['auth', 'can-i', 'list', 'pods', '-n', 'team-a'])).out.trim(), 'no');
    assert.equal((await k(admin, ['delete', 'secret', 'temp-token', '-n', 'team-a'])).code, 0);
    assert.match((await k(fromSecret, ['get', 'pods', '-n', 'team-a'])).err, unauthorized);
    assert.equal((await k(fromRequest, ['auth', 'whoami'])).code, 0, 'the TokenRequest token is not bound to the Secret');
    assert.equal((await k(admin, ['delete', 'sa', 'temp', '-n', 'team-a'])).code, 0);
    assert.match((await k(fromRequest, ['get', 'pods', '-n', 'team-a'])).err, unauthorized);
    // Re-creating a ServiceAccount of the same name does not revive the old tokens (they are bound to its uid).
    assert.equal((await k(admin, ['create', 'sa', 'temp', '-n', 'team-a'])).code, 0);
    assert.match((await k(fromRequest, ['get', 'pods', '-n', 'team-a'])).err, unauthorized);
    assert.match((await k(admin, ['create', 'token', 'temp', '-n', 'team-a', '--duration=5m'])).err, /may not specify a duration less than 10 minutes/);
  });

  it('RBAC escalation prevention: a ServiceAccount that may create RoleBindings cannot bind more than it holds', async () => {
    const setup = serviceAccountWithRole({
      namespace: 'team-a', serviceAccount: 'lead', role: 'binder', binding: 'lead-binds',
      rules: [POD_READER, '{apiGroups: [rbac.authorization.k8s.io], resources: [rolebindings, roles], verbs: [create, get, list]}'],
    });
    assert.equal((await k(admin, ['apply', '-f', '-'], setup)).code, 0);
    const lead = asToken(await tokenFor('team-a', 'lead'));
    const toAdmin = await k(lead, ['create', 'rolebinding', 'grab', '--clusterrole=cluster-admin', '--serviceaccount=team-a:lead', '-n', 'team-a']);
    assert.equal(toAdmin.code, 1);
    assert.match(toAdmin.err, /rolebindings\.rbac\.authorization\.k8s\.io "grab" is forbidden: user "system:serviceaccount:team-a:lead" \(groups=\["system:serviceaccounts" "system:serviceaccounts:team-a" "system:authenticated"\]\) is attempting to grant RBAC permissions not currently held:\n\{APIGroups:\["\*"\], Resources:\["\*"\], Verbs:\["\*"\]\}/);
    const wider = await k(lead, ['create', 'role', 'wider', '--verb=delete', '--resource=pods', '-n', 'team-a']);
    assert.match(wider.err, /is attempting to grant RBAC permissions not currently held/);
    // What it holds it may pass on; the cluster scope it may not touch at all.
    assert.equal((await k(lead, ['create', 'rolebinding', 'share', '--role=pod-reader', '--serviceaccount=team-a:default', '-n', 'team-a'])).code, 0);
    assert.match((await k(lead, ['create', 'clusterrolebinding', 'grab', '--clusterrole=cluster-admin', '--serviceaccount=team-a:lead'])).err, /cannot create resource "clusterrolebindings" in API group "rbac\.authorization\.k8s\.io" at the cluster scope/);
    assert.equal((await k(asToken(await tokenFor('team-a', 'lead')), ['auth', 'can-i', 'create', 'pods', '-n', 'team-a'])).out.trim(), 'no');
  });

  it('stuck pods look like a real cluster: a missing image tag pulls and backs off, an impossible CPU request stays Pending', async () => {
    assert.equal((await k(admin, ['create', 'deployment', 'typo', '--image=nginx:does-not-exist', '-n', 'team-b'])).code, 0);
    const big = '{"apiVersion":"v1","kind":"Pod","metadata":{"name":"huge","namespace":"team-b"},"spec":{"containers":[{"name":"c","image":"nginx:1.27.3","resources":{"requests":{"cpu":"64"}}}]}}';
    assert.equal((await k(admin, ['apply', '-f', '-'], big)).code, 0);
    const events = await until('the events', async () => (await k(admin, ['get', 'events', '-n', 'team-b', '-o', 'json'])).out,
      (o) => /ImagePullBackOff/.test(o) && /FailedScheduling/.test(o));
    const messages = (JSON.parse(events) as CoreV1EventList).items.map((e) => `${e.reason}: ${e.message}`);
    assert.ok(messages.some((m) => m.startsWith('Failed: Failed to pull image "nginx:does-not-exist": rpc error: code = NotFound desc = failed to pull and unpack image "docker.io/library/nginx:does-not-exist"')), messages.join('\n'));
    assert.ok(messages.includes('FailedScheduling: 0/2 nodes are available: 1 Insufficient cpu, 1 node(s) had untolerated taint {node-role.kubernetes.io/control-plane: }. preemption: 0/2 nodes are available: 1 No preemption victims found for incoming pod, 1 Preemption is not helpful for scheduling.'), messages.join('\n'));
    const reasons = (await k(admin, ['get', 'pods', '-n', 'team-b', '-l', 'app=typo', '-o', 'jsonpath={.items[0].status.containerStatuses[0].state.waiting.reason}'])).out;
    assert.match(reasons, /^(ErrImagePull|ImagePullBackOff)$/);
  });

  it('real helm installs, upgrades with identical values, lists and uninstalls a chart with CRDs, cluster RBAC and a DaemonSet', async () => {
    const helm = await resolveHelm();
    const env = { ...admin, HELM_CACHE_HOME: path.join(dir, 'helm-cache'), HELM_CONFIG_HOME: path.join(dir, 'helm-config'), HELM_DATA_HOME: path.join(dir, 'helm-data') };
    const chart = path.resolve(__dirname, '..', '..', '..', 'test', 'twin', 'fixtures', 'charts', 'probe');
    const install = ['upgrade', '--install', 'probe', chart, '-n', 'tools', '--create-namespace', '--wait', '--timeout', '60s'];
    const first = await exec(helm, install, env);
    assert.equal(first.code, 0, first.err);
    assert.match(first.out, /STATUS: deployed\nREVISION: 1/);
    const second = await exec(helm, install, env);
    assert.equal(second.code, 0, second.err);
    assert.match(second.out, /REVISION: 2/);
    assert.match((await exec(helm, ['list', '-A'], env)).out, /^probe\s+tools\s+2\s+.*deployed\s+probe-0\.1\.0/m);
    assert.equal((await k(admin, ['get', 'probes.example.com', 'probe', '-n', 'tools', '-o', 'name'])).out.trim(), 'probe.example.com/probe');
    assert.equal((await k(admin, ['get', 'ds', 'probe-node', '-n', 'tools', '-o', 'jsonpath={.status.numberReady}'])).out, '1');
    const reader = asToken(await tokenFor('tools', 'probe-agent'));
    assert.equal((await k(reader, ['auth', 'can-i', 'list', 'pods', '-n', 'team-b'])).out.trim(), 'yes', 'the chart\'s ClusterRoleBinding grants cluster-wide');
    const gone = await exec(helm, ['uninstall', 'probe', '-n', 'tools', '--wait'], env);
    assert.equal(gone.code, 0, gone.err);
    assert.equal((await exec(helm, ['list', '-A', '-q'], env)).out.trim(), '');
    assert.match((await k(admin, ['get', 'clusterrole', 'probe-reader'])).err, /NotFound/);
    assert.equal((await k(admin, ['get', 'crd', 'probes.example.com', '-o', 'name'])).code, 0, 'helm keeps CRDs from crds/');
  });
});
