import type { Command } from 'commander';
import type { SessionEvent } from '../../core/orchestrator/events';
import type { ServiceSeries, SessionRecord } from '../../core/session/types';
import { createAgent } from '../../agents/registry';
import { recoverLeftoversBeforeRun } from '../recover-report';
import { cancelOnSigint, engineFor, printJson } from '../context';
import { answerLines, formatElapsed, formatTokens, metricRow, sessionFigures } from '../../core/session/figures';
import { leftoverLines, oneLine, table } from '../format';
import { wholeNumber } from '../options';

export interface RunCliOptions {
  agent: string;
  maxSteps?: number;
  json?: boolean;
  keepApp?: boolean;
  shellPolicy?: 'open' | 'guarded';
  workload?: 'steady' | 'original';
  quiet?: boolean;
}

export function registerRunCommand(program: Command): void {
  program
    .command('run <problem-id>')
    .description('run one problem with an agent and score it (exit 0 solved, 1 not solved, 3 session error)')
    .option('--agent <name>', 'agent: baseline, gpt, deepseek, qwen, vllm, openrouter, groq, generic', 'baseline')
    .option('--max-steps <n>', 'step budget (default from config: 30)', wholeNumber('--max-steps', 'the step budget'))
    .option('--shell-policy <policy>', 'open or guarded')
    .option('--workload <mode>', 'steady (default: background load for the whole episode) or original (the original\'s 5–10 s run after injection)')
    .option('--keep-app', 'leave the app deployed afterwards (the fault is always recovered)')
    .option('--quiet', 'no live progress on stderr')
    .option('--json', 'print the whole session record as JSON')
    .action(async (problemId: string, opts: RunCliOptions, command: Command) => {
      const engine = engineFor(command, { shellPolicy: opts.shellPolicy, workload: opts.workload });
      engine.problem(problemId); // unknown IDs fail here, before any cluster work
      const agent = createAgent(opts.agent, {});
      const cancel = cancelOnSigint();
      try {
        await recoverLeftoversBeforeRun(engine);
        const record = await engine.run({
          problemId,
          agent,
          agentName: opts.agent,
          maxSteps: opts.maxSteps,
          signal: cancel.signal,
          keepApp: opts.keepApp,
          onEvent: opts.quiet || opts.json ? undefined : printProgress,
        });
        if (opts.json) printJson(record);
        else process.stdout.write(renderSummary(record) + '\n');
        process.exitCode = exitCodeFor(record);
      } finally {
        cancel.dispose();
      }
    });
}

export function exitCodeFor(record: SessionRecord): number {
  if (record.status === 'error') return 3;
  if (record.status === 'cancelled') return 130;
  return record.verdict?.success ? 0 : 1;
}

export function printProgress(event: SessionEvent): void {
  switch (event.type) {
    case 'session-started':
      process.stderr.write(`session ${event.sessionId}: ${event.problemId} with ${event.agent} (≤ ${event.maxSteps} steps${event.environment.isolation ? `, shell: ${event.environment.isolation}` : ''})\n`);
      break;
    case 'phase':
      process.stderr.write(`  · ${event.phase}${event.detail ? ` (${event.detail})` : ''}\n`);
      break;
    case 'observation': {
      const s = event.step;
      const what = s.parseError ? `parse error: ${oneLine(s.parseError, 70)}` : `${s.action?.name}(${oneLine(JSON.stringify([...(s.action?.args ?? []), ...Object.values(s.action?.kwargs ?? {})]).slice(1, -1), 60)})`;
      process.stderr.write(`  step ${s.step + 1}: ${what} → ${oneLine(s.observation, 70)}\n`);
      break;
    }
    default:
      break;
  }
}

export function renderSummary(record: SessionRecord): string {
  const figures = sessionFigures(record);
  const lines = [
    `Problem:  ${record.problem_id} (${record.task_type}, ${record.app})`,
    `Agent:    ${record.agent}`,
    `Session:  ${record.session_id} — ${record.status}${record.error ? `: ${record.error}` : ''}`,
    `Steps:    ${figures.steps} of ${figures.maxSteps}`,
    `Elapsed:  ${formatElapsed(figures.elapsedSec)} (the agent's episode)${figures.setUpSec !== undefined ? `; set-up and clean-up ${formatElapsed(figures.setUpSec)}` : ''}`,
    `Tokens:   ${formatTokens(figures.tokens)}`,
  ];
  const isolation = record.environment?.isolation;
  if (isolation) lines.push(`Shell:    ${isolation}${record.environment.isolationReason && isolation !== 'sandbox' ? ` (${record.environment.isolationReason})` : ''}`);
  if (record.verdict) {
    const answer = (label: string, v: unknown) => answerLines(v).map((line, i) => `${i ? ' '.repeat(label.length) : label}${line}`);
    lines.push(...answer('Expected: ', record.verdict.expected), ...answer('Given:    ', record.verdict.given));
    lines.push(`Result:   ${record.verdict.success ? 'SOLVED' : 'NOT SOLVED'} — ${record.verdict.explanation}`);
  }
  const telemetry = telemetryLine(record);
  if (telemetry) lines.push(telemetry);
  lines.push(...leftoverLines(record.leftovers ?? [], 'Left on the cluster'));
  const metrics = Object.entries(record.results);
  if (metrics.length) {
    const rows = metrics.map(([k, v]) => metricRow(k, v));
    lines.push('', table(['METRIC', 'VALUE', 'NOTE'], rows.map((r) => [r.key, r.value, r.note ?? ''])));
  }
  return lines.join('\n');
}

/** One line about the recorded telemetry: the service with the worst p99 and the one with the most errors, or why there is none. */
export function telemetryLine(record: SessionRecord): string | undefined {
  const t = record.telemetry;
  if (!t) {
    const note = record.notes?.find((n) => /telemetry/i.test(n));
    return note ? `Telemetry: none (${note.replace(/^No telemetry recorded:\s*/, '')})` : undefined;
  }
  const peak = (values: Array<number | null>) => Math.max(-1, ...values.filter((v): v is number => v !== null));
  const worst = (pick: (s: ServiceSeries) => Array<number | null>) => t.services.map((s) => ({ s: s.service, v: peak(pick(s)) })).sort((a, b) => b.v - a.v)[0];
  const p99 = worst((s) => s.p99Ms);
  const errors = worst((s) => s.errorRate);
  const parts = [`${t.services.length} service(s), a point every ${Math.round(t.stepMs / 1000)} s`];
  if (p99 && p99.v >= 0) parts.push(`highest p99 ${p99.s} ${p99.v >= 1000 ? `${(p99.v / 1000).toFixed(2)} s` : `${p99.v} ms`}`);
  if (errors && errors.v > 0) parts.push(`most errors ${errors.s} ${Math.round(errors.v * 1000) / 10} %`);
  return `Telemetry: ${parts.join('; ')}`;
}
