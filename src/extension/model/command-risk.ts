/** Which shell commands change the cluster (pure: used by the tools, the host and the webview bundle). */
import { parseArgs } from '../../core/shell/options';
import { tokenizeShell } from '../../core/shell/tokenize';

const KUBECTL_CHANGING = ['apply', 'patch', 'scale', 'delete', 'create', 'replace', 'edit', 'set', 'label', 'annotate', 'taint', 'cordon', 'drain', 'uncordon', 'exec', 'cp', 'expose', 'autoscale', 'run', 'debug'];
const HELM_CHANGING = ['install', 'upgrade', 'uninstall', 'rollback', 'delete'];
const DOCKER_CHANGING = ['rm', 'stop', 'start', 'kill', 'restart', 'exec'];
const HOST_CHANGING = ['rm', 'mv', 'chmod', 'chown', 'kill', 'pkill', 'systemctl'];
/** Options of kubectl and helm that take a value, so that `kubectl -n ns scale ...` finds `scale` as the command. */
const VALUE_OPTIONS = { shortValue: 'nolfckp', longValue: ['namespace', 'output', 'selector', 'context', 'kubeconfig', 'filename', 'container', 'patch', 'type', 'kube-context', 'values', 'set'] };

/** Whether an exec_shell command may change the cluster (asks for confirmation before it runs). */
export function isChangingCommand(command: string): boolean {
  const tokens = tokenizeShell(command);
  // A line the tokenizer cannot read exactly (substitutions, heredocs...) may do anything: ask.
  if (!tokens.ok) return true;
  return tokens.commands.some(({ words }) => {
    const texts = words.map((w) => w.text).filter((_w, i, all) => !all.slice(0, i + 1).every((x) => /^[A-Za-z_][A-Za-z0-9_]*=/.test(x)));
    const [program, ...args] = texts;
    const name = program?.slice(program.lastIndexOf('/') + 1);
    const [sub, sub2] = parseArgs(args, VALUE_OPTIONS).positionals;
    if (name === 'kubectl') return KUBECTL_CHANGING.includes(sub) || (sub === 'rollout' && ['restart', 'undo'].includes(sub2));
    if (name === 'helm') return HELM_CHANGING.includes(sub);
    if (name === 'docker') return DOCKER_CHANGING.includes(sub);
    return HOST_CHANGING.includes(name ?? '');
  });
}

/** Whether a step is worth the "changes cluster" mark: a write action, and for exec_shell a changing command. */
export function stepChangesCluster(step: { write?: boolean; action?: { name: string; args: unknown[]; kwargs: Record<string, unknown> } }): boolean {
  if (!step.write) return false;
  if (step.action?.name !== 'exec_shell') return true;
  const command = step.action.args[0] ?? step.action.kwargs.command;
  return typeof command === 'string' ? isChangingCommand(command) : true;
}
