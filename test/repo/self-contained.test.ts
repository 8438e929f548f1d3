import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';

const ROOT = path.resolve(__dirname, '..', '..', '..');

/**
 * The repository stands on its own: a comment or document may explain a fact, but never send the reader to a document
 * that is not in the repository (the team's private fact sheets, cited by section number, were such places).
 */
const OUTSIDE_CITATION = /\b(?:facts|spec|fault-symptoms|kube-emulator)(?:\.md)?\s*§|§\s*\d+(?:\.\d+)*\b|shared\/(?:spec|design)\/|aiopslab-facts\.md|fault-symptoms\.md|kube-emulator\.md|vscode-harness\.md/;

describe('the repository stands on its own', () => {
  it('no comment or document cites a document outside the repository', () => {
    const files = execFileSync('git', ['ls-files', '-z'], { cwd: ROOT, encoding: 'utf8' }).split('\0')
      .filter((f) => /\.(ts|mjs|js|md|yaml|yml|sh|json)$/.test(f) && !f.startsWith('node_modules/') && f !== 'test/repo/self-contained.test.ts' && f !== 'package-lock.json');
    const found: string[] = [];
    for (const file of files) {
      const full = path.join(ROOT, file);
      if (!fs.existsSync(full)) continue;
      fs.readFileSync(full, 'utf8').split('\n').forEach((line, i) => {
        if (OUTSIDE_CITATION.test(line)) found.push(`${file}:${i + 1}: ${line.trim().slice(0, 120)}`);
      });
    }
    assert.deepEqual(found, [], `write the fact in docs/ or in the comment instead:\n${found.join('\n')}`);
  });
});
