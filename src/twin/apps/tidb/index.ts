/**
 * The TiDB app on the embedded cluster: the operator's controller (reconciling TidbClusters while its pod runs) and
 * the behaviours of the TiDB images. Returns the function that undoes both.
 */
import type { ObjectStore } from '../../contracts';
import type { BehaviourRegistry } from '../../cluster/behaviours';
import type { Clock } from '../../cluster/clock';
import { startTidbOperator } from './operator';
import { operatorImageBehaviour, serverBehaviour } from './behaviours';

export function registerTidb(registry: BehaviourRegistry, store: ObjectStore, clock: Clock): () => void {
  const operator = startTidbOperator(store, clock);
  const now = () => clock.now();
  const offs = [
    registry.register(/(^|\/)pingcap\/tidb-operator:[^/]+$/, operatorImageBehaviour(operator.log, now)),
    registry.register(/(^|\/)pingcap\/pd:[^/]+$/, serverBehaviour('pd', now)),
    registry.register(/(^|\/)pingcap\/tikv:[^/]+$/, serverBehaviour('tikv', now)),
    registry.register(/(^|\/)pingcap\/tidb:[^/]+$/, serverBehaviour('tidb', now)),
  ];
  return () => {
    operator.stop();
    for (const off of offs) off();
  };
}
