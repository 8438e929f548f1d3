import { checkShellCommand, type ShellPolicy } from '../core/shell/policy';
import { capOutput } from '../core/shell/output-cap';
import { linkOutOf } from './inside-folder';
import { kubeconfigEndpoints } from './sandbox/kubeconfig-endpoints';
import { PlainShell, type AgentShell, type AgentShellSetup } from './sandbox/agent-shell';

export { agentShellEnv } from './sandbox/agent-shell';

export interface ShellOptions extends AgentShellSetup {
  policy: ShellPolicy;
  timeoutSec: number;
  outputCapChars: number;
  signal?: AbortSignal;
}

/** `host:port` of each API server the agent's kubeconfig names: the only places its curl may reach. */
function apiServersOf(kubeconfigPath: string | undefined): string[] {
  const found = kubeconfigEndpoints(kubeconfigPath);
  return found.ok ? found.endpoints.map((e) => `${e.host}:${e.port}`) : [];
}

/**
 * exec_shell as the agent sees it: policy check, run in the session's agent shell (sandboxed or plain; plain bash
 * when none is given), and an observation text (never throws for the agent's mistakes).
 */
export async function execShellObservation(
  command: string,
  requestedTimeoutSec: number | undefined,
  options: ShellOptions & { timeoutCapSec: number; shell?: AgentShell },
): Promise<string> {
  const check = checkShellCommand(command, options.policy, options.sessionDir, apiServersOf(options.kubeconfigPath));
  if (!check.allowed) return check.message;
  const timeoutSec = Math.min(Math.max(1, requestedTimeoutSec ?? options.timeoutSec), options.timeoutCapSec);
  const shell = options.shell ?? new PlainShell(options, options.policy === 'open' ? 'none' : 'policy-only');
  if (options.policy === 'guarded') {
    // The policy checks paths by name; a link in the folder could lead a name elsewhere (on the host without the sandbox).
    const link = linkOutOf(options.sessionDir);
    if (link) return `Error: command refused: the session folder holds a link to outside it (${link}); links are not followed. Work on regular files of the session folder.`;
  }
  const result = await shell.run(command, { timeoutSec, signal: options.signal });
  let text: string;
  if (result.timedOut) {
    text = `${result.stdout}${result.stderr}[ERROR] Command timed out after ${timeoutSec} s and was stopped: ${command}`;
  } else if (result.exitCode !== 0) {
    text = `${result.stdout}[ERROR] Command execution failed (exit code ${result.exitCode}): ${result.stderr.trimEnd()}`;
  } else {
    text = result.stdout + result.stderr;
  }
  return capOutput(text, options.outputCapChars);
}
