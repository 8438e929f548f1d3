import * as fs from 'node:fs';
import * as path from 'node:path';

let cached: Record<string, string> | undefined;

/** Versions recorded in every session, so results can be traced to what produced them. */
export function versions(root: string): Record<string, string> {
  if (cached) return cached;
  let aiopslab = 'unknown';
  try {
    aiopslab = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')).version;
  } catch {
    // keep unknown
  }
  cached = { aiopslab, node: process.version, platform: `${process.platform}-${process.arch}` };
  return cached;
}
