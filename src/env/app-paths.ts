import * as path from 'node:path';
import type { AppDefinition } from '../core/apps/types';

/** The app's own folder, `apps/<id>/`; paths in app.yaml are relative to it. */
export function appDir(root: string, app: AppDefinition): string {
  return path.join(root, 'apps', app.id);
}

/** Where the app's Kubernetes manifests are (`deploy.path` of app.yaml, default `manifests`). */
export function appManifestsDir(root: string, app: AppDefinition): string {
  return path.resolve(appDir(root, app), app.deploy.kind === 'manifests' ? app.deploy.path : 'manifests');
}
