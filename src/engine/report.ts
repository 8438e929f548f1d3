import * as fs from 'node:fs';
import * as path from 'node:path';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { buildLeaderboard, type Leaderboard } from '../core/session/leaderboard';
import { renderHtml, renderMarkdown, type ReferenceFigures } from '../core/session/report';
import type { SessionRecord } from '../core/session/types';
import { TASK_TYPES } from '../core/tasks/task-type';
import type { Engine } from './engine';

export class ReportInputError extends Error {
  override name = 'ReportInputError';
}

/**
 * The sessions of the results folder a leaderboard is built from: all of them, or those named (ID prefixes, as
 * `aiopslab sessions` shows them), optionally only some agents and problems.
 */
export async function loadSessions(engine: Engine, select: { ids?: string[]; agents?: string[]; problemIds?: Set<string> } = {}): Promise<SessionRecord[]> {
  let entries = await engine.store.list();
  if (select.ids) {
    const chosen = new Set<string>();
    for (const id of select.ids) {
      const matches = entries.filter((e) => e.session_id.startsWith(id));
      if (matches.length !== 1) throw new ReportInputError(matches.length ? `Session ID ${id} is ambiguous in ${engine.config.resultsDir} (${matches.length} sessions start with it); give more of it.` : `No session ${id} in ${engine.config.resultsDir}. List them with: aiopslab sessions`);
      chosen.add(matches[0].session_id);
    }
    entries = entries.filter((e) => chosen.has(e.session_id));
  }
  if (select.agents) entries = entries.filter((e) => select.agents!.includes(e.agent));
  if (select.problemIds) entries = entries.filter((e) => select.problemIds!.has(e.problem_id));
  const records: SessionRecord[] = [];
  for (const e of entries) {
    const r = await engine.store.read(e);
    if (r) records.push(r);
  }
  return records;
}

/**
 * Session IDs from `--sessions`: comma- or space-separated IDs, or a file holding them — one per line, a JSON list, or
 * the `--json` output of `aiopslab eval` (its `sessions[].session_id`).
 */
export function sessionIdsFrom(value: string, cwd = process.cwd()): string[] {
  const file = path.resolve(cwd, value);
  if (fs.existsSync(file) && fs.statSync(file).isFile()) {
    const text = fs.readFileSync(file, 'utf8');
    try {
      const json = JSON.parse(text) as unknown;
      const list = Array.isArray(json) ? json : (json as { sessions?: unknown }).sessions;
      if (Array.isArray(list)) return list.map((x: unknown) => (typeof x === 'string' ? x : (x as { session_id?: unknown }).session_id)).filter((id): id is string => typeof id === 'string' && id !== '');
    } catch {
      // not JSON: one ID per line
    }
    return text.split(/\s+/).map((s) => s.trim()).filter(Boolean);
  }
  const ids = value.split(/[\s,]+/).map((s) => s.trim()).filter(Boolean);
  if (!ids.length) throw new ReportInputError('--sessions needs session IDs (comma-separated) or a file listing them.');
  return ids;
}

const cellSchema = z.object({
  accuracy: z.number().min(0).max(100).optional(),
  ttx: z.number().min(0).optional(),
  steps: z.number().min(0).optional(),
  tokens: z.number().min(0).optional(),
  costUsd: z.number().min(0).optional(),
}).strict();

const referenceSchema = z.object({
  source: z.string().min(1),
  agents: z.record(z.string(), z.record(z.enum(TASK_TYPES as unknown as [string, ...string[]]), cellSchema)),
}).strict();

/**
 * Published figures to print beside ours, from a JSON or YAML file:
 * `{source: "…", agents: {<agent>: {<task>: {accuracy: %, ttx: s, steps, tokens, costUsd}}}}`.
 */
export function loadReferenceFigures(file: string): ReferenceFigures {
  let raw: unknown;
  try {
    raw = parseYaml(fs.readFileSync(file, 'utf8'));
  } catch (e) {
    throw new ReportInputError(`The reference file ${file} cannot be read: ${(e as Error).message}`);
  }
  const parsed = referenceSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new ReportInputError(`The reference file ${file} is not valid at ${issue.path.join('.') || '(top)'}: ${issue.message}. Expected {source: "…", agents: {<agent>: {<task>: {accuracy, ttx, steps, tokens, costUsd}}}}.`);
  }
  return parsed.data;
}

export type ReportFormat = 'html' | 'md';

export function reportFormatOf(file: string): ReportFormat {
  const ext = path.extname(file).toLowerCase();
  if (ext === '.html' || ext === '.htm') return 'html';
  if (ext === '.md' || ext === '.markdown') return 'md';
  throw new ReportInputError(`--out must end in .html or .md (got "${file}").`);
}

/** Renders the leaderboard as the format asks; matrix cells link to the session files, relative to where the report goes. */
export function renderReport(engine: Engine, leaderboard: Leaderboard, format: ReportFormat, options: { outDir: string; reference?: ReferenceFigures; now?: Date }): string {
  const relative = path.relative(options.outDir, engine.config.resultsDir).split(path.sep).join('/');
  const linkOf = (run: { file: string }) => (relative ? `${relative}/${run.file}` : run.file);
  const render = format === 'html' ? renderHtml : renderMarkdown;
  return render(leaderboard, { source: engine.config.resultsDir, generatedAt: options.now ?? new Date(), linkOf, reference: options.reference });
}

export { buildLeaderboard };
