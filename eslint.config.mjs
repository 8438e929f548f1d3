// Lint for src/, test/ and bench/: typescript-eslint's type-aware recommended rules, plus the promise rule that catches a
// forgotten await (a fault never recovered, an error swallowed) and a bound on function length. The rules that flag
// values typed `any` (and `String()` of a value whose type is not known) are warnings: they are the typing debt,
// counted by scripts/lint.mjs against a budget that may only go down.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const anyDebt = [
  '@typescript-eslint/no-explicit-any',
  '@typescript-eslint/no-unsafe-member-access',
  '@typescript-eslint/no-unsafe-assignment',
  '@typescript-eslint/no-unsafe-argument',
  '@typescript-eslint/no-unsafe-call',
  '@typescript-eslint/no-unsafe-return',
  // Flags String(x) where x is `unknown` narrowed to `{}`: the code handles objects before such fallbacks, but the type
  // does not say so; typing those values (fault parameters above all) removes the warning.
  '@typescript-eslint/no-base-to-string',
];

// The length bound holds without exceptions: a comment that switches it off is itself an error (split the function).
const noLengthExemption = {
  meta: { type: 'problem', messages: { exempt: 'max-lines-per-function may not be disabled: split the function into named parts instead.' } },
  create(context) {
    return {
      Program() {
        for (const comment of context.sourceCode.getAllComments()) {
          if (/eslint-disable(?:-next-line|-line)?\b[^\n]*max-lines-per-function/.test(comment.value)) context.report({ loc: comment.loc, messageId: 'exempt' });
        }
      },
    };
  },
};

export default tseslint.config(
  { ignores: ['out/**', 'dist/**', 'node_modules/**', 'media/**', 'apps/**', 'test-fixtures/**', 'webview/**', '**/*.js', '**/*.mjs', '**/*.cjs'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      ...Object.fromEntries(anyDebt.map((rule) => [rule, 'warn'])),
      '@typescript-eslint/no-floating-promises': 'error',
      // Ports and interfaces return promises; an async implementation that happens not to await keeps a throw a rejection.
      '@typescript-eslint/require-await': 'off',
      // The call parser throws SyntaxIssue (an offset and a message, no stack: it is control flow, not a crash).
      '@typescript-eslint/only-throw-error': ['error', { allow: [{ from: 'file', name: 'SyntaxIssue' }] }],
      '@typescript-eslint/restrict-template-expressions': ['error', { allowNumber: true, allowBoolean: true, allowNullish: true, allow: [{ from: 'lib', name: ['Error', 'URL', 'URLSearchParams'] }, { from: 'package', package: 'url', name: ['URLSearchParams'] }] }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', destructuredArrayIgnorePattern: '^_', ignoreRestSiblings: true }],
      // A variable assigned once but read first by a closure (a controller's work queue) cannot be const.
      'prefer-const': ['error', { ignoreReadBeforeAssign: true }],
      'max-lines-per-function': ['error', { max: 150, skipBlankLines: true, skipComments: true }],
      'aiopslab/no-length-exemption': 'error',
    },
  },
  { plugins: { aiopslab: { rules: { 'no-length-exemption': noLengthExemption } } } },
  {
    // Tests declare their cases inside describe() callbacks, which are long by nature.
    files: ['test/**/*.ts', 'bench/**/*.ts'],
    rules: { 'max-lines-per-function': 'off' },
  },
);
