import assert from 'node:assert/strict';
import { telemetryLine } from '../../src/cli/commands/run';
import type { SessionRecord } from '../../src/core/session/types';

const base = { results: {}, steps: [] } as unknown as SessionRecord;

describe('run summary: the telemetry line', () => {
  it('names the service with the worst p99 and the one with the most errors', () => {
    const record = {
      ...base,
      telemetry: {
        source: 'prometheus', namespace: 'ns', startMs: 0, endMs: 60_000, stepMs: 5000, windowSec: 30,
        services: [
          { service: 'frontend', p50Ms: [1, 2], p99Ms: [5, 2400], errorRate: [0, 0.6] },
          { service: 'geo', p50Ms: [null, 1], p99Ms: [null, 40], errorRate: [null, 1] },
        ],
      },
    } as SessionRecord;
    assert.equal(telemetryLine(record), 'Telemetry: 2 service(s), a point every 5 s; highest p99 frontend 2.40 s; most errors geo 100 %');
  });

  it('says why there is none, and nothing for records without telemetry or a note', () => {
    assert.equal(telemetryLine({ ...base, notes: ['No telemetry recorded: Prometheus at http://x could not be queried (ECONNREFUSED).'] }), 'Telemetry: none (Prometheus at http://x could not be queried (ECONNREFUSED).)');
    assert.equal(telemetryLine(base), undefined);
  });
});
