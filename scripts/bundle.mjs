// Bundles the shipped entry points with esbuild. Type-checking is tsc's job (npm run build runs it first);
// the bundles are what users run: the CLI (bin/aiopslab.js loads dist/cli.js), the extension and the webview.
import { build } from 'esbuild';
import { existsSync } from 'node:fs';

const common = { bundle: true, platform: 'node', target: 'node20', format: 'cjs', sourcemap: true, logLevel: 'warning' };
const entries = [
  { entryPoints: ['src/cli/main.ts'], outfile: 'dist/cli.js' },
  { entryPoints: ['src/extension/extension.ts'], outfile: 'dist/extension.js', external: ['vscode'] },
  // The extension's heavy part (engine, agents), loaded on first use so that activation parses only a small file.
  { entryPoints: ['src/extension/heavy.ts'], outfile: 'dist/extension-engine.js', external: ['vscode'] },
  // The embedded cluster runs in a child process; the CLI and the extension fork this file (see src/engine/twin-entry.ts).
  { entryPoints: ['src/twin/process/entry.ts'], outfile: 'dist/twin-process.js' },
  { entryPoints: ['webview/main.ts'], outfile: 'dist/webview.js', platform: 'browser', format: 'iife', target: 'es2022' },
  { entryPoints: ['webview/evaluation.ts'], outfile: 'dist/evaluation.js', platform: 'browser', format: 'iife', target: 'es2022' },
];
await Promise.all(entries.filter((e) => existsSync(e.entryPoints[0])).map((e) => build({ ...common, ...e })));
