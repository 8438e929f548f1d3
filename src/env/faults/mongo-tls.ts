import { faultParams } from '../../core/problems/fault-params';
import type { FaultContext, FaultInjector } from './types';
import { FaultError } from './types';

/**
 * auth_miss_mongodb: the original upgrades the Helm release so url-shorten-mongodb requires TLS, then
 * restarts it and the url-shorten-service pods. With our manifests the same setting lives in the mongod.conf of the
 * url-shorten-mongodb ConfigMap: `net.tls.mode` becomes requireTLS with the certificate files, and back.
 */
const CONFIG_KEY = 'mongod.conf';

function tlsOn(conf: string, c: FaultContext): string {
  if (/mode:\s*requireTLS/.test(conf)) return conf;
  const { certificateKeyFile: keyFile, CAFile: caFile } = faultParams(c.fault, 'mongo-require-tls');
  const next = conf.replace(/^(\s*)mode:\s*disabled\s*$/m, (_m, indent: string) => `${indent}mode: requireTLS\n${indent}certificateKeyFile: ${keyFile}\n${indent}CAFile: ${caFile}`);
  if (next === conf) throw new FaultError(`The ${CONFIG_KEY} of ConfigMap ${configMapName(c)} has no "tls: mode: disabled" setting to change.`);
  return next;
}

function tlsOff(conf: string): string {
  return conf
    .replace(/mode:\s*requireTLS/, 'mode: disabled')
    .split('\n')
    .filter((line) => !/^\s*(certificateKeyFile|CAFile):/.test(line))
    .join('\n');
}

function configMapName(c: FaultContext): string {
  return faultParams(c.fault, 'mongo-require-tls').configMap ?? c.fault.target ?? 'url-shorten-mongodb';
}

async function apply(c: FaultContext, change: (conf: string) => string): Promise<void> {
  const name = configMapName(c);
  const { restartDeployment, restartPods: prefixes } = faultParams(c.fault, 'mongo-require-tls');
  const cm = await c.kubectl.json<{ data?: Record<string, string> }>(['get', 'configmap', name, '-n', c.namespace]);
  const conf = cm.data?.[CONFIG_KEY];
  if (typeof conf !== 'string') throw new FaultError(`ConfigMap ${name} in ${c.namespace} has no ${CONFIG_KEY}.`);
  const next = change(conf);
  if (next === conf) return; // already in that state: idempotent
  await c.kubectl.run(['patch', 'configmap', name, '-n', c.namespace, '--type=merge', '-p', JSON.stringify({ data: { [CONFIG_KEY]: next } })]);
  const deployment = restartDeployment ?? name;
  const restartedAt = { spec: { template: { metadata: { annotations: { 'kubectl.kubernetes.io/restartedAt': new Date().toISOString() } } } } };
  await c.kubectl.run(['patch', 'deployment', deployment, '-n', c.namespace, '-p', JSON.stringify(restartedAt)]);
  // The clients are restarted once the new Mongo runs with the new setting; restarted earlier, they would race its
  // restart (and, in the embedded cluster, win the start-up race against the old plain-TCP server and start serving).
  await c.kubectl.run(['rollout', 'status', `deployment/${deployment}`, '-n', c.namespace, '--timeout=120s']);
  const pods = (await c.kubectl.json<{ items?: Array<{ metadata: { name: string; deletionTimestamp?: string } }> }>(['get', 'pods', '-n', c.namespace])).items ?? [];
  const victims = pods.filter((p) => !p.metadata.deletionTimestamp).map((p) => p.metadata.name).filter((n) => prefixes.some((p) => n.includes(p)));
  if (victims.length) await c.kubectl.run(['delete', 'pod', ...victims, '-n', c.namespace, '--ignore-not-found', '--wait=false']);
}

export const mongoRequireTlsFault: FaultInjector = {
  kind: 'mongo-require-tls',
  inject: (c) => apply(c, (conf) => tlsOn(conf, c)),
  recover: (c) => apply(c, tlsOff),
};
