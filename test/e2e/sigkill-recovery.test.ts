import { strict as assert } from 'node:assert';
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Kubectl } from '../../src/env/kubectl';
import { resolveKubectl } from '../../src/twin/kubectl-path';
import { diffAppAgainstManifests, formatDifference } from '../../src/env/cluster-diff';
import { runCli } from '../support/cli';

/**
 * kill -9 in the middle of a problem, for each injector kind (both Flower faults too): the next start
 * (`aiopslab recover`, or a plain `human` run) names the leftover fault, undoes it, and the app's namespace equals a
 * clean deployment object by object.
 *
 * The cluster must outlive the killed process, so all cases share one embedded cluster started with
 * `aiopslab twin start --detach` and used as a kubeconfig context (`--cluster aiopslab-twin`), as a user would.
 * Each session is the `human` agent reading an open stdin: it blocks for input, so the session is mid-problem
 * (fault injected, journal written) when it is killed — while it waits for the agent (workload running), or, for
 * problems that wait after the injection (settleSeconds), during that wait.
 *
 * After recovery: the namespace equals the manifests (diffAppAgainstManifests: no changed, missing or extra object,
 * so no Chaos Mesh resource either), state the objects cannot show is healed (Mongo users), the killed session's
 * wrk2 load generator is gone, and the journal is empty. The first case is recovered by the next case's plain start
 * instead of `aiopslab recover`, which must say so.
 */
const root = path.resolve(__dirname, '..', '..', '..');
const bin = path.join(root, 'bin', 'aiopslab.js');
const CONTEXT = 'aiopslab-twin';

const NS = { hotel: 'test-hotel-reservation', social: 'test-social-network', astronomy: 'astronomy-shop', flower: 'docker' };
const MANIFESTS: Record<string, string> = {
  [NS.hotel]: path.join(root, 'apps', 'hotel-reservation', 'manifests'),
  [NS.social]: path.join(root, 'apps', 'social-network', 'manifests'),
  [NS.astronomy]: path.join(root, 'apps', 'astronomy-shop', 'manifests'),
  [NS.flower]: path.join(root, 'apps', 'flower', 'manifests'),
};

interface Case {
  problem: string;
  kind: string;
  namespace: string;
  /** The fault can be seen in the cluster. */
  visible(k: Kubectl): Promise<boolean>;
  /** Extra proof that the fault is gone, beyond the object comparison (state inside a database, a container). */
  healed?(k: Kubectl): Promise<void>;
  /**
   * Where the kill lands: `agent` once the session waits for the agent's first action (fault injected, workload
   * running); `settle` while the engine still waits after the injection (problems with settleSeconds).
   */
  killAt?: 'agent' | 'settle';
  /** Recovered by the next case's plain `human` start instead of `aiopslab recover`. */
  recoveredByNextRun?: boolean;
}

async function json(k: Kubectl, args: string[]): Promise<any> { // eslint-disable-line @typescript-eslint/no-explicit-any
  return k.json(args).catch(() => undefined);
}

async function mongoUser(k: Kubectl, ns: string, mongo: string): Promise<string> {
  const pods = await k.json(['get', 'pods', '-n', ns, '-l', `io.kompose.service=${mongo}`]);
  const running = (pods.items as Array<{ metadata: { name: string; deletionTimestamp?: string }; status?: { phase?: string } }>).filter((p) => !p.metadata.deletionTimestamp && p.status?.phase === 'Running');
  if (!running.length) return '';
  return k.run(['exec', running[0].metadata.name, '-n', ns, '--', 'mongo', 'admin', '-u', 'root', '-p', 'root', '--authenticationDatabase', 'admin', '--quiet', '--eval', 'printjson(db.getUser("admin"))']).catch(() => '');
}

const CASES: Case[] = [
  {
    problem: 'k8s_target_port-misconfig-detection-1', kind: 'k8s-target-port', namespace: NS.social, recoveredByNextRun: true,
    visible: async (k) => (await json(k, ['get', 'service', 'user-service', '-n', NS.social]))?.spec.ports[0].targetPort === 9999,
  },
  {
    problem: 'wrong_bin_usage-detection-1', kind: 'wrong-bin-usage', namespace: NS.hotel,
    visible: async (k) => (await json(k, ['get', 'deployment', 'profile', '-n', NS.hotel]))?.spec.template.spec.containers[0].command[0] === 'geo',
  },
  {
    problem: 'scale_pod_zero_social_net-detection-1', killAt: 'settle', kind: 'scale-to-zero', namespace: NS.social,
    visible: async (k) => (await json(k, ['get', 'deployment', 'user-service', '-n', NS.social]))?.spec.replicas === 0,
  },
  {
    problem: 'assign_to_non_existent_node_social_net-detection-1', killAt: 'settle', kind: 'assign-non-existent-node', namespace: NS.social,
    visible: async (k) => (await json(k, ['get', 'deployment', 'user-service', '-n', NS.social]))?.spec.template.spec.nodeSelector?.['kubernetes.io/hostname'] === 'extra-node',
  },
  {
    problem: 'misconfig_app_hotel_res-detection-1', killAt: 'settle', kind: 'image-change', namespace: NS.hotel,
    visible: async (k) => (await json(k, ['get', 'deployment', 'geo', '-n', NS.hotel]))?.spec.template.spec.containers[0].image === 'yinfangchen/geo:app3',
  },
  {
    problem: 'pod_failure_hotel_res-detection-1', kind: 'chaos-pod-failure', namespace: NS.hotel,
    visible: async (k) => (await json(k, ['get', 'podchaos', `${NS.hotel}-pod-failure-experiment`, '-n', 'chaos-mesh'])) !== undefined,
  },
  {
    problem: 'network_delay_hotel_res-detection-1', kind: 'chaos-network-delay', namespace: NS.hotel,
    visible: async (k) => (await json(k, ['get', 'networkchaos', `${NS.hotel}-delay`, '-n', 'chaos-mesh'])) !== undefined,
  },
  {
    problem: 'revoke_auth_mongodb-detection-1', kind: 'mongo-revoke-auth', namespace: NS.hotel,
    visible: async (k) => {
      const user = await mongoUser(k, NS.hotel, 'mongodb-geo');
      return /"user"\s*:\s*"admin"/.test(user) && !/geo-db/.test(user);
    },
    healed: async (k) => assert.match(await waitFor(() => mongoUser(k, NS.hotel, 'mongodb-geo'), (u) => /geo-db/.test(u), 'the admin user to read geo-db again'), /readWrite[\s\S]*geo-db|geo-db[\s\S]*readWrite/),
  },
  {
    problem: 'user_unregistered_mongodb-detection-1', kind: 'mongo-user-unregistered', namespace: NS.hotel,
    visible: async (k) => /^\s*null\s*$/.test(await mongoUser(k, NS.hotel, 'mongodb-geo')),
    healed: async (k) => assert.match(await waitFor(() => mongoUser(k, NS.hotel, 'mongodb-geo'), (u) => /geo-db/.test(u), 'the admin user to exist again'), /"user"\s*:\s*"admin"/),
  },
  {
    problem: 'auth_miss_mongodb-detection-1', kind: 'mongo-require-tls', namespace: NS.social,
    visible: async (k) => /requireTLS/.test((await json(k, ['get', 'configmap', 'url-shorten-mongodb', '-n', NS.social]))?.data?.['mongod.conf'] ?? ''),
  },
  {
    problem: 'astronomy_shop_ad_service_failure-detection-1', kind: 'flagd', namespace: NS.astronomy,
    visible: async (k) => {
      const raw = (await json(k, ['get', 'configmap', 'flagd-config', '-n', NS.astronomy]))?.data?.['demo.flagd.json'];
      return !!raw && JSON.parse(raw).flags?.adFailure?.defaultVariant === 'on';
    },
  },
  {
    problem: 'redeploy_without_PV-detection-1', killAt: 'settle', kind: 'redeploy-without-pv', namespace: NS.hotel,
    visible: async (k) => (await json(k, ['get', 'pvc', 'geo-pvc', '-n', NS.hotel]))?.status?.phase === 'Pending',
  },
  {
    problem: 'flower_node_stop-detection', killAt: 'settle', kind: 'flower-container-stop', namespace: NS.flower,
    visible: async (k) => (await json(k, ['get', 'pod', 'supernode-1', '-n', NS.flower]))?.metadata.annotations?.['twin.aiopslab.io/docker-stop'] !== undefined,
  },
  {
    problem: 'flower_model_misconfig-detection', kind: 'flower-model-misconfig', namespace: NS.flower, killAt: 'settle',
    visible: async (k) => /Linear\(80, 10\)/.test(await taskLine(k)),
    healed: async (k) => assert.match(await taskLine(k), /Linear\(84, 10\)/),
  },
];

/** Line 24 of the Flower app's task.py installed in clientapp-1 (the model's last layer). */
async function taskLine(k: Kubectl): Promise<string> {
  const text = await k.run(['exec', 'clientapp-1', '-n', NS.flower, '--', 'sh', '-c', 'cat /app/.flwr/apps/*/task.py']).catch(() => '');
  return text.split('\n')[23] ?? '';
}

async function waitFor<T>(probe: () => Promise<T>, ok: (v: T) => boolean, what: string, ms = 60_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await probe();
    if (ok(v)) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what} (last: ${JSON.stringify(v)?.slice(0, 300)})`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

describe('kill -9 mid-problem: the next start recovers the leftover fault (one shared embedded cluster)', function () {
  this.timeout(120_000);
  const cwd = fs.mkdtempSync(path.join(os.tmpdir(), 'aiopslab-sigkill-'));
  const results = path.join(cwd, 'results');
  const journalFile = path.join(results, '.state', 'recovery-journal.json');
  let env: NodeJS.ProcessEnv;
  let k: Kubectl;
  let pending: { session: Session; c: Case } | undefined;

  interface Session { child: ChildProcess; out: () => string; exited: Promise<void> }

  /** kill -9 of the CLI process (and its process group). */
  const kill9 = (session: Session) => {
    try {
      process.kill(-session.child.pid!, 'SIGKILL');
    } catch {
      session.child.kill('SIGKILL');
    }
  };

  const cli = (args: string[]) => runCli(['--results', results, '--cluster', CONTEXT, ...args], { cwd, env });

  /** `aiopslab human <problem>` with stdin left open: it deploys, injects, and then waits for the first action. */
  const startSession = (problem: string): Session => {
    // Its own process group, so the kill also takes the kubectl/docker children it may be waiting on, as closing a
    // terminal would (and nothing of it outlives the test).
    const child = spawn(process.execPath, [bin, '--results', results, '--cluster', CONTEXT, 'human', problem], { cwd, env, stdio: ['pipe', 'pipe', 'pipe'], detached: true });
    let text = '';
    child.stdout.on('data', (b) => (text += b));
    child.stderr.on('data', (b) => (text += b));
    const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
    return { child, out: () => text, exited };
  };

  const journal = (): Array<{ id: string; pid?: number; problemId: string; fault: { kind: string } }> => {
    try {
      return JSON.parse(fs.readFileSync(journalFile, 'utf8'));
    } catch {
      return [];
    }
  };

  const assertClean = async (namespace: string) => {
    const differences = await diffAppAgainstManifests({ kubectl: k, manifestsDir: MANIFESTS[namespace], namespace });
    assert.deepEqual(differences.map(formatDifference), [], `${namespace} equals a clean deployment`);
  };

  before(async function () {
    this.timeout(60_000);
    const r = await new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
      const child = spawn(process.execPath, [bin, '--results', results, 'twin', 'start', '--detach'], { cwd, env: process.env });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (b) => (stdout += b));
      child.stderr.on('data', (b) => (stderr += b));
      child.on('close', (code) => resolve({ code, stdout, stderr }));
    });
    assert.equal(r.code, 0, r.stderr);
    const kubeconfig = /export KUBECONFIG=(.+)/.exec(r.stdout)![1].trim();
    // The cluster's own docker CLI (for Flower), as a user of `twin start` would set it.
    // The agent acts with the context's own credentials here: what is tested is recovery, not the agent's identity.
    env = { ...process.env, KUBECONFIG: kubeconfig, AIOPSLAB_DOCKER: path.join(path.dirname(kubeconfig), 'bin', 'docker'), AIOPSLAB_AGENT_IDENTITY: 'kubeconfig' };
    k = new Kubectl({ kubectl: await resolveKubectl(), kubeconfigPath: kubeconfig, context: CONTEXT, kubeCacheDir: path.join(cwd, 'kube-cache') });
  });

  after(async function () {
    this.timeout(30_000);
    if (pending && pending.session.child.exitCode === null) kill9(pending.session);
    await new Promise<void>((resolve) => {
      const child = spawn(process.execPath, [bin, '--results', results, 'twin', 'stop'], { cwd, env: process.env, stdio: 'ignore' });
      child.on('close', () => resolve());
    });
    fs.rmSync(cwd, { recursive: true, force: true });
  });

  for (const c of CASES) {
    it(`${c.kind} (${c.problem})`, async () => {
      const session = startSession(c.problem);
      try {
        if (pending) {
          // The previous case's leftover: this plain start reports and recovers it before its own deploy.
          const before = pending;
          pending = undefined;
          await waitFor(async () => session.out(), (o) => /Recovered a fault left behind/.test(o) || /aiopslab:|Error/.test(o), 'the start to report the leftover');
          assert.match(session.out(), new RegExp(`Recovered a fault left behind by an earlier session that did not finish: ${before.c.kind} .*problem ${before.c.problem}`));
          if (before.c.namespace !== c.namespace) await assertClean(before.c.namespace);
          await kubectlDeleteNamespace(k, before.c.namespace);
        }
        await waitFor(async () => journal().find((e) => e.pid === session.child.pid), (e) => e !== undefined, 'the recovery journal entry', 90_000);
        await waitFor(() => c.visible(k), (v) => v, `the ${c.kind} fault to be visible`, 90_000);
        if ((c.killAt ?? 'agent') === 'agent') await waitFor(async () => session.out(), (o) => o.includes('aiopslab> '), 'the session to wait for the first action');
        assert.equal(session.child.exitCode, null, `the session is still running:\n${session.out()}`);
      } catch (error) {
        kill9(session);
        throw new Error(`${(error as Error).message}\n--- session output ---\n${session.out().slice(-3000)}`);
      }
      kill9(session);
      await session.exited;
      assert.equal(journal().length, 1, 'the killed session left its fault in the journal');
      const lastEntry = journal()[0];

      if (c.recoveredByNextRun) {
        pending = { session, c };
        return;
      }
      const r = await cli(['recover']);
      assert.equal(r.code, 0, r.stdout + r.stderr);
      assert.match(r.stdout, /Undone \(1\):/);
      assert.match(r.stdout, new RegExp(`✓ ${c.kind}: `));
      assert.match(r.stdout, new RegExp(`problem ${c.problem} · namespace ${c.namespace}`));
      assert.deepEqual(journal(), [], 'the journal is empty after recovery');
      if (c.kind === 'redeploy-without-pv') {
        // Its recovery is the app's full cleanup (namespace and volumes); a clean deployment must then work as on a new cluster.
        assert.match(r.stdout, /namespace test-hotel-reservation is gone/);
        await k.run(['create', 'namespace', c.namespace]);
        await k.run(['apply', '-R', '-f', MANIFESTS[c.namespace], '-n', c.namespace]);
        await waitFor(async () => (await k.json(['get', 'pvc', '-n', c.namespace])).items.map((p: { status?: { phase?: string } }) => p.status?.phase), (phases: string[]) => phases.length > 0 && phases.every((p) => p === 'Bound'), 'the claims to bind');
      } else {
        assert.match(r.stdout, new RegExp(`app check: namespace ${c.namespace} matches the app's manifests again`));
      }
      await assertClean(c.namespace);
      await c.healed?.(k);
      // And the app works again: every pod runs with all containers ready (crash loops, pause images, Pending gone).
      await waitFor(async () => unready(k, c.namespace), (u) => u.length === 0, `every pod of ${c.namespace} to be ready`);
      const workload = (await k.run(['get', 'jobs,configmaps', '-n', 'default', '-o', 'name'])).split('\n').filter((n) => /wrk2/.test(n));
      assert.deepEqual(workload, [], "the killed session's wrk2 workload is stopped too");

      // A kill between writing the journal and injecting leaves an entry for a fault that is not there: recovering
      // it again must succeed and change nothing (recover is idempotent).
      if (c.kind !== 'redeploy-without-pv') {
        fs.writeFileSync(journalFile, JSON.stringify([{ ...lastEntry, id: `${lastEntry.id}-again`, pid: 999_999 }]));
        const again = await cli(['recover']);
        assert.equal(again.code, 0, again.stdout + again.stderr);
        assert.deepEqual(journal(), []);
        await assertClean(c.namespace);
      }
      await kubectlDeleteNamespace(k, c.namespace);
    });
  }
});

async function kubectlDeleteNamespace(k: Kubectl, namespace: string): Promise<void> {
  await k.run(['delete', 'namespace', namespace, '--ignore-not-found', '--wait=false']);
}

/** Pods that are not (yet) running with every container ready, as `name (reason)`. */
async function unready(k: Kubectl, namespace: string): Promise<string[]> {
  const pods = (await k.json(['get', 'pods', '-n', namespace])).items as Array<{
    metadata: { name: string; deletionTimestamp?: string };
    status?: { phase?: string; containerStatuses?: Array<{ ready?: boolean; state?: { waiting?: { reason?: string } } }> };
  }>;
  return pods
    .filter((p) => !p.metadata.deletionTimestamp && p.status?.phase !== 'Succeeded')
    .filter((p) => !(p.status?.containerStatuses?.length && p.status.containerStatuses.every((s) => s.ready)))
    .map((p) => `${p.metadata.name} (${p.status?.containerStatuses?.find((s) => !s.ready)?.state?.waiting?.reason ?? p.status?.phase ?? '?'})`);
}
