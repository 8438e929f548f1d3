import type * as k8s from '@kubernetes/client-node';
import { faultParams } from '../../core/problems/fault-params';
import type { FaultContext, FaultInjector } from './types';
import { deletePods, execInPod, livePods } from './pods';

/**
 * Mongo faults of HotelReservation, as the original applies them: run a script from the failure
 * ConfigMap mounted at /scripts inside the Mongo pod, then restart the service that uses that database.
 */
async function podsNamed(c: FaultContext, test: (name: string) => boolean): Promise<k8s.V1Pod[]> {
  // Pods already terminating (replaced by an earlier restart) are skipped: an exec or delete could find them gone.
  return (await livePods(c.api, c.namespace)).filter((p) => test(p.metadata?.name ?? ''));
}

/**
 * Runs the script in every live pod of the Mongo service. A pod can go away between the list and the exec (an earlier
 * restart finishing, a controller replacing it), and a mongod that has just been restarted by an earlier session's
 * recovery may not take commands yet: the pods are listed again and the script re-run (the scripts are idempotent),
 * a few times with a growing pause, before the failure counts.
 */
async function runScript(c: FaultContext, mongoService: string, script: string): Promise<void> {
  const done = new Set<string>();
  for (let attempt = 1; ; attempt++) {
    const pods = (await podsNamed(c, (n) => n.includes(mongoService))).filter((p) => !done.has(p.metadata?.name ?? ''));
    if (pods.length === 0) return;
    try {
      for (const pod of pods) {
        await execInPod(c.api, pod, ['/bin/bash', `/scripts/${script}`]);
        done.add(pod.metadata?.name ?? '');
      }
      return;
    } catch (error) {
      if (attempt >= 5) throw error;
      await c.sleep(250 * 2 ** attempt);
    }
  }
}

async function restartService(c: FaultContext, key: string, includeMongo: boolean, prefixOnly: boolean): Promise<void> {
  const pods = await podsNamed(c, (n) => (prefixOnly ? n.startsWith(key) : n.includes(key)) && (includeMongo || !n.includes('mongodb-')));
  await deletePods(c.api, c.namespace, pods.map((p) => p.metadata?.name ?? ''));
}

type MongoScriptKind = 'mongo-revoke-auth' | 'mongo-user-unregistered';

/** Which service pods a restart deletes after the script: by name prefix or substring, with or without the Mongo pods. */
interface RestartRule { prefixOnly: boolean; includeMongoOnInject: boolean; includeMongoOnRecover: boolean }

/** A Mongo fault: run the kind's script in the Mongo pods (recover: its mitigation script), then restart the service. */
function mongoScriptFault(kind: MongoScriptKind, restart: RestartRule): FaultInjector {
  const run = async (c: FaultContext, which: 'script' | 'recoverScript', includeMongo: boolean) => {
    const params = faultParams(c.fault, kind);
    const key = params.service;
    await runScript(c, c.fault.target ?? `mongodb-${key}`, params[which]);
    await restartService(c, key, includeMongo, restart.prefixOnly);
  };
  return {
    kind,
    inject: (c) => run(c, 'script', restart.includeMongoOnInject),
    recover: (c) => run(c, 'recoverScript', restart.includeMongoOnRecover),
  };
}

export const mongoRevokeAuthFault = mongoScriptFault('mongo-revoke-auth', { prefixOnly: false, includeMongoOnInject: false, includeMongoOnRecover: true });

export const mongoUserUnregisteredFault = mongoScriptFault('mongo-user-unregistered', { prefixOnly: true, includeMongoOnInject: false, includeMongoOnRecover: false });
