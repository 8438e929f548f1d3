import * as fs from 'node:fs';
import type { Command } from 'commander';
import { appManifestsDir } from '../../env/app-paths';
import { engineFor, printJson } from '../context';
import { checkRecoveredApps, formatRecoveryReport } from '../recover-report';

export function registerRecoverCommand(program: Command): void {
  program
    .command('recover')
    .description('undo faults left behind by sessions that did not finish (crash, kill -9); exit 1 when one could not be undone')
    .option('--no-check', 'do not compare each recovered app with its manifests afterwards')
    .option('--json', 'print what was found and done as JSON')
    .action(async (opts: { check?: boolean; json?: boolean }, command: Command) => {
      const engine = engineFor(command);
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
