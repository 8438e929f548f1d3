import { readCsvAction } from './read-csv';

/** `read_metrics(file_path)` — the original's `@read`. */
export const readMetrics = readCsvAction('read_metrics', 'metrics', 'get_metrics', "The file's rows as plain text");
