import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';

const root = path.resolve(__dirname, '../../..');
const vsce = path.join(root, 'node_modules', '.bin', 'vsce');

describe('extension packaging (.vsix file list)', () => {
  it('holds the bundles, media, the catalog, the charts and kind configs `cluster setup` uses and the README: no sources, tests or node_modules', function () {
    if (!fs.existsSync(vsce)) this.skip();
    this.timeout(60_000);
    const r = spawnSync(vsce, ['ls', '--no-dependencies'], { cwd: root, encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    const files = r.stdout.split('\n').map((l) => l.trim()).filter(Boolean);
    const allowed = /^(package\.json|README\.md|LICENSE|CHANGELOG\.md|dist\/(extension|extension-engine|twin-process|webview|evaluation)\.js|media\/[^/]+|problems\/.+|apps\/.+|charts\/.+|kind\/.+)$/;
    assert.deepEqual(files.filter((f) => !allowed.test(f)), []);
    // Every bundle the extension loads: the Evaluation view's page too (it was left out, and the view stayed blank).
    for (const needed of ['package.json', 'dist/extension.js', 'dist/extension-engine.js', 'dist/twin-process.js', 'dist/webview.js', 'dist/evaluation.js', 'media/transcript.css']) assert.ok(files.includes(needed), needed);
    assert.ok(files.some((f) => f.startsWith('problems/')) && files.some((f) => f.startsWith('apps/')));
  });
});
