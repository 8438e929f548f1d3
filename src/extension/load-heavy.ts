import * as fs from 'node:fs';
import * as path from 'node:path';

export type Heavy = typeof import('./heavy');

let cached: Heavy | undefined;

/** Loads the heavy part on first use: dist/extension-engine.js when bundled, ./heavy when run from tsc output. */
export function heavy(): Heavy {
  if (!cached) {
    const bundled = path.join(__dirname, 'extension-engine.js');
    // A computed path, so the bundler leaves this require alone and the heavy code stays out of dist/extension.js.
    const target = fs.existsSync(bundled) ? bundled : path.join(__dirname, 'heavy');
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    cached = require(target) as Heavy;
  }
  return cached;
}
