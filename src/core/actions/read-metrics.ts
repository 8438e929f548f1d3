import type { ActionDefinition } from './types';

/** `read_metrics(file_path)` — the original's `@read`. */
export const readMetrics: ActionDefinition = {
  name: 'read_metrics',
  kind: 'read',
  doc: `Read a metrics CSV file written by get_metrics and return it as a table.

Args:
    file_path (str): The path of the CSV file to read.

Returns:
    str: The file's rows as plain text, or an error message if the file cannot be read.`,
  parameters: [{ name: 'file_path', schema: { type: 'string', description: 'Path of a metrics CSV file written by get_metrics.' } }],
};
