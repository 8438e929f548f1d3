import { z } from 'zod';
import { CatalogError, formatZodIssues, parseYamlMapping } from '../catalog-error';
import type { AppDefinition } from './types';

export { CatalogError } from '../catalog-error';

const name = z.string({ error: 'expected a non-empty string' }).min(1, { error: 'expected a non-empty string' });
const appId = z.string().regex(/^[a-z0-9]+(-[a-z0-9]+)*$/, { error: 'expected an app id in kebab-case, such as hotel-reservation' });

const deploySchema = z.discriminatedUnion(
  'kind',
  [
    z.strictObject({
      kind: z.literal('manifests'),
      path: name,
      prerequisites: z.array(name).optional(),
      readyConditions: z.array(z.strictObject({ resource: name, condition: name })).optional(),
    }),
    z.strictObject({
      kind: z.literal('helm'),
      chart: name,
      release: name,
      repo: z.string().optional(),
      version: z.string().optional(),
      values: z.record(z.string(), z.unknown()).optional(),
    }),
    z.strictObject({ kind: z.literal('docker-compose'), path: name }),
    z.strictObject({ kind: z.literal('none') }),
  ],
  { error: 'expected a deploy section with kind manifests, helm, docker-compose or none' },
);

/** apps/<id>/app.yaml */
export const appFileSchema = z.strictObject({
  id: appId.optional(),
  name,
  namespace: z.string().regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/, { error: 'expected a Kubernetes namespace name' }),
  description: name,
  supportedOperations: z.array(name, { error: 'expected a list of strings' }).min(1, { error: 'expected at least one operation' }),
  frontend: z.strictObject({ service: name, port: z.number().int().min(1).max(65535) }).optional(),
  serviceLabel: name.optional(),
  deploy: deploySchema,
  metadataOnly: z.boolean().optional(),
});

/** `apps/<id>/app.yaml` → `<id>`, when the file name has that shape. */
function idFromFileName(fileName: string): string | undefined {
  const parts = fileName.split(/[\\/]/).filter(Boolean);
  return parts.length >= 2 && parts[parts.length - 1] === 'app.yaml' ? parts[parts.length - 2] : undefined;
}

/** Parses one app file. The app id is its folder name (`apps/<id>/app.yaml`); an `id` field, if present, must match it. */
export function parseAppFile(fileName: string, text: string): AppDefinition {
  const raw = parseYamlMapping(fileName, text, 'name, namespace, description, supportedOperations, deploy');
  const parsed = appFileSchema.safeParse(raw);
  if (!parsed.success) throw new CatalogError(fileName, formatZodIssues(parsed.error.issues, raw));
  const f = parsed.data;
  const dirId = idFromFileName(fileName);
  if (f.id && dirId && f.id !== dirId) {
    throw new CatalogError(fileName, [`id: expected "${dirId}" (the folder name), got "${f.id}"`]);
  }
  const id = f.id ?? dirId;
  if (!id) throw new CatalogError(fileName, ['id: required field is missing (expected an app id, or a file at apps/<id>/app.yaml)']);
  if (!f.metadataOnly && f.deploy.kind === 'none') {
    throw new CatalogError(fileName, ['deploy.kind: "none" is only allowed with metadataOnly: true']);
  }
  return {
    id,
    name: f.name,
    namespace: f.namespace,
    description: f.description.trim(),
    supportedOperations: f.supportedOperations,
    ...(f.frontend ? { frontend: f.frontend } : {}),
    ...(f.serviceLabel ? { serviceLabel: f.serviceLabel } : {}),
    deploy: f.deploy,
    ...(f.metadataOnly ? { metadataOnly: true } : {}),
    sourceFile: fileName,
  };
}
