import { faultParams } from '../../core/problems/fault-params';
import type { FaultContext, FaultInjector } from './types';
import { FaultError } from './types';
import { apiCall, MERGE_PATCH } from './api';
import { restartDeployment } from './pods';

const FLAGS_KEY = 'demo.flagd.json';

/** The OpenTelemetry demo's feature flags: set a flag's defaultVariant in ConfigMap flagd-config, restart flagd. */
async function setVariant(c: FaultContext, variant: string): Promise<void> {
  const { flag, configMap, restartDeployment: restart } = faultParams(c.fault, 'flagd');
  const namespace = c.namespace;
  const cm = await apiCall(`Reading ConfigMap ${namespace}/${configMap}`, () => c.api.core.readNamespacedConfigMap({ name: configMap, namespace }));
  const raw = cm.data?.[FLAGS_KEY];
  if (typeof raw !== 'string') throw new FaultError(`ConfigMap ${configMap} in ${namespace} has no ${FLAGS_KEY} key.`);
  const doc = JSON.parse(raw) as { flags?: Record<string, { defaultVariant?: string; variants?: Record<string, unknown> }> };
  const entry = doc.flags?.[flag];
  if (!entry) throw new FaultError(`Unknown flagd flag "${flag}" in ${configMap}.`);
  if (entry.defaultVariant === variant) return; // already so: idempotent
  entry.defaultVariant = variant;
  // Same layout as the file it came from (2-space JSON, keeping its final newline), so recovery restores it byte for byte.
  const patch = { data: { [FLAGS_KEY]: JSON.stringify(doc, null, 2) + (raw.endsWith('\n') ? '\n' : '') } };
  await apiCall(`Patching ConfigMap ${namespace}/${configMap}`, () => c.api.core.patchNamespacedConfigMap({ name: configMap, namespace, body: patch }, MERGE_PATCH));
  await restartDeployment(c.api, namespace, restart);
}

export const flagdFault: FaultInjector = {
  kind: 'flagd',
  inject: (c) => setVariant(c, faultParams(c.fault, 'flagd').variant),
  recover: (c) => setVariant(c, 'off'),
};
