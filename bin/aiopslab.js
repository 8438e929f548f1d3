#!/usr/bin/env node
'use strict';
// Thin launcher: the CLI is bundled into dist/ by `npm run build`.
const path = require('node:path');
const fs = require('node:fs');
const bundle = path.join(__dirname, '..', 'dist', 'cli.js');
if (!fs.existsSync(bundle)) {
  process.stderr.write('aiopslab: the CLI is not built yet. Run `npm run build` in ' + path.join(__dirname, '..') + ' first.\n');
  process.exit(2);
}
require(bundle)
  .main(process.argv)
  .then((code) => {
    process.exitCode = code;
  });
