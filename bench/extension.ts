/**
 * Extension figures. In plain Node: building the Problems tree from the catalog and an index, following a
 * 1,000-step session in the transcript model, analysing a long reply document. In the real extension host (when
 * tools/vscode-harness/setup.sh has been run): activation time and the time the panel takes to render a 1,000-step
 * transcript, read from the integration tests' log lines.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { loadCatalog } from '../src/env/catalog';
import type { SessionIndexEntry, StepRecord } from '../src/core/session/types';
import { buildProblemTree } from '../src/extension/model/tree-model';
import { Transcript } from '../src/extension/model/transcript-model';
import { analyseReplies } from '../src/extension/model/reply-analysis';

function time(fn: () => void, reps: number): number {
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < reps; i++) fn();
  return Number(process.hrtime.bigint() - t0) / 1e6 / reps;
}

export async function run(): Promise<Record<string, number | string>> {
  const root = path.resolve(__dirname, '../..');
  const out: Record<string, number | string> = {};
  const catalog = loadCatalog(root);
  const problems = catalog.problems.all({ includeExperimental: true });
  const index: SessionIndexEntry[] = Array.from({ length: 5000 }, (_, i) => ({
    session_id: `s${i}`, problem_id: problems[i % problems.length].id, task_type: problems[i % problems.length].task, agent: 'a', status: 'completed', success: i % 2 === 0, start_time: i, end_time: i + 1, steps: 3, file: `s${i}.json`,
  }));
  out.problems_tree_ms_5000_sessions = Number(time(() => buildProblemTree(problems, index), 20).toFixed(3));
  const step = (i: number): StepRecord => ({ step: i, reply: 'Action:\n```\nexec_shell("kubectl get pods")\n```', action: { name: 'exec_shell', args: ['kubectl get pods'], kwargs: {} }, observation: 'x'.repeat(2000), agentMs: 1, actionMs: 1, startedAt: i });
  out.transcript_model_1000_steps_ms = Number(
    time(() => {
      const t = new Transcript({ problemId: 'p', task: 'detection', app: 'a', agent: 'x', maxSteps: 1000 });
      for (let i = 0; i < 1000; i++) t.apply({ type: 'observation', sessionId: 's', step: step(i) });
    }, 5).toFixed(3),
  );
  const doc = Array.from({ length: 500 }, (_, i) => `Thought ${i}\nAction:\n\`\`\`\nget_logs("ns", "svc-${i}")\n\`\`\`\n`).join('\n');
  out.reply_analysis_500_blocks_ms = Number(time(() => analyseReplies(doc), 5).toFixed(3));

  const deps = process.env.VSCODE_HARNESS_DEPS || path.join(process.env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache'), 'vscode-harness');
  if (!fs.existsSync(path.join(deps, 'cs', '.installed')) || !fs.existsSync(path.join(root, 'dist', 'extension.js'))) {
    out.real_host = 'skipped: run tools/vscode-harness/setup.sh and npm run build';
    return out;
  }
  const r = spawnSync('bash', [path.join(root, 'tools/vscode-harness/test.sh')], {
    cwd: root,
    env: { ...process.env, AIOPSLAB_ITEST_GREP: 'registers|1,000', VSCODE_HARNESS_SCREENSHOT: path.join(os.tmpdir(), 'aiopslab-bench.png') },
    encoding: 'utf8',
    timeout: 240_000,
  });
  const log = `${r.stdout}\n${r.stderr}`;
  const num = (re: RegExp) => {
    const m = re.exec(log);
    return m ? Number(m[1]) : -1;
  };
  out.activate_function_ms = num(/activation took (\d+) ms/);
  // VS Code's own activation time (as "Show Running Extensions" reports it): loading dist/extension.js + activate().
  out.activation_ms = num(/activation \(code loading \+ activate call\) (\d+) ms/);
  out.activation_code_loading_ms = num(/host marks: code loading (\d+) ms/);
  // ext.activate() wall time also holds the host's wait for the extension's storage from the workbench (not ours).
  out.activate_with_bundle_load_ms = num(/ext\.activate\(\) \(load the bundle \+ activate\) took (\d+) ms/);
  out.activate_empty_extension_ms = num(/ext\.activate\(\) of an extension that does nothing took (\d+) ms/);
  out.activate_host_storage_wait_ms = num(/waiting for the extension context \(storage\) (\d+) ms/);
  out.launch_to_activation_ms = num(/launch to activation (\d+) ms/);
  out.panel_render_1000_steps_ms = num(/page render (\d+) ms/);
  out.command_to_rendered_1000_steps_ms = num(/command to fully rendered (\d+) ms/);
  out.real_host_exit_code = r.status ?? -1;
  return out;
}
