/** Small HTTP helpers: bodies with a size limit, JSON/YAML decoding, JSON and Status responses. */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { ApiError, toApiError } from './errors';
import { viewFilter } from './views';
import { decodeProtobuf } from './protobuf';

export const MAX_BODY_BYTES = 3 * 1024 * 1024;
export const TABLE_CONTENT_TYPE = 'application/json;as=Table;v=v1;g=meta.k8s.io';

export function readBody(req: IncomingMessage, limit = MAX_BODY_BYTES): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let failed = false;
    req.on('data', (c: Buffer) => {
      if (failed) return;
      size += c.length;
      if (size > limit) {
        failed = true;
        reject(new ApiError(413, 'RequestEntityTooLarge', `Request entity too large: limit is ${limit}`));
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => { if (!failed) resolve(Buffer.concat(chunks)); });
    req.on('error', (e) => { if (!failed) { failed = true; reject(e); } });
  });
}

/** Decodes a request body by Content-Type: JSON or YAML; protobuf and the rest are refused with 415. */
export function decodeBody(buf: Buffer, contentType: string | undefined, patch = false): unknown {
  const ct = (contentType ?? 'application/json').split(';')[0].trim().toLowerCase();
  const text = buf.toString('utf8');
  const jsonish = ct === 'application/json' || ct.endsWith('+json') || ct === '' || ct === '*/*';
  const yamlish = ct === 'application/yaml' || ct === 'application/apply-patch+yaml' || ct === 'text/yaml' || ct === 'application/x-yaml';
  if (ct === 'application/vnd.kubernetes.protobuf' && !patch) return decodeProtobuf(buf);
  if (!jsonish && !yamlish) {
    throw new ApiError(415, 'UnsupportedMediaType',
      patch
        ? `the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml, application/strategic-merge-patch+json`
        : `the body of the request was in an unknown format - accepted media types include: application/json, application/yaml`);
  }
  if (!text.trim()) throw new ApiError(400, 'BadRequest', "Object 'Kind' is missing in ''");
  try {
    // Loaded on first use: the YAML parser costs tens of milliseconds at twin start.
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded lazily, see above
    return yamlish ? (require('yaml') as typeof import('yaml')).parse(text) : JSON.parse(text);
  } catch (e) {
    const msg = e instanceof Error ? e.message.split('\n')[0] : String(e);
    throw new ApiError(400, 'BadRequest', yamlish ? `error converting YAML to JSON: ${msg}` : `couldn't get version/kind; json parse error: ${msg}`);
  }
}

export function sendJson(res: ServerResponse, code: number, body: unknown, contentType = 'application/json'): void {
  if (res.headersSent || res.destroyed) { try { res.end(); } catch { /* closed */ } return; }
  const filter = code < 300 ? viewFilter(res) : undefined;
  const data = Buffer.from(JSON.stringify(filter ? filter(body) : body));
  res.writeHead(code, { 'Content-Type': contentType, 'Content-Length': data.length, 'Cache-Control': 'no-cache, private' });
  res.end(data);
}

export function sendError(res: ServerResponse, e: unknown): void {
  const err = toApiError(e);
  sendJson(res, err.code, err.toStatus());
}

export function wantsTable(accept: string | undefined): boolean {
  return !!accept && /as=Table/.test(accept);
}

export function isTrue(v: string | null): boolean {
  return v === 'true' || v === '1';
}
