import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { runCli } from '../support/cli';
import { failedRows, validateRows } from '../support/validate-rows';

/**
 * The ten TiDB operator problems (experimental: the original defines them but leaves them out of its registry) run on
 * the embedded cluster with the TiDB Operator's behaviour: each oracle finds its misconfiguration's symptom (the
 * TidbCluster asking for 100000 TiDB replicas and the StatefulSet growing, the operator failing on a StorageClass that
 * does not exist, the API server refusing the TiDB StatefulSet with an invalid toleration or runAsUser, an update
 * strategy the operator silently replaces) and answers right; doing nothing and a wrong answer fail.
 */
describe('TiDB operator problems on the embedded cluster (validate --experimental)', function () {
  this.timeout(300_000);

  it('operator_*: 10 problems, oracle success, do-nothing and wrong answer failures, in parallel workers', async () => {
    const cwd = fs.mkdtempSync(path.join(os.tmpdir(), 'aiopslab-tidb-'));
    const r = await runCli(['validate', '--experimental', '--problems', 'operator_*', '--parallel', '5', '--json'], { cwd });
    const results = validateRows(r.stdout);
    assert.deepEqual(results.map((x) => x.problemId).sort(), [
      'invalid_affinity_toleration', 'non_existent_storage', 'overload_replicas', 'security_context_fault', 'wrong_update_strategy',
    ].flatMap((k) => [`operator_${k}-detection-1`, `operator_${k}-localization-1`]).sort());
    assert.deepEqual(failedRows(results), []);
    assert.equal(r.code, 0, r.stderr);
    fs.rmSync(cwd, { recursive: true, force: true });
  });
});
