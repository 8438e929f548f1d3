/**
 * Entry point the extension host calls (`--extensionTestsPath`): runs test/vscode/*.itest.js with mocha inside the
 * real VS Code extension host (tools/vscode-harness). Named .itest so plain `npm test` (mocha in Node) skips them.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import Mocha from 'mocha';

export async function run(): Promise<void> {
  const mocha = new Mocha({ ui: 'bdd', color: false, timeout: 60_000, reporter: 'spec', grep: process.env.AIOPSLAB_ITEST_GREP || undefined });
  for (const f of fs.readdirSync(__dirname).filter((f) => f.endsWith('.itest.js')).sort()) mocha.addFile(path.join(__dirname, f));
  await new Promise<void>((resolve, reject) => mocha.run((failures) => (failures > 0 ? reject(new Error(`${failures} tests failed.`)) : resolve())));
}
