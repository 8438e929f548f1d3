import { runTool, ToolError } from './run-tool';

export interface HelmOptions {
  helm: string;
  /** The kubeconfig file (default: KUBECONFIG / ~/.kube/config as helm itself finds it). */
  kubeconfigPath?: string;
  context?: string;
}

/** One release as `helm list -o json` shows it (chart is `<name>-<version>`). */
export interface HelmRelease {
  name: string;
  namespace: string;
  revision: string;
  status: string;
  chart: string;
  app_version?: string;
}

/** The orchestrator's helm, against the configured cluster only (`--kube-context` on every call). */
export class Helm {
  constructor(readonly options: HelmOptions) {}

  /** The arguments every call carries, so a printed command acts on the same cluster as the run one. */
  scope(): string[] {
    return [...(this.options.kubeconfigPath ? ['--kubeconfig', this.options.kubeconfigPath] : []), ...(this.options.context ? ['--kube-context', this.options.context] : [])];
  }

  run(args: string[], input?: string, timeoutMs = 15 * 60_000): Promise<string> {
    const full = [...args, ...this.scope()];
    const cannotStart = (error: Error) => new Error(`Cannot run helm (${this.options.helm}): ${error.message}. Install Helm 3 or set AIOPSLAB_HELM to one.`);
    return runTool(this.options.helm, full, { input, timeoutMs, cannotStart }).then(({ code, stdout, stderr }) => {
      if (code === 0) return stdout;
      throw new ToolError('helm', args, code, stderr || stdout);
    });
  }

  async releases(): Promise<HelmRelease[]> {
    return JSON.parse((await this.run(['list', '--all-namespaces', '--all', '--output', 'json'], undefined, 60_000)) || '[]') as HelmRelease[];
  }

  /** The values a release was installed with (what `--values` gave it), `{}` for none. */
  async values(release: string, namespace: string): Promise<Record<string, unknown>> {
    const text = await this.run(['get', 'values', release, '--namespace', namespace, '--output', 'json'], undefined, 60_000);
    return (JSON.parse(text || 'null') as Record<string, unknown> | null) ?? {};
  }
}
