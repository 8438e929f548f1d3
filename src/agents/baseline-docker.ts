/**
 * The rule-based baseline for Docker Compose apps (Flower: pseudo-namespace `docker`), where an SRE looks with
 * `docker` rather than kubectl: (1) `docker ps -a` — every container with its state, (2) the error lines of every
 * container's recent log, in one exec_shell call each. The rules:
 *  - a container that is not running (a compose stack's containers all run; none is a one-shot job) → anomaly,
 *    fix `docker start`;
 *  - a container whose log shows an exception / error → anomaly; a state_dict size mismatch names the layer whose
 *    shape was changed (a misconfiguration; no automatic fix: the Flower problems are detection only);
 *  - the server reporting failed client results, when nothing else explains it → a weaker anomaly.
 * Same Finding / Diagnosis shapes as the Kubernetes rules (baseline-rules.ts).
 */
import { DETECTION_THRESHOLD, type Diagnosis, type Finding } from './baseline-rules';

export const DOCKER_NAMESPACE = 'docker';

export function isDockerNamespace(ns: string): boolean {
  return ns === DOCKER_NAMESPACE;
}

export interface DockerContainer {
  name: string;
  state: string;
  status: string;
  image: string;
}

export interface DockerSnapshot {
  containers: DockerContainer[];
  /** container name → its error lines. */
  errors: Record<string, string[]>;
  /** Lines reporting failed results (FedAvg's aggregate_* with failures), per container. */
  failures: Record<string, string[]>;
}

export function emptyDockerSnapshot(): DockerSnapshot {
  return { containers: [], errors: {}, failures: {} };
}

const ERROR_PATTERN = 'error|exception|traceback|fatal|panic|refused|mismatch|failures';

/** The first call: every container with its state. */
export const DOCKER_CONTAINERS_COMMAND = `echo '### containers'; docker ps -a --format '{{.Names}}\\t{{.State}}\\t{{.Status}}\\t{{.Image}}'; echo '### end'`;

/**
 * The second call: the error lines of the last 200 log lines of each container (one pipeline per container, no
 * loop or command substitution, so the guarded shell policy allows it), each line prefixed with `[<container>] `.
 */
export function dockerLogsCommand(names: readonly string[]): string {
  const safe = names.filter((n) => /^[a-zA-Z0-9][a-zA-Z0-9_.-]*$/.test(n));
  const per = safe.map((n) => `docker logs --tail 200 ${n} 2>&1 | grep -iE '${ERROR_PATTERN}' | grep -vE 'received [0-9]+ results and 0 failures' | cut -c1-300 | tail -n 12 | sed 's/^/[${n}] /'`);
  return ["echo '### logs'", ...per, "echo '### end'"].join('; ');
}

function section(text: string, name: string): string | undefined {
  const m = new RegExp(`### ${name}\\n([\\s\\S]*?)(?:### end|$)`).exec(text);
  return m ? m[1] : undefined;
}

/** Reads what a docker inventory call printed into the snapshot. */
export function readDockerObservation(snap: DockerSnapshot, observation: string): void {
  const containers = section(observation, 'containers');
  if (containers !== undefined) {
    snap.containers = containers.split('\n').map((l) => l.split('\t')).filter((f) => f.length >= 3 && f[0].trim()).map(([name, state, status, image]) => ({ name: name.trim(), state: state.trim().toLowerCase(), status: status.trim(), image: (image ?? '').trim() }));
  }
  const logs = section(observation, 'logs');
  if (logs !== undefined) {
    for (const line of logs.split('\n')) {
      const m = /^\[([^\]]+)\] (.*)$/.exec(line);
      if (!m) continue;
      const [, name, text] = m;
      if (/received \d+ results and [1-9]\d* failures/.test(text)) (snap.failures[name] ??= []).push(text);
      else if (/error|exception|traceback|fatal|panic|refused|mismatch/i.test(text)) (snap.errors[name] ??= []).push(text);
    }
  }
}

/** `size mismatch for fc3.weight: copying a param with shape torch.Size([10, 84]) from checkpoint, the shape in current model is torch.Size([10, 80])` → the layer and both input sizes. */
function sizeMismatch(lines: string[]): { layer: string; want: number; have: number; out: number } | undefined {
  for (const l of lines) {
    const m = /size mismatch for (\w+)\.weight: copying a param with shape torch\.Size\(\[(\d+), (\d+)\]\) from checkpoint, the shape in current model is torch\.Size\(\[(\d+), (\d+)\]\)/.exec(l);
    if (m) return { layer: m[1], out: Number(m[2]), want: Number(m[3]), have: Number(m[5]) };
  }
  return undefined;
}

export function diagnoseDocker(snap: DockerSnapshot): Diagnosis {
  const all: Finding[] = [];
  for (const c of snap.containers) {
    if (c.state !== 'running') {
      all.push({
        target: c.name, rule: 'stopped-container', score: 90,
        evidence: `container ${c.name} is ${c.state} (${c.status}) while the rest of the stack runs`,
        analysis: { system_level: 'Virtualization', fault_type: 'Operation Error' },
        fix: [`docker start ${c.name}`],
      });
    }
  }
  for (const [name, lines] of Object.entries(snap.errors)) {
    const mismatch = sizeMismatch(lines);
    const errorLine = lines.find((l) => /Error|Exception/.test(l)) ?? lines[0];
    all.push({
      target: name, rule: mismatch ? 'model-shape-mismatch' : 'container-errors', score: mismatch ? 88 : 70,
      evidence: mismatch ? `${name} cannot load the global model: ${mismatch.layer} expects ${mismatch.have} inputs, the checkpoint has ${mismatch.want}` : `${name} logs: ${errorLine.trim()}`,
      analysis: mismatch ? { system_level: 'Application', fault_type: 'Misconfiguration' } : { system_level: 'Application', fault_type: 'Code Defect' },
    });
  }
  if (all.length === 0) {
    for (const [name, lines] of Object.entries(snap.failures)) {
      all.push({ target: name, rule: 'failed-client-results', score: DETECTION_THRESHOLD + 10, evidence: `${name} reports failed client results: ${lines[lines.length - 1].trim()}`, analysis: { system_level: 'Application', fault_type: 'Code Defect' } });
    }
  }
  const suspects = [...all].sort((a, b) => b.score - a.score || a.target.localeCompare(b.target));
  return { suspects, all };
}
