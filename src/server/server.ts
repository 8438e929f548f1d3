import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { timingSafeEqual } from 'node:crypto';
import type { Engine } from '../engine';
import type { InteractiveSession } from '../engine/interactive';
import { SessionNotReadyError } from '../engine/interactive';
import { createAgent, listAgents } from '../agents/registry';
import { toJsonSchema } from '../core/actions';
import type { SessionRecord } from '../core/session/types';

export interface ServerOptions {
  host: string;
  port: number;
  /** Bearer token; required when binding beyond loopback. */
  token?: string;
  /** Largest accepted request body, bytes. */
  maxBodyBytes?: number;
}

export interface RunningServer {
  url: string;
  port: number;
  close(): Promise<void>;
}

export class HttpError extends Error {
  constructor(readonly status: number, message: string) {
    super(message);
  }
}

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '::1']);

/**
 * The HTTP service: the original's endpoints (/health, /problems, /agents, /simulate) plus interactive sessions so that
 * an agent written in any language can play step by step. Errors are JSON `{"detail": "..."}` with a 4xx/5xx status,
 * as the original's FastAPI service answers.
 */
export async function startServer(engine: Engine, options: ServerOptions): Promise<RunningServer> {
  if (!LOOPBACK.has(options.host) && !options.token) {
    throw new HttpError(0, `Refusing to bind ${options.host} without a token: anyone who can reach it could run shell commands against your cluster. Pass --token (or AIOPSLAB_TOKEN), or bind 127.0.0.1.`);
  }
  const service = new Service(engine, options);
  const server = http.createServer((req, res) => {
    service.handle(req, res).catch((error: unknown) => {
      const status = error instanceof HttpError ? error.status : 500;
      const message = error instanceof Error ? error.message : String(error);
      send(res, status, { detail: status === 500 ? `Internal error: ${message}` : message });
    });
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  const hostForUrl = options.host.includes(':') ? `[${options.host}]` : options.host;
  return {
    url: `http://${hostForUrl}:${port}`,
    port,
    close: async () => {
      await Promise.all([...service.sessions.values()].map((s) => s.stop()));
      await new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections?.();
    },
  };
}

/** The endpoints, over one engine and the interactive sessions it runs. */
class Service {
  readonly sessions = new Map<string, InteractiveSession>();
  readonly maxBody: number;

  constructor(private readonly engine: Engine, private readonly options: ServerOptions) {
    this.maxBody = options.maxBodyBytes ?? 1024 * 1024;
  }

  async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const { options } = this;
    if (options.token && !authorized(req.headers.authorization, options.token)) {
      res.setHeader('WWW-Authenticate', 'Bearer');
      throw new HttpError(401, 'Missing or wrong bearer token: send "Authorization: Bearer <token>".');
    }
    const url = new URL(req.url ?? '/', 'http://localhost');
    const parts = url.pathname.split('/').filter(Boolean);
    const method = req.method ?? 'GET';
    const route = `${method} /${parts[0] ?? ''}${parts.length > 1 ? '/:id' : ''}${parts.length > 2 ? `/${parts[2]}` : ''}`;
    switch (route) {
      case 'GET /health':
        return send(res, 200, { status: 'healthy', service: 'AIOpsLab' });
      case 'GET /problems':
        return send(res, 200, this.engine.listProblems().map((p) => p.id));
      case 'GET /agents':
        return send(res, 200, listAgents(process.env).filter((a) => a.kind !== 'human').map((a) => a.name));
      case 'POST /simulate':
        return send(res, 200, await this.simulate(await readJson(req, this.maxBody)));
      case 'GET /sessions':
        return send(res, 200, await this.engine.store.list());
      case 'POST /sessions':
        return send(res, 201, await this.createSession(await readJson(req, this.maxBody)));
      case 'POST /sessions/:id/step':
        return send(res, 200, await this.step(parts[1], await readJson(req, this.maxBody)));
      case 'GET /sessions/:id':
        return send(res, 200, await this.getSession(parts[1]));
      case 'DELETE /sessions/:id':
        return send(res, 200, await this.deleteSession(parts[1]));
      default: {
        const known = ['/health', '/problems', '/agents', '/simulate', '/sessions'];
        const pathKnown = known.includes('/' + (parts[0] ?? ''));
        throw new HttpError(pathKnown ? 405 : 404, pathKnown ? `${method} is not allowed on ${url.pathname}.` : `No endpoint ${url.pathname}. Endpoints: GET /health, GET /problems, GET /agents, POST /simulate, GET|POST /sessions, GET|DELETE /sessions/{id}, POST /sessions/{id}/step.`);
      }
    }
  }

  private problemOr404(id: unknown): string {
    if (typeof id !== 'string' || !id) throw new HttpError(422, 'Field "problem_id" is required and must be a string.');
    try {
      this.engine.problem(id);
    } catch {
      throw new HttpError(404, `Problem ${id} not found. Available problems: ${JSON.stringify(this.engine.listProblems().map((p) => p.id))}`);
    }
    return id;
  }

  private maxSteps(value: unknown): number | undefined {
    if (value === undefined || value === null) return undefined;
    if (typeof value !== 'number' || !Number.isInteger(value) || value < 1 || value > 1000) throw new HttpError(422, 'Field "max_steps" must be an integer between 1 and 1000.');
    return value;
  }

  private async simulate(body: Record<string, unknown>): Promise<unknown> {
    const problemId = this.problemOr404(body.problem_id);
    const agentName = body.agent_name === undefined ? 'baseline' : String(body.agent_name);
    const names = listAgents(process.env).filter((a) => a.kind !== 'human').map((a) => a.name);
    if (!names.includes(agentName)) throw new HttpError(404, `Agent ${agentName} not registered. Available agents: ${JSON.stringify(names)}`);
    const agent = createAgent(agentName, {});
    const record = await this.engine.run({ problemId, agent, agentName: `${agentName}-agent`, maxSteps: this.maxSteps(body.max_steps) ?? 10 });
    if (record.status === 'error') throw new HttpError(500, `Error during simulation: ${record.error}`);
    return record;
  }

  private async createSession(body: Record<string, unknown>): Promise<unknown> {
    const problemId = this.problemOr404(body.problem_id);
    const agentName = typeof body.agent_name === 'string' && body.agent_name ? body.agent_name : 'http-agent';
    let session: InteractiveSession;
    try {
      session = await this.engine.startInteractive({ problemId, agentName, maxSteps: this.maxSteps(body.max_steps) });
    } catch (error) {
      throw new HttpError(500, `The session could not start: ${(error as Error).message}`);
    }
    this.sessions.set(session.id, session);
    const context = session.context!;
    return {
      session_id: session.id,
      problem_id: problemId,
      task_type: context.task,
      problem_description: context.problemDescription,
      instructions: context.instructions,
      apis: context.apis,
      actions: context.actions.map((a) => ({ name: a.name, description: a.doc, parameters: toJsonSchema(a) })),
      first_observation: session.agent.currentObservation,
    };
  }

  private sessionOr404(id: string): InteractiveSession {
    const session = this.sessions.get(id);
    if (!session) throw new HttpError(404, `No interactive session ${id}. Start one with POST /sessions {"problem_id": "..."}.`);
    return session;
  }

  private async step(id: string, body: Record<string, unknown>): Promise<unknown> {
    const session = this.sessionOr404(id);
    let turn;
    if (typeof body.reply === 'string') {
      turn = { text: body.reply };
    } else if (body.action && typeof body.action === 'object' && !Array.isArray(body.action)) {
      const action = body.action as { name?: unknown; arguments?: unknown };
      if (typeof action.name !== 'string' || !action.name) throw new HttpError(422, 'Field "action.name" is required and must be a string.');
      const args = action.arguments ?? {};
      if (typeof args !== 'object' || Array.isArray(args) || args === null) throw new HttpError(422, 'Field "action.arguments" must be an object of argument names to values.');
      turn = { text: '', toolCall: { name: action.name, arguments: args as Record<string, unknown> } };
    } else {
      throw new HttpError(422, 'Send either {"reply": "<text with one API call in a fenced block>"} or {"action": {"name": "...", "arguments": {...}}}.');
    }
    try {
      const result = await session.step(turn);
      return {
        step: result.step,
        observation: result.observation,
        done: result.done,
        action: result.action ?? null,
        parse_error: result.parseError ?? null,
        ...(result.done && result.record ? { results: result.record.results, verdict: result.record.verdict ?? null, status: result.record.status } : {}),
      };
    } catch (error) {
      if (error instanceof SessionNotReadyError) throw new HttpError(409, error.message);
      throw error;
    }
  }

  private async getSession(id: string): Promise<unknown> {
    const live = this.sessions.get(id);
    if (live && !live.done) {
      return { session_id: id, status: 'running', waiting_for_action: live.agent.isWaiting, last_observation: live.agent.currentObservation ?? null };
    }
    const record: SessionRecord | undefined = live?.record ?? (await this.engine.store.load(id));
    if (!record) throw new HttpError(404, `No session ${id}.`);
    return record;
  }

  private async deleteSession(id: string): Promise<unknown> {
    const session = this.sessionOr404(id);
    const record = await session.stop();
    this.sessions.delete(id);
    return record ?? { session_id: id, status: 'cancelled' };
  }
}


function authorized(header: string | undefined, token: string): boolean {
  const given = Buffer.from(header?.startsWith('Bearer ') ? header.slice(7) : '');
  const wanted = Buffer.from(token);
  return given.length === wanted.length && timingSafeEqual(given, wanted);
}

async function readJson(req: http.IncomingMessage, maxBytes: number): Promise<Record<string, unknown>> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > maxBytes) throw new HttpError(413, `Request body too large: the limit is ${maxBytes} bytes.`);
    chunks.push(chunk as Buffer);
  }
  const text = Buffer.concat(chunks).toString('utf8');
  if (!text.trim()) return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new HttpError(400, `Malformed JSON body: ${(error as Error).message}`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new HttpError(422, 'The request body must be a JSON object.');
  return parsed as Record<string, unknown>;
}

function send(res: http.ServerResponse, status: number, body: unknown): void {
  if (res.headersSent) return;
  const text = JSON.stringify(body);
  res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text) });
  res.end(text);
}
