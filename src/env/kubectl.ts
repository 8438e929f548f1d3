import { spawn } from 'node:child_process';

export interface KubectlOptions {
  kubectl: string;
  kubeconfigPath?: string;
  context?: string;
  kubeCacheDir?: string;
}

export class KubectlError extends Error {
  constructor(readonly args: string[], readonly exitCode: number | null, readonly stderr: string) {
    super(`kubectl ${args.join(' ')} failed (exit code ${exitCode}): ${stderr.trim()}`);
  }
}

/**
 * The orchestrator's own kubectl (never the agent's shell): always an async spawn, because a synchronous call would
 * block the event loop that may be serving the embedded cluster.
 */
export class Kubectl {
  constructor(readonly options: KubectlOptions) {}

  run(args: string[], input?: string, timeoutMs = 120_000): Promise<string> {
    const full = [...(this.options.context ? ['--context', this.options.context] : []), ...args];
    const env: NodeJS.ProcessEnv = { ...process.env };
    if (this.options.kubeconfigPath) env.KUBECONFIG = this.options.kubeconfigPath;
    if (this.options.kubeCacheDir) env.KUBECACHEDIR = this.options.kubeCacheDir;
    return new Promise((resolve, reject) => {
      const child = spawn(this.options.kubectl, full, { env, stdio: ['pipe', 'pipe', 'pipe'] });
      const out: Buffer[] = [];
      const err: Buffer[] = [];
      child.stdout.on('data', (b: Buffer) => out.push(b));
      child.stderr.on('data', (b: Buffer) => err.push(b));
      const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
      child.on('error', (error) => {
        clearTimeout(timer);
        reject(new Error(`Cannot run kubectl (${this.options.kubectl}): ${error.message}. Install kubectl 1.29 or newer, or set aiopslab.kubectlPath (VS Code) / AIOPSLAB_KUBECTL (CLI) to one.`));
      });
      child.on('close', (code) => {
        clearTimeout(timer);
        const stdout = Buffer.concat(out).toString('utf8');
        if (code === 0) resolve(stdout);
        else {
          // `kubectl exec` reports only "command terminated with exit code N": the command's own output says why.
          const stderr = Buffer.concat(err).toString('utf8');
          const why = /^command terminated with exit code \d+\s*$/.test(stderr) && stdout.trim() ? `${stdout.trim().slice(-600)}\n${stderr}` : stderr || stdout;
          reject(new KubectlError(args, code, why));
        }
      });
      if (input !== undefined) child.stdin.end(input);
      else child.stdin.end();
    });
  }

  async json<T = any>(args: string[]): Promise<T> { // eslint-disable-line @typescript-eslint/no-explicit-any
    return JSON.parse(await this.run([...args, '-o', 'json'])) as T;
  }
}
