/**
 * The whole catalog on a cluster that is not the per-session embedded one: detached embedded clusters reached only
 * through a kubeconfig, set up with `aiopslab cluster setup`, each validating its share of the problems one at a
 * time as on a real cluster (the agent acting as its own ServiceAccount through its view, the engine through the
 * context's credentials). The shares run side by side, one cluster each, so the matrix costs one worker-parallel test.
 *
 * It runs what depends on the cluster (`validate --skip-answer-checks`): every oracle, with its evidence of the fault
 * through the agent's view, the fix and the clean-up, and doing nothing about each mitigation problem (the fault must
 * persist there). Doing nothing and a wrong answer outside mitigation are scored from the answer alone; the embedded
 * catalog test (verify.test.ts) proves them for every problem.
 */
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { CATALOG_CLUSTERS, validateCatalogOnDetachedClusters } from '../support/detached-clusters';
import { failedRows } from '../support/validate-rows';

describe('the whole catalog on detached clusters reached through a kubeconfig, set up with cluster setup', function () {
  this.timeout(1_500_000);

  it(`aiopslab --cluster <context> validate --skip-answer-checks: every registered problem, one at a time per cluster (${CATALOG_CLUSTERS} clusters side by side)`, async () => {
    const cwd = fs.mkdtempSync(path.join(os.tmpdir(), 'aiopslab-catalog-real-'));
    // As in the embedded catalog test: a shorter settle window than the default 10 s; restarts still count.
    fs.writeFileSync(path.join(cwd, 'aiopslab.config.yaml'), 'settleSeconds: 4\n');
    try {
      const { rows, seconds, failures } = await validateCatalogOnDetachedClusters(cwd, ['--skip-answer-checks']);
      assert.deepEqual(failures, []);
      assert.deepEqual(failedRows(rows), []);
      const mitigation = rows.filter((r) => /-mitigation-/.test(r.problemId));
      assert.ok(mitigation.length >= 10 && mitigation.every((r) => r.idle && !r.wrong), 'each mitigation problem ran doing nothing');
      assert.ok(rows.filter((r) => !/-mitigation-/.test(r.problemId)).every((r) => !r.idle && !r.wrong), 'outside mitigation only the oracle ran');
      assert.equal(new Set(rows.map((r) => r.problemId)).size, 89);
      process.stderr.write(`      (whole catalog on ${CATALOG_CLUSTERS} detached clusters: ${seconds.toFixed(0)} s)\n`);
    } finally {
      fs.rmSync(cwd, { recursive: true, force: true });
    }
  });
});
