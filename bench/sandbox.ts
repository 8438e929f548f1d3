import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { startTwin } from '../src/twin';
import { resolveKubectl } from '../src/twin/kubectl-path';
import { isolationFor, createAgentShell, PlainShell, type AgentShell } from '../src/env/sandbox/agent-shell';

async function median(shell: AgentShell, command: string, rounds: number): Promise<number> {
  const samples: number[] = [];
  for (let i = 0; i < rounds; i++) {
    const t0 = process.hrtime.bigint();
    const result = await shell.run(command, { timeoutSec: 30 });
    if (result.exitCode !== 0) throw new Error(`${command}: exit ${result.exitCode}: ${result.stderr}`);
    samples.push(Number(process.hrtime.bigint() - t0) / 1e6);
  }
  samples.sort((a, b) => a - b);
  return Math.round(samples[Math.floor(samples.length / 2)] * 10) / 10;
}

/**
 * What the exec_shell sandbox costs per command: the same commands through the plain shell and through bubblewrap
 * (namespaces, binds, the in-sandbox forwarder to the API server), medians over 15 runs each after one warm-up.
 */
export async function run(): Promise<Record<string, number | string>> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'aiopslab-bench-sandbox-'));
  const twin = await startTwin({ stateDir: path.join(dir, 'twin') });
  const setup = { sessionDir: path.join(dir, 'session'), kubeconfigPath: twin.agentKubeconfigPath, kubeCacheDir: twin.kubeCacheDir, kubectlDir: path.dirname(await resolveKubectl()) };
  fs.mkdirSync(setup.sessionDir);
  const choice = isolationFor('guarded', 'auto', setup.kubeconfigPath);
  if (choice.isolation !== 'sandbox') return { skipped: `no sandbox here: ${choice.reason}` };
  const sandboxed = createAgentShell(setup, choice);
  const plain = new PlainShell(setup, 'policy-only');
  try {
    const figures: Record<string, number | string> = {};
    for (const [name, command] of [['echo', 'echo ok'], ['kubectl_get_pods', 'kubectl get pods -A | wc -l']] as const) {
      await sandboxed.run(command, { timeoutSec: 30 });
      await plain.run(command, { timeoutSec: 30 });
      figures[`${name}_plain_ms`] = await median(plain, command, 15);
      figures[`${name}_sandbox_ms`] = await median(sandboxed, command, 15);
      figures[`${name}_added_ms`] = Math.round((figures[`${name}_sandbox_ms`] as number - (figures[`${name}_plain_ms`] as number)) * 10) / 10;
    }
    figures.load_average = Math.round(os.loadavg()[0] * 10) / 10;
    return figures;
  } finally {
    await sandboxed.dispose();
    await twin.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
