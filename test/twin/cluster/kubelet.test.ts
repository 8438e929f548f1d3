import assert from 'assert/strict';
import type { KubeObject } from '../../../src/twin/contracts';
import { harness, statusOf, type Harness } from './harness';

function pod(name: string, spec: Record<string, unknown>): KubeObject {
  return { apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: 'default', labels: { app: name } }, spec };
}

function container(pod: KubeObject, name?: string): any {
  const all = pod.status?.containerStatuses ?? [];
  return name ? all.find((c: any) => c.name === name) : all[0];
}

describe('twin cluster: kubelet', () => {
  let h: Harness;
  beforeEach(() => {
    h = harness();
  });
  afterEach(() => h.stop());

  it('runs a pod through Pulling/Pulled/Created/Started with the real event wording and full status', () => {
    h.create('pods', pod('web', { containers: [{ name: 'web', image: 'nginx:1.25', resources: { requests: { cpu: '50m' }, limits: { cpu: '100m', memory: '64Mi' } } }] }));
    h.run(3000);
    const p = h.store.get('pods', 'default', 'web')!;
    assert.equal(p.status.phase, 'Running');
    assert.deepEqual(
      p.status.conditions.map((c: any) => `${c.type}=${c.status}`),
      ['PodReadyToStartContainers=True', 'Initialized=True', 'Ready=True', 'ContainersReady=True', 'PodScheduled=True'],
    );
    assert.equal(p.status.qosClass, 'Burstable');
    assert.equal(p.status.hostIP, '172.18.0.2');
    const c = container(p);
    assert.equal(c.ready, true);
    assert.equal(c.started, true);
    assert.equal(c.image, 'docker.io/library/nginx:1.25');
    assert.match(c.imageID, /^docker\.io\/library\/nginx@sha256:[0-9a-f]{64}$/);
    assert.match(c.containerID, /^containerd:\/\/[0-9a-f]{64}$/);
    const reasons = h.events().filter((e) => (e.involvedObject as any).name === 'web').map((e) => `${String(e.reason)}: ${String(e.message)}`);
    assert.equal(reasons[0], 'Scheduled: Successfully assigned default/web to kind-worker');
    assert.equal(reasons[1], 'Pulling: Pulling image "nginx:1.25"');
    assert.match(reasons[2], /^Pulled: Successfully pulled image "nginx:1\.25" in [0-9.]+m?s \([0-9.]+m?s including waiting\)\. Image size: \d+ bytes\.$/);
    assert.equal(reasons[3], 'Created: Created container web');
    assert.equal(reasons[4], 'Started: Started container web');
    const started = h.events('default', 'Started')[0];
    assert.deepEqual(started.source, { component: 'kubelet', host: 'kind-worker' });
    assert.equal((started.involvedObject as any).fieldPath, 'spec.containers{web}');
    const logs = h.cluster.runtime.logs({ namespace: 'default', pod: 'web', container: 'web' });
    assert.equal(logs.length, 1);
    assert.match(logs[0].time, /^2026-03-01T10:00:0\d\.\d{9}Z$/);
  });

  it('crash-loops an exiting container with growing back-off, restart counts and BackOff events', () => {
    h.create('pods', pod('geo', { containers: [{ name: 'hotel-reserv-geo', image: 'busybox:1.36', command: ['sh', '-c', 'echo starting; echo fatal error >&2; exit 1'] }] }));
    h.run(1500);
    let p = h.store.get('pods', 'default', 'geo')!;
    // First exit: Error, restarted immediately (no back-off the first time).
    const seen: string[] = [];
    const restartsAt: number[] = [];
    let lastRestarts = 0;
    for (let t = 0; t < 400_000; t += 500) {
      h.run(500);
      p = h.store.get('pods', 'default', 'geo')!;
      const s = statusOf(p);
      if (seen[seen.length - 1] !== s) seen.push(s);
      const rc = container(p).restartCount;
      if (rc !== lastRestarts) {
        restartsAt.push(t);
        lastRestarts = rc;
      }
    }
    assert.ok(seen.includes('Error'), seen.join(','));
    assert.ok(seen.includes('CrashLoopBackOff'), seen.join(','));
    const gaps = restartsAt.slice(1).map((t, i) => t - restartsAt[i]);
    // 10 s, 20 s, 40 s, 80 s, 160 s (+ the short run and sync each time), then capped at 5 min.
    assert.ok(gaps.length >= 4, `restarts at ${restartsAt.join(',')}`);
    for (let i = 1; i < gaps.length; i++) assert.ok(gaps[i] > gaps[i - 1] * 1.6, `gaps ${gaps.join(',')}`);
    const c = container(p);
    assert.ok(c.restartCount >= 5);
    assert.equal(c.lastState.terminated.exitCode, 1);
    assert.equal(c.lastState.terminated.reason, 'Error');
    if (c.state.waiting) {
      assert.equal(c.state.waiting.reason, 'CrashLoopBackOff');
      // Last State is the most recent exit, not the one before it.
      const sinceExit = h.clock.now() - Date.parse(c.lastState.terminated.finishedAt);
      assert.ok(sinceExit <= 300_000 + 2000, `last exit ${sinceExit} ms ago`);
      assert.match(c.state.waiting.message, /^back-off (\d+m)?\d+s restarting failed container=hotel-reserv-geo pod=geo_default\([0-9a-z-]+\)$/);
    }
    assert.equal(p.status.phase, 'Running');
    const backoff = h.events('default', 'BackOff')[0];
    assert.equal(backoff.type, 'Warning');
    assert.match(String(backoff.message), /^Back-off restarting failed container hotel-reserv-geo in pod geo_default\([0-9a-z-]+\)$/);
    assert.ok((backoff.count as number) > 1);
    // Logs: current and previous instance.
    const prev = h.cluster.runtime.logs({ namespace: 'default', pod: 'geo', container: 'hotel-reserv-geo', previous: true });
    assert.deepEqual(prev.map((l) => l.text), ['starting', 'fatal error']);
  });

  it('stops at 5 minutes of back-off', () => {
    h.create('pods', pod('crash', { containers: [{ name: 'c', image: 'busybox:1.36', command: ['false'] }] }));
    h.run(30 * 60_000);
    const msg = container(h.store.get('pods', 'default', 'crash')!).state.waiting?.message ?? '';
    const events = h.events('default', 'BackOff');
    assert.ok(events.length >= 1);
    const restarts = container(h.store.get('pods', 'default', 'crash')!).restartCount;
    // 0+10+20+40+80+160+300+300+... seconds: about 10 restarts in 30 minutes.
    assert.ok(restarts >= 8 && restarts <= 12, `restarts ${restarts}`);
    if (msg) assert.match(msg, /^back-off 5m0s restarting failed container=c pod=crash_default/);
  });

  it('turns an unknown image into ErrImagePull then ImagePullBackOff with the real messages', () => {
    h.cluster.registerMissingImage('yinfangchen/geo:app4');
    h.create('pods', pod('geo', { containers: [{ name: 'geo', image: 'yinfangchen/geo:app4' }] }));
    h.run(800);
    let c = container(h.store.get('pods', 'default', 'geo')!);
    assert.equal(c.state.waiting.reason, 'ErrImagePull');
    assert.equal(
      c.state.waiting.message,
      'rpc error: code = NotFound desc = failed to pull and unpack image "docker.io/yinfangchen/geo:app4": failed to resolve reference "docker.io/yinfangchen/geo:app4": docker.io/yinfangchen/geo:app4: not found',
    );
    h.run(2000);
    const p = h.store.get('pods', 'default', 'geo')!;
    c = container(p);
    assert.equal(c.state.waiting.reason, 'ImagePullBackOff');
    assert.equal(c.state.waiting.message, 'Back-off pulling image "yinfangchen/geo:app4"');
    assert.equal(c.restartCount, 0);
    assert.equal(p.status.phase, 'Pending');
    const failed = h.events('default', 'Failed').map((e) => e.message);
    assert.ok(failed.includes('Error: ErrImagePull'));
    assert.ok(failed.includes('Error: ImagePullBackOff'));
    assert.ok(failed.some((m) => String(m).startsWith('Failed to pull image "yinfangchen/geo:app4": rpc error: code = NotFound')));
    assert.throws(() => h.cluster.runtime.logs({ namespace: 'default', pod: 'geo', container: 'geo' }), /is waiting to start: trying and failing to pull image/);
  });

  it('rejects a syntactically invalid image reference with InvalidImageName', () => {
    h.create('pods', pod('bad', { containers: [{ name: 'c', image: 'Nginx:Latest' }] }));
    h.run(2000);
    const c = container(h.store.get('pods', 'default', 'bad')!);
    assert.equal(c.state.waiting.reason, 'InvalidImageName');
    assert.match(c.state.waiting.message, /couldn't parse image name "Nginx:Latest": invalid reference format/);
  });

  it('keeps a pod ContainerCreating with FailedMount while its ConfigMap is missing, then starts it', () => {
    h.create('pods', pod('cfg', {
      containers: [{ name: 'app', image: 'nginx:1.25', volumeMounts: [{ name: 'conf', mountPath: '/etc/app' }] }],
      volumes: [{ name: 'conf', configMap: { name: 'app-config' } }],
    }));
    h.run(3000);
    let p = h.store.get('pods', 'default', 'cfg')!;
    assert.equal(statusOf(p), 'ContainerCreating');
    assert.equal(p.status.podIP, undefined);
    const fm = h.events('default', 'FailedMount')[0];
    assert.equal(fm.message, 'MountVolume.SetUp failed for volume "conf" : configmap "app-config" not found');
    h.create('configmaps', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'app-config', namespace: 'default' }, data: { 'app.yaml': 'port: 8080\n' } });
    h.run(3000);
    p = h.store.get('pods', 'default', 'cfg')!;
    assert.equal(p.status.phase, 'Running');
  });

  it('answers exec with env, cat of mounted ConfigMaps/Secrets (items and subPath), ls, hostname and 127 for unknown commands', async () => {
    h.create('configmaps', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cm', namespace: 'default' }, data: { 'a.conf': 'A=1\n', 'b.conf': 'B=2\n' } });
    h.create('secrets', { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'sec', namespace: 'default' }, data: { password: Buffer.from('admin').toString('base64') } });
    h.create('pods', pod('app', {
      containers: [{
        name: 'app', image: 'nginx:1.25',
        env: [{ name: 'MODE', value: 'prod' }, { name: 'URL', value: 'http://$(MODE).local' }, { name: 'POD', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } }, { name: 'PW', valueFrom: { secretKeyRef: { name: 'sec', key: 'password' } } }],
        volumeMounts: [
          { name: 'conf', mountPath: '/etc/conf' },
          { name: 'one', mountPath: '/etc/b.conf', subPath: 'b.conf' },
          { name: 'sec', mountPath: '/etc/secret' },
        ],
      }],
      volumes: [
        { name: 'conf', configMap: { name: 'cm', items: [{ key: 'a.conf', path: 'renamed.conf' }] } },
        { name: 'one', configMap: { name: 'cm' } },
        { name: 'sec', secret: { secretName: 'sec' } },
      ],
    }));
    h.run(3000);
    const exec = (command: string[]) => h.cluster.runtime.exec({ namespace: 'default', pod: 'app', container: 'app', command });
    const env = await exec(['env']);
    assert.match(env.stdout, /^MODE=prod$/m);
    assert.match(env.stdout, /^URL=http:\/\/prod\.local$/m);
    assert.match(env.stdout, /^POD=app$/m);
    assert.match(env.stdout, /^PW=admin$/m);
    assert.match(env.stdout, /^KUBERNETES_SERVICE_HOST=10\.96\.0\.1$/m);
    assert.equal((await exec(['cat', '/etc/conf/renamed.conf'])).stdout, 'A=1\n');
    assert.equal((await exec(['cat', '/etc/b.conf'])).stdout, 'B=2\n');
    assert.equal((await exec(['cat', '/etc/secret/password'])).stdout, 'admin');
    assert.equal((await exec(['ls', '/etc/conf'])).stdout, 'renamed.conf\n');
    assert.equal((await exec(['hostname'])).stdout, 'app\n');
    assert.equal((await exec(['sh', '-c', 'echo $MODE && cat /etc/b.conf | grep B'])).stdout, 'prod\nB=2\n');
    const missing = await exec(['sh', '-c', 'nslookup user-service']);
    assert.equal(missing.exitCode, 127);
    assert.equal(missing.stderr, 'sh: 1: nslookup: not found\n');
    const direct = await exec(['nslookup', 'x']);
    assert.equal(direct.exitCode, 126);
    assert.match(direct.stderr, /^OCI runtime exec failed: exec failed: unable to start container process: exec: "nslookup": executable file not found in \$PATH: unknown/);
    assert.equal((await exec(['false'])).exitCode, 1);
    assert.match((await exec(['ps', 'aux'])).stdout, /PID/);
  });

  it('uses a registered behaviour for logs, exec and usage; restarts a container whose image changed in place', async () => {
    h.cluster.registerBehaviour('mongo:*', {
      start: () => ({ kind: 'running', lines: ['{"t":{"$date":"x"},"s":"I","msg":"Waiting for connections"}'] }),
      logsBetween: (_ctx, from, to) => Array.from({ length: Math.floor(to / 10000) - Math.floor(from / 10000) }, () => 'tick'),
      exec: (_ctx, command) => (command[0] === 'mongo' ? { stdout: 'MongoDB shell version v4.4.6\n', stderr: '', exitCode: 0 } : undefined),
      usage: () => ({ cpuMillis: 42, memoryBytes: 100 * 1024 * 1024 }),
    });
    h.create('pods', pod('db', { containers: [{ name: 'mongo', image: 'mongo:4.4.6' }] }));
    h.run(35_000);
    const lines = h.cluster.runtime.logs({ namespace: 'default', pod: 'db', container: 'mongo' }).map((l) => l.text);
    assert.equal(lines[0], '{"t":{"$date":"x"},"s":"I","msg":"Waiting for connections"}');
    assert.ok(lines.filter((l) => l === 'tick').length >= 3);
    assert.equal((await h.cluster.runtime.exec({ namespace: 'default', pod: 'db', container: 'mongo', command: ['mongo', '--version'] })).stdout, 'MongoDB shell version v4.4.6\n');
    assert.equal((await h.cluster.runtime.exec({ namespace: 'default', pod: 'db', container: 'mongo', command: ['echo', 'hi'] })).stdout, 'hi\n');
    assert.deepEqual(h.cluster.runtime.podUsage('default', 'db'), [{ name: 'mongo', cpuMillis: 42, memoryBytes: 100 * 1024 * 1024 }]);
    const node = h.cluster.runtime.nodeUsage('kind-worker')!;
    assert.ok(node.cpuMillis >= 42);
    // Chaos Mesh pod-failure style: the image is patched in place → Killing + restart, same pod.
    const p = h.store.get('pods', 'default', 'db')!;
    p.spec.containers[0].image = 'gcr.io/google-containers/pause:latest';
    h.store.update('pods', p);
    h.run(3000);
    const after = h.store.get('pods', 'default', 'db')!;
    assert.equal(container(after).restartCount, 1);
    assert.equal(container(after).image, 'gcr.io/google-containers/pause:latest');
    assert.ok(h.events('default', 'Killing').some((e) => e.message === 'Container mongo definition changed, will be restarted'));
    assert.equal(h.cluster.runtime.logs({ namespace: 'default', pod: 'db', container: 'mongo', previous: true })[0].text, lines[0]);
  });

  it('runs init containers in order before the app containers', () => {
    h.create('pods', pod('withinit', {
      initContainers: [{ name: 'init-config', image: 'busybox:1.36', command: ['sh', '-c', 'echo copying; sleep 5'] }],
      containers: [{ name: 'app', image: 'nginx:1.25' }],
    }));
    h.run(2000);
    let p = h.store.get('pods', 'default', 'withinit')!;
    assert.equal(p.status.phase, 'Pending');
    assert.equal(p.status.initContainerStatuses[0].state.running !== undefined, true);
    assert.equal(container(p).state.waiting.reason, 'PodInitializing');
    h.run(8000);
    p = h.store.get('pods', 'default', 'withinit')!;
    assert.equal(p.status.phase, 'Running');
    assert.equal(p.status.initContainerStatuses[0].state.terminated.reason, 'Completed');
    assert.deepEqual(h.cluster.runtime.logs({ namespace: 'default', pod: 'withinit', container: 'init-config' }).map((l) => l.text), ['copying']);
  });

  it('marks a pod not ready when its readiness probe fails (behaviour hook) and ready again when it passes', () => {
    let healthy = false;
    h.cluster.registerBehaviour('example/api:1', { start: () => ({ kind: 'running' }), probe: () => healthy });
    h.create('pods', pod('api', { containers: [{ name: 'api', image: 'example/api:1', readinessProbe: { httpGet: { path: '/healthz', port: 8080 }, periodSeconds: 5, initialDelaySeconds: 1 } }] }));
    h.run(10_000);
    let p = h.store.get('pods', 'default', 'api')!;
    assert.equal(container(p).ready, false);
    assert.equal(p.status.conditions.find((c: any) => c.type === 'Ready').reason, 'ContainersNotReady');
    const unhealthy = h.events('default', 'Unhealthy')[0];
    assert.match(String(unhealthy.message), /^Readiness probe failed: Get "http:\/\/10\.244\.1\.\d+:8080\/healthz": dial tcp 10\.244\.1\.\d+:8080: connect: connection refused$/);
    healthy = true;
    h.run(10_000);
    p = h.store.get('pods', 'default', 'api')!;
    assert.equal(container(p).ready, true);
  });

  it('container-kill: exit 137, restarted at once in the same pod, --previous has the old log', () => {
    h.create('pods', pod('geo', { containers: [{ name: 'hotel-reserv-geo', image: 'yinfangchen/hotelreservation:latest' }] }));
    h.run(3000);
    assert.equal(h.cluster.killContainer('default', 'geo', 'hotel-reserv-geo'), true);
    h.run(3000);
    const p = h.store.get('pods', 'default', 'geo')!;
    const c = container(p);
    assert.equal(c.restartCount, 1);
    assert.equal(c.ready, true);
    assert.deepEqual({ code: c.lastState.terminated.exitCode, reason: c.lastState.terminated.reason }, { code: 137, reason: 'Error' });
    assert.equal(statusOf(p), 'Running');
    assert.equal(h.cluster.runtime.logs({ namespace: 'default', pod: 'geo', container: 'hotel-reserv-geo', previous: true }).length, 1);
    assert.equal(h.cluster.killContainer('default', 'nope', 'x'), false);
  });

  it('an init container script with file tools prints what it copied (flagd init-config) and the pause image is silent', () => {
    h.create('configmaps', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'flagd-config', namespace: 'default' }, data: { 'demo.flagd.json': '{"flags":{"adFailure":{"defaultVariant":"on"}}}' } });
    h.create('pods', pod('flagd', {
      initContainers: [{ name: 'init-config', image: 'busybox:1.36', command: ['sh', '-c', 'cp /config-ro/demo.flagd.json /config-rw/demo.flagd.json && cat /config-rw/demo.flagd.json'], volumeMounts: [{ name: 'ro', mountPath: '/config-ro' }, { name: 'rw', mountPath: '/config-rw' }] }],
      containers: [{ name: 'flagd', image: 'ghcr.io/open-feature/flagd:v0.11.1', command: ['/flagd-build', 'start', '--uri', 'file:./etc/flagd/demo.flagd.json'] }, { name: 'sidecar', image: 'registry.k8s.io/pause:3.10' }],
      volumes: [{ name: 'ro', configMap: { name: 'flagd-config' } }, { name: 'rw', emptyDir: {} }],
    }));
    h.run(5000);
    const p = h.store.get('pods', 'default', 'flagd')!;
    assert.equal(p.status.phase, 'Running');
    assert.deepEqual(h.cluster.runtime.logs({ namespace: 'default', pod: 'flagd', container: 'init-config' }).map((l) => l.text), ['{"flags":{"adFailure":{"defaultVariant":"on"}}}']);
    assert.deepEqual(h.cluster.runtime.logs({ namespace: 'default', pod: 'flagd', container: 'sidecar' }), []);
    assert.equal(container(p, 'flagd').state.running !== undefined, true);
  });

  it('OOM-kills a container whose behaviour uses more memory than its limit', () => {
    h.cluster.registerBehaviour('example/leaky:1', {
      start: () => ({ kind: 'running', lines: ['cache warming'] }),
      usage: (ctx, now) => ({ cpuMillis: 50, memoryBytes: (100 + ((now - Date.parse(ctx.pod.status?.startTime ?? '2026-03-01T10:00:00Z')) / 1000) * 10) * 1024 * 1024 }),
    });
    h.create('pods', pod('rec', { containers: [{ name: 'recommendation', image: 'example/leaky:1', resources: { limits: { memory: '500Mi' } } }] }));
    h.run(60_000);
    const c = container(h.store.get('pods', 'default', 'rec')!);
    assert.ok(c.restartCount >= 1);
    assert.equal(c.lastState.terminated.reason, 'OOMKilled');
    assert.equal(c.lastState.terminated.exitCode, 137);
  });

  it('reports CreateContainerConfigError for an env var from a missing ConfigMap and recovers when it appears', () => {
    h.create('pods', pod('cfgerr', { containers: [{ name: 'app', image: 'nginx:1.25', env: [{ name: 'DB', valueFrom: { configMapKeyRef: { name: 'db-config', key: 'url' } } }] }] }));
    h.run(3000);
    let c = container(h.store.get('pods', 'default', 'cfgerr')!);
    assert.equal(c.state.waiting.reason, 'CreateContainerConfigError');
    assert.equal(c.state.waiting.message, 'configmap "db-config" not found');
    assert.ok(h.events('default', 'Failed').some((e) => e.message === 'Error: configmap "db-config" not found'));
    h.create('configmaps', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'db-config', namespace: 'default' }, data: { url: 'mongodb://db:27017' } });
    h.run(3000);
    c = container(h.store.get('pods', 'default', 'cfgerr')!);
    assert.ok(c.state.running, JSON.stringify(c.state));
  });

  it('shows the exit that just happened as Last State while backing off', () => {
    const t0 = h.clock.now();
    h.create('pods', pod('crash2', { containers: [{ name: 'c', image: 'busybox:1.36', command: ['sh', '-c', 'exit 3'] }] }));
    h.run(3500);
    const c = container(h.store.get('pods', 'default', 'crash2')!);
    assert.equal(c.state.waiting?.reason, 'CrashLoopBackOff');
    assert.equal(c.restartCount, 1);
    // First exit ≈ 0.6 s, restart after the 1 s sync, second exit ≈ 1.8 s (timestamps have second precision).
    const finished = Date.parse(c.lastState.terminated.finishedAt) - t0;
    assert.ok(finished >= 1000, `last exit at +${finished} ms`);
    assert.equal(c.lastState.terminated.exitCode, 3);
  });
});
