/** Log line formats of the app images: zerolog (Go hotel services), DSB C++ services and Thrift, mongod 4.4 JSON. */

const ESC = '\u001b[';

/** zerolog's default JSON logger (the first lines a hotel service prints before switching to the console writer). */
export function zerologJson(ms: number, message: string, level = 'info'): string {
  return JSON.stringify({ level, time: isoSec(ms), message });
}

const LEVEL_COLOUR: Record<string, string> = { TRC: '35', DBG: '33', INF: '32', WRN: '33', ERR: '31', FTL: '31', PNC: '31' };

/** zerolog ConsoleWriter with colours, as raw `kubectl logs` shows it: grey time, coloured level, bold caller, cyan `>`, message. */
export function zerolog(ms: number, level: 'INF' | 'WRN' | 'ERR' | 'FTL' | 'PNC' | 'DBG', caller: string, message: string): string {
  const lvl = level === 'FTL' || level === 'PNC' ? `${ESC}1m${ESC}${LEVEL_COLOUR[level]}m${level}${ESC}0m${ESC}0m` : `${ESC}${LEVEL_COLOUR[level]}m${level}${ESC}0m`;
  return `${ESC}90m${isoSec(ms)}${ESC}0m ${lvl} ${ESC}1m${caller}${ESC}0m${ESC}36m >${ESC}0m ${message}`;
}

/** Strips ANSI colour codes (what an SRE reads, and what tests compare). */
export function stripAnsi(text: string): string {
  // eslint-disable-next-line no-control-regex -- strips ANSI colour codes, which start with ESC
  return text.replace(/\u001b\[[0-9;]*m/g, '');
}

export function isoSec(ms: number): string {
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().replace('.000Z', 'Z');
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const p2 = (n: number) => String(n).padStart(2, '0');

/** Boost.Log format of the DSB C++ services: `[2026-Sep-15 12:37:49.366394] <error>: (File.cpp:42:fn) message`. */
export function dsb(ms: number, severity: 'info' | 'warning' | 'error', where: string, message: string): string {
  const d = new Date(ms);
  const micros = String(d.getUTCMilliseconds() * 1000 + (Math.floor(ms * 1000) % 1000)).padStart(6, '0');
  return `[${d.getUTCFullYear()}-${MONTHS[d.getUTCMonth()]}-${p2(d.getUTCDate())} ${p2(d.getUTCHours())}:${p2(d.getUTCMinutes())}:${p2(d.getUTCSeconds())}.${micros}] <${severity}>: (${where}) ${message}`;
}

/** Thrift's own stderr line (ctime format). */
export function thrift(ms: number, message: string): string {
  const d = new Date(ms);
  const day = String(d.getUTCDate()).padStart(2, ' ');
  return `Thrift: ${DAYS[d.getUTCDay()]} ${MONTHS[d.getUTCMonth()]} ${day} ${p2(d.getUTCHours())}:${p2(d.getUTCMinutes())}:${p2(d.getUTCSeconds())} ${d.getUTCFullYear()} ${message}`;
}

/** mongod 4.4 structured log line (with the server's column padding). */
export function mongoLog(ms: number, s: 'I' | 'W' | 'E' | 'F', c: string, id: number, ctx: string, msg: string, attr?: unknown): string {
  const date = new Date(ms).toISOString().replace('Z', '+00:00');
  const head = `{"t":{"$date":"${date}"},"s":"${s}",  "c":${(JSON.stringify(c) + ',').padEnd(12)}"id":${(String(id) + ',').padEnd(9)}"ctx":${JSON.stringify(ctx)},"msg":${JSON.stringify(msg)}`;
  return attr === undefined ? `${head}}` : `${head},"attr":${JSON.stringify(attr)}}`;
}
