import * as fs from 'node:fs';
import * as path from 'node:path';

/**
 * Where the embedded cluster's child-process entry is: beside the bundle (dist/twin-process.js) when running from the
 * CLI or extension bundles, else the compiled module next to the twin's process code (out/ in development and tests).
 * The bundle's name must differ from this module's own compiled name (out/src/engine/twin-entry.js).
 */
export function twinEntryPath(): string | undefined {
  const bundled = path.join(__dirname, 'twin-process.js');
  return fs.existsSync(bundled) ? bundled : undefined;
}
