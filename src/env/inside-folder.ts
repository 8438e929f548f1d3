import * as fs from 'node:fs';
import * as path from 'node:path';

/** Whether `file` (which exists) is inside `folder` once every symlink on the way is followed. */
export function insideFolder(folder: string, file: string): boolean {
  try {
    const root = fs.realpathSync(folder);
    const real = fs.realpathSync(file);
    const relative = path.relative(root, real);
    return relative !== '' && !relative.startsWith('..') && !path.isAbsolute(relative);
  } catch {
    return false;
  }
}

/** The first symbolic link under `folder` (a few levels deep) that leads outside it, relative to it; undefined when none does. */
export function linkOutOf(folder: string, depth = 4): string | undefined {
  const walk = (dir: string, level: number): string | undefined => {
    let entries: fs.Dirent[];
    try {
      entries = fs.readdirSync(dir, { withFileTypes: true });
    } catch {
      return undefined;
    }
    for (const entry of entries.slice(0, 2000)) {
      const full = path.join(dir, entry.name);
      if (entry.isSymbolicLink()) {
        let target: string | undefined;
        try { target = fs.realpathSync(full); } catch { target = undefined; }
        const root = fs.realpathSync(folder);
        if (!target || !(target === root || target.startsWith(root + path.sep))) return path.relative(folder, full);
      } else if (entry.isDirectory() && level < depth) {
        const found = walk(full, level + 1);
        if (found) return found;
      }
    }
    return undefined;
  };
  return walk(folder, 0);
}
