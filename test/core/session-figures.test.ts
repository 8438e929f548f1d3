/**
 * One session, one set of numbers: the CLI summary, the CSV export, the Sessions view's tooltip, the transcript's
 * header and results and the leaderboard all show the same steps, elapsed time, tokens and cost for a session —
 * including a session whose model tokens differ from the original's in_tokens/out_tokens metrics (they count the
 * trace's text), and one with no model at all.
 */
import { strict as assert } from 'node:assert';
import { renderSummary } from '../../src/cli/commands/run';
import { answerLines, formatElapsed, formatTokens, metricRow, sessionFigures } from '../../src/core/session/figures';
import { buildLeaderboard } from '../../src/core/session/leaderboard';
import { flattenRecord } from '../../src/core/session/summary';
import type { SessionRecord } from '../../src/core/session/types';
import { indexEntry } from '../../src/env/session-store';
import { sessionItemView } from '../../src/extension/model/tree-model';
import { snapshotFromRecord } from '../../src/extension/model/transcript-model';

function record(tokens: SessionRecord['tokens']): SessionRecord {
  const steps = [0, 1, 2].map((i) => ({ step: i, reply: '', observation: '', agentMs: 1, actionMs: 1, startedAt: 0 }));
  return {
    agent: 'gpt', session_id: 'S1', problem_id: 'k8s_target_port-misconfig-mitigation-1', start_time: 1_700_000_100.25, end_time: 1_700_000_108.875, trace: [],
    // The original's metrics: TTM is the episode; in_tokens/out_tokens count the trace's text, not the model's usage.
    results: { TTM: 8.625, steps: 3, in_tokens: 5529, out_tokens: 301, success: true },
    task_type: 'mitigation', app: 'social-network', status: 'completed',
    verdict: { success: true, expected: ['Service user-service sends traffic to targetPort 9090', 'every started pod has all containers ready'], given: 'healthy', explanation: 'it did' },
    steps, max_steps: 30, tokens, framework_overhead: 14.75,
    environment: { kind: 'embedded', cluster: 'x' }, workload_mode: 'steady', shell_policy: 'guarded', versions: { aiopslab: '0.1.0', catalog: 'c1' },
  };
}

describe('session figures: the same numbers wherever a session is shown', () => {
  for (const tokens of [
    { input: 12_345, output: 678, cost_usd: 0.0421, source: 'api' as const },
    { input: 0, output: 0, cost_usd: 0, source: 'none' as const },
  ]) {
    it(`steps, elapsed, tokens and cost agree across the CLI, CSV, Sessions view, transcript and leaderboard (${tokens.source === 'none' ? 'no model' : 'a model'})`, () => {
      const r = record(tokens);
      const f = sessionFigures(r);
      assert.equal(f.steps, 3);
      assert.ok(Math.abs(f.elapsedSec - 8.625) < 1e-6, 'elapsed is the agent\'s episode, the task\'s TTM');
      const elapsed = formatElapsed(f.elapsedSec);
      const tokenText = formatTokens(f.tokens);
      assert.equal(elapsed, '8.6 s');

      const cli = renderSummary(r);
      assert.match(cli, new RegExp(`^Elapsed:  ${elapsed} `, 'm'));
      assert.ok(cli.includes(`Tokens:   ${tokenText}`), cli);
      assert.match(cli, /^Steps: {4}3 of 30$/m);
      assert.match(cli, new RegExp(`^TTM\\s+${elapsed}`, 'm'), 'TTM with its unit, equal to Elapsed');
      assert.match(cli, /^in_tokens\s+5,529\s+cl100k tokens of the trace/m, 'the original\'s count says what it counts');

      const csv = flattenRecord(r);
      assert.deepEqual([csv.steps, csv.duration_s, csv.input_tokens, csv.output_tokens, csv.cost_usd], [3, 8.625, tokens.input, tokens.output, tokens.cost_usd]);

      const tip = sessionItemView(indexEntry(r, 'S1.json')).tooltip;
      assert.match(tip, /^Steps: 3$/m);
      assert.ok(tip.includes(`Elapsed: ${elapsed}`), tip);
      assert.ok(tip.includes(`Tokens: ${tokenText}`), tip);

      const snap = snapshotFromRecord(r);
      assert.equal(formatElapsed((snap.header.endTime! - snap.header.startTime!) / 1000), elapsed);
      assert.equal(snap.header.steps, 3);
      assert.deepEqual(snap.header.tokens, f.tokens);
      assert.deepEqual(snap.results?.tokens, f.tokens);

      const [row] = buildLeaderboard([r]).rows;
      assert.deepEqual([row.steps.mean, row.tokens.mean, row.costUsd.mean, row.inputTokens, row.outputTokens], [3, tokens.input + tokens.output, tokens.cost_usd, tokens.input, tokens.output]);
      assert.ok(Math.abs(row.ttx.mean - f.elapsedSec) < 1e-6);
    });
  }

  it('says what the numbers are: units, where tokens came from, a list of checks as a list', () => {
    assert.equal(formatTokens({ input: 0, output: 0, costUsd: 0, source: 'none' }), 'none (the agent uses no model)');
    assert.equal(formatTokens({ input: 1234, output: 56, costUsd: 0.0123, source: 'api' }), '1,234 in, 56 out · $0.0123 (reported by the API)');
    assert.match(formatTokens({ input: 10, output: 2, costUsd: 0, source: 'tokenizer' }), /counted locally/);
    assert.equal(formatElapsed(125.4), '2 min 05 s');
    assert.equal(formatElapsed(59.96), '1 min 00 s');
    assert.deepEqual(metricRow('TTD', 3.25), { key: 'TTD', value: '3.3 s', note: 'the agent\'s episode, as Elapsed' });
    assert.deepEqual(metricRow('Detection Accuracy', 'Correct'), { key: 'Detection Accuracy', value: 'Correct' });
    assert.deepEqual(answerLines(['a', 'b']), ['a', 'b']);
    assert.deepEqual(answerLines({ system_level: 'Application' }), ['{"system_level":"Application"}']);
    assert.deepEqual(answerLines('Yes'), ['Yes']);
  });
});
