#!/usr/bin/env node
// Runs VS Code extension integration tests in a REAL Node extension host, offline: code-server (npm) serves
// VS Code's server and web workbench, headless Chromium (playwright-core) opens the workbench with the
// smoke-test driver enabled, and the workbench starts the extension under development and the test module in
// code-server's Node extension host. The exit code and the test output come back through the automation hooks.
//
//   run.mjs --extensionDevelopmentPath=<dir> [--extensionDevelopmentPath=<fixture dir> ...]
//           --extensionTestsPath=<module.js> [<workspace folder>]
//
// Environment: VSCODE_HARNESS_DEPS (made by setup.sh), CHROMIUM_PATH (/usr/bin/chromium),
// VSCODE_HARNESS_TIMEOUT seconds (300; exit 124 and a kept screenshot on timeout),
// VSCODE_HARNESS_SCREENSHOT=<png> (screenshot when the tests end), VSCODE_HARNESS_VERBOSE=1, VSCODE_HARNESS_KEEP_TMP=1,
// VSCODE_HARNESS_EXTRA_EXTENSIONS (path-delimited folders installed as extensions), VSCODE_SKIP_BUILTIN_EXTENSIONS.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import util from 'node:util';
import { createRequire } from 'node:module';

const deps = path.resolve(process.env.VSCODE_HARNESS_DEPS || path.join(process.env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache'), 'vscode-harness'));
const node24 = path.join(deps, 'node24/node_modules/node/bin/node');
const csEntry = path.join(deps, 'cs/node_modules/code-server/out/node/entry.js');
const chromiumPath = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
const timeoutS = Number(process.env.VSCODE_HARNESS_TIMEOUT || 300);
const verbose = !!process.env.VSCODE_HARNESS_VERBOSE;

const devPaths = [];
let testsPath;
let workspace;
let disableExtensions = false;
const argv = process.argv.slice(2);
for (let i = 0; i < argv.length; i++) {
  const m = /^--([^=]+)(?:=(.*))?$/.exec(argv[i]);
  if (!m) { workspace ??= path.resolve(argv[i]); continue; }
  const [, key, inline] = m;
  const value = () => (inline !== undefined ? inline : argv[++i]);
  if (key === 'extensionDevelopmentPath') devPaths.push(path.resolve(value()));
  else if (key === 'extensionTestsPath') testsPath = path.resolve(value());
  else if (key === 'disable-extensions') disableExtensions = true;
  else if (['user-data-dir', 'extensions-dir', 'folder-uri', 'locale', 'log'].includes(key) && inline === undefined) i++;
}
if (!devPaths.length || !testsPath) {
  console.error('usage: run.mjs --extensionDevelopmentPath=<dir> --extensionTestsPath=<file.js> [folder]');
  process.exit(2);
}
for (const f of [node24, csEntry, chromiumPath]) {
  if (!fs.existsSync(f)) { console.error(`vscode-harness: missing ${f} (run tools/vscode-harness/setup.sh)`); process.exit(2); }
}
const { chromium } = createRequire(path.join(deps, 'cs/package.json'))('playwright-core');

const t0 = Date.now();
const log = (...a) => console.log(`[vscode-harness ${((Date.now() - t0) / 1000).toFixed(1)}s]`, ...a);
const freePort = () => new Promise((resolve, reject) => {
  const s = net.createServer();
  s.unref();
  s.on('error', reject);
  s.listen(0, '127.0.0.1', () => { const { port } = s.address(); s.close(() => resolve(port)); });
});

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'vscode-harness-'));
if (!workspace) { workspace = path.join(tmp, 'workspace'); fs.mkdirSync(workspace); }
const port = await freePort();
const userData = path.join(tmp, 'user-data');
fs.mkdirSync(path.join(userData, 'User'), { recursive: true });
fs.writeFileSync(path.join(userData, 'User', 'settings.json'), JSON.stringify({
  'workbench.startupEditor': 'none', 'telemetry.telemetryLevel': 'off', 'update.mode': 'none',
  'extensions.autoUpdate': false, 'extensions.autoCheckUpdates': false, 'workbench.enableExperiments': false,
  'security.workspace.trust.enabled': false, 'git.enabled': false,
}, null, 2));
fs.writeFileSync(path.join(tmp, 'config.yaml'), '');
// Only one extensionDevelopmentPath survives the workbench's payload (it becomes a Map); further ones are copied
// into the fresh extensions folder and load as installed extensions.
const extensionsDir = path.join(tmp, 'extensions');
fs.mkdirSync(extensionsDir, { recursive: true });
const extra = [...devPaths.slice(1), ...(process.env.VSCODE_HARNESS_EXTRA_EXTENSIONS || '').split(path.delimiter).filter(Boolean)];
for (const dir of extra) {
  const pkg = JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8'));
  fs.cpSync(dir, path.join(extensionsDir, `${pkg.publisher}.${pkg.name}-${pkg.version}`), { recursive: true, dereference: true });
}
if (extra.length && disableExtensions) log('warning: --disable-extensions also disables the extra extensions');

const csArgs = [csEntry, '--auth', 'none', '--bind-addr', `127.0.0.1:${port}`,
  '--disable-telemetry', '--disable-update-check', '--disable-workspace-trust', '--disable-getting-started-override',
  '--ignore-last-opened', '--user-data-dir', userData, '--extensions-dir', extensionsDir,
  '--config', path.join(tmp, 'config.yaml'),
  // Without this a built workbench ignores the payload (extensionDevelopmentPath / extensionTestsPath) and hangs.
  '--vscode-option', 'enable-smoke-test-driver'];
const env = { ...process.env, XDG_CONFIG_HOME: path.join(tmp, 'xdg-config'), XDG_DATA_HOME: path.join(tmp, 'xdg-data') };
delete env.ELECTRON_RUN_AS_NODE;
env.VSCODE_HARNESS_T0 = String(t0);
env.VSCODE_SKIP_BUILTIN_EXTENSIONS ??= ['git', 'git-base', 'github', 'github-authentication', 'microsoft-authentication',
  'typescript-language-features', 'json-language-features', 'emmet', 'npm', 'merge-conflict', 'debug-auto-launch',
  'configuration-editing', 'extension-editing', 'tunnel-forwarding'].map((n) => 'vscode.' + n).join(',');
log(`code-server on 127.0.0.1:${port}`);
const server = spawn(node24, csArgs, { env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
let serverOut = '';
const listening = new Promise((resolve, reject) => {
  const onData = (d) => {
    const s = d.toString();
    serverOut += s;
    if (verbose) process.stderr.write('[code-server] ' + s);
    if (s.includes('HTTP server listening')) resolve();
  };
  server.stdout.on('data', onData);
  server.stderr.on('data', onData);
  server.on('exit', (c) => reject(new Error(`code-server exited early (${c})\n${serverOut}`)));
});

const counts = {};
let browser;
let page;
let keep = !!process.env.VSCODE_HARNESS_KEEP_TMP;
const cleanup = async () => {
  try { await browser?.close(); } catch {}
  if (server.exitCode === null) {
    try { process.kill(-server.pid, 'SIGTERM'); } catch {}
    for (let i = 0; i < 20 && server.exitCode === null; i++) await new Promise((r) => setTimeout(r, 100));
    try { process.kill(-server.pid, 'SIGKILL'); } catch {}
  }
  if (!keep) fs.rmSync(tmp, { recursive: true, force: true });
};
const finish = async (code) => { clearTimeout(hardTimer); await cleanup(); process.exit(code); };
const hardTimer = setTimeout(async () => {
  keep = true;
  log(`TIMEOUT after ${timeoutS}s; logs kept in ${tmp}`);
  try { await page?.screenshot({ path: path.join(tmp, 'timeout.png') }); } catch {}
  fs.writeFileSync(path.join(tmp, 'code-server.out'), serverOut);
  await finish(124);
}, timeoutS * 1000);
for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => finish(130));

try {
  await listening;
  browser = await chromium.launch({
    executablePath: chromiumPath, headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--disable-background-networking',
      '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic'],
  });
  page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  if (verbose) page.on('console', (m) => console.log('[browser]', m.type(), m.text()));
  const NOISE = /^\[(AgentHost|AgentHost:remote|AgentHostChannel|ChatModelSelection|AccountPolicyGate|reconnection-grace-time|Service Worker)\]|open-vsx\.org|Timed out waiting for authentication provider|No signed-in session|Updating additional builtin extensions cache|^Creating a socket|^Resolv(ing|ed) connection token|Error while handling chat request: Canceled/;
  const done = new Promise((resolve) => {
    page.exposeFunction('codeAutomationLog', (type, args) => {
      const text = util.format(...(Array.isArray(args) ? args : [args]));
      if (!verbose && NOISE.test(text)) return;
      const m = /^\s*(\d+) (passing|failing|pending)\b/.exec(text);
      if (m) counts[m[2]] = Number(m[1]);
      (type === 'error' ? process.stderr : process.stdout).write(text + '\n');
    });
    page.exposeFunction('codeAutomationExit', (code) => resolve(code));
  });
  const authority = `127.0.0.1:${port}`;
  const payload = [
    ['extensionDevelopmentPath', `vscode-remote://${authority}${devPaths[0]}`],
    ['extensionTestsPath', `vscode-remote://${authority}${testsPath}`],
    ['skipWelcome', 'true'],
    ...(disableExtensions ? [['disableExtensions', 'true']] : []),
  ];
  log('opening workbench');
  await page.goto(`http://${authority}/?folder=${encodeURIComponent(workspace)}&payload=${encodeURIComponent(JSON.stringify(payload))}`);
  const code = await done;
  log(`extension host exited with code ${code}`);
  if (process.env.VSCODE_HARNESS_SCREENSHOT) await page.screenshot({ path: process.env.VSCODE_HARNESS_SCREENSHOT }).catch((e) => log('screenshot failed', e.message));
  if (counts.passing !== undefined || counts.failing !== undefined) {
    console.log(`${counts.passing ?? 0} passed, ${counts.failing ?? 0} failed` + (counts.pending ? `, ${counts.pending} skipped` : ''));
  }
  await finish(code);
} catch (e) {
  log('harness error:', e?.stack || e);
  if (!verbose) console.log(serverOut.slice(-4000));
  await finish(2);
}
