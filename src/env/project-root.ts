import * as fs from 'node:fs';
import * as path from 'node:path';

/**
 * The folder holding `problems/` and `apps/`: the package root. Found by walking up from this file, so it works from
 * out/ (tests), dist/ (the CLI and extension bundles) and an installed package alike.
 */
export function projectRoot(start: string = __dirname): string {
  let dir = start;
  for (;;) {
    const manifest = path.join(dir, 'package.json');
    if (fs.existsSync(manifest) && fs.existsSync(path.join(dir, 'problems'))) {
      try {
        if (JSON.parse(fs.readFileSync(manifest, 'utf8')).name === 'aiopslab') return dir;
      } catch {
        // not ours; keep walking
      }
    }
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error(`Cannot find the AIOpsLab package folder (with problems/ and apps/) above ${start}.`);
    dir = parent;
  }
}
