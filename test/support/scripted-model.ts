/**
 * A scripted "model" for the scripted OpenAI-compatible server: each conversation (one session) first runs a shell
 * command that names the conversation, then submits an answer. Replies come after a delay, and every n-th request
 * after a conversation's first is refused with a 429 and a Retry-After — the load of a rate-limited endpoint.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { SessionRecord } from '../../src/core/session/types';
import { completion, type RecordedRequest, type Reply } from '../agents/scripted-server';

/** Twelve detection problems of two apps, none with a settle time after injection. */
export const TWELVE_DETECTION = [
  'k8s_target_port-misconfig-detection-1', 'k8s_target_port-misconfig-detection-2', 'k8s_target_port-misconfig-detection-3',
  'auth_miss_mongodb-detection-1', 'revoke_auth_mongodb-detection-1', 'revoke_auth_mongodb-detection-2',
  'user_unregistered_mongodb-detection-1', 'user_unregistered_mongodb-detection-2', 'container_kill-detection',
  'pod_failure_hotel_res-detection-1', 'network_delay_hotel_res-detection-1', 'noop_detection_hotel_reservation-1',
];

export interface ScriptedModelOptions {
  delayMs: number;
  /** Refuse every n-th follow-up request with a 429 (0 or absent: never). */
  rateLimitEvery?: number;
  retryAfterMs?: number;
  /** The detection answer of conversation n (1-based); default "Yes". */
  answer?: (conversation: number) => string;
  /**
   * Hold the first request of each of the first n conversations until all n are waiting together: they are answered
   * only if n sessions ask at the same time (sessions one after another would never get a first answer).
   */
  together?: number;
}

const NAME = /conv-(\d+)/;

export function scriptedModel(options: ScriptedModelOptions) {
  let conversations = 0;
  let followUps = 0;
  let waiting = 0;
  let gather: () => void = () => undefined;
  const gathered = new Promise<void>((resolve) => (gather = resolve));
  const refused = new Set<RecordedRequest>();
  const conversationOf = (request: RecordedRequest): number | undefined => {
    const body = request.body as { messages?: Array<{ role: string; content: unknown }> } | undefined;
    const assistant = (body?.messages ?? []).find((m) => m.role === 'assistant');
    const match = assistant && NAME.exec(String(assistant.content));
    return match ? Number(match[1]) : undefined;
  };
  const reply = (request: RecordedRequest): Reply => {
    const conversation = conversationOf(request);
    if (conversation === undefined) {
      conversations++;
      const held = options.together !== undefined && conversations <= options.together;
      if (held && ++waiting === options.together) gather();
      return { delayMs: options.delayMs, json: completion(`Let me look first.\n\`\`\`\nexec_shell("echo conv-${conversations}")\n\`\`\``), ...(held ? { after: gathered } : {}) };
    }
    followUps++;
    if (options.rateLimitEvery && followUps % options.rateLimitEvery === 0) {
      refused.add(request);
      return { status: 429, headers: { 'retry-after-ms': String(options.retryAfterMs ?? 500) }, json: { error: { message: 'Rate limit reached, slow down', type: 'rate_limit' } } };
    }
    const answer = options.answer?.(conversation) ?? 'Yes';
    return { delayMs: options.delayMs, json: completion(`\`\`\`\nsubmit("${answer}")\n\`\`\``) };
  };
  return {
    reply,
    /** Each refused request with the next request of its conversation (undefined if it never came). */
    rateLimited(requests: RecordedRequest[]): Array<{ request: RecordedRequest; next?: RecordedRequest }> {
      return requests.filter((r) => refused.has(r)).map((request) => ({
        request,
        next: requests.find((r) => r.at >= request.at && r !== request && conversationOf(r) === conversationOf(request) && requests.indexOf(r) > requests.indexOf(request)),
      }));
    },
  };
}

/** The session records saved in a results folder. */
export function sessionsIn(resultsDir: string): SessionRecord[] {
  if (!fs.existsSync(resultsDir)) return [];
  return fs.readdirSync(resultsDir).filter((f) => f.endsWith('.json')).map((f) => JSON.parse(fs.readFileSync(path.join(resultsDir, f), 'utf8')) as SessionRecord);
}
