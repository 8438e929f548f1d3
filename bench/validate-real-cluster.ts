import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { CATALOG_CLUSTERS, validateCatalogOnDetachedClusters } from '../test/support/detached-clusters';

/**
 * `aiopslab validate` over the whole catalog on a cluster that is not the per-session embedded one: detached embedded
 * clusters reached through a kubeconfig, set up with `aiopslab cluster setup`, each taking its share one problem at a
 * time as on a real cluster (wall time includes starting and setting up the clusters). The default configuration's
 * settle window. `AIOPSLAB_BENCH_SKIP_CATALOG=1` leaves it out.
 */
export async function run(): Promise<Record<string, number | string>> {
  if (process.env.AIOPSLAB_BENCH_SKIP_CATALOG) return { skipped: 'AIOPSLAB_BENCH_SKIP_CATALOG is set' };
  const cwd = fs.mkdtempSync(path.join(os.tmpdir(), 'aiopslab-bench-real-'));
  try {
    const { rows, seconds, failures } = await validateCatalogOnDetachedClusters(cwd);
    return {
      problems: rows.length,
      validated: rows.filter((r) => r.solvable && r.discriminating && r.rejectsWrong).length,
      clusters: CATALOG_CLUSTERS,
      catalog_wall_s: Math.round(seconds),
      // The machine is shared: the wall time means little without the load it ran under (15 min ≈ the run).
      load_average_15m: Math.round(os.loadavg()[2] * 10) / 10,
      ...(failures.length ? { failures: failures.join(' | ').slice(0, 500) } : {}),
    };
  } finally {
    fs.rmSync(cwd, { recursive: true, force: true });
  }
}
