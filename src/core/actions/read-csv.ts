import type { ActionDefinition } from './types';

/** read_metrics / read_traces: the original's `@read` of one CSV file that get_metrics / get_traces wrote. */
export function readCsvAction(name: string, what: 'metrics' | 'traces', writer: string, returns: string): ActionDefinition {
  return {
    name,
    kind: 'read',
    doc: `Read a ${what} CSV file written by ${writer} and return it as a table.

Args:
    file_path (str): The path of the CSV file to read.

Returns:
    str: ${returns}, or an error message if the file cannot be read.`,
    parameters: [{ name: 'file_path', schema: { type: 'string', description: `Path of a ${what} CSV file written by ${writer}.` } }],
  };
}
