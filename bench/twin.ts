/**
 * Twin figures: start time of the child-process twin, `kubectl get pods -A` latency minus `kubectl version --client`
 * (same machine, same run; medians of 10), and the twin's RSS with three apps' manifests applied.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startTwin, TwinHandle } from '../src/twin/process/start';
import { resolveKubectl, projectRoot } from '../src/twin/kubectl-path';

function sh(file: string, args: string[], env: NodeJS.ProcessEnv): Promise<{ code: number; ms: number; out: string }> {
  const t0 = process.hrtime.bigint();
  return new Promise((resolve) => {
    const c = spawn(file, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    c.stdout.on('data', (d) => { out += d; });
    c.stderr.on('data', (d) => { out += d; });
    c.on('close', (code) => resolve({ code: code ?? -1, ms: Number(process.hrtime.bigint() - t0) / 1e6, out }));
  });
}

const median = (xs: number[]) => { const s = [...xs].sort((a, b) => a - b); return s[Math.floor(s.length / 2)]; };
const round = (x: number) => Math.round(x * 10) / 10;

function rssMb(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? round(Number(m[1]) / 1024) : NaN;
}

export async function run(): Promise<Record<string, number | string>> {
  const kubectl = await resolveKubectl();
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-twin-'));
  const starts: number[] = [];
  let twin: TwinHandle | undefined;
  try {
    for (let i = 0; i < 5; i++) {
      const t0 = process.hrtime.bigint();
      const t = await startTwin({ stateDir: path.join(root, `s${i}`) });
      starts.push(Number(process.hrtime.bigint() - t0) / 1e6);
      if (i < 4) await t.stop(); else twin = t;
    }
    const env = { ...process.env, ...twin!.env };
    await sh(kubectl, ['get', 'pods', '-A'], env); // warm the discovery cache
    const client: number[] = [];
    const get: number[] = [];
    for (let i = 0; i < 10; i++) {
      client.push((await sh(kubectl, ['version', '--client'], env)).ms);
      get.push((await sh(kubectl, ['get', 'pods', '-A'], env)).ms);
    }
    const rssEmpty = rssMb(twin!.pid);
    const apps = ['hotel-reservation', 'social-network', 'astronomy-shop'];
    let applied = 0;
    for (const app of apps) {
      const dir = path.join(projectRoot(), 'apps', app, 'manifests');
      if (!fs.existsSync(dir)) continue;
      const ns = `bench-${app}`;
      await sh(kubectl, ['create', 'namespace', ns], env);
      const r = await sh(kubectl, ['apply', '-n', ns, '-f', dir], env);
      if (r.code === 0) applied++;
    }
    await new Promise((r) => setTimeout(r, 3000));
    const pods = (await sh(kubectl, ['get', 'pods', '-A', '--no-headers'], env)).out.trim().split('\n').filter(Boolean).length;
    return {
      start_ms_median: round(median(starts)),
      kubectl_get_pods_ms_median: round(median(get)),
      kubectl_version_client_ms_median: round(median(client)),
      kubectl_get_pods_added_by_twin_ms: round(median(get) - median(client)),
      rss_mb_empty: rssEmpty,
      rss_mb_three_apps: rssMb(twin!.pid),
      apps_applied: applied,
      pods_after_3s: pods,
      kubectl: kubectl,
    };
  } finally {
    await twin?.stop();
    fs.rmSync(root, { recursive: true, force: true });
  }
}
