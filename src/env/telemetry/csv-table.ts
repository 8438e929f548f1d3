/**
 * Renders a CSV file as a plain-text table with right-aligned columns and no index, like pandas' to_string(index=False)
 * that the original's read_metrics/read_traces return.
 */
export function csvToTable(csv: string): string {
  const rows = parseCsv(csv).filter((r) => r.length > 1 || (r.length === 1 && r[0] !== ''));
  if (rows.length === 0) return 'Empty DataFrame';
  const width = Math.max(...rows.map((r) => r.length));
  const widths = Array.from({ length: width }, (_, c) => Math.max(...rows.map((r) => (r[c] ?? '').length)));
  return rows.map((r) => widths.map((w, c) => (r[c] ?? '').padStart(w)).join(' ')).join('\n');
}

/** RFC 4180 CSV: quoted fields with doubled quotes, commas and newlines inside quotes. */
export function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') { field += '"'; i++; }
      else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') { row.push(field); field = ''; }
    else if (c === '\n' || c === '\r') {
      if (c === '\r' && text[i + 1] === '\n') i++;
      row.push(field); rows.push(row); row = []; field = '';
    } else field += c;
  }
  if (field !== '' || row.length) { row.push(field); rows.push(row); }
  return rows;
}
