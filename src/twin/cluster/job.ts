/** job-controller: runs pods to `completions` with `parallelism`, counts succeeded/failed, honours backoffLimit. */
import type { KubeObject } from '../contracts';
import { deleteObject, setCondition, writeStatus } from './context';
import { createGeneratedPod } from './pods';
import { isOwnedBy, isoSeconds } from './util';
import { ObjectController } from './controller';

export const JOBS = 'job';
const JOB = 'jobs.batch';
const SOURCE = { component: 'job-controller' };

function finished(job: KubeObject): boolean {
  return ((job.status?.conditions ?? []) as any[]).some((c) => (c.type === 'Complete' || c.type === 'Failed') && c.status === 'True');
}

export class JobController extends ObjectController {
  protected readonly queueName = JOBS;
  protected readonly resource = JOB;

  protected reconcile(job: KubeObject, ns: string, name: string): void {
    const now = this.ctx.clock.now();
    const nowIso = isoSeconds(now);
    const pods = this.ctx.store.list('pods', ns).filter((p) => isOwnedBy(p, job));
    const succeeded = Math.max(job.status?.succeeded ?? 0, pods.filter((p) => p.status?.phase === 'Succeeded').length);
    const failedNow = pods.filter((p) => p.status?.phase === 'Failed').length;
    const failed = Math.max(job.status?.failed ?? 0, failedNow);
    const active = pods.filter((p) => !p.metadata.deletionTimestamp && p.status?.phase !== 'Succeeded' && p.status?.phase !== 'Failed');
    const terminating = pods.filter((p) => !!p.metadata.deletionTimestamp).length;
    const ready = active.filter((p) => ((p.status?.conditions ?? []) as any[]).some((c) => c.type === 'Ready' && c.status === 'True')).length;
    const parallelism: number = job.spec?.parallelism ?? 1;
    const completions: number | undefined = job.spec?.completions === null ? undefined : job.spec?.completions ?? 1;
    const backoffLimit: number = job.spec?.backoffLimit ?? 6;
    let conditions = (job.status?.conditions ?? []) as Array<Record<string, unknown>>;
    const status: Record<string, unknown> = { ...(job.status ?? {}) };
    status.startTime = job.status?.startTime ?? (job.spec?.suspend ? undefined : nowIso);

    let activeCount = active.length;
    if (!finished(job)) {
      const deadline: number | undefined = job.spec?.activeDeadlineSeconds;
      const started = Date.parse(String(status.startTime ?? nowIso));
      let failure: { reason: string; message: string } | undefined;
      if (failed > backoffLimit) failure = { reason: 'BackoffLimitExceeded', message: 'Job has reached the specified backoff limit' };
      else if (deadline !== undefined && now - started >= deadline * 1000) failure = { reason: 'DeadlineExceeded', message: 'Job was active longer than specified deadline' };
      if (failure) {
        for (const p of active) deleteObject(this.ctx.store, 'pods', ns, p.metadata.name ?? '');
        activeCount = 0;
        conditions = setCondition(conditions, { type: 'FailureTarget', status: 'True', ...failure }, nowIso);
        conditions = setCondition(conditions, { type: 'Failed', status: 'True', ...failure }, nowIso);
        for (const c of conditions) c.lastProbeTime = nowIso;
        this.ctx.events.record(job, 'Warning', failure.reason, failure.message, SOURCE);
      } else if ((completions !== undefined && succeeded >= completions) || (completions === undefined && succeeded > 0 && active.length === 0)) {
        conditions = setCondition(conditions, { type: 'Complete', status: 'True' }, nowIso);
        for (const c of conditions) c.lastProbeTime = nowIso;
        status.completionTime = nowIso;
        this.ctx.events.record(job, 'Normal', 'Completed', 'Job completed', SOURCE);
      } else if (!job.spec?.suspend) {
        const remaining = completions === undefined ? parallelism : completions - succeeded;
        const want = Math.min(parallelism, remaining) - active.length;
        if (want > 0) {
          // Pod failure back-off: 10 s doubling per failure, capped at 6 min.
          const delay = failedNow > 0 && failed > 0 ? Math.min(10_000 * 2 ** (failed - 1), 360_000) : 0;
          const lastFailure = Math.max(0, ...pods.filter((p) => p.status?.phase === 'Failed').map((p) => lastFinish(p)));
          if (delay > 0 && now < lastFailure + delay) {
            this.ctx.queue.addAfter(JOBS, `${ns}/${name}`, lastFailure + delay - now);
          } else {
            const uid = job.metadata.uid ?? '';
            for (let i = 0; i < want; i++) {
              const pod = createGeneratedPod(this.ctx, job.spec?.template, ns, job, `${name}-`, {
                'batch.kubernetes.io/controller-uid': uid,
                'batch.kubernetes.io/job-name': name,
                'controller-uid': uid,
                'job-name': name,
              });
              if (!pod) break;
              activeCount++;
              this.ctx.events.record(job, 'Normal', 'SuccessfulCreate', `Created pod: ${pod.metadata.name}`, SOURCE);
            }
          }
        }
        if (deadline !== undefined) this.ctx.queue.addAfter(JOBS, `${ns}/${name}`, Math.max(1, started + deadline * 1000 - now));
      }
    }
    if (activeCount > 0) status.active = activeCount;
    else delete status.active;
    if (succeeded > 0) status.succeeded = succeeded;
    if (failed > 0) status.failed = failed;
    status.ready = ready;
    status.terminating = terminating;
    status.uncountedTerminatedPods = {};
    if (conditions.length) status.conditions = conditions;
    if (status.startTime === undefined) delete status.startTime;
    writeStatus(this.ctx.store, JOB, job, status);
  }
}

function lastFinish(pod: KubeObject): number {
  let t = 0;
  for (const c of (pod.status?.containerStatuses ?? []) as any[]) {
    const f = c.state?.terminated?.finishedAt;
    if (f) t = Math.max(t, Date.parse(f));
  }
  return t;
}
