/** `pods/log`: container resolution, tailLines, sinceSeconds, timestamps, previous, limitBytes and bounded follow. */
import type { LogLine, LogRequest, PodRuntime } from '../contracts';
import { badRequest, notFound } from './errors';
import { isTrue } from './http-util';
import type { ResourceRequest } from './rest';

export interface LogOptions { followMaxMs: number }

function containerFor(pod: any, requested: string | null): string { // eslint-disable-line @typescript-eslint/no-explicit-any
  const names: string[] = (pod.spec?.containers ?? []).map((c: { name: string }) => c.name);
  const all = [...names, ...(pod.spec?.initContainers ?? []).map((c: { name: string }) => c.name), ...(pod.spec?.ephemeralContainers ?? []).map((c: { name: string }) => c.name)];
  const name = pod.metadata.name;
  if (requested) {
    if (!all.includes(requested)) throw badRequest(`container ${requested} is not valid for pod ${name}`);
    return requested;
  }
  const def = pod.metadata.annotations?.['kubectl.kubernetes.io/default-container'];
  if (def && names.includes(def)) return def;
  if (names.length === 1) return names[0];
  throw badRequest(`a container name must be specified for pod ${name}, choose one of: [${names.join(' ')}]${pod.spec?.initContainers?.length ? ` or one of the init containers: [${pod.spec.initContainers.map((c: { name: string }) => c.name).join(' ')}]` : ''}`);
}

function format(line: LogLine, timestamps: boolean): string {
  const text = line.text.endsWith('\n') ? line.text : line.text + '\n';
  return timestamps ? `${line.time} ${text}` : text;
}

export function handleLogs(r: ResourceRequest, runtime: PodRuntime, opts: LogOptions): void {
  const q = r.url.searchParams;
  const pod = r.store.get('pods', r.namespace, r.name!);
  if (!pod) throw notFound('pods', '', r.name!);
  const container = containerFor(pod, q.get('container'));
  const num = (k: string): number | undefined => {
    const v = q.get(k);
    if (v === null || v === '') return undefined;
    if (!/^-?\d+$/.test(v)) throw badRequest(`invalid ${k}: ${v}`);
    return Number(v);
  };
  const request: LogRequest = {
    namespace: r.namespace!, pod: r.name!, container,
    tailLines: num('tailLines'), sinceSeconds: num('sinceSeconds'),
    timestamps: isTrue(q.get('timestamps')), previous: isTrue(q.get('previous')),
  };
  const sinceTime = q.get('sinceTime');
  let lines = runtime.logs(request);
  if (sinceTime && !Number.isNaN(Date.parse(sinceTime))) lines = lines.filter((l) => Date.parse(l.time) >= Date.parse(sinceTime));
  if (request.sinceSeconds !== undefined) {
    const cutoff = Date.now() - request.sinceSeconds * 1000;
    lines = lines.filter((l) => Date.parse(l.time) >= cutoff);
  }
  if (request.tailLines !== undefined && request.tailLines >= 0) lines = request.tailLines === 0 ? [] : lines.slice(-request.tailLines);
  const limitBytes = num('limitBytes');
  let text = lines.map((l) => format(l, !!request.timestamps)).join('');
  if (limitBytes !== undefined && limitBytes > 0) text = Buffer.from(text).subarray(0, limitBytes).toString();
  const res = r.res;
  if (!isTrue(q.get('follow'))) {
    const body = Buffer.from(text);
    res.writeHead(200, { 'Content-Type': 'text/plain', 'Content-Length': body.length });
    res.end(body);
    return;
  }
  res.writeHead(200, { 'Content-Type': 'text/plain', 'Transfer-Encoding': 'chunked' });
  res.flushHeaders();
  if (text) res.write(text);
  const podUid = pod.metadata.uid;
  let stopFollow: () => void = () => undefined;
  const finish = (): void => {
    stopFollow();
    unsubscribe();
    clearTimeout(timer);
    if (!res.writableEnded) res.end();
  };
  const timer = setTimeout(finish, opts.followMaxMs);
  const unsubscribe = r.store.subscribe((e) => {
    if (e.resource === 'pods' && e.type === 'DELETED' && e.object.metadata.uid === podUid) finish();
  });
  res.on('close', finish);
  stopFollow = runtime.followLogs({ ...request, tailLines: undefined, sinceSeconds: undefined }, (line) => {
    if (!res.writableEnded && !res.destroyed) res.write(format(line, !!request.timestamps));
  });
}
