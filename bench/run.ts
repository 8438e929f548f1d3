import * as fs from 'node:fs';
import * as path from 'node:path';
import * as os from 'node:os';

/**
 * Runs every bench/<area>.js module (compiled from bench/<area>.ts) that exports `run()`, and writes all figures to
 * bench/results.json. Figures are compared as ratios within one run, never asserted in tests.
 */
async function main(): Promise<void> {
  const dir = __dirname;
  const only = process.argv.slice(2);
  const out = path.join(dir, '..', '..', 'bench', 'results.json');
  // Running only some areas keeps the figures of the others from the last full run.
  const previous: Record<string, unknown> = only.length && fs.existsSync(out) ? JSON.parse(fs.readFileSync(out, 'utf8')) : {};
  const results: Record<string, unknown> = {
    ...previous,
    generated_at: new Date().toISOString(),
    machine: { node: process.version, platform: `${process.platform}-${process.arch}`, cpus: os.cpus().length },
  };
  const files = fs.readdirSync(dir).filter((f) => f.endsWith('.js') && f !== 'run.js' && !f.startsWith('_')).sort();
  for (const file of files) {
    const area = path.basename(file, '.js');
    if (only.length && !only.includes(area)) continue;
    const mod = (await import(path.join(dir, file))) as { run?: () => Promise<Record<string, number | string>> };
    if (typeof mod.run !== 'function') continue;
    process.stderr.write(`bench ${area}…\n`);
    try {
      results[area] = await mod.run();
    } catch (error) {
      results[area] = { error: (error as Error).message };
    }
    process.stderr.write(`  ${JSON.stringify(results[area])}\n`);
  }
  fs.writeFileSync(out, JSON.stringify(results, null, 2) + '\n');
  process.stderr.write(`wrote ${out}\n`);
}

main().catch((error) => {
  process.stderr.write(`bench failed: ${(error as Error).stack}\n`);
  process.exitCode = 1;
});
