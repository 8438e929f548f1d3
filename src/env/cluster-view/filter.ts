/**
 * Applies the view's rules (rules.ts) to a JSON body the API server answered: lists and Tables lose the hidden items
 * and rows, discovery loses the hidden groups, OpenAPI documents lose their paths and definitions, every object left
 * loses the keys that name the machinery. Returns undefined when the body itself is a hidden object (the caller
 * answers NotFound instead).
 */
import { isHiddenGroup, isHiddenObject, redactObject, type ViewRules } from './rules';

/* eslint-disable @typescript-eslint/no-explicit-any */

export function filterBody(rules: ViewRules, body: any, resource?: string): any {
  if (!body || typeof body !== 'object' || Array.isArray(body)) return body;
  if (body.kind === 'APIGroupList' && Array.isArray(body.groups)) {
    body.groups = body.groups.filter((g: any) => !isHiddenGroup(rules, String(g?.name ?? '')));
    return body;
  }
  if (body.kind === 'APIGroupDiscoveryList' && Array.isArray(body.items)) {
    body.items = body.items.filter((g: any) => !isHiddenGroup(rules, String(g?.metadata?.name ?? '')));
    return body;
  }
  if (body.kind === 'Table' && Array.isArray(body.rows)) {
    body.rows = body.rows.filter((row: any) => !isHiddenObject(rules, row?.object, resource));
    for (const row of body.rows) redactObject(rules, row?.object);
    return body;
  }
  if (Array.isArray(body.items)) {
    body.items = body.items.filter((o: any) => !isHiddenObject(rules, o, resource));
    for (const o of body.items) redactObject(rules, o);
    return body;
  }
  if (body.paths && typeof body.paths === 'object' && (body.openapi || body.swagger)) return filterOpenApi(rules, body);
  if (isHiddenObject(rules, body, resource)) return undefined;
  redactObject(rules, body);
  return body;
}

/** OpenAPI v2/v3 documents (and the v3 index): no path or schema of a hidden group. */
function filterOpenApi(rules: ViewRules, doc: any): any {
  const hidden = (key: string) => [...rules.hiddenGroups].some((g) => key.includes(g) || key.includes(g.split('.').reverse().join('.')));
  for (const k of Object.keys(doc.paths)) if (hidden(k)) delete doc.paths[k];
  for (const defs of [doc.definitions, doc.components?.schemas]) {
    if (defs && typeof defs === 'object') for (const k of Object.keys(defs)) if (hidden(k)) delete defs[k];
  }
  return doc;
}

/** The OpenAPI v3 index (`{paths: {"apis/<group>/<version>": {serverRelativeURL}}}`) has no openapi/swagger key. */
export function filterOpenApiIndex(rules: ViewRules, body: any): any {
  if (body?.paths && typeof body.paths === 'object') {
    for (const k of Object.keys(body.paths)) {
      const m = /^apis\/([^/]+)/.exec(k);
      if (m && isHiddenGroup(rules, m[1])) delete body.paths[k];
    }
  }
  return body;
}

/** One watch event (`{type, object}`): undefined when it must not reach the client. */
export function filterWatchEvent(rules: ViewRules, event: any, resource?: string): any {
  const obj = event?.object;
  if (!obj || event.type === 'ERROR' || event.type === 'BOOKMARK') return event;
  if (obj.kind === 'Table' && Array.isArray(obj.rows)) {
    const before = obj.rows.length;
    filterBody(rules, obj, resource);
    return before > 0 && obj.rows.length === 0 ? undefined : event;
  }
  if (isHiddenObject(rules, obj, resource)) return undefined;
  redactObject(rules, obj);
  return event;
}
