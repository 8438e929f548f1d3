import { isTransient } from './races';

export interface WaitOptions {
  timeoutMs: number;
  /** What is awaited, for the timeout's message: `pods of test-social-network to become ready`. */
  what: string;
  signal?: AbortSignal;
  sleep?: (ms: number) => Promise<void>;
  /** The first pause between two looks; each next pause is half as long again, up to `maxPollMs`. */
  pollMs: number;
  maxPollMs?: number;
}

/**
 * Looks at the cluster until `condition` holds. The pauses grow from `pollMs` to `maxPollMs`: most waits end within a
 * few looks (a pod of the embedded cluster starts in tens of milliseconds), and a long one (a real cluster pulling
 * images for minutes) costs a look every `maxPollMs` instead of a steady stream of lists, each of which the API server
 * serializes and the engine parses — CPU that parallel sessions on one machine share. A busy or briefly unreachable
 * API server is no answer either way: it looks again until the deadline.
 */
export async function waitUntil(condition: () => Promise<boolean>, options: WaitOptions): Promise<void> {
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const deadline = Date.now() + options.timeoutMs;
  const maxPollMs = Math.max(options.pollMs, options.maxPollMs ?? options.pollMs);
  let pause = options.pollMs;
  let lastError: unknown;
  for (;;) {
    if (options.signal?.aborted) throw new Error('cancelled');
    try {
      if (await condition()) return;
      lastError = undefined;
    } catch (error) {
      if (!isTransient(error)) throw error;
      lastError = error;
    }
    if (Date.now() > deadline) {
      throw new Error(`Timed out after ${Math.round(options.timeoutMs / 1000)} s waiting for ${options.what}.${lastError ? ` The last look failed: ${(lastError as Error).message}` : ''}`);
    }
    await sleep(Math.min(pause, Math.max(1, deadline - Date.now())));
    pause = Math.min(maxPollMs, Math.round(pause * 1.5));
  }
}
