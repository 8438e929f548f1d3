import { strict as assert } from 'assert';
import * as path from 'path';
import { loadCatalog } from '../../src/env/catalog';
import { describeFault, manualUndo } from '../../src/env/faults/describe';

const ROOT = path.resolve(__dirname, '..', '..', '..');
const catalog = loadCatalog(ROOT);

/** What `aiopslab recover` and the extension say about a fault left behind: words a user reads, not the kind's name. */
describe('fault words: what a leftover fault changed and how to undo it by hand', () => {
  const problems = catalog.problems.all({ includeExperimental: true });

  it('every problem of the catalog, experimental ones included, has its fault described in words of its own', () => {
    for (const p of problems) {
      const words = describeFault(p.fault);
      const generic = `${p.fault.kind}${p.fault.target ? ` on ${p.fault.target}` : ''}`;
      assert.notEqual(words, generic, `${p.id}: ${p.fault.kind} falls back to the generic words`);
      assert.doesNotMatch(words, /undefined|\[object Object\]/, `${p.id}: ${words}`);
    }
  });

  it('says what the TiDB operator misoperations do, with the bad value', () => {
    const words = (id: string) => describeFault(catalog.problems.get(id).fault);
    assert.match(words('operator_overload_replicas-detection-1'), /TidbCluster basic asks for 100000 TiDB replicas/);
    assert.match(words('operator_non_existent_storage-detection-1'), /StorageClass ThisIsAStorageClass, which does not exist/);
    assert.match(words('operator_invalid_affinity_toleration-detection-1'), /toleration the API server refuses .*TAKE_SOME_EFFECT/);
    assert.match(words('operator_security_context_fault-detection-1'), /runs TiDB as user -1/);
    assert.match(words('operator_wrong_update_strategy-detection-1'), /SomeStrategyForUpdata/);
  });

  it('undoes a TiDB misoperation by applying the app again, and a Chaos Mesh fault by deleting its experiment where it lives', () => {
    const tidb = catalog.problems.get('operator_overload_replicas-detection-1');
    assert.deepEqual(manualUndo(tidb.fault, 'tidb-cluster', '/apps/tidb-cluster/manifests'), ['kubectl apply -R -f /apps/tidb-cluster/manifests -n tidb-cluster']);
    const disk = catalog.problems.get('disk_woreout-detection-1');
    assert.match(describeFault(disk.fault), /write\(\) under \/data\/db fails with errno 5 for mongod of mongodb-geo/);
    assert.deepEqual(manualUndo(disk.fault, 'test-hotel-reservation'), ['kubectl delete iochaos test-hotel-reservation-disk-woreout -n chaos-mesh --ignore-not-found']);
  });
});
