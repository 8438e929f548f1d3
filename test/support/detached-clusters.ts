/**
 * Real clusters for tests and benchmarks: detached embedded clusters (`aiopslab twin start --bare --name N --detach`,
 * a fresh kind-like cluster over TLS with tokens and RBAC) reached only through one kubeconfig in a HOME of their own,
 * optionally set up with `aiopslab cluster setup` (the test's stand-in Chaos Mesh chart: no chart repository is
 * reachable from the test machines).
 */
import { strict as assert } from 'node:assert';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { runCli, type CliResult } from './cli';
import { Engine } from '../../src/engine';
import { resolveKubectl } from '../../src/twin/kubectl-path';

export const FIXTURE_CHARTS = path.resolve(__dirname, '..', '..', '..', 'test', 'fixtures', 'charts');

export interface DetachedClusters {
  /** The docker CLI of each cluster (its Flower pods), as a user of `twin start` would set AIOPSLAB_DOCKER. */
  dockerShim(name: string): string;
  /** The CLI with `--results`, run in the folder with HOME set to the clusters' home (no KUBECONFIG). */
  cli(args: string[], extraEnv?: NodeJS.ProcessEnv): Promise<CliResult>;
  env: NodeJS.ProcessEnv;
  home: string;
  results: string;
  stop(): Promise<void>;
}

export async function startDetachedClusters(o: { cwd: string; kubectl: string; names: string[]; currentContext?: string; setup?: boolean }): Promise<DetachedClusters> {
  const home = path.join(o.cwd, 'home');
  const results = path.join(o.cwd, 'results');
  const started = await Promise.all(o.names.map((name) => runCli(['--results', results, 'twin', 'start', '--bare', '--name', name, '--detach'], { cwd: o.cwd })));
  started.forEach((r, i) => assert.equal(r.code, 0, `twin start ${o.names[i]}: ${r.stderr}${r.stdout}`));
  const files = started.map((r) => /export KUBECONFIG=(.+)/.exec(r.stdout)![1].trim());
  fs.mkdirSync(path.join(home, '.kube'), { recursive: true });
  const merged = await run(o.kubectl, ['config', 'view', '--flatten'], { ...process.env, KUBECONFIG: files.join(path.delimiter) });
  fs.writeFileSync(path.join(home, '.kube', 'config'), merged, { mode: 0o600 });
  const env: NodeJS.ProcessEnv = { ...process.env, HOME: home };
  delete env.KUBECONFIG;
  await run(o.kubectl, ['config', 'use-context', o.currentContext ?? o.names[0]], env);
  const cli = (args: string[], extraEnv: NodeJS.ProcessEnv = {}) => runCli(['--results', results, ...args], { cwd: o.cwd, env: { ...env, ...extraEnv } });
  if (o.setup) {
    const done = await Promise.all(o.names.map((name) => cli(['cluster', 'setup', '--context', name, '--charts', FIXTURE_CHARTS])));
    done.forEach((r, i) => assert.equal(r.code, 0, `cluster setup ${o.names[i]}: ${r.stderr}${r.stdout}`));
  }
  return {
    cli, env, home, results,
    dockerShim: (name) => path.join(path.dirname(files[o.names.indexOf(name)]), 'bin', 'docker'),
    stop: async () => {
      await Promise.all(o.names.map((name) => cli(['twin', 'stop', '--name', name]).catch(() => undefined)));
    },
  };
}

export function run(file: string, args: string[], env: NodeJS.ProcessEnv): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(file, args, { env });
    let out = '';
    let err = '';
    child.stdout.on('data', (b) => (out += b));
    child.stderr.on('data', (b) => (err += b));
    child.on('close', (code) => (code === 0 ? resolve(out) : reject(new Error(`${path.basename(file)} ${args.join(' ')}: ${err.trim()}`))));
  });
}

/** Clusters (and shares); more would only queue on the test machines' two cores. */
export const CATALOG_CLUSTERS = 3;

type Brief = { explanation?: string; error?: string; status: string };
export interface ValidateRow { problemId: string; solvable: boolean; discriminating: boolean; rejectsWrong: boolean; oracle: Brief; idle?: Brief; wrong?: Brief }

/** Every registered problem validated on `CATALOG_CLUSTERS` detached clusters (`validate` with `validateArgs`); the rows and the wall time. */
export async function validateCatalogOnDetachedClusters(cwd: string, validateArgs: string[] = []): Promise<{ rows: ValidateRow[]; seconds: number; failures: string[] }> {
  const ids = Engine.create({ cwd }).listProblems().map((p) => p.id);
  const names = Array.from({ length: CATALOG_CLUSTERS }, (_, i) => `catalog-${i}`);
  const started = Date.now();
  let clusters: DetachedClusters | undefined;
  try {
    clusters = await startDetachedClusters({ cwd, kubectl: await resolveKubectl(), names, setup: true });
    const c = clusters;
    const shares = names.map((_, i) => ids.filter((__, j) => j % names.length === i));
    const runs = await Promise.all(names.map((name, i) => c.cli(['--cluster', name, 'validate', '--json', ...validateArgs, '--problems', shares[i].join(',')], { AIOPSLAB_DOCKER: c.dockerShim(name) })));
    const failures = runs.filter((r) => r.code !== 0 && !r.stdout.trim().startsWith('[')).map((r) => r.stderr.slice(-2000));
    const rows = runs.flatMap((r) => (r.stdout.trim().startsWith('[') ? (JSON.parse(r.stdout) as ValidateRow[]) : []));
    return { rows, seconds: (Date.now() - started) / 1000, failures };
  } finally {
    await clusters?.stop();
  }
}

