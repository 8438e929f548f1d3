/**
 * A rule-based SRE agent that needs no model: the floor any model must beat. It acts only through
 * the agent-facing APIs in the text protocol (exec_shell, get_logs, submit) — never problem files or
 * ground truth — following a fixed plan with a step budget:
 *
 *   1. pods, 2. deployments + services + endpoints, 3. warning events + flagd flags + volumes
 *   (all as compact kubectl JSON so a whole namespace fits one capped observation),
 *   4. when nothing structural explains it: the error lines of every pod (one call), the calls between services in
 *      the traces (get_traces, then one awk over the export: a callee far slower than the rest, or mostly failing),
 *      then the logs of up to three workloads that crash or were replaced after the rest,
 *   5. for mitigation, the fix of the best suspect (one shell call of kubectl commands), then 6. submit.
 *
 * The decisions are the explicit rules in `baseline-rules.ts`.
 */
import type { Agent, AgentContext } from '../core/agents/types';
import type { TaskType } from '../core/tasks/task-type';
import { formatCall } from '../core/parser';
import {
  DEPLOYMENT_FIELDS,
  DETECTION_THRESHOLD,
  diagnose,
  emptySnapshot,
  ENDPOINTS_FIELDS,
  EVENT_FIELDS,
  parseDeployments,
  parseEndpoints,
  parseEvents,
  parseFlags,
  parseFlagData,
  parsePods,
  parseServices,
  parseVolumes,
  podProblem,
  POD_FIELDS,
  PV_FIELDS,
  SERVICE_FIELDS,
  splitSections,
  workloadOf,
  commonLabelKey,
  LOG_PATTERN,
  parsePrefixedLogs,
  mountedConfigMapNamesCommand,
  configMapsCommand,
  parseConfigMaps,
  ruleTlsRequired,
  unselectableClients,
  type Diagnosis,
  type Snapshot,
} from './baseline-rules';
import { callStatsCommand, parseCallStats } from './baseline-traces';
import { diagnoseDocker, DOCKER_CONTAINERS_COMMAND, dockerLogsCommand, emptyDockerSnapshot, isDockerNamespace, readDockerObservation, type DockerSnapshot } from './baseline-docker';

const FENCE = '```';

/** A fenced exec_shell call, quoted so the project's parser reads back exactly `command`. */
export function shellCall(command: string): string {
  return `${FENCE}\n${formatCall('exec_shell', [command])}\n${FENCE}`;
}

export function apiCall(name: string, args: unknown[]): string {
  return `${FENCE}\n${formatCall(name, args)}\n${FENCE}`;
}

/** The namespace from the task description's `Namespace: <ns>` line. */
export function namespaceFromDescription(description: string): string | undefined {
  const m = /^\s*Namespace:\s*(\S+)/m.exec(description);
  return m ? m[1] : undefined;
}

const jp = (fields: string) => `-o jsonpath='{range .items[*]}${fields}{end}'`;

/**
 * The three inventory calls. Each stays well under the environment's output cap for a namespace of
 * ~30 workloads (pods alone; then deployments, services and endpoints; then events, flags, volumes). It never
 * looks at fault machinery (Chaos Mesh objects or their events): an agent's view does not show it.
 */
export function inventoryCommands(ns: string): string[] {
  return [
    `echo '### pods'; kubectl get pods -n ${ns} ${jp(POD_FIELDS)}; echo; echo '### end'`,
    `echo '### deployments'; kubectl get deployments -n ${ns} ${jp(DEPLOYMENT_FIELDS)}; echo; echo '### services'; kubectl get services -n ${ns} ${jp(SERVICE_FIELDS)}; echo; echo '### endpoints'; kubectl get endpoints -n ${ns} ${jp(ENDPOINTS_FIELDS)}; echo; echo '### end'`,
    `echo '### events'; kubectl get events -n ${ns} --field-selector type=Warning ${jp(EVENT_FIELDS)}; echo; echo '### flags'; kubectl get configmap flagd-config -n ${ns} -o jsonpath='{.data}'; echo; echo '### volumes'; kubectl get pv ${jp(PV_FIELDS)}; echo; echo '### end'`,
  ];
}

export interface BaselineOptions {
  name?: string;
  /** Hard cap on the number of actions before it submits whatever it has (default 14). */
  maxSteps?: number;
  /** Logs read at most (default 3). */
  maxLogReads?: number;
  /** Fix commands run at most in mitigation, in one shell call (default 16). */
  maxFixCommands?: number;
  /** Further looks at the traces, after a pause, when nothing explains the symptom (default 2). */
  traceLooks?: number;
}

type Phase = 'inventory' | 'logs' | 'fix' | 'submit' | 'done';

/** Pause before looking at the traces again (a 10 s network delay shows once a delayed call completes). */
const TRACE_PAUSE_S = 15;

export class BaselineAgent implements Agent {
  readonly name: string;
  private readonly maxSteps: number;
  private readonly maxLogReads: number;
  private readonly maxFixCommands: number;
  /** Further looks at the traces when nothing explains the symptom (default 2). */
  private readonly traceLooks: number;
  private task: TaskType = 'detection';
  private ns = 'default';
  private snap: Snapshot = emptySnapshot('default');
  private phase: Phase = 'inventory';
  private queue: Array<{ call: string; note: string; onResult?: (obs: string) => void }> = [];
  private pending?: (obs: string) => void;
  private steps = 0;
  private diagnosis?: Diagnosis;
  private configRead = false;
  /** Set for a Docker Compose app (namespace docker, Flower): the plan and rules of baseline-docker.ts instead. */
  private docker?: DockerSnapshot;

  constructor(options: BaselineOptions = {}) {
    this.name = options.name ?? 'baseline';
    this.maxSteps = options.maxSteps ?? 14;
    this.maxLogReads = options.maxLogReads ?? 3;
    this.maxFixCommands = options.maxFixCommands ?? 16;
    this.traceLooks = options.traceLooks ?? 2;
  }

  initContext(context: AgentContext): void {
    this.task = context.task;
    this.ns = namespaceFromDescription(context.problemDescription) ?? 'default';
    this.snap = emptySnapshot(this.ns);
    this.phase = 'inventory';
    this.steps = 0;
    this.pending = undefined;
    this.diagnosis = undefined;
    this.configRead = false;
    const [podsCmd, svcCmd, eventsCmd] = inventoryCommands(this.ns);
    this.queue = [
      { call: shellCall(podsCmd), note: `List the pods in ${this.ns}.`, onResult: (o) => this.readInventory(o) },
      { call: shellCall(svcCmd), note: 'List deployments, services and their endpoints.', onResult: (o) => this.readInventory(o) },
      { call: shellCall(eventsCmd), note: 'Read warning events, feature flags and volumes.', onResult: (o) => this.readInventory(o) },
    ];
    this.docker = undefined;
    if (isDockerNamespace(this.ns)) {
      const docker = (this.docker = emptyDockerSnapshot());
      const readLogs = { note: 'Read the error lines of every container.', onResult: (o: string) => readDockerObservation(docker, o) };
      this.queue = [{
        call: shellCall(DOCKER_CONTAINERS_COMMAND),
        note: 'List the containers of the Docker Compose stack, stopped ones too.',
        onResult: (o) => {
          readDockerObservation(docker, o);
          if (docker.containers.length) this.queue.unshift({ call: shellCall(dockerLogsCommand(docker.containers.map((c) => c.name))), ...readLogs });
        },
      }];
    }
  }

  private diagnoseNow(): Diagnosis {
    return this.docker ? diagnoseDocker(this.docker) : diagnose(this.snap);
  }

  /** The current diagnosis (for transcripts and tests). */
  get currentDiagnosis(): Diagnosis | undefined {
    return this.diagnosis;
  }

  get snapshot(): Snapshot {
    return this.snap;
  }

  async getAction(observation: string): Promise<string> {
    if (this.pending) {
      try {
        this.pending(observation);
      } catch {
        // An observation the rules cannot read is simply ignored.
      }
      this.pending = undefined;
    }
    this.steps += 1;
    if (this.steps >= this.maxSteps) this.phase = 'submit';

    for (;;) {
      if (this.phase === 'done') return this.submitCall('Already submitted.');
      if (this.phase !== 'submit' && this.queue.length > 0) {
        const next = this.queue.shift()!;
        this.pending = next.onResult;
        return `Thought: ${next.note}\nAction:${next.call}`;
      }
      if (this.phase === 'inventory') {
        this.phase = 'logs';
        this.planLogReads();
        continue;
      }
      if (this.phase === 'logs') {
        this.diagnosis = this.diagnoseNow();
        this.phase = this.task === 'mitigation' ? 'fix' : 'submit';
        if (this.phase === 'fix') this.planFix();
        continue;
      }
      if (this.phase === 'fix') {
        this.phase = 'submit';
        continue;
      }
      // submit
      this.diagnosis = this.diagnoseNow();
      this.phase = 'done';
      return this.submitCall();
    }
  }

  private readInventory(observation: string): void {
    const sections = splitSections(observation);
    if (sections.pods !== undefined) this.snap.pods = parsePods(sections.pods);
    if (sections.deployments !== undefined) this.snap.deployments = parseDeployments(sections.deployments);
    if (sections.services !== undefined) this.snap.services = parseServices(sections.services);
    if (sections.endpoints !== undefined) this.snap.endpoints = parseEndpoints(sections.endpoints);
    if (sections.events !== undefined) this.snap.events = parseEvents(sections.events);
    if (sections.flags !== undefined) {
      this.snap.flags = parseFlags(sections.flags);
      this.snap.flagData = parseFlagData(sections.flags);
    }
    if (sections.volumes !== undefined) this.snap.volumes = parseVolumes(sections.volumes);
  }

  /**
   * Logs, when the cluster objects explain nothing for sure: first the error lines of every app pod in one
   * call, then the whole logs of up to `maxLogReads` workloads that crash or were replaced after the rest.
   */
  private planLogReads(): void {
    if (this.docker) return; // the docker plan read every container's errors already
    const pre = diagnose(this.snap);
    const strong = pre.suspects.find((s) => s.score >= 85);
    // A flag or a structural fault explains itself; logs and traces add nothing.
    if (strong) {
      this.diagnosis = pre;
      return;
    }
    const key = commonLabelKey(this.snap.pods);
    if (key) {
      // Kept under the output cap: 20 lines per pod, matching lines only, Mongo's start-up notice dropped, lines cut at 300 characters.
      const cmd = `echo '### logs'; kubectl logs -n ${this.ns} -l ${key} --all-containers --prefix --tail=20 --max-log-requests=100 | grep -iE '${LOG_PATTERN}' | grep -v 'FastOpen' | cut -c1-300 | tail -n 60; echo '### end'`;
      this.queue.push({
        call: shellCall(cmd),
        note: 'Read the error lines of every pod in the namespace.',
        onResult: (o) => {
          const byWorkload = parsePrefixedLogs(splitSections(o).logs ?? '', this.snap.pods, this.snap.deployments);
          for (const [w, text] of Object.entries(byWorkload)) this.snap.logs[w] = (this.snap.logs[w] ?? '') + text;
        },
      });
    }
    this.queue.push(this.traceRead(this.traceLooks));
    const wanted: string[] = [];
    const add = (w: string) => {
      if (!wanted.includes(w)) wanted.push(w);
    };
    for (const p of this.snap.pods) if (podProblem(p)) add(workloadOf(p, this.snap.deployments));
    for (const w of recentlyReplaced(this.snap)) add(w);
    for (const w of wanted.slice(0, this.maxLogReads)) {
      this.queue.push({
        call: apiCall('get_logs', [this.ns, w]),
        note: `Read the logs of ${w}.`,
        onResult: (o) => {
          this.snap.logs[w] = (this.snap.logs[w] ?? '') + o;
        },
      });
    }
  }

  /**
   * Exports the last minute of traces and summarises the calls between services. When nothing at all explains the
   * symptom yet, looks again after a pause (a call held up on the network shows only once it completes), at most
   * `looksLeft` more times.
   */
  private traceRead(looksLeft: number): { call: string; note: string; onResult: (o: string) => void } {
    return {
      call: apiCall('get_traces', [this.ns, 1]),
      note: 'Export the last minute of traces to compare the calls between services.',
      onResult: (o) => {
        const file = /exported to:\s*(\S+)/i.exec(o)?.[1];
        if (!file) return;
        this.queue.unshift({
          call: shellCall(callStatsCommand(file)),
          note: 'Summarise the calls between services: count, mean duration and errors per caller and callee.',
          onResult: (stats) => {
            this.snap.calls = parseCallStats(splitSections(stats).calls ?? '');
            const explained = diagnose(this.snap).suspects.some((x) => x.score >= DETECTION_THRESHOLD);
            if (explained || looksLeft <= 0 || this.snap.calls.length === 0) return;
            this.queue.unshift(
              { call: shellCall(`sleep ${TRACE_PAUSE_S}`), note: `Nothing stands out yet; wait ${TRACE_PAUSE_S} s for slow calls to complete.` },
              this.traceRead(looksLeft - 1),
            );
          },
        });
      },
    };
  }

  /**
   * The best suspect's fix as shell calls: commands are joined with `;`, and each wait (rollout status /
   * kubectl wait) ends a call so that no call runs longer than exec_shell's timeout.
   */
  private planFix(): void {
    const best = this.diagnosis?.suspects[0];
    if (best?.rule === 'db-unselectable' && !this.configRead) {
      // Clients cannot select a database that runs: read the configuration its pods mount before choosing a fix.
      this.configRead = true;
      const db = best.target;
      this.queue.push({
        call: shellCall(mountedConfigMapNamesCommand(this.ns, db)),
        note: `List the ConfigMaps ${db} mounts: its clients cannot select it although it runs.`,
        onResult: (o) => {
          const names = (splitSections(o).configmapnames ?? '').split(/\s+/).filter((n) => /^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/.test(n));
          if (names.length === 0) return this.planFix();
          this.queue.unshift({
            call: shellCall(configMapsCommand(this.ns, names)),
            note: `Read the configuration of ${db} (${names.join(', ')}).`,
            onResult: (cm) => {
              const found = ruleTlsRequired(this.snap, db, parseConfigMaps(splitSections(cm).configmaps ?? cm), unselectableClients(this.snap, db));
              if (found) {
                this.snap.extra = [...(this.snap.extra ?? []), found];
                this.diagnosis = diagnose(this.snap);
              }
              this.planFix();
            },
          });
        },
      });
      return;
    }
    if (!best || best.score < DETECTION_THRESHOLD || !best.fix || best.fix.length === 0) return;
    const groups: string[][] = [[]];
    for (const cmd of best.fix.slice(0, this.maxFixCommands)) {
      groups[groups.length - 1].push(cmd);
      if (/^kubectl (wait|rollout status)\b/.test(cmd)) groups.push([]);
    }
    for (const g of groups.filter((x) => x.length > 0)) {
      this.queue.push({ call: shellCall(g.join('; ')), note: `Fix ${best.target} (${best.rule}): ${best.evidence}.` });
    }
  }

  private submitCall(prefix?: string): string {
    const d = this.diagnosis ?? this.diagnoseNow();
    const suspects = d.suspects.filter((s) => s.score >= DETECTION_THRESHOLD);
    const top = suspects[0];
    const why = top ? `Best suspect ${top.target} (${top.rule}, score ${top.score}): ${top.evidence}.` : 'No rule found an anomaly.';
    const thought = `Thought: ${prefix ? prefix + ' ' : ''}${why}\nAction:`;
    switch (this.task) {
      case 'detection':
        return thought + apiCall('submit', [top ? 'Yes' : 'No']);
      case 'localization': {
        const ranked = top ? suspects.filter((s) => s.score >= top.score - 5).map((s) => s.target) : [];
        return thought + apiCall('submit', [ranked]);
      }
      case 'analysis': {
        const withAnalysis = suspects.find((s) => s.analysis);
        const a = withAnalysis?.analysis ?? { system_level: 'Application', fault_type: 'Misconfiguration' };
        return thought + apiCall('submit', [{ system_level: a.system_level, fault_type: a.fault_type }]);
      }
      case 'mitigation':
      default:
        return thought + `${FENCE}\nsubmit()\n${FENCE}`;
    }
  }
}

/**
 * Workloads whose pods were created after most of the namespace (replaced after the deploy), newest first;
 * none when more than a third of the pods look new (a fresh deploy, not a replacement).
 */
export function recentlyReplaced(snap: Snapshot, minGapMs = 1_000): string[] {
  const times = snap.pods
    .map((p) => ({ p, t: Date.parse(p.metadata.creationTimestamp ?? '') }))
    .filter((x) => Number.isFinite(x.t));
  if (times.length < 3) return [];
  const sorted = times.map((x) => x.t).sort((a, b) => a - b);
  const median = sorted[Math.floor(sorted.length / 2)];
  const newer = times.filter((x) => x.t - median >= minGapMs);
  if (newer.length * 3 > times.length) return [];
  return [...new Set(newer.sort((a, b) => b.t - a.t).map((x) => workloadOf(x.p, snap.deployments)))];
}
