import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Agent } from '../../src/core/agents/types';
import { Engine } from '../../src/engine';
import { FakeEnvironment } from '../support/fake-environment';

function agent(replies: string[]): Agent {
  return { name: 'scripted', initContext() {}, getAction: async () => replies.shift() ?? '```\nsubmit("Yes")\n```' };
}

describe('engine', () => {
  const cwd = fs.mkdtempSync(path.join(os.tmpdir(), 'aiopslab-engine-'));
  const engine = Engine.create({ cwd, env: {}, environmentFactory: async () => new FakeEnvironment(), overrides: { settleSeconds: 0 } });

  it('re-scores a saved detection session from its recorded submit', async () => {
    const record = await engine.run({ problemId: 'pod_failure_hotel_res-detection-1', agent: agent(['```\nsubmit(has_anomaly="yes")\n```']) });
    assert.equal(record.results['Detection Accuracy'], 'Correct');
    const again = await engine.reevaluate(record.session_id.slice(0, 8));
    assert.equal(again.results['Detection Accuracy'], 'Correct');
    assert.equal(again.verdict?.success, true);
    assert.equal((await engine.store.list()).length, 1, 'the index still lists the session once');
  });

  it('refuses to re-score mitigation, which was judged on the live cluster', async () => {
    const record = await engine.run({ problemId: 'scale_pod_zero_social_net-mitigation-1', agent: agent(['```\nsubmit()\n```']) });
    await assert.rejects(engine.reevaluate(record.session_id), /live cluster/);
  });

  it('tells interactive clients which cluster the session runs on', async () => {
    const session = await engine.startInteractive({ problemId: 'noop_detection_hotel_reservation-1', agentName: 'x' });
    assert.equal(session.environment?.kind, 'fake');
    await session.stop();
  });
});
