import type { AppDefinition } from '../../src/core/apps/types';
import type { ProblemDefinition } from '../../src/core/problems/types';
import type { ActionRunContext, ClusterProbe, Clock, EnvironmentInfo, JournalEntry, KubeJson, ProblemEnvironment, RecoveryJournal, SessionStore } from '../../src/core/ports/environment';
import type { CleanupLeftover, SessionIndexEntry, SessionRecord } from '../../src/core/session/types';

function pod(name: string, ready = true): KubeJson {
  return {
    metadata: { name, namespace: 'ns' },
    status: { phase: 'Running', containerStatuses: [{ name: 'c', ready, state: ready ? { running: {} } : { waiting: { reason: 'CrashLoopBackOff' } } }] },
  };
}

/**
 * An in-memory stand-in for the environment port, for unit tests of the orchestrator and the surfaces only.
 * It models one deployment `user-service` whose replicas a fault can set to 0 and `kubectl scale` can restore.
 */
export class FakeEnvironment implements ProblemEnvironment {
  readonly info: EnvironmentInfo = { kind: 'fake', cluster: 'fake://cluster' };
  readonly calls: string[] = [];
  replicas = 1;
  failInject: Error | undefined;
  failRecover: Error | undefined;
  actionDelayMs = 0;
  shell: ((command: string) => string) | undefined;
  /** Unset: the environment has no telemetry (as the port allows). Tests assign it to give the session some. */
  collectTelemetry?: ProblemEnvironment['collectTelemetry'];

  readonly probe: ClusterProbe = {
    listPods: async () => Array.from({ length: this.replicas }, (_, i) => pod(`user-service-${i}`)),
    getService: async (_ns, name) => ({ metadata: { name }, spec: { ports: [{ port: 9090, targetPort: 9090 }] } }),
    getDeployment: async (_ns, name) => ({ metadata: { name }, spec: { replicas: this.replicas }, status: { availableReplicas: this.replicas, replicas: this.replicas } }),
  };

  async preflight(): Promise<void> {
    this.calls.push('preflight');
  }
  async deployApp(app: AppDefinition): Promise<void> {
    this.calls.push(`deploy:${app.id}`);
  }
  async injectFault(problem: ProblemDefinition): Promise<void> {
    this.calls.push(`inject:${problem.fault.kind}`);
    if (this.failInject) throw this.failInject;
    if (problem.fault.kind === 'scale-to-zero') this.replicas = 0;
  }
  async recoverFault(problem: ProblemDefinition): Promise<void> {
    this.calls.push(`recover:${problem.fault.kind}`);
    if (this.failRecover) throw this.failRecover;
    if (problem.fault.kind === 'scale-to-zero') this.replicas = 1;
  }
  async startWorkload(): Promise<void> {
    this.calls.push('workload');
  }
  /** What the clean-up reports it could not remove (tests assign it). */
  leftovers: CleanupLeftover[] = [];
  async removeApp(app: AppDefinition): Promise<CleanupLeftover[]> {
    this.calls.push(`remove:${app.id}`);
    return this.leftovers;
  }
  async runAction(name: string, args: Record<string, unknown>, context: ActionRunContext): Promise<string> {
    this.calls.push(`action:${name}`);
    if (this.actionDelayMs) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, this.actionDelayMs);
        context.signal?.addEventListener('abort', () => { clearTimeout(timer); resolve(); }, { once: true });
      });
    }
    if (name === 'exec_shell') {
      const command = String(args.command);
      if (this.shell) return this.shell(command);
      const scale = /kubectl scale deployment (\S+).*--replicas=(\d+)/.exec(command);
      if (scale) {
        this.replicas = Number(scale[2]);
        return `deployment.apps/${scale[1]} scaled\n`;
      }
      return `ran: ${command}\n`;
    }
    return `${name} ${JSON.stringify(args)}`;
  }
  async dispose(): Promise<void> {
    this.calls.push('dispose');
  }
}

export class MemoryJournal implements RecoveryJournal {
  entries: JournalEntry[] = [];
  added: JournalEntry[] = [];
  async add(entry: JournalEntry): Promise<void> {
    this.entries.push(entry);
    this.added.push(entry);
  }
  async remove(id: string): Promise<void> {
    this.entries = this.entries.filter((e) => e.id !== id);
  }
  async list(): Promise<JournalEntry[]> {
    return [...this.entries];
  }
}

export class MemoryStore implements SessionStore {
  records: SessionRecord[] = [];
  async save(record: SessionRecord): Promise<string> {
    this.records.push(JSON.parse(JSON.stringify(record)));
    return `/memory/${record.session_id}.json`;
  }
  async load(id: string): Promise<SessionRecord | undefined> {
    return this.records.find((r) => r.session_id === id);
  }
  async list(): Promise<SessionIndexEntry[]> {
    return [];
  }
  sessionDir(id: string): string {
    return `/tmp/aiopslab-test-sessions/${id}`;
  }
}

/** A clock that runs at real speed for `now` but makes settle-window sleeps instant. */
export const fastClock: Clock = {
  now: () => Date.now(),
  sleep: async () => undefined,
};
