import * as path from 'node:path';
import type { Isolation } from '../../core/ports/environment';
import type { ShellPolicy } from '../../core/shell/policy';
import { runProcess, type ProcessResult } from './process';
import { sandboxAvailability, type SandboxSetting } from './availability';
import { kubeconfigEndpoints, type ApiEndpoint } from './kubeconfig-endpoints';
import { BubblewrapShell } from './bwrap';

/** What the agent's shell is given: its folder, its cluster identity, its tools. */
export interface AgentShellSetup {
  sessionDir: string;
  /** The agent's kubeconfig (read-only inside the sandbox; the sandbox opens exactly the API servers it names). */
  kubeconfigPath?: string;
  kubeCacheDir?: string;
  /** Folder holding the kubectl the agent should use; first on PATH. */
  kubectlDir?: string;
  /** More folders for PATH, after kubectlDir (the embedded cluster's docker shim for Flower sessions). */
  pathDirs?: string[];
  /** Host files or folders the tools on pathDirs need (the docker shim's script and interpreter), read-only at their own paths. */
  toolPaths?: string[];
}

/**
 * Where an agent's exec_shell commands run: a small provider interface with a sandboxed implementation (bubblewrap)
 * and a plain one (bash on the host, behind the shell policy alone).
 */
export interface AgentShell {
  readonly isolation: Isolation;
  /** Why the shell is not sandboxed although the policy asked for it (policy-only). */
  readonly reason?: string;
  run(command: string, options: { timeoutSec: number; signal?: AbortSignal }): Promise<ProcessResult>;
  dispose(): Promise<void>;
}

/** Environment variables an agent's shell may inherit. Everything else (API keys above all) stays out. */
export const INHERITED_ENV = ['PATH', 'HOME', 'LANG', 'LC_ALL', 'TERM', 'TZ', 'USER', 'SHELL', 'TMPDIR'];

export function agentShellEnv(setup: Pick<AgentShellSetup, 'kubeconfigPath' | 'kubeCacheDir' | 'kubectlDir' | 'pathDirs' | 'sessionDir'>, base: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const key of INHERITED_ENV) if (base[key] !== undefined) env[key] = base[key];
  env.PATH = [setup.kubectlDir, ...(setup.pathDirs ?? []), base.PATH ?? '/usr/local/bin:/usr/bin:/bin'].filter(Boolean).join(path.delimiter);
  if (setup.kubeconfigPath) env.KUBECONFIG = setup.kubeconfigPath;
  if (setup.kubeCacheDir) env.KUBECACHEDIR = setup.kubeCacheDir;
  env.AIOPSLAB_SESSION_DIR = setup.sessionDir;
  return env;
}

/** bash on the host, in the session folder, with the allow-listed environment: the shell of `open` and of `policy-only`. */
export class PlainShell implements AgentShell {
  constructor(private readonly setup: AgentShellSetup, readonly isolation: Isolation, readonly reason?: string) {}

  run(command: string, options: { timeoutSec: number; signal?: AbortSignal }): Promise<ProcessResult> {
    return runProcess('bash', ['-c', command], { cwd: this.setup.sessionDir, env: agentShellEnv(this.setup), ...options });
  }

  async dispose(): Promise<void> {
    // nothing held
  }
}

type IsolationChoice =
  | { isolation: 'sandbox'; tools: { bwrap: string; socat: string; nsenter?: string }; kubeconfig: { endpoints: ApiEndpoint[]; files: string[] } }
  | { isolation: 'policy-only' | 'none'; reason: string };

/** Which isolation a session with this policy and setting gets, and why not the sandbox when it does not. */
export function isolationFor(policy: ShellPolicy, setting: SandboxSetting, kubeconfigPath: string | undefined): IsolationChoice {
  if (policy === 'open') return { isolation: 'none', reason: 'the shell policy is open: commands run on the host unchecked' };
  const availability = sandboxAvailability(setting);
  if (!availability.available) return { isolation: 'policy-only', reason: availability.reason };
  const kubeconfig = kubeconfigEndpoints(kubeconfigPath);
  if (!kubeconfig.ok) return { isolation: 'policy-only', reason: kubeconfig.reason };
  return { isolation: 'sandbox', tools: availability, kubeconfig };
}

/** The agent shell for a session: sandboxed under the guarded policy wherever the machine allows, plain otherwise. */
export function createAgentShell(setup: AgentShellSetup, choice: IsolationChoice): AgentShell {
  if (choice.isolation === 'sandbox') return new BubblewrapShell(setup, choice.tools, choice.kubeconfig);
  return new PlainShell(setup, choice.isolation, choice.reason);
}
