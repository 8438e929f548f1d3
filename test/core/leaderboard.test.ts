import { strict as assert } from 'node:assert';
import { buildLeaderboard, variantOf } from '../../src/core/session/leaderboard';
import { renderMarkdown } from '../../src/core/session/report';
import { passAtK, passHatK, spread, wilsonInterval } from '../../src/core/session/stats';
import type { SessionRecord } from '../../src/core/session/types';
import type { Isolation } from '../../src/core/ports/environment';

let n = 0;
function record(over: { agent?: string; problem?: string; success?: boolean; status?: SessionRecord['status']; isolation?: Isolation; catalog?: string; steps?: number }): SessionRecord {
  n++;
  return {
    agent: over.agent ?? 'gpt', session_id: `s-${n}`, problem_id: over.problem ?? 'p-detection-1', start_time: n, end_time: n + 2, trace: [],
    results: { TTD: 2, in_tokens: 100, out_tokens: 10 }, task_type: 'detection', app: 'a', status: over.status ?? 'completed',
    verdict: over.status === 'error' ? undefined : { success: over.success ?? true, expected: 'Yes', given: 'Yes', explanation: '' },
    steps: Array.from({ length: over.steps ?? 3 }, (_, i) => ({ step: i, reply: '', observation: '', agentMs: 0, actionMs: 0, startedAt: 0 })),
    max_steps: 30, tokens: { input: 100, output: 10, cost_usd: 0.01, source: 'api' },
    environment: { kind: 'embedded', cluster: 'x', ...(over.isolation ? { isolation: over.isolation } : {}) },
    workload_mode: 'steady', shell_policy: 'guarded', versions: { aiopslab: '0.1.0', catalog: over.catalog ?? 'c1' },
  };
}

describe('leaderboard statistics', () => {
  it('gives the Wilson 95 % interval (known values), inside 0..1 at the extremes', () => {
    const i = wilsonInterval(5, 10);
    assert.ok(Math.abs(i.low - 0.2366) < 1e-4 && Math.abs(i.high - 0.7634) < 1e-4, JSON.stringify(i));
    assert.ok(Math.abs(wilsonInterval(10, 10).low - 0.7225) < 1e-4);
    assert.ok(Math.abs(wilsonInterval(10, 10).high - 1) < 1e-12);
    assert.ok(Math.abs(wilsonInterval(0, 10).low) < 1e-12);
  });

  it('pass@k and pass^k: the unbiased estimators, and with n = k "any" and "all"', () => {
    assert.equal(passAtK(3, 0, 3), 0);
    assert.equal(passAtK(3, 1, 3), 1);
    assert.equal(passHatK(3, 2, 3), 0);
    assert.equal(passHatK(3, 3, 3), 1);
    assert.ok(Math.abs(passAtK(5, 2, 2) - (1 - (3 * 2) / (5 * 4))) < 1e-12);
    assert.ok(Math.abs(passHatK(5, 2, 2) - (2 * 1) / (5 * 4)) < 1e-12);
    assert.throws(() => passAtK(2, 1, 3), /at least 3 runs/);
  });

  it('mean and sample standard deviation', () => {
    const s = spread([2, 4, 4, 4, 5, 5, 7, 9]);
    assert.equal(s.mean, 5);
    assert.ok(Math.abs(s.sd - 2.138) < 1e-3);
    assert.equal(spread([3]).sd, 0);
  });
});

describe('leaderboard', () => {
  it('never mixes isolation levels or catalog versions in one cell; a missing isolation is "unknown"', () => {
    const lb = buildLeaderboard([
      record({ isolation: 'sandbox' }), record({ isolation: 'sandbox', success: false }),
      record({ isolation: 'none' }), record({}), record({ isolation: 'sandbox', catalog: 'c2' }),
    ]);
    const cells = lb.rows.map((r) => `${r.isolation}/${r.version}:${r.solved}/${r.sessions}`).sort();
    assert.deepEqual(cells, ['none/0.1.0 · catalog c1:1/1', 'sandbox/0.1.0 · catalog c1:1/2', 'sandbox/0.1.0 · catalog c2:1/1', 'unknown/0.1.0 · catalog c1:1/1']);
    assert.equal(lb.variants.length, 4, 'one matrix column per variant');
    assert.equal(variantOf(record({})).isolation, 'unknown');
  });

  it('keeps errors out of the accuracy, counts them, and marks them in the matrix; cancelled sessions are left out', () => {
    const lb = buildLeaderboard([record({ problem: 'a' }), record({ problem: 'a', status: 'error' }), record({ problem: 'b', success: false }), record({ problem: 'b', status: 'cancelled' })]);
    const [row] = lb.rows;
    assert.equal(row.sessions, 2);
    assert.equal(row.errors, 1);
    assert.equal(row.accuracy, 0.5);
    assert.equal(lb.sessions, 3);
    const md = renderMarkdown(lb, { source: 'r', generatedAt: new Date(0), linkOf: (run) => run.file });
    assert.match(md, /\| a \| detection \| \[✓\]\(s-\d+_\d+\.json\) \[!\]\(s-\d+_\d+\.json\) \|/);
    assert.match(md, /\| b \| detection \| \[✗\]\(s-\d+_\d+\.json\) \|/);
  });

  it('pass@k uses the fewest runs any problem has', () => {
    const lb = buildLeaderboard([record({ problem: 'a' }), record({ problem: 'a', success: false }), record({ problem: 'a' }), record({ problem: 'b', success: false }), record({ problem: 'b' })]);
    const [row] = lb.rows;
    assert.equal(row.k, 2);
    // a: n=3, c=2 → pass@2 = 1, pass^2 = 1/3; b: n=2, c=1 → pass@2 = 1, pass^2 = 0.
    assert.ok(Math.abs(row.passAtK - 1) < 1e-12);
    assert.ok(Math.abs(row.passHatK - 1 / 6) < 1e-12);
  });
});
