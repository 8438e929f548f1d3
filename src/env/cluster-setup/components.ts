/**
 * What the catalog needs on a cluster, in the order `aiopslab cluster setup` installs it: storage for the apps'
 * volumes, Chaos Mesh for the symptom faults, Prometheus (and a Jaeger) for telemetry, then the agent's identity,
 * whose Prometheus role lives in the monitoring namespace. Each is one Helm release with pinned chart and values.
 */
import * as path from 'node:path';
import type { Kubectl } from '../kubectl';
import type { ContainerRuntime } from './runtime';

/** The agent's ServiceAccount and the ClusterRole each session binds in its app's namespace (charts/aiopslab-agent). */
export const AGENT_IDENTITY = { namespace: 'aiopslab-system', serviceAccount: 'aiopslab-agent', appRole: 'aiopslab-agent' } as const;

/** Where the metric readers look for Prometheus: Service prometheus-server, port 80, in namespace observe. */
export const MONITORING_NAMESPACE = 'observe';

export const CHAOS_MESH_NAMESPACE = 'chaos-mesh';

export interface ChartRef {
  name: string;
  version: string;
  /** A chart repository URL (upstream charts); absent for the charts this package ships. */
  repo?: string;
}

export interface SetupContext {
  kubectl: Kubectl;
  /** The package's root (its charts/ folder). */
  root: string;
  runtime?: ContainerRuntime;
}

export interface Component {
  id: 'storage' | 'chaos-mesh' | 'observability' | 'agent-identity';
  title: string;
  release: string;
  namespace: string;
  chart: ChartRef;
  values(ctx: SetupContext): Record<string, unknown>;
  /** When no release of ours is there: what already provides it (installed some other way), else undefined. */
  providedOtherwise(ctx: SetupContext): Promise<string | undefined>;
}

const ours = (name: string): ChartRef => ({ name, version: '0.1.0' });

/** The folder of a chart this package ships. */
export function shippedChartDir(root: string, chart: ChartRef): string {
  return path.join(root, 'charts', chart.name);
}

async function found(kubectl: Kubectl, args: string[]): Promise<string> {
  return kubectl.run([...args, '--ignore-not-found', '-o', 'name'], undefined, 60_000).then((out) => out.trim(), () => '');
}

export const COMPONENTS: Component[] = [
  {
    id: 'storage',
    title: 'default StorageClass (local-path provisioner)',
    release: 'aiopslab-local-path',
    namespace: 'local-path-storage',
    chart: ours('aiopslab-local-path'),
    values: () => ({}),
    async providedOtherwise({ kubectl }) {
      const classes = await kubectl.json<{ items: Array<{ metadata: { name: string; annotations?: Record<string, string> } }> }>(['get', 'storageclasses']).catch(() => ({ items: [] }));
      const isDefault = classes.items.find((c) => c.metadata.annotations?.['storageclass.kubernetes.io/is-default-class'] === 'true');
      return isDefault ? `default StorageClass "${isDefault.metadata.name}"` : undefined;
    },
  },
  {
    id: 'chaos-mesh',
    title: 'Chaos Mesh 2.6',
    release: 'chaos-mesh',
    namespace: CHAOS_MESH_NAMESPACE,
    chart: { name: 'chaos-mesh', version: '2.6.3', repo: 'https://charts.chaos-mesh.org' },
    values: ({ runtime }) => ({
      chaosDaemon: { runtime: runtime?.runtime ?? 'containerd', socketPath: runtime?.socketPath ?? '/run/containerd/containerd.sock' },
      dashboard: { create: false },
    }),
    async providedOtherwise({ kubectl }) {
      return (await found(kubectl, ['get', 'customresourcedefinition', 'podchaos.chaos-mesh.org'])) ? 'the chaos-mesh.org kinds are served' : undefined;
    },
  },
  {
    id: 'observability',
    title: 'Prometheus and Jaeger',
    release: 'aiopslab-observability',
    namespace: MONITORING_NAMESPACE,
    chart: ours('aiopslab-observability'),
    values: () => ({}),
    async providedOtherwise({ kubectl }) {
      return (await found(kubectl, ['get', 'service', 'prometheus-server', '-n', MONITORING_NAMESPACE])) ? `Service ${MONITORING_NAMESPACE}/prometheus-server` : undefined;
    },
  },
  {
    id: 'agent-identity',
    title: "the agent's identity",
    release: 'aiopslab-agent',
    namespace: AGENT_IDENTITY.namespace,
    chart: ours('aiopslab-agent'),
    values: () => ({ serviceAccount: AGENT_IDENTITY.serviceAccount, appRole: AGENT_IDENTITY.appRole, prometheus: { namespace: MONITORING_NAMESPACE, service: 'prometheus-server' } }),
    providedOtherwise: () => Promise.resolve(undefined),
  },
];
