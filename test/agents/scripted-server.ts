/** A local OpenAI-compatible server for tests: serves scripted replies to POST /v1/chat/completions. */
import * as http from 'http';
import type { AddressInfo } from 'net';

export interface RecordedRequest {
  method: string;
  path: string;
  headers: http.IncomingHttpHeaders;
  body: any;
  /** When it arrived (epoch ms). */
  at: number;
}

export type Reply =
  /** `after`: answered once it settles (then after `delayMs`), e.g. when enough requests are waiting together. */
  | { status?: number; headers?: Record<string, string>; json?: unknown; raw?: string; contentType?: string; delayMs?: number; after?: Promise<unknown> }
  | { hang: true }
  | { sse: unknown[] };

export class ScriptedServer {
  readonly requests: RecordedRequest[] = [];
  private server?: http.Server;
  private script: Reply[] = [];
  /** When set, answers every request instead of the script (replies that depend on the conversation). */
  handler?: (request: RecordedRequest) => Reply;
  private hanging: http.ServerResponse[] = [];
  private delayed = new Set<NodeJS.Timeout>();
  port = 0;
  /** Requests received and not yet answered, now and at most at once (reset with `resetInFlight`). */
  inFlight = 0;
  maxInFlight = 0;

  resetInFlight(): void {
    this.maxInFlight = this.inFlight;
  }

  get baseURL(): string {
    return `http://127.0.0.1:${this.port}/v1`;
  }

  /** Replies served in order, one per request; the last one repeats. */
  setScript(replies: Reply[]): void {
    this.script = [...replies];
  }

  async start(): Promise<void> {
    this.server = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        this.inFlight++;
        this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
        let answered = false;
        const done = () => {
          if (answered) return;
          answered = true;
          this.inFlight--;
        };
        res.on('finish', done);
        res.on('close', done);
        const text = Buffer.concat(chunks).toString('utf8');
        let body: unknown = text;
        try {
          body = text ? JSON.parse(text) : undefined;
        } catch {
          // keep text
        }
        const recorded = { method: req.method ?? '', path: req.url ?? '', headers: req.headers, body, at: Date.now() };
        this.requests.push(recorded);
        const reply = this.handler ? this.handler(recorded) : this.script.length > 1 ? this.script.shift()! : this.script[0] ?? { status: 500, json: { error: { message: 'no script' } } };
        if ('hang' in reply) {
          this.hanging.push(res);
          return;
        }
        if ('sse' in reply) {
          res.writeHead(200, { 'content-type': 'text/event-stream' });
          for (const ev of reply.sse) res.write(`data: ${JSON.stringify(ev)}\n\n`);
          res.end('data: [DONE]\n\n');
          return;
        }
        const send = () => {
          const headers: Record<string, string> = { 'content-type': reply.contentType ?? 'application/json', ...(reply.headers ?? {}) };
          res.writeHead(reply.status ?? 200, headers);
          res.end(reply.raw ?? JSON.stringify(reply.json ?? {}));
        };
        const later = () => {
          if (!reply.delayMs) return send();
          const timer = setTimeout(() => {
            this.delayed.delete(timer);
            send();
          }, reply.delayMs);
          this.delayed.add(timer);
        };
        if (reply.after) void reply.after.then(later, later);
        else later();
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.port = (this.server.address() as AddressInfo).port;
  }

  async stop(): Promise<void> {
    for (const r of this.hanging) r.destroy();
    this.hanging = [];
    for (const t of this.delayed) clearTimeout(t);
    this.delayed.clear();
    this.server?.closeAllConnections?.();
    await new Promise<void>((resolve) => this.server?.close(() => resolve()) ?? resolve());
  }
}

export function completion(content: string | null, extra: { toolCalls?: Array<{ id: string; name: string; arguments: string }>; usage?: { prompt_tokens: number; completion_tokens: number } } = {}): unknown {
  return {
    id: 'chatcmpl-test',
    object: 'chat.completion',
    created: 1,
    model: 'test-model',
    choices: [
      {
        index: 0,
        finish_reason: extra.toolCalls ? 'tool_calls' : 'stop',
        message: {
          role: 'assistant',
          content,
          ...(extra.toolCalls ? { tool_calls: extra.toolCalls.map((t) => ({ id: t.id, type: 'function', function: { name: t.name, arguments: t.arguments } })) } : {}),
        },
      },
    ],
    ...(extra.usage ? { usage: { ...extra.usage, total_tokens: extra.usage.prompt_tokens + extra.usage.completion_tokens } } : {}),
  };
}
