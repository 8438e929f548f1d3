import { greedyCompressLines } from '../core/logs/dedup';

/** Log de-duplication for get_logs, off when the block size is 0 (the original's LOG_TRIM semantics). */
export function compressLogs(text: string, maxBlock: number): string {
  return maxBlock > 0 ? greedyCompressLines(text, maxBlock) : text;
}
