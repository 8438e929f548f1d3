// Writes the extension's contributions (src/extension/model/manifest.ts, compiled to out/) into package.json's
// `contributes`; only that key is touched. Run after `npx tsc -p .`: node scripts/gen-contributes.mjs [--check]
import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const { contributes } = require('../out/src/extension/model/manifest.js');
const file = new URL('../package.json', import.meta.url);
const text = readFileSync(file, 'utf8');
const pkg = JSON.parse(text);
const next = contributes();
if (process.argv.includes('--check')) {
  const same = JSON.stringify(pkg.contributes) === JSON.stringify(next);
  console.log(same ? 'package.json contributes is up to date' : 'package.json contributes is out of date: run node scripts/gen-contributes.mjs');
  process.exit(same ? 0 : 1);
}
pkg.contributes = next;
writeFileSync(file, JSON.stringify(pkg, null, 2) + '\n');
console.log(`package.json: ${next.commands.length} commands, ${next.languageModelTools.length} tools, ${Object.keys(next.configuration.properties).length} settings`);
