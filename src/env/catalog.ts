import * as fs from 'fs';
import * as path from 'path';
import { parseAppFile } from '../core/apps/schema';
import type { AppDefinition } from '../core/apps/types';
import { CatalogError } from '../core/catalog-error';
import { ProblemRegistry } from '../core/problems/registry';
import { parseProblemFamily } from '../core/problems/schema';
import type { ProblemDefinition } from '../core/problems/types';

export interface Catalog {
  problems: ProblemRegistry;
  apps: Map<string, AppDefinition>;
}

/** The project root: the nearest folder above this file that has both problems/ and apps/. */
export function projectRoot(start = __dirname): string {
  let dir = start;
  for (;;) {
    if (fs.existsSync(path.join(dir, 'problems')) && fs.existsSync(path.join(dir, 'apps'))) return dir;
    const up = path.dirname(dir);
    if (up === dir) throw new Error(`Cannot find the AIOpsLab catalog (folders problems/ and apps/) above ${start}`);
    dir = up;
  }
}

/**
 * Reads `apps/<id>/app.yaml` and `problems/*.yaml` under rootDir. Errors name the file (relative to rootDir) and the
 * field; all files are read before throwing so that one run reports every broken file.
 */
export function loadCatalog(rootDir: string = projectRoot()): Catalog {
  const errors: CatalogError[] = [];
  const apps = new Map<string, AppDefinition>();
  const appsDir = path.join(rootDir, 'apps');
  const appDirs = fs.existsSync(appsDir) ? fs.readdirSync(appsDir, { withFileTypes: true }).filter((d) => d.isDirectory()) : [];
  for (const d of appDirs.sort((a, b) => a.name.localeCompare(b.name))) {
    const file = path.join(appsDir, d.name, 'app.yaml');
    if (!fs.existsSync(file)) continue;
    const rel = `apps/${d.name}/app.yaml`;
    try {
      const app = parseAppFile(rel, fs.readFileSync(file, 'utf8'));
      apps.set(app.id, app);
    } catch (e) {
      if (e instanceof CatalogError) errors.push(e);
      else throw e;
    }
  }

  const definitions: ProblemDefinition[] = [];
  const problemsDir = path.join(rootDir, 'problems');
  const files = fs.existsSync(problemsDir) ? fs.readdirSync(problemsDir).filter((f) => /\.ya?ml$/.test(f)) : [];
  for (const f of files.sort()) {
    const rel = `problems/${f}`;
    try {
      definitions.push(...parseProblemFamily(rel, fs.readFileSync(path.join(problemsDir, f), 'utf8')));
    } catch (e) {
      if (e instanceof CatalogError) errors.push(e);
      else throw e;
    }
  }
  if (errors.length) throw CatalogError.combine(errors);
  return { problems: new ProblemRegistry(definitions, apps), apps };
}
