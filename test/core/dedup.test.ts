import assert from 'assert/strict';
import { findTimestampSpans, greedyCompressLines, logTrimFromEnv, splitLines } from '../../src/core/logs/dedup';

const spanTexts = (line: string) => findTimestampSpans(line).map(([s, e]) => line.slice(s, e));
const plain = { notice: false };

describe('log de-duplication — timestamp detection (the original\'s shapes)', () => {
  it('ISO date-times with a space or a T, fractions and zones', () => {
    assert.deepEqual(spanTexts('at 2025-09-24 18:41:09 start'), ['2025-09-24 18:41:09']);
    assert.deepEqual(spanTexts('{"ts":"2025-09-24T18:41:09.123Z"} {"ts":"2025-09-24T18:41:09+02:00"}'), [
      '2025-09-24T18:41:09.123Z',
      '2025-09-24T18:41:09+02:00',
    ]);
  });

  it('dates with an abbreviated month, as some C++ services print them', () => {
    assert.deepEqual(spanTexts('[2025-Sep-24 18:41:09.830218] <info>: ok'), ['2025-Sep-24 18:41:09.830218']);
  });

  it('a bare time of day', () => {
    assert.deepEqual(spanTexts('I0924 18:41:09 server.go:42] listening'), ['18:41:09']);
  });

  it('durations as kubectl prints ages', () => {
    assert.deepEqual(spanTexts('geo-7d9 1/1 Running 0 10m5s'), ['10m5s']);
    assert.deepEqual(spanTexts('restarted 30s ago, then 4m'), ['30s', '4m']);
  });

  it('syslog-style dates', () => {
    assert.deepEqual(spanTexts('Wed Sep 24 18:41:09 2025 kernel: oom'), ['Wed Sep 24 18:41:09 2025']);
  });

  it('no timestamp at all', () => {
    assert.deepEqual(findTimestampSpans('GET /hotels 200'), []);
  });
});

describe('log de-duplication — one pass (block size 1)', () => {
  it('lines equal except for their timestamps collapse to the last (latest) one', () => {
    const text = ['{"time":"2025-09-25T04:36:33Z","msg":"foo"}', '{"time":"2025-09-25T04:36:34Z","msg":"foo"}'].join('\n');
    assert.equal(greedyCompressLines(text, 1, plain), '{"time":"2025-09-25T04:36:34Z","msg":"foo"}');
  });

  it('lines with different messages stay', () => {
    const text = ['{"time":"2025-09-25T04:36:33Z","msg":"foo"}', '{"time":"2025-09-25T04:36:33Z","msg":"bar"}'].join('\n');
    assert.equal(greedyCompressLines(text, 1, plain), text);
  });

  it('identical lines without any timestamp are never collapsed (as in the original)', () => {
    assert.equal(greedyCompressLines('retrying\nretrying\nretrying', 3, plain), 'retrying\nretrying\nretrying');
  });

  it('timestamps at different positions do not match', () => {
    const text = '10:00:01 a  b\n  a 10:00:02b';
    assert.equal(greedyCompressLines(text, 1, plain), text);
  });

  it('empty input gives empty output', () => {
    assert.equal(greedyCompressLines('', 2), '');
  });

  it('only consecutive runs collapse; a different line in between starts a new run', () => {
    const text = ['12:00:01 tick', '12:00:02 tick', '12:00:03 tock', '12:00:04 tick', '12:00:05 tick'].join('\n');
    assert.equal(greedyCompressLines(text, 1, plain), ['12:00:02 tick', '12:00:03 tock', '12:00:05 tick'].join('\n'));
  });
});

describe('log de-duplication — blocks and several passes', () => {
  it('pass k cuts the lines into blocks of k from the top; a repeating two-line pattern collapses at k = 2', () => {
    const lines = [];
    for (let s = 10; s < 16; s++) lines.push(`12:00:${s} GET /search`, `12:00:${s} 200 OK`);
    const text = lines.join('\n');
    assert.equal(greedyCompressLines(text, 1, plain), text, 'no two consecutive lines are alike');
    assert.equal(greedyCompressLines(text, 2, plain), '12:00:15 GET /search\n12:00:15 200 OK');
  });

  it('blocks are aligned to the top, so a pattern off by one line only partly collapses (the original\'s greedy cut)', () => {
    const text = ['header', '12:00:01 a', '12:00:01 b', '12:00:02 a', '12:00:02 b', '12:00:03 a', '12:00:03 b'].join('\n');
    // Blocks of 2: [header, a1] [b1, a2] [b2, a3] [b3] — only [b1,a2] and [b2,a3] are alike.
    assert.equal(greedyCompressLines(text, 2, plain), ['header', '12:00:01 a', '12:00:02 b', '12:00:03 a', '12:00:03 b'].join('\n'));
  });

  it('a shorter last block never matches a full one', () => {
    const text = ['12:00:01 a', '12:00:01 b', '12:00:02 a'].join('\n');
    assert.equal(greedyCompressLines(text, 2, plain), text);
  });

  it('a three-line pattern collapses at k = 3', () => {
    const lines = [];
    for (let s = 1; s <= 4; s++) lines.push(`2025-01-01T00:00:0${s}Z begin`, `2025-01-01T00:00:0${s}Z work`, `2025-01-01T00:00:0${s}Z end`);
    assert.equal(greedyCompressLines(lines.join('\n'), 3, plain), lines.slice(9).join('\n'));
  });
});

describe('log de-duplication — switched off (the original\'s LOG_TRIM unset or invalid)', () => {
  it('a block size that is not a positive integer returns the text unchanged', () => {
    const text = '12:00:01 x\n12:00:02 x\n';
    for (const k of [0, -1, 1.5, Number.NaN]) assert.equal(greedyCompressLines(text, k), text);
  });

  it('LOG_TRIM is read like Python int(): unset or invalid means off', () => {
    assert.equal(logTrimFromEnv(undefined), undefined);
    assert.equal(logTrimFromEnv('invalid'), undefined);
    assert.equal(logTrimFromEnv('2.5'), undefined);
    assert.equal(logTrimFromEnv('0'), undefined);
    assert.equal(logTrimFromEnv('-3'), undefined);
    assert.equal(logTrimFromEnv(' 2 '), 2);
    assert.equal(logTrimFromEnv('+1_0'), 10);
  });
});

describe('log de-duplication — realistic logs collapse to one entry', () => {
  it('JSON logs from a Go service', () => {
    const text =
      '{"level":"info","time":"2025-09-25T04:36:33Z","message":"TLS disabled."}\n' +
      '{"level":"info","time":"2025-09-25T04:36:34Z","message":"TLS disabled."}\n' +
      '{"level":"info","time":"2025-09-25T04:36:35Z","message":"TLS disabled."}\n';
    const out = greedyCompressLines(text, 2, plain);
    assert.equal(out.split('TLS disabled').length - 1, 1);
    assert.ok(out.includes('04:36:35'), 'the latest entry is kept');
  });

  it('ANSI-coloured logs', () => {
    const line = (t: string) => `\x1b[90m2025-09-25T04:36:${t}Z\x1b[0m \x1b[32mINF\x1b[0m Successfully connected to consul \x1b[36mcomponent=\x1b[0mregistry`;
    const text = [line('30'), line('31'), line('32'), line('33')].join('\n');
    assert.equal(greedyCompressLines(text, 2, plain), line('33'));
  });
});

describe('log de-duplication — our additions', () => {
  it('says how many lines were collapsed, right before the line kept (default on)', () => {
    const text = ['boot', '12:00:01 tick', '12:00:02 tick', '12:00:03 tick', '12:00:04 tick', 'done'].join('\n');
    assert.equal(greedyCompressLines(text, 1), ['boot', '[… 3 similar lines collapsed …]', '12:00:04 tick', 'done'].join('\n'));
    assert.equal(greedyCompressLines('12:00:01 x\n12:00:02 x', 1), '[… 1 similar line collapsed …]\n12:00:02 x');
    assert.equal(greedyCompressLines('12:00:01 x\n12:00:02 x', 1, { formatNotice: (n) => `(${n} more)` }), '(1 more)\n12:00:02 x');
  });

  it('counts lines collapsed over several passes into the one notice', () => {
    const lines = [];
    for (let s = 10; s < 20; s++) lines.push(`12:00:${s} GET /search`, `12:00:${s} GET /search`, `12:00:${s} 200 OK`);
    // Pass 1 folds each pair of GETs; pass 2 folds the (GET, OK) blocks: 30 lines → 2, 28 collapsed.
    assert.equal(greedyCompressLines(lines.join('\n'), 2), '[… 28 similar lines collapsed …]\n12:00:19 GET /search\n12:00:19 200 OK');
  });

  it('splits lines like Python\'s splitlines and joins them with \\n (a trailing newline is dropped)', () => {
    assert.deepEqual(splitLines('a\r\nb\rc\n\nd\n'), ['a', 'b', 'c', '', 'd']);
    assert.deepEqual(splitLines(''), []);
    assert.equal(greedyCompressLines('x\r\ny\n', 1), 'x\ny');
  });

  it('handles a large log quickly and correctly (200k lines)', () => {
    const lines: string[] = [];
    for (let i = 0; i < 200_000; i++) {
      const s = String(i % 60).padStart(2, '0');
      lines.push(i % 1000 === 999 ? `12:00:${s} checkpoint ${i}` : `12:00:${s} heartbeat ok`);
    }
    const out = greedyCompressLines(lines.join('\n'), 3).split('\n');
    // Each run of 999 heartbeats becomes a notice and one line, then the checkpoint.
    assert.equal(out.length, 600);
    assert.equal(out[0], '[… 998 similar lines collapsed …]');
  });
});

describe('log de-duplication — same output as the original\'s algorithm for block sizes 1 and 2 (seeded random logs)', () => {
  /** The original's procedure, written plainly: pass k regroups the previous pass's items k at a time. */
  function reference(text: string, window: number): string {
    let items = splitLines(text);
    for (let size = 1; size <= window; size++) {
      if (items.length === 0) break;
      const blocks: string[] = [];
      for (let i = 0; i < items.length; i += size) blocks.push(items.slice(i, i + size).join('\n'));
      const result = [blocks[0]];
      let prev = findTimestampSpans(blocks[0]);
      const mask = (s: string, spans: Array<[number, number]>) => {
        let out = '';
        let last = 0;
        for (const [a, b] of spans) {
          out += s.slice(last, a) + ' '.repeat(b - a);
          last = b;
        }
        return out + s.slice(last);
      };
      for (const block of blocks.slice(1)) {
        const spans = findTimestampSpans(block);
        const comparable =
          prev.length > 0 && spans.length > 0 && prev.length === spans.length && prev.every(([a], i) => a === spans[i][0]);
        if (comparable && mask(result[result.length - 1], prev) === mask(block, spans)) result[result.length - 1] = block;
        else result.push(block);
        prev = spans;
      }
      items = result;
    }
    return items.join('\n');
  }

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

  it('matches on 300 random logs', () => {
    const r = prng(42);
    const n = (k: number) => Math.floor(r() * k);
    const two = (k: number) => String(n(k)).padStart(2, '0');
    const stamps = [
      () => `2025-09-${two(28)}T04:${two(60)}:${two(60)}Z`,
      () => `2025-Sep-24 18:${two(60)}:${two(60)}.${n(1000)}`,
      () => `${two(24)}:${two(60)}:${two(60)}`,
      () => `${n(100)}m${n(60)}s`,
      () => `${n(100)}s`,
      () => `Wed Sep 24 18:${two(60)}:${two(60)} 2025`,
      () => '',
    ];
    const messages = ['GET /hotels 200', 'connection refused', 'retrying', '{"msg":"ok"}', '\x1b[32mINF\x1b[0m ready'];
    let collapsedCases = 0;
    for (let t = 0; t < 300; t++) {
      const lines: string[] = [];
      const shapes = [n(stamps.length), n(stamps.length)];
      for (let i = n(40); i > 0; i--) {
        const stamp = stamps[shapes[n(2)]]();
        const msg = messages[n(r() < 0.7 ? 2 : messages.length)];
        lines.push(r() < 0.5 ? `${stamp} ${msg}` : `[${msg}] at ${stamp}`);
      }
      const text = lines.join(r() < 0.1 ? '\r\n' : '\n');
      for (const k of [1, 2]) assert.equal(greedyCompressLines(text, k, plain), reference(text, k), `k=${k}\n${text}`);
      if (greedyCompressLines(text, 2, plain).split('\n').length < lines.length) collapsedCases++;
    }
    assert.ok(collapsedCases > 50, `only ${collapsedCases} logs had anything to collapse`);
  });
});
