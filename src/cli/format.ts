/** Plain-text tables for the terminal: left-aligned columns, a header rule, no colours (pipes and CI logs stay clean). */
export function table(headers: string[], rows: Array<Array<string | number | boolean | null | undefined>>): string {
  const cells = rows.map((r) => r.map((c) => (c === null || c === undefined ? '-' : String(c))));
  const widths = headers.map((h, i) => Math.max(h.length, ...cells.map((r) => (r[i] ?? '').length)));
  const line = (r: string[]) => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]))).join('  ');
  return [line(headers), line(widths.map((w) => '-'.repeat(w))), ...cells.map(line)].join('\n');
}

/**
 * What a clean-up could not remove from the cluster, one object per entry with why and the command that removes it;
 * empty when everything went.
 */
export function leftoverLines(leftovers: ReadonlyArray<{ object: string; reason: string; command: string }>, heading: string): string[] {
  if (!leftovers.length) return [];
  return [`${heading}: ${leftovers.length} object(s) the clean-up could not remove`, ...leftovers.flatMap((l) => [`  - ${l.object}: ${l.reason}`, `    remove: ${l.command}`])];
}

export function oneLine(text: string, max = 100): string {
  const first = text.replace(/\s+/g, ' ').trim();
  return first.length > max ? first.slice(0, max - 1) + '…' : first;
}

