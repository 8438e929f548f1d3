import type { FaultInjector } from './types';
import { FaultError } from './types';
import { imageChangeFault, noopFault, nonExistentNodeFault, scaleToZeroFault, targetPortFault, wrongBinaryFault } from './kubernetes';
import { containerKillFault, diskWornOutFault, kernelFault, networkDelayFault, networkLossFault, podFailureFault, podKillFault } from './chaos-mesh';
import { flagdFault } from './flagd';
import { mongoRevokeAuthFault, mongoUserUnregisteredFault } from './mongo';
import { redeployWithoutPvFault } from './redeploy';
import { mongoRequireTlsFault } from './mongo-tls';
import { flowerContainerStopFault, flowerModelMisconfigFault } from './flower';
import { tidbInvalidTolerationFault, tidbNonExistentStorageFault, tidbOverloadReplicasFault, tidbSecurityContextFault, tidbWrongUpdateStrategyFault } from './tidb-operator';

const INJECTORS = new Map<string, FaultInjector>(
  [
    noopFault, targetPortFault, scaleToZeroFault, nonExistentNodeFault, imageChangeFault, wrongBinaryFault,
    podFailureFault, podKillFault, containerKillFault, networkLossFault, networkDelayFault, kernelFault, diskWornOutFault,
    flagdFault, mongoRevokeAuthFault, mongoUserUnregisteredFault, mongoRequireTlsFault, redeployWithoutPvFault,
    flowerContainerStopFault, flowerModelMisconfigFault,
    tidbOverloadReplicasFault, tidbNonExistentStorageFault, tidbInvalidTolerationFault, tidbSecurityContextFault, tidbWrongUpdateStrategyFault,
  ].map((i) => [i.kind, i]),
);

export function injectorFor(kind: string): FaultInjector {
  const injector = INJECTORS.get(kind);
  if (!injector) {
    throw new FaultError(`No injector for fault kind "${kind}" yet. Available: ${[...INJECTORS.keys()].join(', ')}.`);
  }
  return injector;
}

export function hasInjector(kind: string): boolean {
  return INJECTORS.has(kind);
}

export type { FaultInjector, FaultContext } from './types';
