import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';

const cached = new Map<string, Record<string, string>>();

/**
 * Versions recorded in every session, so results can be traced to what produced them: the package, Node, the
 * platform, and `catalog` — a fingerprint of the problems and apps (definitions, ground truths, manifests) the session
 * was set up from, so that a leaderboard never averages results of two different catalogs in one cell.
 */
export function versions(root: string): Record<string, string> {
  const known = cached.get(root);
  if (known) return known;
  let aiopslab = 'unknown';
  try {
    aiopslab = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')).version;
  } catch {
    // keep unknown
  }
  const result = { aiopslab, catalog: catalogFingerprint(root), node: process.version, platform: `${process.platform}-${process.arch}` };
  cached.set(root, result);
  return result;
}

/** The first 12 hex digits of a SHA-256 over every file under problems/ and apps/ (path and content, in path order). */
export function catalogFingerprint(root: string): string {
  const hash = createHash('sha256');
  let files = 0;
  for (const dir of ['problems', 'apps']) {
    for (const file of listFiles(path.join(root, dir))) {
      hash.update(path.relative(root, file).split(path.sep).join('/') + '\0');
      hash.update(fs.readFileSync(file));
      hash.update('\0');
      files++;
    }
  }
  return files ? hash.digest('hex').slice(0, 12) : 'unknown';
}

function listFiles(dir: string): string[] {
  let entries: fs.Dirent[];
  try {
    entries = fs.readdirSync(dir, { withFileTypes: true });
  } catch {
    return [];
  }
  return entries
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
    .flatMap((e) => (e.isDirectory() ? listFiles(path.join(dir, e.name)) : e.isFile() ? [path.join(dir, e.name)] : []));
}
