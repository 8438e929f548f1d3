/**
 * Entry point the extension host calls (`--extensionTestsPath`): runs test/vscode/*.itest.js with mocha inside the
 * real VS Code extension host (tools/vscode-harness). Named .itest so plain `npm test` (mocha in Node) skips them;
 * *.nomodel.itest.js run in a second host without the fake language model (a profile with no Copilot).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import Mocha from 'mocha';

export async function run(): Promise<void> {
  const mocha = new Mocha({ ui: 'bdd', color: false, timeout: 60_000, reporter: 'spec', grep: process.env.AIOPSLAB_ITEST_GREP || undefined });
  // AIOPSLAB_ITEST_SUITE=no-model: the suite of a profile without any language model (run without the fake one).
  const noModel = process.env.AIOPSLAB_ITEST_SUITE === 'no-model';
  const files = fs.readdirSync(__dirname).filter((f) => f.endsWith('.itest.js') && f.endsWith('.nomodel.itest.js') === noModel);
  for (const f of files.sort()) mocha.addFile(path.join(__dirname, f));
  await new Promise<void>((resolve, reject) => mocha.run((failures) => (failures > 0 ? reject(new Error(`${failures} tests failed.`)) : resolve())));
}
