import type { ActionDefinition } from './types';

/** `read_traces(file_path)` — the original's `@read`. */
export const readTraces: ActionDefinition = {
  name: 'read_traces',
  kind: 'read',
  doc: `Read a traces CSV file written by get_traces and return it as a table.

Args:
    file_path (str): The path of the CSV file to read.

Returns:
    str: The file's spans as plain text, or an error message if the file cannot be read.`,
  parameters: [{ name: 'file_path', schema: { type: 'string', description: 'Path of a traces CSV file written by get_traces.' } }],
};
