import type { Clock, ClusterProbe, KubeJson } from '../ports/environment';
import type { MitigationCheck } from '../problems/types';
import type { Verdict } from '../session/types';

export interface SettleOptions {
  /** How long the cluster must stay healthy after the first healthy check. */
  windowMs: number;
  /** Time between checks. */
  intervalMs: number;
}

export const DEFAULT_SETTLE: SettleOptions = { windowMs: 10_000, intervalMs: 2_000 };

export interface CheckResult {
  ok: boolean;
  /** What was seen, in words (the first problem found when not ok). */
  detail: string;
}

/** A one-line statement of what the check requires. */
export function describeCheck(c: MitigationCheck): string {
  switch (c.kind) {
    case 'all-pods-healthy':
      return c.mode === 'strict'
        ? 'every pod has all containers ready, none crash-looping or failed'
        : 'every started pod has all containers ready, none crash-looping or failed';
    case 'service-target-port':
      return `Service ${c.service} sends traffic to targetPort ${c.port}`;
    case 'deployment-replicas':
      return `Deployment ${c.deployment} has ${c.replicas} replica(s), ${c.available} available`;
    case 'pod-exists':
      return `a pod whose name contains "${c.nameContains}" exists`;
    case 'container-command-contains':
      return `Deployment ${c.deployment}${c.container ? ` container ${c.container}` : ''} runs a command containing "${c.value}" and no container is stuck (CrashLoopBackOff, Error, ImagePullBackOff, ErrImagePull)`;
    case 'pods-ready-within':
      return `all pods are ready within ${c.seconds} s`;
    case 'configmap-not-contains':
      return `ConfigMap ${c.configMap} no longer contains "${c.text}"`;
    case 'flagd-flag':
      return `feature flag ${c.flag} is "${c.variant}" in ConfigMap ${c.configMap}`;
  }
}

const STUCK_REASONS = new Set(['CrashLoopBackOff', 'Error', 'ImagePullBackOff', 'ErrImagePull']);

function podName(p: KubeJson): string {
  return String(p.metadata?.name ?? '<unnamed>');
}

function terminating(p: KubeJson): boolean {
  return Boolean(p.metadata?.deletionTimestamp);
}

/** The parts of a pod's container status and of a container spec the checks read. */
interface ContainerStatusJson {
  name?: string;
  ready?: boolean;
  state?: { waiting?: { reason?: string }; terminated?: { reason?: string } };
}
interface ContainerJson {
  name?: string;
  command?: unknown;
}

function statusesOf(p: KubeJson): ContainerStatusJson[] | undefined {
  const s: unknown = p.status?.containerStatuses;
  return Array.isArray(s) && s.length > 0 ? (s as ContainerStatusJson[]) : undefined;
}

/** The original's all-pods-healthy rule for one pod: the problem, undefined when healthy, or SKIP when the guarded mode
 * does not judge a pod whose containers have not started yet. */
const SKIP = Symbol('skip');
function podHealthProblem(p: KubeJson, mode: 'strict' | 'guarded'): string | undefined | typeof SKIP {
  const statuses = statusesOf(p);
  if (!statuses) {
    if (mode === 'guarded') return SKIP;
    return `pod ${podName(p)} has no container statuses (phase ${p.status?.phase ?? 'unknown'}): its containers never started`;
  }
  for (const s of statuses) {
    const waiting = s?.state?.waiting?.reason;
    if (waiting === 'CrashLoopBackOff') return `container ${s.name} of pod ${podName(p)} is in CrashLoopBackOff`;
    const term = s?.state?.terminated;
    if (term && term.reason !== 'Completed') return `container ${s.name} of pod ${podName(p)} terminated (${term.reason ?? 'no reason'})`;
    if (!s?.ready) return `container ${s?.name ?? '?'} of pod ${podName(p)} is not ready${waiting ? ` (${waiting})` : ''}`;
  }
  return undefined;
}

function podReady(p: KubeJson): boolean {
  if (p.status?.phase === 'Succeeded') return true;
  const statuses = statusesOf(p);
  return Boolean(statuses && statuses.every((s) => s?.ready === true));
}

async function livePods(probe: ClusterProbe, ns: string): Promise<KubeJson[]> {
  return (await probe.listPods(ns)).filter((p) => !terminating(p));
}

/** Runs one check against the cluster. Never throws: a failing probe is a failed check. */
export async function runCheck(c: MitigationCheck, probe: ClusterProbe, ns: string): Promise<CheckResult> {
  try {
    return await runCheckUnsafe(c, probe, ns);
  } catch (e) {
    return { ok: false, detail: `could not read the cluster: ${e instanceof Error ? e.message : String(e)}` };
  }
}

async function runCheckUnsafe(c: MitigationCheck, probe: ClusterProbe, ns: string): Promise<CheckResult> {
  switch (c.kind) {
    case 'all-pods-healthy': {
      const pods = await livePods(probe, ns);
      if (pods.length === 0) return { ok: false, detail: `there are no pods in namespace ${ns}` };
      let checked = 0;
      for (const p of pods) {
        const problem = podHealthProblem(p, c.mode);
        if (problem === SKIP) continue;
        checked++;
        if (problem) return { ok: false, detail: problem };
      }
      return { ok: true, detail: `${checked} pod(s) healthy` };
    }
    case 'pods-ready-within': {
      const pods = await livePods(probe, ns);
      if (pods.length === 0) return { ok: false, detail: `there are no pods in namespace ${ns}` };
      const notReady = pods.filter((p) => !podReady(p));
      return notReady.length ? { ok: false, detail: `pod ${podName(notReady[0])} is not ready` } : { ok: true, detail: `${pods.length} pod(s) ready` };
    }
    case 'service-target-port': {
      const svc = await probe.getService(ns, c.service);
      if (!svc) return { ok: false, detail: `Service ${c.service} does not exist` };
      const tp = svc.spec?.ports?.[0]?.targetPort;
      const ok = tp !== undefined && String(tp) === String(c.port);
      return { ok, detail: `Service ${c.service} targetPort is ${tp ?? 'unset'}` };
    }
    case 'deployment-replicas': {
      const dep = await probe.getDeployment(ns, c.deployment);
      if (!dep) return { ok: false, detail: `Deployment ${c.deployment} does not exist` };
      const replicas = dep.spec?.replicas ?? 1;
      const available = dep.status?.availableReplicas ?? 0;
      const ok = replicas === c.replicas && available === c.available;
      return { ok, detail: `Deployment ${c.deployment} has ${replicas} replica(s), ${available} available` };
    }
    case 'pod-exists': {
      const pods = await livePods(probe, ns);
      const found = pods.find((p) => podName(p).includes(c.nameContains));
      return found ? { ok: true, detail: `pod ${podName(found)} exists` } : { ok: false, detail: `no pod name contains "${c.nameContains}"` };
    }
    case 'container-command-contains': {
      const dep = await probe.getDeployment(ns, c.deployment);
      if (!dep) return { ok: false, detail: `Deployment ${c.deployment} does not exist` };
      const pick = (containers: unknown) => ((Array.isArray(containers) ? containers : []) as ContainerJson[]).filter((x) => !c.container || x?.name === c.container);
      const templ = pick(dep.spec?.template?.spec?.containers);
      if (templ.length === 0) return { ok: false, detail: `Deployment ${c.deployment} has no container${c.container ? ` named ${c.container}` : ''}` };
      const hasValue = (x: ContainerJson) => Array.isArray(x?.command) && x.command.some((part: unknown) => typeof part === 'string' && part.includes(c.value));
      const badTempl = templ.find((x) => !hasValue(x));
      if (badTempl) return { ok: false, detail: `Deployment ${c.deployment} container ${badTempl.name} runs ${JSON.stringify(badTempl.command ?? [])}` };
      const pods = await livePods(probe, ns);
      for (const p of pods.filter((q) => podName(q).startsWith(`${c.deployment}-`))) {
        const bad = pick(p.spec?.containers).find((x) => !hasValue(x));
        if (bad) return { ok: false, detail: `pod ${podName(p)} container ${bad.name} runs ${JSON.stringify(bad.command ?? [])}` };
      }
      for (const p of pods) {
        for (const s of statusesOf(p) ?? []) {
          const reason = s?.state?.waiting?.reason;
          if (reason && STUCK_REASONS.has(reason)) return { ok: false, detail: `container ${s.name} of pod ${podName(p)} is waiting: ${reason}` };
        }
      }
      return { ok: true, detail: `Deployment ${c.deployment} runs "${c.value}"` };
    }
    case 'configmap-not-contains': {
      if (!probe.getConfigMap) return { ok: false, detail: 'this cluster connection cannot read ConfigMaps, so the check cannot pass' };
      const cm = await probe.getConfigMap(ns, c.configMap);
      if (!cm) return { ok: false, detail: `ConfigMap ${c.configMap} does not exist` };
      const data = (cm.data ?? {}) as Record<string, unknown>;
      const key = Object.keys(data).find((k) => typeof data[k] === 'string' && (data[k]).includes(c.text));
      return key ? { ok: false, detail: `ConfigMap ${c.configMap} key ${key} still contains "${c.text}"` } : { ok: true, detail: `ConfigMap ${c.configMap} has no "${c.text}"` };
    }
    case 'flagd-flag': {
      if (!probe.getConfigMap) return { ok: false, detail: 'this cluster connection cannot read ConfigMaps, so the check cannot pass' };
      const cm = await probe.getConfigMap(ns, c.configMap);
      if (!cm) return { ok: false, detail: `ConfigMap ${c.configMap} does not exist` };
      for (const value of Object.values((cm.data ?? {}) as Record<string, unknown>)) {
        if (typeof value !== 'string') continue;
        let parsed: unknown;
        try {
          parsed = JSON.parse(value);
        } catch {
          continue;
        }
        const flag = (parsed as { flags?: Record<string, { defaultVariant?: unknown }> })?.flags?.[c.flag];
        if (flag) {
          const v = flag.defaultVariant;
          return { ok: v === c.variant, detail: `flag ${c.flag} is "${String(v)}"` };
        }
      }
      return { ok: false, detail: `ConfigMap ${c.configMap} does not define flag ${c.flag}` };
    }
  }
}

async function runAll(checks: readonly MitigationCheck[], probe: ClusterProbe, ns: string): Promise<{ ok: boolean; failed?: { check: MitigationCheck; detail: string } }> {
  for (const check of checks) {
    const r = await runCheck(check, probe, ns);
    if (!r.ok) return { ok: false, failed: { check, detail: r.detail } };
  }
  return { ok: true };
}

/**
 * Mitigation: the checks must pass, and keep passing through the settle window (checked every intervalMs of the
 * injected clock) — not one lucky snapshot. A `pods-ready-within` check allows that long for the first pass.
 */
export async function judgeMitigation(input: {
  checks: readonly MitigationCheck[];
  probe: ClusterProbe;
  clock: Clock;
  namespace: string;
  submitted: boolean;
  settle?: Partial<SettleOptions>;
}): Promise<{ success: boolean; verdict: Verdict }> {
  const { checks, probe, clock, namespace } = input;
  const windowMs = Math.max(0, input.settle?.windowMs ?? DEFAULT_SETTLE.windowMs);
  const intervalMs = Math.max(1, input.settle?.intervalMs ?? DEFAULT_SETTLE.intervalMs);
  const graceMs = Math.max(0, ...checks.map((c) => (c.kind === 'pods-ready-within' ? c.seconds * 1000 : 0)));
  const expected = checks.map(describeCheck);
  const expectedText = `Expected ${expected.join('; and ')}, and to stay so for ${windowMs / 1000} s`;
  const noSubmit = input.submitted ? '' : ' The agent never submitted; the cluster was checked anyway.';

  const start = clock.now();
  let round = onePodListPerRound(probe);
  let r = await withRecentCrashes(await runAll(checks, round, namespace), round, namespace, clock.now());
  // A recent crash may belong to a container fixed in place: give it time to prove it stays up.
  while (!r.ok && clock.now() - start < Math.max(graceMs, r.recentCrash ? CRASH_WAIT_MS : 0)) {
    await clock.sleep(intervalMs);
    round = onePodListPerRound(probe);
    r = await withRecentCrashes(await runAll(checks, round, namespace), round, namespace, clock.now());
  }
  if (!r.ok) {
    const when = graceMs > 0 ? ` after waiting ${Math.round((clock.now() - start) / 1000)} s` : '';
    return {
      success: false,
      verdict: { success: false, expected, given: r.failed!.detail, explanation: `${expectedText}; but ${r.failed!.detail}${when}.${noSubmit}` },
    };
  }
  const healthyAt = clock.now();
  // A crash-looping container is Ready between crashes; a restart during the window gives it away.
  const restartsAtStart = await restartCounts(round, namespace);
  while (clock.now() - healthyAt < windowMs) {
    await clock.sleep(Math.min(intervalMs, windowMs - (clock.now() - healthyAt)));
    round = onePodListPerRound(probe);
    r = await withRecentCrashes(await runAll(checks, round, namespace), round, namespace, clock.now());
    if (r.ok) {
      const restarted = firstRestart(restartsAtStart, await restartCounts(round, namespace));
      if (restarted) r = { ok: false, failed: { detail: `container ${restarted} restarted (it is crash-looping)` } } as typeof r;
    }
    if (!r.ok) {
      const t = ((clock.now() - healthyAt) / 1000).toFixed(0);
      return {
        success: false,
        verdict: {
          success: false,
          expected,
          given: r.failed!.detail,
          explanation: `${expectedText}; the cluster looked healthy at first, but ${t} s later ${r.failed!.detail}.${noSubmit}`,
        },
      };
    }
  }
  return {
    success: true,
    verdict: { success: true, expected, given: 'healthy', explanation: `${expectedText}: it did.${noSubmit}` },
  };
}

/** A container that crashed less than this long ago is not healthy yet, even if it is Ready between crashes. */
const RECENT_CRASH_MS = 30_000;
/** How long the evaluation waits for a recent crash to age before judging (a container fixed in place). */
const CRASH_WAIT_MS = 45_000;

/** Turns a passing round into a failure when some container crashed recently (non-zero exit in its last state). */
async function withRecentCrashes<T extends { ok: boolean; failed?: { detail: string } }>(r: T, probe: ClusterProbe, namespace: string, nowMs: number): Promise<T & { recentCrash?: boolean }> {
  if (!r.ok) return r;
  for (const pod of await probe.listPods(namespace)) {
    if (pod.metadata?.deletionTimestamp) continue;
    for (const status of (pod.status?.containerStatuses ?? []) as Array<{ name: string; lastState?: { terminated?: { exitCode?: number; finishedAt?: string } } }>) {
      const last = status.lastState?.terminated;
      if (!last || !last.exitCode || !last.finishedAt) continue;
      const ago = nowMs - Date.parse(last.finishedAt);
      if (ago >= 0 && ago < RECENT_CRASH_MS) {
        return { ...r, ok: false, recentCrash: true, failed: { detail: `container ${status.name} of pod ${pod.metadata?.name} exited with code ${last.exitCode} ${Math.round(ago / 1000)} s ago (it is crash-looping)` } };
      }
    }
  }
  return r;
}

/** The same probe, reading the namespace's pods once per check round. */
function onePodListPerRound(probe: ClusterProbe): ClusterProbe {
  const lists = new Map<string, Promise<KubeJson[]>>();
  return {
    ...probe,
    listPods: (namespace) => {
      if (!lists.has(namespace)) lists.set(namespace, probe.listPods(namespace));
      return lists.get(namespace)!;
    },
  };
}

/** Restart count of every container of every pod in the namespace, keyed `<pod>/<container>`. */
async function restartCounts(probe: ClusterProbe, namespace: string): Promise<Map<string, number>> {
  const counts = new Map<string, number>();
  for (const pod of await probe.listPods(namespace)) {
    for (const status of (pod.status?.containerStatuses ?? []) as Array<{ name: string; restartCount?: number }>) {
      counts.set(`${pod.metadata?.name}/${status.name}`, status.restartCount ?? 0);
    }
  }
  return counts;
}

function firstRestart(before: Map<string, number>, after: Map<string, number>): string | undefined {
  for (const [key, count] of after) {
    const was = before.get(key);
    if (was !== undefined && count > was) return `${key.split('/')[1]} of pod ${key.split('/')[0]}`;
  }
  return undefined;
}
