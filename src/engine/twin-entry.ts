import * as fs from 'node:fs';
import * as path from 'node:path';

/**
 * Where the embedded cluster's child-process entry is: beside the bundle (dist/twin-entry.js) when running from the
 * CLI or extension bundles, else the compiled module next to the twin's process code (out/ in development and tests).
 */
export function twinEntryPath(): string | undefined {
  const bundled = path.join(__dirname, 'twin-entry.js');
  return fs.existsSync(bundled) ? bundled : undefined;
}
