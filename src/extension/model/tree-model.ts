/**
 * What the Problems and Sessions views show, computed from the catalog and the results index. Pure (no `vscode`):
 * the tree providers only turn these nodes into TreeItems.
 */
import type { ProblemDefinition } from '../../core/problems/types';
import type { SessionIndexEntry } from '../../core/session/types';
import { TASK_TYPES, type TaskType } from '../../core/tasks/task-type';
import { elapsedSeconds, formatElapsed, formatTokens, tokenFigures } from '../../core/session/figures';
import { toMs } from './transcript-model';

export interface LatestResult {
  sessionId: string;
  agent: string;
  status: SessionIndexEntry['status'];
  success: boolean | null;
  startTime: number;
  steps: number;
}

export type ProblemNode =
  | { kind: 'app'; id: string; app: string; count: number; solved: number; children: ProblemNode[] }
  | { kind: 'task'; id: string; app: string; task: TaskType; count: number; solved: number; children: ProblemNode[] }
  | { kind: 'problem'; id: string; problem: ProblemDefinition; latest?: LatestResult; running?: boolean };

export interface ItemView {
  label: string;
  description?: string;
  tooltip: string;
  /** A codicon id (ThemeIcon). */
  icon: string;
  /** A theme color id for the icon, if any. */
  color?: string;
  contextValue: string;
  collapsible: 'none' | 'collapsed' | 'expanded';
}

/** The newest session per problem ID (the index is listed newest first). */
export function latestByProblem(index: readonly SessionIndexEntry[]): Map<string, LatestResult> {
  const out = new Map<string, LatestResult>();
  const sorted = [...index].filter((e) => !e.deleted).sort((a, b) => b.start_time - a.start_time);
  for (const e of sorted) {
    if (out.has(e.problem_id)) continue;
    out.set(e.problem_id, { sessionId: e.session_id, agent: e.agent, status: e.status, success: e.success, startTime: toMs(e.start_time), steps: e.steps });
  }
  return out;
}

/** App → task type → problems, apps alphabetically, tasks in the original's order, problems in registry order. */
export function buildProblemTree(problems: readonly ProblemDefinition[], index: readonly SessionIndexEntry[], running: ReadonlySet<string> = new Set()): ProblemNode[] {
  const latest = latestByProblem(index);
  const byApp = new Map<string, Map<TaskType, ProblemDefinition[]>>();
  for (const p of problems) {
    let tasks = byApp.get(p.app);
    if (!tasks) byApp.set(p.app, (tasks = new Map()));
    const list = tasks.get(p.task) ?? [];
    list.push(p);
    tasks.set(p.task, list);
  }
  const apps: ProblemNode[] = [];
  for (const app of [...byApp.keys()].sort()) {
    const tasks = byApp.get(app)!;
    const taskNodes: ProblemNode[] = [];
    for (const task of TASK_TYPES) {
      const list = tasks.get(task);
      if (!list?.length) continue;
      const children: ProblemNode[] = list.map((problem) => ({ kind: 'problem', id: problem.id, problem, latest: latest.get(problem.id), running: running.has(problem.id) }));
      const solved = children.filter((c) => c.kind === 'problem' && c.latest?.success === true).length;
      taskNodes.push({ kind: 'task', id: `${app}/${task}`, app, task, count: list.length, solved, children });
    }
    const count = taskNodes.reduce((n, t) => n + (t.kind === 'task' ? t.count : 0), 0);
    const solved = taskNodes.reduce((n, t) => n + (t.kind === 'task' ? t.solved : 0), 0);
    apps.push({ kind: 'app', id: app, app, count, solved, children: taskNodes });
  }
  return apps;
}

export function resultWord(r: { status: string; success: boolean | null }): string {
  if (r.status === 'running') return 'running';
  if (r.status === 'completed' || r.status === 'timeout') return r.success === true ? 'solved' : r.success === false ? 'not solved' : r.status;
  return r.status;
}

function resultIcon(r: { status: string; success: boolean | null } | undefined, running?: boolean): { icon: string; color?: string } {
  if (running || r?.status === 'running') return { icon: 'sync~spin' };
  if (!r) return { icon: 'circle-large-outline' };
  if (r.status === 'completed' || r.status === 'timeout') {
    if (r.success === true) return { icon: 'pass', color: 'testing.iconPassed' };
    if (r.success === false) return { icon: 'error', color: 'testing.iconFailed' };
  }
  if (r.status === 'cancelled') return { icon: 'circle-slash' };
  return { icon: 'warning', color: 'problemsWarningIcon.foreground' };
}

export function ago(ms: number, now = Date.now()): string {
  const s = Math.max(0, Math.round((now - ms) / 1000));
  if (s < 60) return `${s}s ago`;
  if (s < 3600) return `${Math.round(s / 60)}m ago`;
  if (s < 86400) return `${Math.round(s / 3600)}h ago`;
  return `${Math.round(s / 86400)}d ago`;
}

/** What each task asks of the agent (codicons). */
const TASK_ICONS: Record<TaskType, string> = { detection: 'eye', localization: 'target', analysis: 'search', mitigation: 'tools' };

/**
 * A problem's row label: its ID without the task, which the row's group already says ("k8s_target_port-misconfig #1"
 * under mitigation), so that it fits the default sidebar; the tooltip and every command keep the full ID.
 */
export function problemLabel(p: Pick<ProblemDefinition, 'id' | 'task'>): string {
  const m = new RegExp(`^(.+)-${p.task}-(\\d+)$`).exec(p.id);
  return m ? `${m[1]} #${m[2]}` : p.id;
}

/**
 * First-run guidance above the Problems view until a session has been saved (a tree view shows its welcome content
 * only when empty, and this one never is).
 */
export function problemsGuidance(index: readonly SessionIndexEntry[]): string | undefined {
  if (index.some((e) => !e.deleted)) return undefined;
  return 'Pick a problem and press ▶ to run an agent on it (the baseline needs no key; the embedded cluster needs no Docker), or the person icon to investigate it yourself. A first one: social-network › mitigation › k8s_target_port-misconfig #1.';
}

export function problemNodeView(node: ProblemNode, now = Date.now()): ItemView {
  switch (node.kind) {
    case 'app':
      return { label: node.app, description: `${node.count} problems${node.solved ? ` · ${node.solved} solved` : ''}`, tooltip: `App ${node.app}: ${node.count} problems`, icon: 'server-environment', contextValue: 'app', collapsible: 'collapsed' };
    case 'task':
      return { label: node.task, description: `${node.count}${node.solved ? ` · ${node.solved} solved` : ''}`, tooltip: `${node.task} problems of ${node.app}`, icon: TASK_ICONS[node.task], contextValue: 'taskGroup', collapsible: 'collapsed' };
    case 'problem': {
      const p = node.problem;
      const { icon, color } = resultIcon(node.latest, node.running);
      const last = node.latest ? `${resultWord(node.latest)} by ${node.latest.agent}, ${ago(node.latest.startTime, now)}` : undefined;
      const description = node.running ? `running · ${p.summary}` : last ? `${resultWord(node.latest!)} · ${p.summary}` : p.summary;
      const tooltip = [
        `ID: ${p.id}`,
        `Task: ${p.task} · App: ${p.app}${p.experimental ? ' · experimental' : ''}`,
        `Fault: ${p.summary} (${p.fault.kind}${p.fault.target ? ` on ${p.fault.target}` : ''})`,
        last ? `Latest: ${last} (${node.latest!.steps} steps)` : 'Not run yet',
        `Defined in ${p.sourceFile}`,
      ].join('\n');
      return { label: problemLabel(p), description, tooltip, icon, color, contextValue: node.running ? 'problem.running' : 'problem', collapsible: 'none' };
    }
  }
}

export interface LiveProgress {
  steps: number;
  maxSteps: number;
  phase?: string;
}

export function sessionItemView(e: SessionIndexEntry, live?: LiveProgress, now = Date.now()): ItemView {
  const start = toMs(e.start_time);
  const running = !!live || e.status === 'running';
  const { icon, color } = resultIcon({ status: running ? 'running' : e.status, success: e.success });
  const progress = live ? `step ${live.steps}/${live.maxSteps}${live.phase ? ` · ${live.phase}` : ''}` : `${resultWord(e)} · ${e.steps} steps`;
  const elapsed = e.end_time && !running ? formatElapsed(elapsedSeconds(e)) : undefined;
  const tokens = e.tokens && !running ? formatTokens(tokenFigures(e.tokens)) : undefined;
  return {
    label: e.problem_id,
    description: `${e.agent} · ${progress} · ${ago(start, now)}`,
    tooltip: [`Session ${e.session_id}`, `${e.problem_id} (${e.task_type})`, `Agent: ${e.agent}`, `Result: ${running ? 'running' : resultWord(e)}`, `Steps: ${live ? live.steps : e.steps}`, elapsed !== undefined ? `Elapsed: ${elapsed}` : '', tokens !== undefined ? `Tokens: ${tokens}` : '', `Started ${new Date(start).toISOString()}`].filter(Boolean).join('\n'),
    icon,
    color,
    contextValue: running ? 'session.running' : canReevaluate(e) ? 'session' : 'session.final',
    collapsible: 'none',
  };
}

/**
 * Whether scoring a saved session again means anything: a mitigation is judged on the live cluster at the end of its
 * episode, and a cancelled or failed session has no answer to score (the engine refuses both).
 */
export function canReevaluate(e: Pick<SessionIndexEntry, 'task_type' | 'status'>): boolean {
  return e.task_type !== 'mitigation' && (e.status === 'completed' || e.status === 'timeout');
}

/** The index plus sessions running in this window that have no line yet, newest first. */
export function sessionsForView(index: readonly SessionIndexEntry[], running: readonly SessionIndexEntry[]): SessionIndexEntry[] {
  const ids = new Set(index.map((e) => e.session_id));
  return [...running.filter((r) => !ids.has(r.session_id)), ...index].sort((a, b) => b.start_time - a.start_time);
}

/** Line (0-based) of a problem's definition in its family YAML: its variant, else its task's ground truth, else the top. */
export function definitionLine(yaml: string, problem: Pick<ProblemDefinition, 'id' | 'task' | 'family'>): number {
  const lines = yaml.split(/\r?\n/);
  const n = /-(\d+)$/.exec(problem.id)?.[1];
  const variants = lines.findIndex((l) => /^variants\s*:/.test(l));
  if (variants >= 0 && n) {
    for (let i = variants + 1; i < lines.length && !/^\S/.test(lines[i]); i++) {
      if (new RegExp(`\\bn\\s*:\\s*${n}\\b`).test(lines[i])) return i;
    }
  }
  const gt = lines.findIndex((l) => /^groundTruth\s*:/.test(l));
  if (gt >= 0) {
    for (let i = gt + 1; i < lines.length && (lines[i].trim() === '' || /^\s/.test(lines[i])); i++) {
      if (new RegExp(`^\\s+${problem.task}\\s*:`).test(lines[i])) return i;
    }
    return gt;
  }
  return 0;
}
