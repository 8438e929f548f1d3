import * as fs from 'node:fs';
import * as path from 'node:path';
import YAML from 'yaml';
import type { Wrk2Workload } from '../../core/problems/types';
import type { Kubectl } from '../kubectl';

export const WORKLOAD_NAMESPACE = 'default';
export const JOB_NAME = 'wrk2-job';
export const SCRIPT_CONFIGMAP = 'wrk2-payload-script';
export const WRK2_IMAGE = 'deathstarbench/wrk2-client:latest';

export interface Wrk2Launch {
  workload: Wrk2Workload;
  /** Folder holding the app's Lua scripts (apps/<app>/workload). */
  scriptsDir: string;
  appNamespace: string;
  kubectl: Kubectl;
  /**
   * `original`: the problem's own short run (5–10 s right after injection, as the original does);
   * `steady`: the same rate kept up for the whole episode, as production traffic would be.
   */
  mode: 'original' | 'steady';
  steadySeconds: number;
}

/** The wrk2 command line exactly as the original builds it (facts §8), with `--latency`. */
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
  const { workload, kubectl } = launch;
  const scriptFile = path.join(launch.scriptsDir, workload.script);
  if (!fs.existsSync(scriptFile)) throw new Error(`The workload script ${scriptFile} does not exist.`);
  const service = await kubectl.json(['get', 'service', workload.url.service, '-n', launch.appNamespace]);
  const ip = service.spec?.clusterIP;
  if (!ip || ip === 'None') throw new Error(`Service ${workload.url.service} in ${launch.appNamespace} has no cluster IP for the workload to target.`);
  const url = `http://${ip}:${workload.url.port}${workload.url.path === '/' ? '' : workload.url.path}`;
  const durationSec = launch.mode === 'steady' ? Math.max(workload.duration, launch.steadySeconds) : workload.duration;
  await stopWrk2(kubectl);
  const configMap = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: SCRIPT_CONFIGMAP, namespace: WORKLOAD_NAMESPACE }, data: { [workload.script]: fs.readFileSync(scriptFile, 'utf8') } };
  await kubectl.run(['apply', '-f', '-'], YAML.stringify(configMap));
  await kubectl.run(['apply', '-f', '-'], YAML.stringify(wrk2Job(workload, url, durationSec)));
  return { url, durationSec };
}

export async function stopWrk2(kubectl: Kubectl): Promise<void> {
  await kubectl.run(['delete', 'job', JOB_NAME, '-n', WORKLOAD_NAMESPACE, '--ignore-not-found', '--cascade=foreground', '--wait=false']);
  await kubectl.run(['delete', 'configmap', SCRIPT_CONFIGMAP, '-n', WORKLOAD_NAMESPACE, '--ignore-not-found']);
}
