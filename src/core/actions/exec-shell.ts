import type { ActionDefinition } from './types';

/** `exec_shell(command, timeout=30)` — the original's `@action`. */
export const execShell: ActionDefinition = {
  name: 'exec_shell',
  kind: 'action',
  doc: `Run a shell command on the cluster's control host and return what it printed.

Note: interactive or never-ending commands are refused (kubectl edit, kubectl port-forward,
kubectl logs -f, docker logs -f); use kubectl patch and plain kubectl logs instead.

Args:
    command (str): The command line to run, e.g. "kubectl get pods -n <namespace>".
    timeout (int): Seconds to wait before the command is stopped. Defaults to 30.

Returns:
    str: The command's output, or an error message saying why it failed.`,
  parameters: [
    {
      name: 'command',
      schema: { type: 'string', description: 'The shell command to run, e.g. "kubectl get pods -n test-hotel-reservation".' },
    },
    {
      name: 'timeout',
      schema: { type: 'integer', description: 'Seconds to wait before the command is stopped.', default: 30, minimum: 1 },
      default: 30,
      optional: true,
    },
  ],
};
