/**
 * Typed errors raised by agents. The orchestrator records `userMessage` in the session;
 * `retryable` tells whether trying the same request again later may succeed.
 * Messages never contain an API key (see `redact`).
 */
export type AgentErrorKind =
  | 'unreachable'
  | 'auth'
  | 'forbidden'
  | 'model-not-found'
  | 'rate-limited'
  | 'server'
  | 'timeout'
  | 'bad-request'
  | 'malformed-response'
  | 'empty-response'
  | 'cancelled'
  | 'not-configured'
  | 'unknown';

export class AgentError extends Error {
  readonly kind: AgentErrorKind;
  readonly retryable: boolean;
  /** The endpoint the request went to (base URL), when there is one. */
  readonly endpoint?: string;
  readonly status?: number;
  /** The clear, user-facing explanation (same as `message`). */
  readonly userMessage: string;
  /** How many attempts were made before giving up. */
  readonly attempts?: number;

  constructor(init: {
    kind: AgentErrorKind;
    message: string;
    retryable: boolean;
    endpoint?: string;
    status?: number;
    attempts?: number;
  }) {
    super(init.message);
    this.name = 'AgentError';
    this.kind = init.kind;
    this.retryable = init.retryable;
    this.endpoint = init.endpoint;
    this.status = init.status;
    this.userMessage = init.message;
    this.attempts = init.attempts;
  }
}

export function isAgentError(e: unknown): e is AgentError {
  return e instanceof AgentError;
}

/** Replace every occurrence of each secret in `text` with `***`. Short secrets (< 4 chars) are left alone. */
export function redact(text: string, secrets: Array<string | undefined>): string {
  let out = text;
  for (const s of secrets) {
    if (s && s.length >= 4) out = out.split(s).join('***');
  }
  // Bearer tokens and common key shapes, in case a server echoes a header back.
  out = out.replace(/Bearer\s+[A-Za-z0-9._-]{8,}/g, 'Bearer ***');
  out = out.replace(/\bsk-[A-Za-z0-9_-]{8,}/g, 'sk-***');
  return out;
}
