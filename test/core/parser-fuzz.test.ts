/**
 * Property and fuzz tests for the response parser, with a seeded PRNG so every run sees the same inputs:
 * - round trip: any call rendered by formatCall, dressed up in any accepted reply form, parses back to itself;
 * - robustness: random and mutated replies (up to ~100 KB) and 1 MB adversarial inputs either parse or throw
 *   ResponseParsingError — never anything else — and an error message stays short whatever the reply's size;
 * - linear work: the parser's work counter stays within a constant factor of the input length on all of them
 *   (no timing here; bench/parser.ts measures time per byte).
 */
import assert from 'assert/strict';
import { ResponseParsingError, formatCall, lastParseWork, parseResponse } from '../../src/core/parser';

/** mulberry32: a small, good-enough seeded PRNG. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

type Rng = () => number;
const int = (r: Rng, n: number) => Math.floor(r() * n);
const pick = <T>(r: Rng, xs: readonly T[]): T => xs[int(r, xs.length)];

const CHARS = [
  ...'abcxyz019 -_./:=,;#()[]{}<>|&$*?!@%^~+',
  '"',
  "'",
  '\\',
  '`',
  '\n',
  '\t',
  '\r',
  'é',
  'ß',
  '日',
  'Ж',
  '🚀',
  '\u2028',
  '\u0000',
  '\u007f',
];

function randomString(r: Rng, max = 24): string {
  let s = '';
  const n = int(r, max);
  for (let i = 0; i < n; i++) s += pick(r, CHARS);
  return s;
}

function randomIdent(r: Rng): string {
  const first = 'abcdefghijklmnopqrstuvwxyz_ABCXYZ';
  const rest = first + '0123456789';
  let s = pick(r, [...first]);
  for (let i = int(r, 10); i > 0; i--) s += pick(r, [...rest]);
  return s;
}

function randomValue(r: Rng, depth = 0): unknown {
  const k = int(r, depth > 3 ? 6 : 9);
  switch (k) {
    case 0:
    case 1:
      return randomString(r);
    case 2:
      return int(r, 2e9) - 1e9;
    case 3: {
      const x = (r() - 0.5) * Math.pow(10, int(r, 40) - 20);
      return x === 0 ? 0.5 : x;
    }
    case 4:
      return pick(r, [true, false, null]);
    case 5:
      return int(r, 100);
    case 6:
    case 7: {
      const xs: unknown[] = [];
      for (let i = int(r, 5); i > 0; i--) xs.push(randomValue(r, depth + 1));
      return xs;
    }
    default: {
      const o: Record<string, unknown> = {};
      for (let i = int(r, 4); i > 0; i--) o[randomString(r, 8)] = randomValue(r, depth + 1);
      return o;
    }
  }
}

interface Call {
  api_name: string;
  args: unknown[];
  kwargs: Record<string, unknown>;
}

const APIS = ['get_logs', 'get_metrics', 'get_traces', 'read_metrics', 'read_traces', 'submit'];

function randomCall(r: Rng): Call {
  if (r() < 0.3) {
    const command = randomString(r, 60) || 'ls';
    const timeout = int(r, 3) === 0 ? { timeout: 1 + int(r, 300) } : {};
    return r() < 0.5 ? { api_name: 'exec_shell', args: [command], kwargs: timeout } : { api_name: 'exec_shell', args: [], kwargs: { command, ...timeout } };
  }
  const args: unknown[] = [];
  for (let i = int(r, 4); i > 0; i--) args.push(randomValue(r));
  const kwargs: Record<string, unknown> = {};
  for (let i = int(r, 3); i > 0; i--) kwargs[randomIdent(r)] = randomValue(r);
  return { api_name: pick(r, APIS), args, kwargs };
}

const THOUGHTS = ['Thought: the pods look unhealthy.', 'Let me check the logs first ✓', 'Анализ: 服务 is down.', 'I will `kubectl` it.', ''];

/** Dresses a call in one of the accepted reply forms; returns the reply and the context it should yield. */
function dress(r: Rng, callText: string): { reply: string; context: string[] } {
  const thought = pick(r, THOUGHTS);
  const ctx = thought.trim() === '' ? [] : [thought.trim()];
  const oneLine = !callText.includes('\n');
  const indent = pick(r, ['', '', '  ', '    ', '\t']);
  const tag = pick(r, ['', '', 'python', 'bash', 'tool_code', ' py ']);
  const comment = pick(r, ['', '', '  # run it']);
  const body = `${indent}${callText}${comment}`;
  let reply: string;
  let context = ctx;
  switch (int(r, oneLine ? 6 : 4)) {
    case 0:
      reply = `${thought}\n${indent}\`\`\`${tag}\n${body}\n${indent}\`\`\``;
      break;
    case 1:
      reply = `${thought}\nAction:\`\`\`\n${body}\n\`\`\``;
      context = thought.trim() === '' ? ['Action:'] : [`${thought.trim()}\nAction:`];
      break;
    case 2:
      reply = `${thought}\n\n\`\`\`${tag}\n${body}\n\`\`\`\n\n`;
      break;
    case 3:
      reply = `\`\`\`\n${callText}\n\`\`\`\n${thought}`;
      break;
    case 4:
      reply = `${thought}\n\`\`\`${callText}\`\`\``;
      break;
    default:
      reply = `${thought}\nAction: ${callText}`;
      context = thought.trim() === '' ? ['Action:'] : [`${thought.trim()}\nAction:`];
      break;
  }
  if (r() < 0.2) reply = reply.replace(/\n/g, '\r\n');
  return { reply, context };
}

/** Parses, asserting that nothing but ResponseParsingError escapes and that the work stayed linear. */
function parseSafely(reply: string): { ok: boolean; work: number } {
  let ok = true;
  try {
    parseResponse(reply);
  } catch (e) {
    if (!(e instanceof ResponseParsingError)) {
      assert.fail(`non-ResponseParsingError ${String(e)} for input ${JSON.stringify(reply.slice(0, 300))}…`);
    }
    assert.equal(typeof e.message, 'string');
    // A message is for an LLM's context: it never echoes a huge reply back.
    assert.ok(e.message.length <= 5000, `message of ${e.message.length} chars for a ${reply.length}-char reply ${JSON.stringify(reply.slice(0, 40))}`);
    ok = false;
  }
  const work = lastParseWork();
  return { ok, work };
}

/** The bound on work per character: generous, but a constant — a quadratic parser blows through it at 100 KB. */
const WORK_PER_CHAR = 16;

function assertLinear(reply: string, work: number): void {
  assert.ok(work <= WORK_PER_CHAR * (reply.length + 64), `work ${work} for ${reply.length} chars (${(work / (reply.length + 1)).toFixed(1)}/char)`);
}

const TOKENS = [
  '"',
  "'",
  '"""',
  "'''",
  '(',
  ')',
  '[',
  ']',
  '{',
  '}',
  ',',
  ':',
  '=',
  '#',
  '\\',
  '\n',
  '\r\n',
  '```',
  '`',
  'Action:',
  'exec_shell(',
  'submit(',
  "r'",
  'b"',
  'f"{',
  '0x',
  '-',
  '1e',
  '1_',
  '.',
  'None',
  'True',
  '\u2028',
  '🚀',
  ' ',
  '\t',
  '\\x',
  '\\u12',
  '\\N{',
];

function mutate(r: Rng, s: string): string {
  let out = s;
  for (let m = 1 + int(r, 4); m > 0; m--) {
    const i = int(r, out.length + 1);
    switch (int(r, 5)) {
      case 0:
        out = out.slice(0, i) + out.slice(i + 1 + int(r, 5));
        break;
      case 1:
        out = out.slice(0, i) + pick(r, TOKENS) + out.slice(i);
        break;
      case 2: {
        const j = int(r, out.length + 1);
        out = out.slice(0, i) + out.slice(Math.min(i, j), Math.max(i, j)) + out.slice(i);
        break;
      }
      case 3:
        out = out.slice(0, i);
        break;
      default:
        out = out.slice(0, i) + pick(r, CHARS) + out.slice(i + 1);
    }
  }
  return out;
}

describe('response parser — properties (seeded fuzz)', () => {
  it('any call rendered by formatCall parses back to itself in every accepted reply form', () => {
    const r = prng(20260101);
    for (let n = 0; n < 1500; n++) {
      const c = randomCall(r);
      const text = formatCall(c.api_name, c.args, c.kwargs);
      const { reply, context } = dress(r, text);
      let parsed;
      try {
        parsed = parseResponse(reply);
      } catch (e) {
        assert.fail(`round trip failed for ${JSON.stringify(reply)}: ${(e as Error).message}`);
      }
      assert.deepEqual({ api_name: parsed.api_name, args: parsed.args, kwargs: parsed.kwargs }, c, JSON.stringify(reply));
      assert.deepEqual(parsed.context, context.map((x) => x.replace(/\r\n/g, '\n')), JSON.stringify(reply));
      assertLinear(reply, lastParseWork());
    }
  });

  it('mutated replies parse or throw ResponseParsingError, with linear work', () => {
    const r = prng(7);
    let parsed = 0;
    let rejected = 0;
    for (let n = 0; n < 4000; n++) {
      const c = randomCall(r);
      const { reply } = dress(r, formatCall(c.api_name, c.args, c.kwargs));
      const m = mutate(r, reply);
      const { ok, work } = parseSafely(m);
      assertLinear(m, work);
      if (ok) parsed++;
      else rejected++;
    }
    // Both outcomes are exercised.
    assert.ok(parsed > 200 && rejected > 200, `parsed ${parsed}, rejected ${rejected}`);
  });

  it('random token soup and large mutated replies up to ~100 KB parse or throw ResponseParsingError, with linear work', () => {
    const r = prng(99);
    for (let n = 0; n < 60; n++) {
      const target = 1000 + int(r, 100_000);
      const parts: string[] = [];
      let len = 0;
      const soup = r() < 0.5;
      while (len < target) {
        let piece: string;
        if (soup) piece = pick(r, TOKENS) + (r() < 0.3 ? randomString(r, 12) : '');
        else {
          const c = randomCall(r);
          piece = mutate(r, dress(r, formatCall(c.api_name, c.args, c.kwargs)).reply);
        }
        parts.push(piece);
        len += piece.length;
      }
      const reply = parts.join(soup ? '' : '\n');
      const { work } = parseSafely(reply);
      assertLinear(reply, work);
    }
  });

  it('1 MB adversarial replies return or throw ResponseParsingError, with linear work', () => {
    const M = 1_000_000;
    const inputs: Array<[string, string]> = [
      ['100k+ open brackets in a block', '```\nsubmit(' + '['.repeat(M)],
      ['open brackets, no fence', 'submit(' + '[{('.repeat(M / 3)],
      ['open parentheses', '```\nsubmit' + '('.repeat(M)],
      ['closing parentheses', 'exec_shell(' + ')'.repeat(M)],
      ['an unterminated string', '```\nexec_shell("' + 'a'.repeat(M)],
      ['an unterminated triple-quoted string', '```\nsubmit("""' + '"" '.repeat(M / 3)],
      ['backslashes in a string', '```\nsubmit("' + '\\'.repeat(M) + '")\n```'],
      ['escapes in a string', '```\nsubmit("' + '\\n\\x41\\u00e9'.repeat(M / 14) + '")\n```'],
      ['a million backticks', '`'.repeat(M)],
      ['many fences', '```\n'.repeat(M / 4)],
      ['many one-line blocks with calls', '```a()```'.repeat(M / 9)],
      ['many one-line blocks without calls', '```x```'.repeat(M / 7)],
      ['many calls in one block', '```\n' + 'submit(1)\n'.repeat(M / 10) + '```'],
      ['adjacent strings', '```\nsubmit(' + '"a" '.repeat(M / 4) + ')\n```'],
      ['a long chain of signs', '```\nsubmit(' + '-'.repeat(M) + '1)\n```'],
      ['comments', '```\nsubmit(\n' + '# c\n'.repeat(M / 4) + ')\n```'],
      ['CRLF everywhere', '\r\n'.repeat(M / 2) + 'Action: submit()'],
      ['Action: labels', 'Action:'.repeat(M / 7)],
      ['Action: then an open call', 'Action: exec_shell(' + '"\\'.repeat(M / 2)],
      ['an unquoted exec_shell command', 'exec_shell(' + 'kubectl get pods '.repeat(M / 17) + ')'],
      ['quotes', '```\nexec_shell(' + `"'`.repeat(M / 2) + ')\n```'],
      ['a long identifier', 'a'.repeat(M) + '()'],
      ['a long number', '```\nsubmit(' + '9'.repeat(M) + ')\n```'],
      ['digits and underscores', '```\nsubmit(' + '1_'.repeat(M / 2) + ')\n```'],
      ['a deep dict', '```\nsubmit(' + '{"a":'.repeat(M / 5) + ')\n```'],
      ['a long list', '```\nsubmit([' + '1,'.repeat(M / 2) + '])\n```'],
      ['an unclosed long list', '```\nsubmit([' + '1,'.repeat(M / 2)],
      ['a long thought before a call', 'Thought: ' + 'x '.repeat(M / 2) + '\n```\nsubmit()\n```'],
    ];
    for (const [label, reply] of inputs) {
      const { work } = parseSafely(reply);
      assert.ok(work <= WORK_PER_CHAR * (reply.length + 64), `${label}: work ${work} for ${reply.length} chars`);
    }
  });

  it('the valid adversarial inputs still parse correctly', () => {
    const M = 200_000;
    assert.deepEqual(parseResponse('```\nsubmit(' + '"a" '.repeat(M) + ')\n```').args, ['a'.repeat(M)]);
    assert.deepEqual(parseResponse('```\nsubmit(' + '-'.repeat(M) + '1)\n```').args, [1]);
    assert.equal((parseResponse('```\nsubmit([' + '1,'.repeat(M) + '])\n```').args[0] as unknown[]).length, M);
    assert.deepEqual(parseResponse('```\nsubmit("' + '\\\\'.repeat(M) + '")\n```').args, ['\\'.repeat(M)]);
  });
});
