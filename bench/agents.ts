import * as http from 'http';
import type { AddressInfo } from 'net';
import { ChatContext } from '../src/agents/context';
import { diagnose, emptySnapshot, type Snapshot } from '../src/agents/baseline-rules';
import { OpenAICompatibleAgent } from '../src/agents/openai-client';
import type { ActionDefinition } from '../src/core/actions/types';

const ms = (t: bigint) => Number(process.hrtime.bigint() - t) / 1e6;
const round = (x: number, d = 2) => Math.round(x * 10 ** d) / 10 ** d;

/** A 30-workload namespace with one Service targetPort mismatch. */
function bigSnapshot(): Snapshot {
  const snap = emptySnapshot('bench');
  for (let i = 0; i < 30; i++) {
    const name = `svc-${i}`;
    snap.pods.push({
      metadata: { name: `${name}-5d8f9c7b4-x7k2${i}`, labels: { service: name }, creationTimestamp: '2026-09-15T12:30:00Z' },
      spec: { containers: [{ image: 'img', ports: [{ containerPort: 9090 }] }] },
      status: { phase: 'Running', containerStatuses: [{ ready: true, restartCount: 0, state: { running: {} }, lastState: {} }] },
    });
    snap.deployments.push({ metadata: { name, annotations: { 'deployment.kubernetes.io/revision': '1' } }, spec: { replicas: 1, selector: { matchLabels: { service: name } }, template: { spec: { containers: [{ image: 'img', command: [name] }] } } }, status: { availableReplicas: 1 } });
    snap.services.push({ metadata: { name }, spec: { selector: { service: name }, ports: [{ port: 9090, targetPort: i === 7 ? 9999 : 9090 }] } });
    snap.endpoints.push({ metadata: { name }, subsets: [{ addresses: [{ ip: `10.0.0.${i}` }], ports: [{ port: 9090 }] }] });
  }
  return snap;
}

/** Context management cost per step, baseline rule evaluation, and client overhead against a local server. */
export async function run(): Promise<Record<string, number | string>> {
  // Context: 40 steps of ~6k-token observations into a 100k budget (trimming kicks in after ~16 steps).
  const obs = Array.from({ length: 600 }, (_, i) => `pod-${i}   1/1   Running   0   12m   10.244.1.${i % 250}   kind-worker`).join('\n');
  const ctx = new ChatContext({ budgetTokens: 100_000 });
  ctx.reset('system prompt', 'instructions');
  let t = process.hrtime.bigint();
  for (let step = 1; step <= 40; step++) {
    ctx.addObservation(obs, step);
    ctx.addAssistant({ role: 'assistant', content: '```\nexec_shell("kubectl get pods")\n```' });
  }
  const contextMsPerStep = ms(t) / 40;
  const finalTokens = ctx.totalTokens();

  // Baseline rules over a 30-workload namespace.
  const snap = bigSnapshot();
  diagnose(snap);
  t = process.hrtime.bigint();
  const runs = 200;
  let top = '';
  for (let i = 0; i < runs; i++) top = diagnose(snap).suspects[0]?.target ?? '';
  const diagnoseMs = ms(t) / runs;

  // Client overhead: one text-protocol turn against a local server answering at once.
  const reply = JSON.stringify({ id: 'x', object: 'chat.completion', created: 1, model: 'm', choices: [{ index: 0, finish_reason: 'stop', message: { role: 'assistant', content: '```\nsubmit("No")\n```' } }], usage: { prompt_tokens: 10, completion_tokens: 5, total_tokens: 15 } });
  const server = http.createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(reply);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  const actions: ActionDefinition[] = [{ name: 'exec_shell', kind: 'action', doc: 'Run a command.', parameters: [{ name: 'command', schema: { type: 'string' } }] }];
  const agent = new OpenAICompatibleAgent('generic', { baseURL: `http://127.0.0.1:${port}/v1`, env: {}, maxRetries: 0 });
  agent.initContext({ problemId: 'p', task: 'detection', problemDescription: 'Namespace: bench', instructions: 'go', apis: { exec_shell: 'Run a command.' }, actions });
  await agent.getAction('warm up');
  const turns = 50;
  t = process.hrtime.bigint();
  for (let i = 0; i < turns; i++) await agent.getAction(`observation ${i}`);
  const turnMs = ms(t) / turns;
  server.closeAllConnections();
  await new Promise<void>((r) => server.close(() => r()));

  return {
    context_ms_per_step_6k_obs: round(contextMsPerStep),
    context_tokens_after_40_steps: finalTokens,
    baseline_diagnose_30_workloads_ms: round(diagnoseMs, 3),
    baseline_top_suspect: top,
    client_turn_overhead_ms: round(turnMs),
  };
}
