import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';

const root = path.resolve(__dirname, '../../..');
const vsce = path.join(root, 'node_modules', '.bin', 'vsce');

describe('extension packaging (.vsix file list)', () => {
  it('holds only the bundles, media, the catalog and the README: no sources, tests or node_modules', function () {
    if (!fs.existsSync(vsce)) this.skip();
    this.timeout(60_000);
    const r = spawnSync(vsce, ['ls', '--no-dependencies'], { cwd: root, encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    const files = r.stdout.split('\n').map((l) => l.trim()).filter(Boolean);
    const allowed = /^(package\.json|README\.md|LICENSE|CHANGELOG\.md|dist\/(extension|extension-engine|twin-process|webview)\.js|media\/[^/]+|problems\/.+|apps\/.+)$/;
    assert.deepEqual(files.filter((f) => !allowed.test(f)), []);
    for (const needed of ['package.json', 'dist/extension.js', 'dist/extension-engine.js', 'dist/webview.js', 'media/transcript.css']) assert.ok(files.includes(needed), needed);
    assert.ok(files.some((f) => f.startsWith('problems/')) && files.some((f) => f.startsWith('apps/')));
  });
});
