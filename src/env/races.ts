/**
 * Cluster objects come and go while a session sets up, injects, recovers and cleans up: a pod listed a moment ago
 * has finished terminating, a controller updated the object we are replacing, the API server was too busy to answer
 * one request. These helpers make each step idempotent against that, on the embedded cluster and on real ones:
 *
 * - deleting what is already gone is success (`ignoreNotFound`; with kubectl prefer `--ignore-not-found`);
 * - a write that lost a race with a controller (409 Conflict) is re-read and retried (`retryOnConflict`);
 * - a wait keeps waiting through a failed look at the cluster (`isTransient`), until its own deadline.
 *
 * They understand both kinds of failure the environment sees: client-node's (an HTTP `code` and a Status `body`) and
 * kubectl's (a `ToolError` of kubectl, whose stderr carries `Error from server (NotFound)` and the like).
 */
import { ToolError } from './run-tool';

function httpCode(error: unknown): number | undefined {
  const code = (error as { code?: unknown } | undefined)?.code;
  return typeof code === 'number' ? code : undefined;
}

function kubectlText(error: unknown): string | undefined {
  return error instanceof ToolError && error.tool === 'kubectl' ? error.stderr : undefined;
}

/** The object (or its namespace) does not exist (any more). */
export function isNotFound(error: unknown): boolean {
  if (httpCode(error) === 404) return true;
  const text = kubectlText(error);
  return text !== undefined && /\(NotFound\)|\bnot found\b/.test(text);
}

/** The write was based on an old version of the object: read it again and retry. */
export function isConflict(error: unknown): boolean {
  const code = httpCode(error);
  const body = (error as { body?: unknown } | undefined)?.body;
  const text = kubectlText(error) ?? (typeof body === 'string' ? body : '');
  if (code === 409) return !/AlreadyExists|already exists/.test(text);
  return kubectlText(error) !== undefined && /\(Conflict\)|the object has been modified/.test(text);
}

/** A failure that says nothing about the object: the server was busy, restarting or unreachable for a moment. */
export function isTransient(error: unknown): boolean {
  const code = httpCode(error);
  if (code === 429 || (code !== undefined && code >= 500)) return true;
  const text = `${kubectlText(error) ?? ''} ${(error as Error | undefined)?.message ?? ''} ${(error as { cause?: { code?: string } } | undefined)?.cause?.code ?? ''}`;
  return /ECONNRESET|ECONNREFUSED|ETIMEDOUT|EPIPE|socket hang up|TLS handshake timeout|i\/o timeout|connection refused|\(ServiceUnavailable\)|\(InternalError\)|\(Timeout\)|\(TooManyRequests\)/.test(text);
}

/** Resolves to undefined when the object is already gone; any other failure stays a failure. */
export async function ignoreNotFound<T>(action: Promise<T>): Promise<T | undefined> {
  try {
    return await action;
  } catch (error) {
    if (isNotFound(error)) return undefined;
    throw error;
  }
}

/**
 * Runs a read-modify-write until it is not refused with a conflict (at most `attempts` times, with a short growing
 * pause): `write` must read the current object itself each time.
 */
export async function retryOnConflict<T>(write: () => Promise<T>, attempts = 6, sleep: (ms: number) => Promise<void> = pause): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await write();
    } catch (error) {
      if (!isConflict(error) || attempt >= attempts) throw error;
      await sleep(25 * attempt);
    }
  }
}

function pause(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
