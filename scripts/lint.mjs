#!/usr/bin/env node
// `npm run lint`: ESLint over the project, then a one-line account. Errors fail. Warnings are the `any` typing debt
// (see eslint.config.mjs); their count may not rise above the budget in lint-budget.json, and when it falls the
// budget should be lowered to the new count in the same commit, so it only ever goes down.
import { ESLint } from 'eslint';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import * as path from 'node:path';

const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const budgetFile = path.join(root, 'lint-budget.json');
const budget = JSON.parse(readFileSync(budgetFile, 'utf8'));

const eslint = new ESLint({ cwd: root });
const results = await eslint.lintFiles(['.']);
const errors = results.reduce((n, r) => n + r.errorCount, 0);
const warnings = results.reduce((n, r) => n + r.warningCount, 0);
const explicitAny = results.reduce((n, r) => n + r.messages.filter((m) => m.ruleId === '@typescript-eslint/no-explicit-any').length, 0);

if (errors > 0) {
  const formatter = await eslint.loadFormatter('stylish');
  process.stdout.write(await formatter.format(results.filter((r) => r.errorCount > 0).map((r) => ({ ...r, messages: r.messages.filter((m) => m.severity === 2) }))));
}
console.log(`lint: ${errors} errors, ${warnings} warnings (budget ${budget.warnings}), ${explicitAny} explicit any (budget ${budget.explicitAny}), ${results.length} files`);
let failed = errors > 0;
if (warnings > budget.warnings || explicitAny > budget.explicitAny) {
  console.log(`lint: the typing debt grew past its budget (lint-budget.json). Type the new code instead of using \`any\`; run npx eslint <file> to see where.`);
  failed = true;
} else if (warnings < budget.warnings || explicitAny < budget.explicitAny) {
  console.log(`lint: the debt went down — lower lint-budget.json to {"warnings": ${warnings}, "explicitAny": ${explicitAny}} to keep it there.`);
}
process.exit(failed ? 1 : 0);
