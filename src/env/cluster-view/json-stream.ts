/**
 * Splits a byte stream of concatenated JSON values (a Kubernetes watch: one object after the other, usually one per
 * line, but chunk boundaries fall anywhere) into complete values.
 */
export class JsonValueSplitter {
  private buffer = '';
  private depth = 0;
  private inString = false;
  private escaped = false;
  private scanned = 0;
  private start = -1;

  /** Feeds a chunk; returns the texts of the values it completed. */
  push(chunk: string): string[] {
    this.buffer += chunk;
    const out: string[] = [];
    for (let i = this.scanned; i < this.buffer.length; i++) {
      const ch = this.buffer[i];
      if (this.inString) {
        if (this.escaped) this.escaped = false;
        else if (ch === '\\') this.escaped = true;
        else if (ch === '"') this.inString = false;
        continue;
      }
      if (ch === '"') this.inString = true;
      else if (ch === '{' || ch === '[') { if (this.depth++ === 0) this.start = i; }
      else if ((ch === '}' || ch === ']') && --this.depth === 0) {
        out.push(this.buffer.slice(this.start, i + 1));
        this.start = -1;
      }
    }
    if (this.depth === 0) { this.buffer = ''; this.scanned = 0; }
    else { this.buffer = this.buffer.slice(this.start); this.scanned = this.buffer.length; this.start = 0; }
    return out;
  }
}
