/**
 * `aiopslab validate --json` rows as the whole-catalog tests read them: parsed with the engine's own type, and the
 * problems that did not validate listed with what failed and why, so one failing assertion names them all.
 */
import { validateFailures, type ValidateResult } from '../../src/engine/verify';

/** The rows `validate --json` printed. */
export function validateRows(stdout: string): ValidateResult[] {
  return JSON.parse(stdout) as ValidateResult[];
}

/** `<problem>: <what failed> (<why>); …` for every row that did not validate; empty when all did. */
export function failedRows(rows: ReadonlyArray<Parameters<typeof validateFailures>[0] & { problemId: string }>): string[] {
  return rows
    .map((r) => ({ id: r.problemId, failures: validateFailures(r) }))
    .filter((r) => r.failures.length > 0)
    .map((r) => `${r.id}: ${r.failures.map((f) => `${f.what} (${f.why})`).join('; ')}`);
}
