/**
 * `aiopslab cluster setup`: installs, idempotently, what the catalog needs (components.ts) with Helm. Each component
 * is compared with what is there: a release of ours with the same chart version and values is left as it is, one that
 * differs is upgraded, a component provided some other way (a Chaos Mesh installed by hand) is left alone and said
 * so; the rest is installed. `dryRun` reads the cluster as usual and prints the commands it would run instead.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import YAML from 'yaml';
import type { Helm, HelmRelease } from '../helm';
import type { Kubectl } from '../kubectl';
import { COMPONENTS, shippedChartDir, type Component, type SetupContext } from './components';
import { detectRuntime } from './runtime';

export interface SetupOptions {
  kubectl: Kubectl;
  helm: Helm;
  root: string;
  /** A folder of charts (`helm pull` output: `<name>-<version>.tgz` or `<name>/`) used instead of chart repositories. */
  chartsDir?: string;
  dryRun?: boolean;
  /** Helm's --timeout for one release (image pulls on a real cluster take minutes). */
  waitTimeout?: string;
  onLine?: (line: string) => void;
}

export type ComponentOutcome = 'installed' | 'upgraded' | 'unchanged' | 'provided' | 'would-install' | 'would-upgrade';

export interface SetupResult {
  outcomes: Array<{ id: Component['id']; outcome: ComponentOutcome; detail: string }>;
  /** The commands run (or, dry, that would be run), as a user could paste them. */
  commands: string[];
  changed: boolean;
}

export class SetupError extends Error {}

export async function setupCluster(o: SetupOptions): Promise<SetupResult> {
  const say = o.onLine ?? (() => undefined);
  const nodes = await o.kubectl.json<{ items: unknown[] }>(['get', 'nodes']).catch((error: Error) => {
    throw new SetupError(`Cannot read the cluster's nodes: ${error.message}`);
  });
  const ctx: SetupContext = { kubectl: o.kubectl, root: o.root, runtime: detectRuntime(nodes.items as Parameters<typeof detectRuntime>[0]) };
  say(`container runtime: ${ctx.runtime ? `${ctx.runtime.runtime} (${ctx.runtime.detail}), socket ${ctx.runtime.socketPath}` : 'not reported by the nodes; assuming containerd'}`);
  const releases = await o.helm.releases();
  const result: SetupResult = { outcomes: [], commands: [], changed: false };
  for (const component of COMPONENTS) {
    const outcome = await settle(component, ctx, releases, o, result.commands);
    result.outcomes.push({ id: component.id, ...outcome });
    say(`${component.title}: ${outcome.detail}`);
  }
  result.changed = result.outcomes.some((r) => r.outcome !== 'unchanged' && r.outcome !== 'provided');
  if (!result.changed) say('nothing to change: the cluster already has everything the problems need');
  return result;
}

async function settle(component: Component, ctx: SetupContext, releases: HelmRelease[], o: SetupOptions, commands: string[]): Promise<{ outcome: ComponentOutcome; detail: string }> {
  const chart = resolveChart(component, o);
  const values = component.values(ctx);
  const release = releases.find((r) => r.name === component.release && r.namespace === component.namespace);
  if (release) {
    const current = release.status === 'deployed' ? await o.helm.values(component.release, component.namespace) : undefined;
    if (release.chart === `${component.chart.name}-${chart.version}` && current && isDeepStrictEqual(current, values)) {
      return { outcome: 'unchanged', detail: `already installed (release ${release.namespace}/${release.name}, chart ${release.chart}, revision ${release.revision})` };
    }
  } else {
    const other = await component.providedOtherwise(ctx);
    if (other) return { outcome: 'provided', detail: `already provided (${other}, not installed by aiopslab); left as it is` };
  }
  const args = ['upgrade', '--install', component.release, chart.ref, '--namespace', component.namespace, '--create-namespace',
    ...(chart.repo ? ['--repo', chart.repo, '--version', chart.version] : []), '--values', '-', '--wait', '--timeout', o.waitTimeout ?? '10m'];
  const valuesYaml = YAML.stringify(values);
  commands.push(`helm ${[...args, ...o.helm.scope()].map(quote).join(' ')} <<'EOF'\n${valuesYaml}EOF`);
  const verb = release ? 'upgrade' : 'install';
  if (o.dryRun) return { outcome: release ? 'would-upgrade' : 'would-install', detail: `would ${verb} chart ${component.chart.name} ${chart.version} as release ${component.namespace}/${component.release}` };
  try {
    await o.helm.run(args, valuesYaml);
  } catch (error) {
    throw new SetupError(`Installing ${component.title} failed: ${(error as Error).message}`);
  }
  return { outcome: release ? 'upgraded' : 'installed', detail: `${verb === 'install' ? 'installed' : 'upgraded'} chart ${component.chart.name} ${chart.version} as release ${component.namespace}/${component.release}` };
}

interface ResolvedChart {
  /** What helm is given: a folder, a .tgz, or the chart's name in `repo`. */
  ref: string;
  version: string;
  repo?: string;
}

function resolveChart(component: Component, o: SetupOptions): ResolvedChart {
  const { chart } = component;
  if (!chart.repo) {
    const dir = shippedChartDir(o.root, chart);
    return { ref: dir, version: chartYamlVersion(dir) ?? chart.version };
  }
  if (o.chartsDir) {
    const tgz = path.join(o.chartsDir, `${chart.name}-${chart.version}.tgz`);
    if (fs.existsSync(tgz)) return { ref: tgz, version: chart.version };
    const dir = path.join(o.chartsDir, chart.name);
    const version = chartYamlVersion(dir);
    if (version === chart.version) return { ref: dir, version };
    if (version) throw new SetupError(`${dir} holds ${chart.name} ${version}; the problems need ${chart.version} (helm pull ${chart.name} --repo ${chart.repo} --version ${chart.version}).`);
    throw new SetupError(`${o.chartsDir} has neither ${chart.name}-${chart.version}.tgz nor ${chart.name}/Chart.yaml. Fetch it where the repository is reachable: helm pull ${chart.name} --repo ${chart.repo} --version ${chart.version}`);
  }
  return { ref: chart.name, version: chart.version, repo: chart.repo };
}

function chartYamlVersion(dir: string): string | undefined {
  const file = path.join(dir, 'Chart.yaml');
  if (!fs.existsSync(file)) return undefined;
  const parsed = YAML.parse(fs.readFileSync(file, 'utf8')) as { version?: unknown } | null;
  return typeof parsed?.version === 'string' ? parsed.version : undefined;
}

function quote(arg: string): string {
  return /^[\w@%+=:,./-]+$/.test(arg) ? arg : `'${arg.replace(/'/g, `'\\''`)}'`;
}
