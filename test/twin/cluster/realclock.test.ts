import assert from 'assert/strict';
import { MemoryStore } from '../../../src/twin/apiserver/store';
import { startCluster } from '../../../src/twin/cluster';
import { deployment } from './harness';

describe('twin cluster: real clock', () => {
  it('brings a Deployment to Available on the real clock (the twin process default)', async () => {
    const store = new MemoryStore({ finishGracefulDeletes: false });
    const errors: string[] = [];
    const cluster = startCluster(store, { log: (m) => errors.push(m), timing: { imagePullMs: 20, imagePullCachedMs: 5 } });
    try {
      store.create('deployments.apps', deployment('web', { replicas: 2 }));
      const deadline = Date.now() + 10_000;
      while (Date.now() < deadline) {
        if (store.get('deployments.apps', 'default', 'web')?.status?.availableReplicas === 2) break;
        await new Promise((r) => setTimeout(r, 10));
      }
      assert.equal(store.get('deployments.apps', 'default', 'web')?.status?.availableReplicas, 2);
      assert.deepEqual(errors, []);
      const pod = store.list('pods', 'default')[0];
      assert.equal((await cluster.runtime.exec({ namespace: 'default', pod: pod.metadata.name!, container: 'web', command: ['hostname'] })).stdout, `${pod.metadata.name}\n`);
    } finally {
      cluster.stop();
      store.close();
    }
  });
});
