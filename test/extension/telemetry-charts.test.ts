import assert from 'node:assert/strict';
import type { SessionTelemetry } from '../../src/core/session/types';
import { buildCharts, relativeTime } from '../../src/extension/model/telemetry-charts';
import { resultsView } from '../../src/extension/model/transcript-model';

const T = Date.parse('2026-09-15T13:00:00Z');

function telemetry(): SessionTelemetry {
  const n = 61; // 5 minutes, a point every 5 s
  const geoP99 = Array.from({ length: n }, (_, i) => (i < 20 ? 40 : 2400));
  return {
    source: 'prometheus',
    namespace: 'test-hotel-reservation',
    startMs: T,
    endMs: T + 300_000,
    stepMs: 5000,
    windowSec: 30,
    services: [
      { service: 'frontend', p50Ms: Array(n).fill(8), p99Ms: Array(n).fill(45), errorRate: Array.from({ length: n }, (_, i) => (i < 20 ? 0 : 0.5)) },
      // No requests for a while: the line has a gap.
      { service: 'geo', p50Ms: Array.from({ length: n }, (_, i) => (i >= 30 && i < 40 ? null : 8)), p99Ms: geoP99, errorRate: Array(n).fill(0) },
    ],
  };
}

describe('transcript telemetry charts (geometry for the inline SVG)', () => {
  const injectedAt = T + 100_000;
  const charts = buildCharts(telemetry(), { injectedAt, writes: [{ atMs: T + 200_000, step: 3, title: 'exec_shell("kubectl scale …")' }, { atMs: T + 999_000, step: 9, title: 'outside the window' }] });

  it('draws p50, p99 and error rate, one line per service', () => {
    assert.deepEqual(charts.map((c) => c.id), ['p50', 'p99', 'errors']);
    for (const c of charts) assert.deepEqual(c.lines.map((l) => l.service), ['frontend', 'geo']);
    assert.equal(charts[1].lines[1].peak, '2.4 s');
    assert.equal(charts[2].lines[0].peak, '50 %');
  });

  it('breaks a line where a service had no requests', () => {
    const geo = charts[0].lines[1].d;
    assert.equal((geo.match(/M/g) ?? []).length, 2, geo);
    assert.equal((charts[0].lines[0].d.match(/M/g) ?? []).length, 1);
  });

  it('uses a log scale for latency (ms next to seconds) and a linear one for the error rate', () => {
    assert.deepEqual(charts[1].yTicks.map((t) => t.label), ['10 ms', '100 ms', '1 s', '10 s']);
    assert.deepEqual(charts[2].yTicks.map((t) => t.label), ['0 %', '25 %', '50 %']);
    const { top, bottom } = charts[1].plot;
    for (const t of charts[1].yTicks) assert.ok(t.y >= top - 0.01 && t.y <= bottom + 0.01);
  });

  it('marks the fault injection and the agent\'s write actions inside the window; time reads relative to the fault', () => {
    const m = charts[0].markers;
    assert.deepEqual(m.map((x) => [x.kind, x.label]), [['inject', 'fault'], ['write', '#4']]);
    const { left, right } = charts[0].plot;
    assert.ok(Math.abs(m[0].x - (left + (right - left) / 3)) < 0.01, 'the injection is a third of the way in');
    assert.match(m[1].title, /Step 4 \(\+1m 40s\): exec_shell/);
    assert.ok(charts[0].xTicks.some((t) => t.label === '0s'));
    assert.ok(charts[0].xTicks.some((t) => t.label.startsWith('-')));
  });

  it('names the fault\'s target in the legend, even when it served no request', () => {
    const t = telemetry();
    const none = () => new Array<number | null>(61).fill(null);
    t.services.push({ service: 'user', p50Ms: none(), p99Ms: none(), errorRate: none() });
    t.faultTarget = 'user';
    const [p50] = buildCharts(t, { injectedAt, writes: [] });
    const user = p50.lines.find((l) => l.service === 'user')!;
    assert.deepEqual([user.faultTarget, user.d, user.peak], [true, '', 'no requests']);
    assert.deepEqual(p50.lines.filter((l) => l.faultTarget).map((l) => l.service), ['user']);
  });

  it('marks an action in the episode\'s last seconds, after the last point', () => {
    const [c] = buildCharts({ ...telemetry(), endMs: T + 303_000 }, { injectedAt, writes: [{ atMs: T + 302_000, step: 5, title: 'kubectl delete pod x' }] });
    const w = c.markers.find((m) => m.kind === 'write');
    assert.ok(w && w.x <= c.plot.right + 1e-9 && w.x > c.plot.right - 5, `inside the plot, at its right edge: ${w?.x}`);
  });

  it('marks the end of the agent\'s episode when the evaluation ran on after it', () => {
    const [c] = buildCharts(telemetry(), { injectedAt, endedAt: T + 250_000, writes: [] });
    assert.deepEqual(c.markers.map((m) => m.kind), ['inject', 'end']);
    const [d] = buildCharts(telemetry(), { injectedAt, endedAt: T + 300_000, writes: [] });
    assert.deepEqual(d.markers.map((m) => m.kind), ['inject'], 'not when the window ends with the episode');
  });

  it('formats relative times', () => {
    assert.equal(relativeTime(0), '0s');
    assert.equal(relativeTime(-45_000), '-45s');
    assert.equal(relativeTime(90_000), '+1m 30s');
    assert.equal(relativeTime(2 * 3_600_000 + 60_000), '+2h 1m');
  });

  it('the panel gets the telemetry, the injection time and the notes with the results', () => {
    const record = { results: {}, tokens: { input: 0, output: 0, cost_usd: 0, source: 'none' }, telemetry: telemetry(), timeline: { injectedAt }, notes: ['n'] } as unknown as Parameters<typeof resultsView>[0];
    const view = resultsView(record);
    assert.equal(view.telemetry?.services.length, 2);
    assert.equal(view.timeline?.injectedAt, injectedAt);
    assert.deepEqual(view.notes, ['n']);
  });
});

describe('transcript model: live telemetry', () => {
  it('forwards telemetry read during the session to the panel and keeps it for a panel opened later', async () => {
    const { Transcript } = await import('../../src/extension/model/transcript-model');
    const t = new Transcript({ problemId: 'p', task: 'detection', app: 'a', agent: 'x', maxSteps: 5 });
    const telemetry = { source: 'prometheus' as const, namespace: 'ns', startMs: 0, endMs: 1, stepMs: 5000, windowSec: 30, services: [] };
    const messages = t.apply({ type: 'telemetry', sessionId: 's', telemetry, injectedAt: 42 });
    assert.deepEqual(messages, [{ type: 'telemetry', telemetry, injectedAt: 42 }]);
    assert.deepEqual(t.snapshot().liveTelemetry, { telemetry, injectedAt: 42 });
  });
});
