import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Wrk2Workload } from '../../core/problems/types';
import type { KubeJson } from '../../core/ports/environment';

export const WORKLOAD_NAMESPACE = 'default';
export const JOB_NAME = 'wrk2-job';
export const SCRIPT_CONFIGMAP = 'wrk2-payload-script';
export const WRK2_IMAGE = 'deathstarbench/wrk2-client:latest';

export interface Wrk2Launch {
  workload: Wrk2Workload;
  /** Folder holding the app's Lua scripts (apps/<app>/workload). */
  scriptsDir: string;
  appNamespace: string;
  objects: WorkloadObjects;
  /**
   * `original`: the problem's own short run (5–10 s right after injection, as the original does);
   * `steady`: the same rate kept up for the whole episode, as production traffic would be.
   */
  mode: 'original' | 'steady';
  steadySeconds: number;
}

/**
 * The few object operations the workload needs, over the Kubernetes API (client-node: a request each, where a kubectl
 * process costs 60 ms — a session starts and stops its workload, and batch runs do that hundreds of times).
 */
export interface WorkloadObjects {
  getService(namespace: string, name: string): Promise<KubeJson | undefined>;
  /** Whether the object exists (also while it is being deleted). */
  exists(kind: 'Job' | 'ConfigMap', namespace: string, name: string): Promise<boolean>;
  create(object: Record<string, unknown>): Promise<void>;
  /** Deletes if present; a Job in the foreground, so that its pods go first. */
  remove(kind: 'Job' | 'ConfigMap', namespace: string, name: string): Promise<void>;
}

/** The wrk2 command line exactly as the original builds it, with `--latency`. */
export function wrk2Args(workload: Wrk2Workload, url: string, durationSec: number): string[] {
  return [
    'wrk', '-D', workload.dist, '-t', String(workload.threads), '-c', String(workload.connections), '-d', `${durationSec}s`, '-L',
    '-s', `/scripts/${workload.script}`, url, '-R', String(workload.rate), '--latency',
  ];
}

export function wrk2Job(workload: Wrk2Workload, url: string, durationSec: number): Record<string, unknown> {
  return {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: { name: JOB_NAME, namespace: WORKLOAD_NAMESPACE, labels: { 'app.kubernetes.io/managed-by': 'aiopslab' } },
    spec: {
      backoffLimit: 0,
      template: {
        metadata: { labels: { 'job-name': JOB_NAME } },
        spec: {
          restartPolicy: 'Never',
          containers: [{
            name: 'wrk2',
            image: WRK2_IMAGE,
            args: wrk2Args(workload, url, durationSec),
            volumeMounts: [{ name: 'wrk2-scripts', mountPath: `/scripts/${workload.script}`, subPath: workload.script }],
          }],
          volumes: [{ name: 'wrk2-scripts', configMap: { name: SCRIPT_CONFIGMAP } }],
        },
      },
    },
  };
}

/** Launches wrk2 as a Kubernetes Job with the Lua script mounted from a ConfigMap, as the original does. */
export async function startWrk2(launch: Wrk2Launch): Promise<{ url: string; durationSec: number }> {
  const { workload, objects } = launch;
  const scriptFile = path.join(launch.scriptsDir, workload.script);
  if (!fs.existsSync(scriptFile)) throw new Error(`The workload script ${scriptFile} does not exist.`);
  const service = await objects.getService(launch.appNamespace, workload.url.service);
  if (!service) throw new Error(`Service ${workload.url.service} does not exist in ${launch.appNamespace}: the workload has nothing to target.`);
  const ip = service.spec?.clusterIP;
  if (!ip || ip === 'None') throw new Error(`Service ${workload.url.service} in ${launch.appNamespace} has no cluster IP for the workload to target.`);
  const url = `http://${ip}:${workload.url.port}${workload.url.path === '/' ? '' : workload.url.path}`;
  const durationSec = launch.mode === 'steady' ? Math.max(workload.duration, launch.steadySeconds) : workload.duration;
  await stopWrk2(objects);
  // A Job still being deleted (its pods go first) would swallow a new one of the same name: wait until it is gone.
  const deadline = Date.now() + 120_000;
  while ((await objects.exists('Job', WORKLOAD_NAMESPACE, JOB_NAME)) || (await objects.exists('ConfigMap', WORKLOAD_NAMESPACE, SCRIPT_CONFIGMAP))) {
    if (Date.now() > deadline) throw new Error(`The previous workload (Job ${JOB_NAME} in ${WORKLOAD_NAMESPACE}) is still being deleted after 120 s.`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  await objects.create({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: SCRIPT_CONFIGMAP, namespace: WORKLOAD_NAMESPACE }, data: { [workload.script]: fs.readFileSync(scriptFile, 'utf8') } });
  await objects.create(wrk2Job(workload, url, durationSec));
  return { url, durationSec };
}

export async function stopWrk2(objects: WorkloadObjects): Promise<void> {
  await objects.remove('Job', WORKLOAD_NAMESPACE, JOB_NAME);
  await objects.remove('ConfigMap', WORKLOAD_NAMESPACE, SCRIPT_CONFIGMAP);
}
