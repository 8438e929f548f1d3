/**
 * Log de-duplication, equivalent to the original's `greedy_compress_lines`:
 *
 * - A line's timestamps are the spans matched by TIMESTAMP_PATTERN (ISO date-times, `2025-Sep-24 18:41:09.8`,
 *   bare `18:41:09`, durations `10m5s` / `30s`, syslog `Wed Sep 24 18:41:09 2025`).
 * - Pass k (k = 1 … maxBlock) cuts the lines into consecutive blocks of k lines, from the top. A block that equals
 *   the block before it once every timestamp is blanked out (same timestamp positions, same other text, at least
 *   one timestamp) replaces it: of a run of such blocks only the LAST (latest) one is kept.
 * - Lines are split like Python's `str.splitlines()` and joined with "\n" (so a trailing newline is dropped, as in
 *   the original). Lines without any timestamp are never collapsed, as in the original.
 * - `maxBlock` that is not a positive integer returns the text unchanged (the original's LOG_TRIM unset/invalid).
 *
 * Differences, deliberate:
 * - NOTICE (option `notice`, default on): before a kept block, a line `[… N similar lines collapsed …]` says how
 *   many lines were dropped in its favour. With `notice: false` the output is the original's.
 * - Pass k compares blocks of k *lines*, as the original documents ("block_size=1 up to window_size"). The
 *   original's code regroups the previous pass's blocks, so its pass 3 compares 6-line blocks and pass 4 24-line
 *   ones; for maxBlock ≤ 2 (its CLI default) the two are identical.
 * - Work: each line is matched once; each pass compares interned line keys (integers), so the cost is
 *   O(characters + lines × maxBlock).
 */

/** The timestamp shapes the original blanks out before comparing (a global regex). */
export const TIMESTAMP_PATTERN =
  /\d{4}-\d{2}-\d{2}(?:[ T]\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:\d{2})?)|\d{4}-[A-Z][a-z]{2}-\d{2} \d{2}:\d{2}:\d{2}(?:\.\d+)?|\b\d{2}:\d{2}:\d{2}\b|\b\d+m(?:\d+s)?\b|\b\d+s\b|[A-Z][a-z]{2} [A-Z][a-z]{2} \d{2} \d{2}:\d{2}:\d{2} \d{4}/g;

export interface DedupOptions {
  /** Insert `[… N similar lines collapsed …]` before each kept block that replaced others (default true). */
  notice?: boolean;
  /** How a notice reads, given the number of lines collapsed. */
  formatNotice?: (collapsedLines: number) => string;
  /** Another timestamp pattern (must have the `g` flag; it is cloned, never mutated). */
  timestampPattern?: RegExp;
}

export function defaultNotice(n: number): string {
  return `[… ${n} similar line${n === 1 ? '' : 's'} collapsed …]`;
}

/** [start, end) spans of the timestamps in one line. */
export function findTimestampSpans(line: string, pattern: RegExp = TIMESTAMP_PATTERN): Array<[number, number]> {
  const rx = new RegExp(pattern.source, pattern.flags.includes('g') ? pattern.flags : pattern.flags + 'g');
  const spans: Array<[number, number]> = [];
  for (let m = rx.exec(line); m !== null; m = rx.exec(line)) {
    if (m[0].length === 0) {
      rx.lastIndex++;
      continue;
    }
    spans.push([m.index, m.index + m[0].length]);
  }
  return spans;
}

/** Python's `str.splitlines()`: splits on \n, \r\n, \r, \v, \f, \x1c–\x1e, \x85, \u2028, \u2029; no trailing empty line. */
export function splitLines(text: string): string[] {
  if (text === '') return [];
  // eslint-disable-next-line no-control-regex -- the line breaks Python's str.splitlines() knows include \x1c-\x1e
  const parts = text.split(/\r\n|[\n\r\v\f\x1c-\x1e\x85\u2028\u2029]/);
  if (parts.length > 1 && parts[parts.length - 1] === '') parts.pop();
  return parts;
}

/**
 * The original's LOG_TRIM rule: Python `int(value)` (blanks around, optional sign, underscores between digits);
 * returns the block size when it is a positive integer, else undefined (= no de-duplication).
 */
export function logTrimFromEnv(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const m = /^\s*([+-]?)(\d(?:_?\d)*)\s*$/.exec(value);
  if (!m) return undefined;
  const n = Number(m[2].replace(/_/g, '')) * (m[1] === '-' ? -1 : 1);
  return Number.isSafeInteger(n) && n > 0 ? n : undefined;
}

/** Collapses runs of blocks that differ only in their timestamps, keeping the latest; see the file comment. */
export function greedyCompressLines(text: string, maxBlock: number, options: DedupOptions = {}): string {
  if (!Number.isInteger(maxBlock) || maxBlock <= 0) return text;
  const lines = splitLines(text);
  const n = lines.length;
  if (n === 0) return '';

  // Intern each line's comparison key: the text with timestamps blanked, plus where they were.
  const rx = options.timestampPattern ? new RegExp(options.timestampPattern.source, options.timestampPattern.flags) : new RegExp(TIMESTAMP_PATTERN.source, 'g');
  const keyIds = new Map<string, number>();
  const key = new Int32Array(n);
  const hasTs = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    const line = lines[i];
    rx.lastIndex = 0;
    let masked = '';
    let starts = '';
    let last = 0;
    for (let m = rx.exec(line); m !== null; m = rx.exec(line)) {
      const len = m[0].length;
      if (len === 0) {
        rx.lastIndex++;
        continue;
      }
      masked += line.slice(last, m.index) + ' '.repeat(len);
      starts += m.index + ',';
      last = m.index + len;
    }
    let k: string;
    if (starts === '') k = line + '\u0000';
    else {
      hasTs[i] = 1;
      k = masked + line.slice(last) + '\u0000' + starts;
    }
    let id = keyIds.get(k);
    if (id === undefined) {
      id = keyIds.size;
      keyIds.set(k, id);
    }
    key[i] = id;
  }

  // The stream: indexes into `lines`, and how many lines were collapsed into the line (shown before it).
  let cur: number[] = new Array(n);
  let hidden: number[] = new Array(n);
  for (let i = 0; i < n; i++) {
    cur[i] = i;
    hidden[i] = 0;
  }

  for (let size = 1; size <= maxBlock; size++) {
    if (cur.length <= size) break; // a single block: nothing to compare, and larger sizes cannot change that
    const out: number[] = [];
    const outHidden: number[] = [];
    let prevStart = -1;
    let prevLen = 0;
    for (let b = 0; b < cur.length; b += size) {
      const len = Math.min(size, cur.length - b);
      let same = prevStart >= 0 && len === prevLen;
      if (same) {
        let anyTs = false;
        for (let j = 0; j < len; j++) {
          const a = out[prevStart + j];
          const c = cur[b + j];
          if (key[a] !== key[c]) {
            same = false;
            break;
          }
          if (hasTs[c]) anyTs = true;
        }
        same = same && anyTs;
      }
      if (same) {
        let carried = 0;
        for (let j = prevStart; j < out.length; j++) carried += 1 + outHidden[j];
        out.length = prevStart;
        outHidden.length = prevStart;
        for (let j = 0; j < len; j++) {
          out.push(cur[b + j]);
          outHidden.push(hidden[b + j] + (j === 0 ? carried : 0));
        }
      } else {
        prevStart = out.length;
        for (let j = 0; j < len; j++) {
          out.push(cur[b + j]);
          outHidden.push(hidden[b + j]);
        }
      }
      prevLen = len;
    }
    cur = out;
    hidden = outHidden;
  }

  const notice = options.notice !== false;
  const format = options.formatNotice ?? defaultNotice;
  const result: string[] = [];
  for (let i = 0; i < cur.length; i++) {
    if (notice && hidden[i] > 0) result.push(format(hidden[i]));
    result.push(lines[cur[i]]);
  }
  return result.join('\n');
}
