import { readCsvAction } from './read-csv';

/** `read_traces(file_path)` — the original's `@read`. */
export const readTraces = readCsvAction('read_traces', 'traces', 'get_traces', "The file's spans as plain text");
