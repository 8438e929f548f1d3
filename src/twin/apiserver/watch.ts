/**
 * Watch streams: chunked JSON lines, headers flushed at once, replay from a resourceVersion out of the store's
 * history (410 Expired when too old), selector transitions (ADDED/DELETED as objects enter and leave),
 * Table-typed events when asked, `timeoutSeconds`, and cleanup on `res` close.
 *
 * Watch-list (`sendInitialEvents=true`, what client-go's reflector sends instead of list-then-watch from kubectl
 * 1.35 on, e.g. in `rollout status` and `delete`'s wait): the current state as ADDED events whatever the
 * resourceVersion, then one BOOKMARK annotated `k8s.io/initial-events-end: "true"` at the store's current
 * resourceVersion. The client waits for that bookmark before it believes it has the initial state; without it the
 * command hangs.
 */
import type { KubeObject } from '../contracts';
import { statusOf } from './errors';
import { TABLE_CONTENT_TYPE, wantsTable } from './http-util';
import type { ResourceRequest } from './rest';
import { storeName } from './rest';
import { matchFields, matchLabels, parseFieldSelector, parseLabelSelector } from './selectors';
import type { HistoryEntry } from './store';
import { toTable, IncludeObject } from './tables';
import { viewFilter } from './views';

/** Default stream lifetime when the client gives no timeoutSeconds (real servers pick 30–60 min). */
const DEFAULT_TIMEOUT_S = 1800;
/** The annotation of the bookmark that ends a watch-list's initial events. */
const INITIAL_EVENTS_END = 'k8s.io/initial-events-end';

export function handleWatch(r: ResourceRequest): void {
  const q = r.url.searchParams;
  const labels = parseLabelSelector(q.get('labelSelector'));
  const fields = parseFieldSelector(q.get('fieldSelector'));
  const table = wantsTable(r.req.headers.accept);
  const includeObject = (q.get('includeObject') as IncludeObject | null) ?? 'Metadata';
  const resource = storeName(r);
  const rvParam = q.get('resourceVersion');
  const timeoutRaw = Number(q.get('timeoutSeconds'));
  const timeoutS = Number.isFinite(timeoutRaw) && timeoutRaw > 0 ? timeoutRaw : DEFAULT_TIMEOUT_S;

  const matches = (o: KubeObject | undefined): boolean => {
    if (!o) return false;
    if (r.info.namespaced && r.namespace && o.metadata.namespace !== r.namespace) return false;
    if (r.name && o.metadata.name !== r.name) return false;
    return matchLabels(labels, o.metadata.labels) && matchFields(fields, o);
  };

  const res = r.res;
  res.writeHead(200, { 'Content-Type': table ? TABLE_CONTENT_TYPE : 'application/json', 'Cache-Control': 'no-cache, private', 'Transfer-Encoding': 'chunked' });
  res.flushHeaders();
  let first = true;
  const filter = viewFilter(r.res);
  const send = (type: string, obj: KubeObject): void => {
    if (res.writableEnded || res.destroyed) return;
    let payload: unknown = obj;
    if (table) {
      payload = toTable(r.info, [obj], { includeObject, resourceVersion: obj.metadata.resourceVersion, withColumns: first });
      first = false;
    }
    if (filter) payload = filter(structuredClone(payload));
    res.write(JSON.stringify({ type, object: payload }) + '\n');
  };

  const deliver = (e: HistoryEntry): void => {
    if (e.resource !== resource) return;
    const now = matches(e.object);
    if (e.type === 'MODIFIED') {
      const before = e.old ? matches(e.old) : now;
      if (now && before) send('MODIFIED', e.object);
      else if (now && !before) send('ADDED', e.object);
      else if (!now && before) send('DELETED', e.object);
    } else if (now) send(e.type, e.object);
  };

  let unsubscribe: () => void = () => undefined;
  const finish = (): void => {
    unsubscribe();
    clearTimeout(timer);
    if (!res.writableEnded) res.end();
  };
  const bookmarks = q.get('allowWatchBookmarks') === 'true' && !table;
  const bookmark = (annotations?: Record<string, string>): void => {
    if (res.writableEnded || res.destroyed) return;
    const apiVersion = r.info.group ? `${r.info.group}/${r.info.version}` : r.info.version;
    const metadata = { resourceVersion: String(r.store.currentResourceVersion()), ...(annotations ? { annotations } : {}) };
    res.write(JSON.stringify({ type: 'BOOKMARK', object: { kind: r.info.kind, apiVersion, metadata } }) + '\n');
  };
  const timer = setTimeout(() => {
    // A closing bookmark lets a reflector resume from the current resourceVersion instead of an old one.
    if (bookmarks) bookmark();
    finish();
  }, timeoutS * 1000);
  res.on('close', finish);

  if (q.get('sendInitialEvents') === 'true') {
    for (const o of r.store.list(resource, r.namespace)) if (matches(o)) send('ADDED', o);
    // Without allowWatchBookmarks a real server cannot mark the end either (the client asks for both).
    if (bookmarks) bookmark({ [INITIAL_EVENTS_END]: 'true' });
  } else if (!rvParam || rvParam === '0') {
    for (const o of r.store.list(resource, r.namespace)) if (matches(o)) send('ADDED', o);
  } else {
    const n = Number(rvParam);
    const past = Number.isFinite(n) ? r.store.historySince(n) : 'expired';
    if (past === 'expired') {
      const st = statusOf(410, 'Expired', `too old resource version: ${rvParam} (${r.store.oldestResourceVersion() - 1})`);
      res.write(JSON.stringify({ type: 'ERROR', object: st }) + '\n');
      finish();
      return;
    }
    for (const e of past) deliver(e);
  }
  unsubscribe = r.store.subscribeEntries(deliver);
}
