import * as fs from 'node:fs';
import { Option, type Command } from 'commander';
import { flattenRecord, toCsv } from '../../core/session/summary';
import type { SessionRecord } from '../../core/session/types';
import type { Engine } from '../../engine/engine';
import { UserError } from '../errors';
import { engineFor, printJson } from '../context';
import { table } from '../format';
import { renderSummary } from './run';

export function registerSessionsCommand(program: Command): void {
  const sessions = program
    .command('sessions')
    .description('list saved sessions, newest first')
    .option('--json', 'machine-readable output')
    .action(async (opts: { json?: boolean }, command: Command) => {
      const engine = engineFor(command);
      const list = await engine.store.list();
      if (opts.json) return printJson(list);
      process.stdout.write(
        table(
          ['SESSION', 'PROBLEM', 'AGENT', 'STATUS', 'RESULT', 'STEPS', 'STARTED'],
          list.map((e) => [e.session_id.slice(0, 8), e.problem_id, e.agent, e.status, e.success === null ? '-' : e.success ? 'solved' : 'not solved', e.steps, new Date(e.start_time * 1000).toISOString().replace('T', ' ').slice(0, 19)]),
        ) + '\n',
      );
    });
  sessions
    .command('show <session-id>')
    .description('show one session (an ID prefix is enough)')
    .option('--json', 'the whole record as JSON')
    .action(async (id: string, opts: { json?: boolean }, command: Command) => {
      const record = await savedSession(engineFor(command), id);
      if (opts.json) return printJson(record);
      process.stdout.write(renderTranscript(record) + '\n\n' + renderSummary(record) + '\n');
    });
  sessions
    .command('export')
    .description('export all sessions as CSV or JSONL, one row per session')
    .addOption(new Option('--format <format>', 'one row per session as').choices(['csv', 'jsonl']).default('csv'))
    .option('--out <file>', 'write to this file instead of stdout')
    .action(async (opts: { format: string; out?: string }, command: Command) => {
      const engine = engineFor(command);
      const rows = [];
      for (const e of await engine.store.list()) {
        const r = await engine.store.load(e.session_id);
        if (r) rows.push(flattenRecord(r));
      }
      const text = opts.format === 'csv' ? toCsv(rows) : rows.map((r) => JSON.stringify(r)).join('\n') + (rows.length ? '\n' : '');
      if (opts.out) fs.writeFileSync(opts.out, text);
      else process.stdout.write(text);
    });
  sessions
    .command('reevaluate <session-id>')
    .description('score a saved session again with the current evaluators (not mitigation)')
    .option('--json', 'the updated record as JSON')
    .action(async (id: string, opts: { json?: boolean }, command: Command) => {
      const engine = engineFor(command);
      const record = await engine.reevaluate(id).catch((error: Error) => {
        throw new UserError(error.message);
      });
      if (opts.json) return printJson(record);
      process.stdout.write(renderSummary(record) + '\n');
    });
  sessions
    .command('delete <session-id>')
    .description('delete a saved session')
    .action(async (id: string, _opts: unknown, command: Command) => {
      const engine = engineFor(command);
      const record = await savedSession(engine, id);
      if (!(await engine.store.delete(record.session_id))) throw new UserError(`No session ${id} in ${engine.config.resultsDir}.`);
      process.stdout.write(`deleted ${record.session_id}\n`);
    });
}

/** The saved session an ID (or its first characters) names, or a usage error saying where sessions are listed. */
async function savedSession(engine: Engine, id: string): Promise<SessionRecord> {
  const record = await engine.store.load(id);
  if (!record) throw new UserError(`No session ${id} in ${engine.config.resultsDir}. List them with: aiopslab sessions`);
  return record;
}

export function renderTranscript(record: SessionRecord): string {
  const out: string[] = [];
  for (const s of record.steps) {
    out.push(`── step ${s.step + 1} ── agent (${s.agentMs} ms)`, s.reply.trim() || '(tool call)');
    if (s.parseError) out.push('── parse error', s.parseError);
    else if (s.action) out.push(`── action: ${s.action.name}`);
    out.push(`── environment (${s.actionMs} ms)`, s.observation.trim());
  }
  return out.join('\n');
}
