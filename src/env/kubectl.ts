import { runTool, ToolError } from './run-tool';

export interface KubectlOptions {
  kubectl: string;
  kubeconfigPath?: string;
  context?: string;
  kubeCacheDir?: string;
}

/** The orchestrator's own kubectl (never the agent's shell). */
export class Kubectl {
  constructor(readonly options: KubectlOptions) {}

  run(args: string[], input?: string, timeoutMs = 120_000): Promise<string> {
    const full = [...(this.options.context ? ['--context', this.options.context] : []), ...args];
    const env: NodeJS.ProcessEnv = { ...process.env };
    if (this.options.kubeconfigPath) env.KUBECONFIG = this.options.kubeconfigPath;
    if (this.options.kubeCacheDir) env.KUBECACHEDIR = this.options.kubeCacheDir;
    const cannotStart = (error: Error) => new Error(`Cannot run kubectl (${this.options.kubectl}): ${error.message}. Install kubectl 1.29 or newer, or set aiopslab.kubectlPath (VS Code) / AIOPSLAB_KUBECTL (CLI) to one.`);
    return runTool(this.options.kubectl, full, { env, input, timeoutMs, cannotStart }).then(({ code, stdout, stderr }) => {
      if (code === 0) return stdout;
      // `kubectl exec` reports only "command terminated with exit code N": the command's own output says why.
      const why = /^command terminated with exit code \d+\s*$/.test(stderr) && stdout.trim() ? `${stdout.trim().slice(-600)}\n${stderr}` : stderr || stdout;
      throw new ToolError('kubectl', args, code, why);
    });
  }

  async json<T = any>(args: string[]): Promise<T> { // eslint-disable-line @typescript-eslint/no-explicit-any
    return JSON.parse(await this.run([...args, '-o', 'json'])) as T;
  }
}
