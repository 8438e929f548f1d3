import * as fs from 'node:fs';
import type { Command } from 'commander';
import { appManifestsDir } from '../../env/app-paths';
import { engineFor, printJson } from '../context';
import { UserError } from '../errors';
import { checkRecoveredApps, formatRecoveryReport } from '../recover-report';

export function registerRecoverCommand(program: Command): void {
  program
    .command('recover')
    .description('undo faults left behind by sessions that did not finish (crash, kill -9); exit 1 when one could not be undone')
    .option('--no-check', 'do not compare each recovered app with its manifests afterwards')
    .option('--json', 'print what was found and done as JSON')
    .option('--forget <id>', 'drop a journal entry (id or its first characters) without undoing it: for a fault you undid by hand, or one on a cluster that no longer exists')
    .action(async (opts: { check?: boolean; json?: boolean; forget?: string }, command: Command) => {
      const engine = engineFor(command);
      if (opts.forget !== undefined) {
        const prefix = opts.forget.trim();
        const matches = prefix ? (await engine.journal.list()).filter((e) => e.id.startsWith(prefix)) : [];
        if (matches.length !== 1) {
          throw new UserError(matches.length ? `"${prefix}" matches ${matches.length} journal entries; give more of the id.` : `No entry "${prefix}" in the recovery journal (${engine.journal.file}).`);
        }
        await engine.journal.remove(matches[0].id);
        process.stdout.write(`Forgot ${matches[0].fault.kind} of ${matches[0].problemId} in ${matches[0].namespace} (${matches[0].cluster}); it was not undone.\n`);
        return;
      }
      const report = await engine.recoverLeftovers();
      const checks = opts.check === false ? undefined : await checkRecoveredApps(engine, report.recovered);
      if (opts.json) {
        printJson({ ...report, checks: checks ? Object.fromEntries(checks) : undefined });
      } else {
        const manifestsDirOf = (entry: { appId: string }) => {
          const app = engine.apps.get(entry.appId);
          const dir = app && !app.metadataOnly ? appManifestsDir(engine.root, app) : undefined;
          return dir && fs.existsSync(dir) ? dir : undefined;
        };
        process.stdout.write(formatRecoveryReport(report, { journalFile: engine.journal.file, checks, manifestsDirOf }) + '\n');
      }
      process.exitCode = report.failed.length ? 1 : 0;
    });
}
