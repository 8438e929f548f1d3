import { DURATION_MINUTES_PARAMETER, type ActionDefinition } from './types';

/** `get_traces(namespace, duration=5)` — the original's `@read`. */
export const getTraces: ActionDefinition = {
  name: 'get_traces',
  kind: 'read',
  doc: `Export the Jaeger traces recorded for a namespace's services to a CSV file.

Note: this only saves the data; read the file with read_traces to see the spans.

Args:
    namespace (str): The namespace whose services' traces to export.
    duration (int): How many minutes back from now to export. Defaults to 5.

Returns:
    str: The path of the CSV file the spans were written to.`,
  parameters: [
    { name: 'namespace', schema: { type: 'string', description: 'The namespace whose services\u2019 traces to export.' } },
    DURATION_MINUTES_PARAMETER,
  ],
};
