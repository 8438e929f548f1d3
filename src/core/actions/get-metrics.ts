import { DURATION_MINUTES_PARAMETER, type ActionDefinition } from './types';

/** `get_metrics(namespace, duration=5)` — the original's `@read`. */
export const getMetrics: ActionDefinition = {
  name: 'get_metrics',
  kind: 'read',
  doc: `Export the Prometheus metrics of every pod in a namespace to CSV files.

Note: this only saves the data; read a file with read_metrics to see its values.

Args:
    namespace (str): The namespace whose pods' metrics to export.
    duration (int): How many minutes back from now to export. Defaults to 5.

Returns:
    str: The directory the CSV files were written to, with a listing of its files.`,
  parameters: [
    { name: 'namespace', schema: { type: 'string', description: 'The namespace whose pods\u2019 metrics to export.' } },
    DURATION_MINUTES_PARAMETER,
  ],
};
