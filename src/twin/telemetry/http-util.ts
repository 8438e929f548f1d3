import type { IncomingMessage, ServerResponse } from 'node:http';

/** Query-string parameters plus, for POST, an application/x-www-form-urlencoded body. */
export async function readParams(req: IncomingMessage): Promise<{ path: string; params: URLSearchParams }> {
  const url = new URL(req.url ?? '/', 'http://localhost');
  const params = new URLSearchParams(url.searchParams);
  if (req.method === 'POST') {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const body = Buffer.concat(chunks).toString('utf8');
    if (body) for (const [k, v] of new URLSearchParams(body)) params.append(k, v);
  }
  return { path: url.pathname, params };
}

export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text) });
  res.end(text);
}

export function sendText(res: ServerResponse, status: number, text: string): void {
  res.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8', 'Content-Length': Buffer.byteLength(text) });
  res.end(text);
}
