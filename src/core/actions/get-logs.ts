import type { ActionDefinition } from './types';

/** `get_logs(namespace, service)` — the original's `@read`. */
export const getLogs: ActionDefinition = {
  name: 'get_logs',
  kind: 'read',
  doc: `Return the logs of one service.

Note: for the Docker-based app use the namespace "docker" and the container name as the service.

Args:
    namespace (str): The namespace the service runs in.
    service (str): The name of the service whose pod's logs to return.

Returns:
    str: The log lines of the service's pod, or an error message if the service or namespace does not exist.`,
  parameters: [
    { name: 'namespace', schema: { type: 'string', description: 'The namespace the service runs in.' } },
    { name: 'service', schema: { type: 'string', description: 'The service whose logs to return.' } },
  ],
};
