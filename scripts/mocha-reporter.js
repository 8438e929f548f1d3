'use strict';
// Mocha's spec output, then one plain closing line ("N passed, N failed[, N skipped]") that any CI can read.
// With MOCHA_FILE_TIMES=<path>, it also writes each test file's wall time (its top-level suites, hooks included) as
// JSON, slowest first, with the load average at start and end: the figures the team's test-time budget is kept with.
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const Mocha = require('mocha');

class SpecWithSummary extends Mocha.reporters.Spec {
  constructor(runner, options) {
    super(runner, options);
    const timesPath = process.env.MOCHA_FILE_TIMES;
    const perFile = new Map();
    const started = new Map();
    const loadAtStart = os.loadavg();
    const runStart = Date.now();
    if (timesPath) {
      runner.on('suite', (suite) => {
        if (suite.file && suite.parent && suite.parent.root) started.set(suite, Date.now());
      });
      runner.on('suite end', (suite) => {
        const t0 = started.get(suite);
        if (t0 === undefined) return;
        const file = path.relative(process.cwd(), suite.file);
        perFile.set(file, (perFile.get(file) || 0) + (Date.now() - t0));
      });
    }
    runner.once('end', () => {
      const s = runner.stats;
      process.stdout.write(`${s.passes} passed, ${s.failures} failed${s.pending ? `, ${s.pending} skipped` : ''}\n`);
      if (!timesPath) return;
      const files = [...perFile].sort((a, b) => b[1] - a[1]).map(([file, ms]) => ({ file, seconds: +(ms / 1000).toFixed(1) }));
      const report = {
        totalSeconds: +((Date.now() - runStart) / 1000).toFixed(1),
        loadAverageAtStart: loadAtStart.map((l) => +l.toFixed(2)),
        loadAverageAtEnd: os.loadavg().map((l) => +l.toFixed(2)),
        cpus: os.cpus().length,
        files,
      };
      fs.writeFileSync(timesPath, JSON.stringify(report, null, 2) + '\n');
    });
  }
}

module.exports = SpecWithSummary;
