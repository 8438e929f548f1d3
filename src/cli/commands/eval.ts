import type { Command } from 'commander';
import { createAgent } from '../../agents/registry';
import type { SessionRecord } from '../../core/session/types';
import { summarize } from '../../core/session/summary';
import type { TaskType } from '../../core/tasks/task-type';
import { cancelOnSigint, engineFor, printJson } from '../context';
import { formatSeconds, table } from '../format';
import { taskOption, wholeNumber } from '../options';
import { printProgress } from './run';

export function registerEvalCommand(program: Command): void {
  program
    .command('eval')
    .description('run a batch of problems with one or more agents and print accuracy per task (resumable)')
    .option('--problems <pattern>', 'problem IDs containing this text or matching this glob (default: all registered)')
    .addOption(taskOption())
    .option('--app <app>', 'only problems of this app')
    .option('--agents <names>', 'comma-separated agent names', 'baseline')
    .option('--max-steps <n>', 'step budget per session', wholeNumber('--max-steps', 'the step budget'))
    .option('--workload <mode>', 'steady (default) or original (the original\'s one-shot wrk2 run)')
    .option('--resume', 'skip problem/agent pairs that already have a finished session in the results folder')
    .option('--verbose', 'live progress of every step on stderr')
    .option('--json', 'print the summary rows and session IDs as JSON')
    .action(async (opts: { problems?: string; task?: TaskType; app?: string; agents: string; maxSteps?: number; workload?: 'steady' | 'original'; resume?: boolean; verbose?: boolean; json?: boolean }, command: Command) => {
      const engine = engineFor(command, { workload: opts.workload });
      const problems = engine.listProblems({ pattern: opts.problems, task: opts.task, app: opts.app });
      const agents = opts.agents.split(',').map((a) => a.trim()).filter(Boolean);
      for (const name of agents) createAgent(name, {}); // unknown or unconfigured agents fail before anything runs
      const done = new Set<string>();
      if (opts.resume) {
        for (const e of await engine.store.list()) if (e.status === 'completed' || e.status === 'timeout') done.add(`${e.problem_id}\u0000${e.agent}`);
      }
      const cancel = cancelOnSigint();
      const records: SessionRecord[] = [];
      const total = problems.length * agents.length;
      let index = 0;
      try {
        for (const agentName of agents) {
          for (const problem of problems) {
            index++;
            if (cancel.signal.aborted) break;
            if (done.has(`${problem.id}\u0000${agentName}`)) {
              process.stderr.write(`[${index}/${total}] ${problem.id} × ${agentName}: already done, skipped\n`);
              continue;
            }
            const record = await engine.run({
              problemId: problem.id,
              agent: createAgent(agentName, {}),
              agentName,
              maxSteps: opts.maxSteps,
              signal: cancel.signal,
              onEvent: opts.verbose ? printProgress : undefined,
            });
            records.push(record);
            const verdict = record.status === 'completed' ? (record.verdict?.success ? 'solved' : 'not solved') : record.status;
            process.stderr.write(`[${index}/${total}] ${problem.id} × ${agentName}: ${verdict} in ${record.steps.length} step(s)${record.error ? ` — ${record.error}` : ''}\n`);
          }
        }
      } finally {
        cancel.dispose();
      }
      // The table covers everything in the results folder for these problems and agents, so resumed runs add up.
      const ids = new Set(problems.map((p) => p.id));
      const all: SessionRecord[] = [];
      const latest = new Map<string, string>();
      for (const e of await engine.store.list()) {
        if (!ids.has(e.problem_id) || !agents.includes(e.agent) || (e.status !== 'completed' && e.status !== 'timeout')) continue;
        const key = `${e.problem_id}\u0000${e.agent}`;
        if (!latest.has(key)) latest.set(key, e.session_id);
      }
      for (const id of latest.values()) {
        const r = await engine.store.load(id);
        if (r) all.push(r);
      }
      const rows = summarize(all);
      // Sessions that failed before the agent could finish (deploy, injection, model endpoint) are not scored but shown.
      const errors = new Map<string, number>();
      for (const e of await engine.store.list()) {
        if (!ids.has(e.problem_id) || !agents.includes(e.agent) || e.status !== 'error') continue;
        if (latest.has(`${e.problem_id}\u0000${e.agent}`)) continue;
        const key = `${e.agent}\u0000${e.task_type}`;
        errors.set(key, (errors.get(key) ?? 0) + 1);
      }
      if (opts.json) {
        printJson({ summary: rows, sessions: records.map((r) => ({ session_id: r.session_id, problem_id: r.problem_id, agent: r.agent, status: r.status, success: r.verdict?.success ?? null })) });
      } else {
        process.stdout.write(
          table(
            ['AGENT', 'TASK', 'SCORED', 'ACCURACY', 'MEAN TIME', 'MEAN STEPS', 'IN TOKENS', 'OUT TOKENS', 'COST $', 'ERRORS'],
            rows.map((r) => [r.agent, r.task, r.sessions, `${r.accuracy.toFixed(1)}%`, formatSeconds(r.meanSeconds), r.meanSteps.toFixed(1), r.inputTokens, r.outputTokens, r.costUsd.toFixed(4), errors.get(`${r.agent}\u0000${r.task}`) ?? 0]),
          ) + '\n',
        );
      }
      process.exitCode = cancel.signal.aborted ? 130 : records.some((r) => r.status === 'error') ? 3 : 0;
    });
}
