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
