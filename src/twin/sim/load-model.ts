import * as fs from 'node:fs';
import * as path from 'node:path';
import YAML from 'yaml';
import { AppModel, ModelError, parseModel } from './model';

/** Finds the project's `apps/` folder by walking up from this file (works from src/ and from out/). */
export function findAppsDir(start: string = __dirname): string {
  let dir = start;
  for (;;) {
    const candidate = path.join(dir, 'apps');
    if (fs.existsSync(path.join(candidate, 'hotel-reservation'))) return candidate;
    const up = path.dirname(dir);
    if (up === dir) throw new ModelError(`cannot find the apps/ folder above ${start}`);
    dir = up;
  }
}

/** Parsed models by file, kept while the file is unchanged (a long-lived process sees an edited model). */
const cache = new Map<string, { version: string; model: AppModel }>();

/** Loads and validates `apps/<appId>/model.yaml`. Errors name the file and the field. */
export function loadModel(appId: string, appsDir: string = findAppsDir()): AppModel {
  const file = path.join(appsDir, appId, 'model.yaml');
  if (!fs.existsSync(file)) throw new ModelError(`no behaviour model for app "${appId}" (expected ${file})`);
  const stat = fs.statSync(file);
  const version = `${stat.mtimeMs}:${stat.size}`;
  const hit = cache.get(file);
  if (hit?.version === version) return hit.model;
  let raw: unknown;
  try {
    raw = YAML.parse(fs.readFileSync(file, 'utf8'));
  } catch (error) {
    throw new ModelError(`${file}: not valid YAML: ${(error as Error).message}`);
  }
  try {
    const model = parseModel(raw);
    cache.set(file, { version, model });
    return model;
  } catch (error) {
    throw new ModelError(`${file}: ${(error as Error).message}`);
  }
}

/** The app ids that have a model.yaml. */
export function modelledApps(appsDir: string = findAppsDir()): string[] {
  return fs.readdirSync(appsDir).filter((d) => fs.existsSync(path.join(appsDir, d, 'model.yaml'))).sort();
}
