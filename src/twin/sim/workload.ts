/**
 * Workloads that drive the simulation: explicit ones (rate, distribution, duration) and those read from the cluster:
 * a wrk2 Job in namespace `default` whose URL targets the app's frontend Service (as the env layer launches it), and
 * the app's own load generator Deployment (AstronomyShop's Locust) while it is ready.
 */
import type { KubeObject } from '../contracts';
import type { AppModel, EntrySpec } from './model';
import { parseGoDuration } from './duration';

export type ArrivalDist = 'exp' | 'norm' | 'fixed' | 'zipf';

export interface WorkloadSpec {
  /** Requests per second. */
  rate: number;
  dist?: ArrivalDist;
  /** Start (ms epoch); default: the engine's current time. */
  startMs?: number;
  /** Seconds; null/undefined = steady (until removed). */
  durationSec?: number | null;
  /** Workload script (a `workloads[].script` of the model); default the model's first. */
  script?: string;
  /** Explicit entry mix (overrides the script's). */
  entries?: EntrySpec[];
}

export interface ResolvedWorkload {
  id: string;
  rate: number;
  dist: ArrivalDist;
  startMs: number;
  endMs: number;
  entries: EntrySpec[];
  source: 'explicit' | 'job' | 'load-generator';
}

export function entriesFor(model: AppModel, script: string | undefined): EntrySpec[] {
  const mix = (script && model.workloads.find((w) => w.script === script || w.script === script.replace(/^.*\//, ''))) || model.workloads[0];
  if (!mix) throw new Error(`app ${model.app} has no workload mix in its model`);
  return mix.entries;
}

function argAfter(args: string[], flag: string): string | undefined {
  const i = args.indexOf(flag);
  return i >= 0 ? args[i + 1] : undefined;
}

/** Reads a wrk2 Job (`wrk -D exp -t 2 -c 2 -d 10s -L -s /scripts/x.lua <url> -R 10`) if it targets this app's frontend. */
export function workloadFromJob(job: KubeObject, model: AppModel, services: KubeObject[]): ResolvedWorkload | undefined {
  const containers = (job.spec?.template?.spec?.containers ?? []) as Array<{ args?: string[]; command?: string[] }>;
  for (const c of containers) {
    const args = [...(c.command ?? []), ...(c.args ?? [])];
    const w = args.indexOf('wrk');
    if (w < 0) continue;
    const a = args.slice(w + 1);
    const url = a.find((x) => /^https?:\/\//.test(x));
    if (!url) continue;
    let host: string;
    try { host = new URL(url).hostname; } catch { continue; }
    const fe = model.frontend.service;
    const feSvc = services.find((s) => s.metadata.name === fe);
    const targets = host === fe || host.startsWith(`${fe}.${model.namespace}`) || (feSvc && feSvc.spec?.clusterIP === host);
    if (!targets) continue;
    const rate = Number(argAfter(a, '-R') ?? argAfter(a, '--rate') ?? 10);
    const durMs = parseGoDuration(argAfter(a, '-d') ?? argAfter(a, '--duration') ?? '10s') ?? 10_000;
    const dist = (argAfter(a, '-D') ?? argAfter(a, '--dist') ?? 'fixed') as ArrivalDist;
    const script = argAfter(a, '-s') ?? argAfter(a, '--script');
    const created = Date.parse(String(job.status?.startTime ?? job.metadata.creationTimestamp ?? '')) || 0;
    // The wrk2 pod needs about a second to start before it sends anything.
    const startMs = created + 1000;
    return { id: `job/${job.metadata.uid ?? job.metadata.name}`, rate, dist, startMs, endMs: startMs + durMs, entries: entriesFor(model, script), source: 'job' };
  }
  return undefined;
}
