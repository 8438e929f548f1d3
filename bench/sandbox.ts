import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { startTwin } from '../src/twin';
import { resolveKubectl } from '../src/twin/kubectl-path';
import { isolationFor, createAgentShell, PlainShell, type AgentShell } from '../src/env/sandbox/agent-shell';
import { BubblewrapShell } from '../src/env/sandbox/bwrap';

const ROUNDS = 15;

function median(samples: number[]): number {
  const sorted = [...samples].sort((a, b) => a - b);
  return Math.round(sorted[Math.floor(sorted.length / 2)] * 10) / 10;
}

/**
 * What the exec_shell sandbox costs per command: the same commands through the plain shell, through bubblewrap with
 * the session's one network (SessionNetwork: what sessions use where nsenter is there) and through bubblewrap with
 * forwarders started by each command (the fallback, and what every command paid before), in turns (plain, session,
 * per-command, plain, …) so that a busy machine weighs on all three alike; medians of 15 after one warm-up each.
 */
export async function run(): Promise<Record<string, number | string>> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'aiopslab-bench-sandbox-'));
  const twin = await startTwin({ stateDir: path.join(dir, 'twin') });
  const setup = { sessionDir: path.join(dir, 'session'), kubeconfigPath: twin.agentKubeconfigPath, kubeCacheDir: twin.kubeCacheDir, kubectlDir: path.dirname(await resolveKubectl()) };
  fs.mkdirSync(setup.sessionDir);
  const choice = isolationFor('guarded', 'auto', setup.kubeconfigPath);
  if (choice.isolation !== 'sandbox') return { skipped: `no sandbox here: ${choice.reason}` };
  const session = createAgentShell(setup, choice) as BubblewrapShell;
  const perCommand = new BubblewrapShell(setup, { bwrap: choice.tools.bwrap, socat: choice.tools.socat }, choice.kubeconfig);
  const shells: Array<[string, AgentShell]> = [['plain', new PlainShell(setup, 'policy-only')], ['sandbox', session], ['sandbox_per_command', perCommand]];
  try {
    const figures: Record<string, number | string> = { forwarding: await session.forwarding() };
    for (const [name, command] of [['echo', 'echo ok'], ['kubectl_get_pods', 'kubectl get pods -A | wc -l']] as const) {
      const samples = new Map<string, number[]>(shells.map(([label]) => [label, []]));
      for (const [, shell] of shells) await shell.run(command, { timeoutSec: 30 });
      for (let i = 0; i < ROUNDS; i++) {
        for (const [label, shell] of shells) {
          const t0 = process.hrtime.bigint();
          const result = await shell.run(command, { timeoutSec: 30 });
          if (result.exitCode !== 0) throw new Error(`${label}: ${command}: exit ${result.exitCode}: ${result.stderr}`);
          samples.get(label)!.push(Number(process.hrtime.bigint() - t0) / 1e6);
        }
      }
      const plain = median(samples.get('plain')!);
      figures[`${name}_plain_ms`] = plain;
      for (const label of ['sandbox', 'sandbox_per_command']) {
        const ms = median(samples.get(label)!);
        figures[`${name}_${label}_ms`] = ms;
        figures[`${name}_${label.replace('sandbox', 'added')}_ms`] = Math.round((ms - plain) * 10) / 10;
      }
    }
    figures.load_average = Math.round(os.loadavg()[0] * 10) / 10;
    return figures;
  } finally {
    await session.dispose();
    await perCommand.dispose();
    await twin.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
