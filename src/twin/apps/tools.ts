/**
 * Network tools inside app containers, answering from the cluster state: `curl`, `wget`, `nc`, `nslookup`,
 * `getent hosts`. Which HTTP answer a server gives comes from responders the app families register (hotel frontend,
 * consul API, nginx-thrift, …); a non-HTTP port answers like the real protocol would to an HTTP request.
 */
import type { KubeObject } from '../contracts';
import type { ShellResult } from '../cluster/shell';
import { CLUSTER_DOMAIN, DNS_SERVICE_IP } from '../cluster/container-context';
import { curlError, listening, reach, resolveService, type Reach } from './net';
import type { AppWorld } from './world';

export interface HttpAnswer {
  status: number;
  body: string;
  contentType?: string;
}

/** A protocol that is not HTTP: what curl reports. */
export type NonHttp = { curlExit: number; curlText: string };

export type Responder = (world: AppWorld, pod: KubeObject, port: number, method: string, path: string) => HttpAnswer | NonHttp | undefined;

const responders: Responder[] = [];

/** The pod the tool runs in (for localhost); set per call. */
let self: KubeObject | undefined;

function reachFrom(world: AppWorld, ns: string, host: string, port: number): Reach {
  const local = ['localhost', '127.0.0.1', '::1', '0.0.0.0'].includes(host) || (self && (host === self.metadata.name || host === self.status?.podIP));
  if (local && self) return listening(world, self, port) ? { ok: true, pod: self, ip: host === self.status?.podIP ? host : '127.0.0.1', port } : { ok: false, kind: 'refused', ip: '127.0.0.1' };
  return reach(world, ns, host, port);
}

export function addResponder(r: Responder): void {
  if (!responders.includes(r)) responders.push(r);
}

const REASONS: Record<number, string> = { 200: 'OK', 201: 'Created', 204: 'No Content', 301: 'Moved Permanently', 302: 'Found', 400: 'Bad Request', 404: 'Not Found', 405: 'Method Not Allowed', 500: 'Internal Server Error', 502: 'Bad Gateway', 503: 'Service Unavailable' };

function answer(world: AppWorld, pod: KubeObject | undefined, port: number, method: string, path: string): HttpAnswer | NonHttp {
  if (pod) {
    for (const r of responders) {
      const a = r(world, pod, port, method, path);
      if (a) return a;
    }
  }
  return { status: 404, body: '404 page not found\n', contentType: 'text/plain; charset=utf-8' };
}

function fqdn(world: AppWorld, ns: string, host: string): { name: string; ip?: string } {
  const r = resolveService(world, ns, host);
  if (r.service) return { name: `${r.service.metadata.name}.${r.service.metadata.namespace}.svc.${CLUSTER_DOMAIN}`, ip: r.ip ?? undefined };
  if (r.pod) return { name: host, ip: r.ip };
  return { name: host };
}

function parseUrl(u: string): { host: string; port: number; path: string; scheme: string } | undefined {
  const m = /^(?:(https?):\/\/)?([^/:?#]+)(?::(\d+))?([^#]*)$/.exec(u);
  if (!m) return undefined;
  const scheme = m[1] ?? 'http';
  return { scheme, host: m[2], port: m[3] ? Number(m[3]) : scheme === 'https' ? 443 : 80, path: m[4] || '/' };
}

function curl(world: AppWorld, ns: string, args: string[], wget: boolean): ShellResult {
  let url: string | undefined;
  let method = 'GET';
  let head = false;
  let include = false;
  let silent = false;
  let showErr = false;
  let fail = false;
  let writeOut: string | undefined;
  let output: string | undefined;
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (a === '-X' || a === '--request') method = args[++i] ?? method;
    else if (a === '-I' || a === '--head') { head = true; method = 'HEAD'; }
    else if (a === '-i' || a === '--include') include = true;
    else if (a === '-d' || a === '--data' || a === '--data-raw' || a === '-F') { i++; if (method === 'GET') method = 'POST'; }
    else if (a === '-w' || a === '--write-out') writeOut = args[++i];
    else if (a === '-o' || a === '--output' || a === '-O') output = wget && a === '-O' ? args[++i] : args[++i];
    else if (['-m', '--max-time', '--connect-timeout', '-H', '--header', '-A', '-T', '--retry', '-u', '-e'].includes(a)) i++;
    else if (a.startsWith('-') && !a.startsWith('--')) {
      if (a.includes('s')) silent = true;
      if (a.includes('S')) showErr = true;
      if (a.includes('f')) fail = true;
      if (a.includes('I')) { head = true; method = 'HEAD'; }
      if (a.includes('i')) include = true;
      if (a.includes('q')) silent = true;
    } else if (a === '--silent' || a === '--quiet') silent = true;
    else if (a === '--fail') fail = true;
    else if (!a.startsWith('-')) url = a;
  }
  if (!url) {
    return wget ? { stdout: '', stderr: 'BusyBox v1.36.1 (2023-07-27 17:12:24 UTC) multi-call binary.\n\nUsage: wget [-cqS] [--spider] [-O FILE] URL...\n', exitCode: 1 } : { stdout: '', stderr: "curl: try 'curl --help' or 'curl --manual' for more information\n", exitCode: 2 };
  }
  const u = parseUrl(url);
  if (!u) return { stdout: '', stderr: `curl: (3) URL using bad/illegal format or missing URL\n`, exitCode: 3 };
  const r = reachFrom(world, ns, u.host, u.port);
  if (!r.ok) {
    if (wget) {
      const msg = r.kind === 'nxdomain' ? `wget: bad address '${u.host}'` : r.kind === 'timeout' ? `wget: download timed out` : `wget: can't connect to remote host (${r.ip ?? u.host}): Connection refused`;
      return { stdout: '', stderr: `Connecting to ${u.host}${u.port !== 80 ? `:${u.port}` : ''}\n${msg}\n`.replace(/^Connecting.*\n(?=wget: bad)/, ''), exitCode: 1 };
    }
    const e = curlError(u.host, u.port, r);
    return { stdout: writeOut ? writeOut.replace(/%\{http_code\}/g, '000').replace(/\\n/g, '\n') : '', stderr: silent && !showErr ? '' : `${e.text}\n`, exitCode: e.code };
  }
  const a = answer(world, r.pod, r.port, method, u.path);
  if ('curlExit' in a) {
    if (wget) return { stdout: '', stderr: `Connecting to ${u.host}:${u.port} (${r.ip}:${u.port})\nwget: error getting response: Connection reset by peer\n`, exitCode: 1 };
    return { stdout: '', stderr: silent && !showErr ? '' : `${a.curlText}\n`, exitCode: a.curlExit };
  }
  const statusLine = `HTTP/1.1 ${a.status} ${REASONS[a.status] ?? ''}`.trimEnd();
  const headers = `${statusLine}\r\nContent-Type: ${a.contentType ?? 'text/plain; charset=utf-8'}\r\nDate: ${new Date(world.now()).toUTCString()}\r\nContent-Length: ${Buffer.byteLength(a.body)}\r\n\r\n`;
  if (wget) {
    if (a.status >= 400) return { stdout: '', stderr: `Connecting to ${u.host}:${u.port} (${r.ip}:${u.port})\nwget: server returned error: ${statusLine}\n`, exitCode: 1 };
    const toStdout = output === '-';
    return { stdout: toStdout ? a.body : '', stderr: `Connecting to ${u.host}:${u.port} (${r.ip}:${u.port})\n${toStdout ? 'writing to stdout\n' : `saving to '${output ?? 'index.html'}'\n`}`, exitCode: 0 };
  }
  if (fail && a.status >= 400) return { stdout: '', stderr: silent && !showErr ? '' : `curl: (22) The requested URL returned error: ${a.status}\n`, exitCode: 22 };
  let out = head ? headers : (include ? headers : '') + (output ? '' : a.body);
  if (writeOut) out += writeOut.replace(/%\{http_code\}/g, String(a.status)).replace(/\\n/g, '\n');
  return { stdout: out, stderr: '', exitCode: 0 };
}

function nc(world: AppWorld, ns: string, args: string[]): ShellResult {
  const pos = args.filter((a, i) => !a.startsWith('-') && !['-w', '-W', '-i', '-q'].includes(args[i - 1] ?? ''));
  const verbose = args.some((a) => /^-[a-zA-Z]*v/.test(a));
  const [host, portText] = pos;
  if (!host || !portText) return { stdout: '', stderr: 'BusyBox v1.36.1 (2023-07-27 17:12:24 UTC) multi-call binary.\n\nUsage: nc [OPTIONS] HOST PORT  - connect\n', exitCode: 1 };
  const port = Number(portText);
  const r = reachFrom(world, ns, host, port);
  if (r.ok) return { stdout: '', stderr: verbose ? `${host} (${r.ip}:${port}) open\n` : '', exitCode: 0 };
  if (r.kind === 'nxdomain') return { stdout: '', stderr: `nc: bad address '${host}'\n`, exitCode: 1 };
  if (r.kind === 'timeout') return { stdout: '', stderr: 'nc: timed out\n', exitCode: 1 };
  return { stdout: '', stderr: verbose ? `nc: ${host} (${r.ip}:${port}): Connection refused\n` : '', exitCode: 1 };
}

function nslookup(world: AppWorld, ns: string, args: string[]): ShellResult {
  const host = args.find((a) => !a.startsWith('-'));
  if (!host) return { stdout: '', stderr: 'Usage: nslookup HOST [DNS_SERVER]\n', exitCode: 1 };
  const head = `Server:\t\t${DNS_SERVICE_IP}\nAddress:\t${DNS_SERVICE_IP}#53\n\n`;
  const f = fqdn(world, ns, host);
  if (!f.ip) {
    const r = resolveService(world, ns, host);
    if (r.service) {
      // Headless: the ready pod IPs.
      const ep = world.store.get('endpoints', r.service.metadata.namespace, r.service.metadata.name ?? '');
      const ips = ((ep?.subsets ?? []) as any[]).flatMap((s) => ((s.addresses ?? []) as any[]).map((a) => a.ip));
      if (ips.length) return { stdout: head + ips.map((ip) => `Name:\t${f.name}\nAddress: ${ip}\n`).join('') + '\n', stderr: '', exitCode: 0 };
    }
    return { stdout: head + `** server can't find ${host}.${ns}.svc.${CLUSTER_DOMAIN}: NXDOMAIN\n\n`, stderr: '', exitCode: 1 };
  }
  return { stdout: head + `Name:\t${f.name}\nAddress: ${f.ip}\n\n`, stderr: '', exitCode: 0 };
}

/** Extra shell programs for an app container: returns undefined when the program is not one of these. */
export function netTools(world: AppWorld, caller: { namespace: string; pod: KubeObject }, argv: string[], available: string[] = ['curl', 'nc', 'nslookup', 'getent', 'wget']): ShellResult | undefined {
  const base = argv[0].split('/').pop() ?? '';
  const ns = caller.namespace;
  self = world.store.get('pods', ns, caller.pod.metadata.name ?? '') ?? caller.pod;
  if (!available.includes(base)) return undefined;
  const args = argv.slice(1);
  switch (base) {
    case 'curl':
      return curl(world, ns, args, false);
    case 'wget':
      return curl(world, ns, args, true);
    case 'nc':
      return nc(world, ns, args);
    case 'nslookup':
      return nslookup(world, ns, args);
    case 'getent': {
      if (args[0] !== 'hosts' || !args[1]) return { stdout: '', stderr: '', exitCode: 2 };
      const f = fqdn(world, ns, args[1]);
      return f.ip ? { stdout: `${f.ip.padEnd(15)} ${f.name}\n`, stderr: '', exitCode: 0 } : { stdout: '', stderr: '', exitCode: 2 };
    }
    default:
      return undefined;
  }
}
