/** Which shell commands change the cluster (no imports: used by the tools, the host and the webview bundle). */
const CHANGING = /\bkubectl\b[^|;&]*\b(apply|patch|scale|delete|create|replace|edit|set|label|annotate|taint|cordon|drain|uncordon|exec|cp|rollout\s+(restart|undo)|expose|autoscale)\b|\bhelm\s+(install|upgrade|uninstall|rollback|delete)\b|\b(rm|mv|chmod|chown|kill|pkill|systemctl|docker\s+(rm|stop|kill|restart))\b/;

/** Whether an exec_shell command may change the cluster (asks for confirmation before it runs). */
export function isChangingCommand(command: string): boolean {
  return CHANGING.test(command);
}

/** Whether a step is worth the "changes cluster" mark: a write action, and for exec_shell a changing command. */
export function stepChangesCluster(step: { write?: boolean; action?: { name: string; args: unknown[]; kwargs: Record<string, unknown> } }): boolean {
  if (!step.write) return false;
  if (step.action?.name !== 'exec_shell') return true;
  const command = step.action.args[0] ?? step.action.kwargs.command;
  return typeof command === 'string' ? isChangingCommand(command) : true;
}
