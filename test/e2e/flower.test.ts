import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parseAllDocuments } from 'yaml';
import { Engine } from '../../src/engine/engine';
import { OracleAgent } from '../../src/agents/oracle';
import { BaselineAgent } from '../../src/agents/baseline';
import { diagnoseDocker, emptyDockerSnapshot, readDockerObservation } from '../../src/agents/baseline-docker';
import { DETECTION_THRESHOLD } from '../../src/agents/baseline-rules';
import { checkShellCommand } from '../../src/core/shell/policy';
import { flowerObjects } from '../../src/twin/flower/manifest';
import type { Agent } from '../../src/core/agents/types';
import type { SessionRecord } from '../../src/core/session/types';

const root = path.resolve(__dirname, '..', '..', '..');

/** Looks around the way an SRE would on the Docker host, records every observation, then answers `answer`. */
class ProbeAgent implements Agent {
  readonly name = 'probe';
  readonly seen: string[] = [];
  private readonly calls: string[];
  constructor(answer: string) {
    this.calls = [
      'exec_shell("docker ps -a")',
      'exec_shell("docker inspect supernode-1")',
      'exec_shell("docker logs clientapp-1 | tail -n 5")',
      'get_logs("docker", "serverapp")',
      'get_logs("docker", "no-such-container")',
      `submit("${answer}")`,
    ];
  }
  initContext(): void {}
  async getAction(observation: string): Promise<string> {
    this.seen.push(observation);
    return '```\n' + (this.calls.shift() ?? 'submit("No")') + '\n```';
  }
}

describe('Flower (Docker Compose app) end to end on the embedded cluster', function () {
  this.timeout(150_000);

  it('apps/flower/manifests holds the same objects as the twin\'s flowerObjects()', () => {
    const dir = path.join(root, 'apps', 'flower', 'manifests');
    const fromFiles = fs.readdirSync(dir).filter((f) => f.endsWith('.yaml')).flatMap((f) => parseAllDocuments(fs.readFileSync(path.join(dir, f), 'utf8')).map((d) => d.toJS()));
    const key = (o: { kind: string; metadata: { name: string } }) => `${o.kind}/${o.metadata.name}`;
    const expected = flowerObjects().map((o) => {
      const c = JSON.parse(JSON.stringify(o));
      delete c.metadata.namespace; // applied with -n docker, like every app's manifests
      return c;
    });
    assert.deepEqual(fromFiles.sort((a, b) => key(a).localeCompare(key(b))), expected.sort((a, b) => key(a).localeCompare(key(b))));
    assert.deepEqual(expected.filter((o) => o.kind === 'Pod').map((o) => o.metadata.name).sort(), ['clientapp-1', 'clientapp-2', 'serverapp', 'superlink', 'supernode-1', 'supernode-2']);
  });

  it('the docker baseline calls pass the guarded shell policy, and a healthy stack is no anomaly', () => {
    assert.equal(checkShellCommand("docker ps -a --format '{{.Names}}'", 'guarded', '/tmp/s').allowed, true);
    const snap = emptyDockerSnapshot();
    readDockerObservation(snap, '### containers\nclientapp-1\trunning\tUp 3 minutes\tadityapgupta/flower-client:1.0\nsupernode-1\trunning\tUp 3 minutes\tflwr/supernode:1.15.2\n### end\n');
    readDockerObservation(snap, '### logs\n[serverapp] INFO :      aggregate_fit: received 1 results and 0 failures\n### end\n');
    assert.equal(snap.containers.length, 2);
    assert.equal(diagnoseDocker(snap).suspects.filter((s) => s.score >= DETECTION_THRESHOLD).length, 0);
  });

  /** One session on its own engine (own results folder and journal, own embedded cluster), so sessions can run side by side. */
  async function session(problemId: string, agent: Agent, maxSteps: number): Promise<SessionRecord> {
    const resultsDir = fs.mkdtempSync(path.join(os.tmpdir(), `aiopslab-flower-${agent.name}-`));
    const engine = Engine.create({ cwd: resultsDir, env: {}, root, overrides: { resultsDir } });
    try {
      return await engine.run({ problemId, agent, agentName: agent.name, maxSteps });
    } finally {
      fs.rmSync(resultsDir, { recursive: true, force: true });
    }
  }

  async function runAll(problemId: string): Promise<{ oracle: SessionRecord; idle: SessionRecord; baseline: SessionRecord; probe: SessionRecord; probeAgent: ProbeAgent; baselineAgent: BaselineAgent }> {
    const engine = Engine.create({ cwd: os.tmpdir(), env: {}, root });
    const { problem } = engine.problem(problemId);
    const probeAgent = new ProbeAgent('No');
    const baselineAgent = new BaselineAgent();
    const [oracle, idle, baseline, probe] = await Promise.all([
      session(problemId, new OracleAgent(problem, 'solve'), 10),
      session(problemId, new OracleAgent(problem, 'idle'), 1),
      session(problemId, baselineAgent, 14),
      session(problemId, probeAgent, 8),
    ]);
    return { oracle, idle, baseline, probe, probeAgent, baselineAgent };
  }

  function assertScores(r: Awaited<ReturnType<typeof runAll>>): void {
    for (const [name, s] of Object.entries({ oracle: r.oracle, idle: r.idle, baseline: r.baseline, probe: r.probe })) assert.equal(s.status, 'completed', `${name}: ${s.error ?? ''}`);
    assert.equal(r.oracle.verdict?.success, true, r.oracle.verdict?.explanation);
    assert.ok(r.oracle.steps.length > 1, 'the oracle replays the problem\'s investigation (its evidence must be observable) before submitting');
    assert.equal(r.idle.verdict?.success, false);
    assert.equal(r.baseline.verdict?.success, true, `${r.baseline.verdict?.explanation}\n${JSON.stringify(r.baseline.trace, null, 1)}`);
    assert.equal(r.probe.verdict?.success, false, 'a wrong answer must fail');
  }

  it('flower_node_stop-detection: oracle solves, doing nothing and a wrong answer fail, the baseline finds supernode-1 stopped', async () => {
    const r = await runAll('flower_node_stop-detection');
    assertScores(r);
    assert.equal(r.baselineAgent.currentDiagnosis?.suspects[0]?.target, 'supernode-1');
    const [ps, inspect, , serverLogs, unknown] = r.probeAgent.seen.slice(1);
    assert.match(ps, /^CONTAINER ID\s+IMAGE\s+COMMAND\s+CREATED\s+STATUS\s+PORTS\s+NAMES/);
    assert.match(ps, /flwr\/supernode:1\.15\.2 .*Exited \(0\) .*supernode-1/);
    assert.match(ps, /Up .*supernode-2/);
    assert.match(inspect, /"Status": "exited"/);
    assert.match(serverLogs, /Option `--insecure` was set/); // the serverapp's own log, not an error
    assert.match(unknown, /^Error: Your service does not exist\. Use docker to check\./);
  });

  it('flower_model_misconfig-detection: oracle solves, doing nothing and a wrong answer fail, the baseline finds the size mismatch in clientapp-1', async () => {
    const r = await runAll('flower_model_misconfig-detection');
    assertScores(r);
    assert.equal(r.baselineAgent.currentDiagnosis?.suspects[0]?.target, 'clientapp-1');
    assert.equal(r.baselineAgent.currentDiagnosis?.suspects[0]?.rule, 'model-shape-mismatch');
    const [ps, , clientLogs, serverLogs] = r.probeAgent.seen.slice(1);
    assert.doesNotMatch(ps, /Exited/);
    assert.match(clientLogs, /size mismatch for fc3\.weight: copying a param with shape torch\.Size\(\[10, 84\]\) from checkpoint, the shape in current model is torch\.Size\(\[10, 80\]\)/);
    assert.match(serverLogs, /\[ROUND 1\]/);
  });
});
