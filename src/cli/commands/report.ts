import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Command } from 'commander';
import { buildLeaderboard } from '../../core/session/leaderboard';
import type { TaskType } from '../../core/tasks/task-type';
import { loadReferenceFigures, loadSessions, renderReport, ReportInputError, reportFormatOf, sessionIdsFrom } from '../../engine/report';
import { UserError } from '../errors';
import { engineFor, printJson } from '../context';
import { taskOption } from '../options';

interface ReportCliOptions {
  sessions?: string;
  agents?: string;
  problems?: string;
  task?: TaskType;
  app?: string;
  out?: string;
  reference?: string;
  json?: boolean;
}

export function registerReportCommand(program: Command): void {
  program
    .command('report')
    .description('a self-contained leaderboard of the results folder: agents × tasks (accuracy ± 95 % CI, pass@k, TTx, steps, tokens, cost) and agent × problem outcomes')
    .option('--sessions <ids-or-file>', 'only these sessions: comma-separated IDs, or a file of IDs (one per line, or `aiopslab eval --json` output)')
    .option('--agents <names>', 'only these agents (comma-separated)')
    .option('--problems <pattern>', 'only problem IDs containing this text or matching this glob')
    .addOption(taskOption())
    .option('--app <app>', 'only problems of this app')
    .option('--out <file>', 'write report.html or report.md (default: Markdown on stdout)')
    .option('--reference <file>', 'published figures to show beside ours (JSON/YAML: {source, agents: {<agent>: {<task>: {accuracy, ttx, steps, tokens, costUsd}}}})')
    .option('--json', 'the leaderboard as JSON')
    .action(async (opts: ReportCliOptions, command: Command) => {
      const engine = engineFor(command);
      try {
        const format = opts.out ? reportFormatOf(opts.out) : 'md';
        const reference = opts.reference ? loadReferenceFigures(opts.reference) : undefined;
        const filtered = opts.problems || opts.task || opts.app;
        const records = await loadSessions(engine, {
          ids: opts.sessions ? sessionIdsFrom(opts.sessions) : undefined,
          agents: opts.agents?.split(',').map((a) => a.trim()).filter(Boolean),
          problemIds: filtered ? new Set(engine.listProblems({ pattern: opts.problems, task: opts.task, app: opts.app, includeExperimental: true }).map((p) => p.id)) : undefined,
        });
        const leaderboard = buildLeaderboard(records);
        if (opts.json) return printJson(leaderboard);
        const outDir = opts.out ? path.dirname(path.resolve(opts.out)) : process.cwd();
        const text = renderReport(engine, leaderboard, format, { outDir, reference });
        if (!opts.out) return void process.stdout.write(text);
        fs.mkdirSync(outDir, { recursive: true });
        fs.writeFileSync(opts.out, text);
        process.stderr.write(`Wrote ${opts.out}: ${leaderboard.rows.length} row(s) from ${leaderboard.sessions} session(s).\n`);
      } catch (e) {
        if (e instanceof ReportInputError) throw new UserError(e.message);
        throw e;
      }
    });
}
