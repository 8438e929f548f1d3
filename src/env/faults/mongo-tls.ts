import { faultParams } from '../../core/problems/fault-params';
import type { FaultContext, FaultInjector } from './types';
import { FaultError } from './types';
import { apiCall, MERGE_PATCH } from './api';
import { deletePods, livePods, restartDeployment, waitForRollout } from './pods';

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
  const { restartDeployment: restarted, restartPods: prefixes } = faultParams(c.fault, 'mongo-require-tls');
  const namespace = c.namespace;
  const cm = await apiCall(`Reading ConfigMap ${namespace}/${name}`, () => c.api.core.readNamespacedConfigMap({ name, namespace }));
  const conf = cm.data?.[CONFIG_KEY];
  if (typeof conf !== 'string') throw new FaultError(`ConfigMap ${name} in ${namespace} has no ${CONFIG_KEY}.`);
  const next = change(conf);
  if (next === conf) return; // already in that state: idempotent
  await apiCall(`Patching ConfigMap ${namespace}/${name}`, () => c.api.core.patchNamespacedConfigMap({ name, namespace, body: { data: { [CONFIG_KEY]: next } } }, MERGE_PATCH));
  const deployment = restarted ?? name;
  await restartDeployment(c.api, namespace, deployment);
  // The clients are restarted once the new Mongo runs with the new setting; restarted earlier, they would race its
  // restart (and, in the embedded cluster, win the start-up race against the old plain-TCP server and start serving).
  await waitForRollout(c.api, namespace, deployment, (ms) => c.sleep(ms));
  const victims = (await livePods(c.api, namespace)).map((p) => p.metadata?.name ?? '').filter((n) => prefixes.some((p) => n.includes(p)));
  await deletePods(c.api, namespace, victims);
}

export const mongoRequireTlsFault: FaultInjector = {
  kind: 'mongo-require-tls',
  inject: (c) => apply(c, (conf) => tlsOn(conf, c)),
  recover: (c) => apply(c, tlsOff),
};
