import type { AppDefinition } from '../apps/types';
import type { TaskType } from '../tasks/task-type';
import type { ProblemDefinition } from './types';
import { editDistance } from '../text/edit-distance';

/** Thrown for duplicate IDs, unknown apps and unknown problem IDs. */
export class RegistryError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RegistryError';
  }
}

export interface ProblemFilter {
  task?: TaskType;
  app?: string;
  /** A glob (`*`, `?`) matched against the whole ID, or else a substring; case-insensitive; several comma-separated (any). */
  pattern?: string;
  includeExperimental?: boolean;
}

/**
 * All problems, in the original registry's order: families by their `order`, and within a family the
 * order its file expands to. Experimental problems come last and are left out unless asked for.
 */
export class ProblemRegistry {
  private readonly list: ProblemDefinition[];
  private readonly byId = new Map<string, ProblemDefinition>();

  constructor(definitions: Iterable<ProblemDefinition>, apps: Map<string, AppDefinition> | Iterable<AppDefinition>) {
    const appIds = new Set(apps instanceof Map ? apps.keys() : [...apps].map((a) => a.id));
    const errors: string[] = [];
    const indexed = [...definitions].map((d, i) => ({ d, i }));
    for (const { d } of indexed) {
      const prev = this.byId.get(d.id);
      if (prev) {
        errors.push(`Duplicate problem ID ${d.id}: defined in ${prev.sourceFile} and in ${d.sourceFile}`);
        continue;
      }
      this.byId.set(d.id, d);
      if (!appIds.has(d.app)) {
        errors.push(`${d.sourceFile}: problem ${d.id} uses app "${d.app}", which does not exist (known apps: ${[...appIds].sort().join(', ') || 'none'})`);
      }
    }
    if (errors.length) throw new RegistryError(errors.join('\n'));
    indexed.sort((a, b) => {
      const ea = a.d.experimental ? 1 : 0;
      const eb = b.d.experimental ? 1 : 0;
      if (ea !== eb) return ea - eb;
      const oa = a.d.order ?? Number.MAX_SAFE_INTEGER;
      const ob = b.d.order ?? Number.MAX_SAFE_INTEGER;
      return oa !== ob ? oa - ob : a.i - b.i;
    });
    this.list = indexed.map((x) => x.d);
  }

  /** In registry order; experimental problems only when asked for (after the registered ones). */
  all(options: { includeExperimental?: boolean } = {}): ProblemDefinition[] {
    return options.includeExperimental ? [...this.list] : this.list.filter((p) => !p.experimental);
  }

  ids(options: { includeExperimental?: boolean } = {}): string[] {
    return this.all(options).map((p) => p.id);
  }

  has(id: string): boolean {
    return this.byId.has(id);
  }

  /** The problem with this exact ID; an unknown ID throws an error that suggests close matches. */
  get(id: string): ProblemDefinition {
    const p = this.byId.get(id);
    if (p) return p;
    const suggestions = this.closeMatches(id);
    const hint = suggestions.length ? ` Did you mean ${suggestions.join(', ')}?` : ' Run `aiopslab problems` to list the IDs.';
    throw new RegistryError(`Problem ID ${id} not found.${hint}`);
  }

  /** Problems matching every given criterion. A pattern that is exactly one experimental problem's ID names it too. */
  filter(f: ProblemFilter = {}): ProblemDefinition[] {
    const match = f.pattern ? patternMatcher(f.pattern) : undefined;
    const named = f.pattern !== undefined && this.byId.get(f.pattern)?.experimental === true;
    return this.all({ includeExperimental: f.includeExperimental || named }).filter(
      (p) => (!f.task || p.task === f.task) && (!f.app || p.app === f.app) && (!match || match(p.id)),
    );
  }

  /** Up to 3 IDs closest to `id`: case-insensitive equality, then substring, then edit distance. */
  closeMatches(id: string, max = 3): string[] {
    const q = id.toLowerCase();
    const all = [...this.byId.keys()];
    const exactCase = all.filter((x) => x.toLowerCase() === q);
    if (exactCase.length) return exactCase.slice(0, max);
    const scored = all
      .map((x) => {
        const lx = x.toLowerCase();
        const d = lx.includes(q) || q.includes(lx) ? 0 : editDistance(q, lx);
        return { x, d };
      })
      .filter((s) => s.d <= Math.max(3, Math.floor(q.length / 4)))
      .sort((a, b) => a.d - b.d || a.x.localeCompare(b.x));
    return scored.slice(0, max).map((s) => s.x);
  }
}

/** Glob when the pattern has `*` or `?`, else substring; case-insensitive. Comma-separated patterns: any of them. */
export function patternMatcher(pattern: string): (id: string) => boolean {
  const alternatives = pattern.split(',').map((p) => p.trim()).filter(Boolean);
  if (alternatives.length > 1) {
    const matchers = alternatives.map(onePattern);
    return (id) => matchers.some((m) => m(id));
  }
  return onePattern(alternatives[0] ?? '');
}

function onePattern(pattern: string): (id: string) => boolean {
  const p = pattern.toLowerCase();
  if (!/[*?]/.test(p)) return (id) => id.toLowerCase().includes(p);
  const re = new RegExp(
    '^' +
      p
        .split('')
        .map((c) => (c === '*' ? '.*' : c === '?' ? '.' : c.replace(/[.+^${}()|[\]\\]/g, '\\$&')))
        .join('') +
      '$',
  );
  return (id) => re.test(id.toLowerCase());
}
