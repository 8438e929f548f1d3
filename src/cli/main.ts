import { Command, CommanderError } from 'commander';
import { registerEvalCommand } from './commands/eval';
import { registerHumanCommand } from './commands/human';
import { registerParseCommand } from './commands/parse';
import { registerProblemsCommand } from './commands/problems';
import { registerRunCommand } from './commands/run';
import { registerServeCommand } from './commands/serve';
import { registerSessionsCommand } from './commands/sessions';
import { registerAgentsCommand } from './commands/agents';
import { registerRecoverCommand } from './commands/recover';
import { registerTwinCommand } from './commands/twin';
import { registerDoctorCommand } from './commands/doctor';
import { registerClusterCommand } from './commands/cluster';
import { registerVerifyCommand } from './commands/verify';
import { registerReportCommand } from './commands/report';
import { UserError, reportError } from './errors';

/** Exit codes: 0 solved / ok, 1 ran but not solved (or failed checks), 2 bad usage or configuration, 3 the session itself failed. */
export function buildProgram(): Command {
  const program = new Command('aiopslab')
    .description('Evaluate AIOps / SRE agents on microservice incidents: on the embedded cluster (default) or a real Kubernetes cluster.')
    // Read at run time: package.json is outside the compiled tree (rootDir), so it cannot be imported.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    .version(require('../../package.json').version as string)
    .option('--config <file>', 'configuration file (default: ./aiopslab.config.yaml)')
    .option('--results <dir>', 'results folder (default: ./aiopslab-results)')
    .option('--cluster <name>', '"embedded" (default) or a kubeconfig context of a real cluster')
    .showHelpAfterError('(run aiopslab --help for usage)')
    .exitOverride();
  registerProblemsCommand(program);
  registerParseCommand(program);
  registerRunCommand(program);
  registerHumanCommand(program);
  registerEvalCommand(program);
  registerReportCommand(program);
  registerSessionsCommand(program);
  registerAgentsCommand(program);
  registerServeCommand(program);
  registerRecoverCommand(program);
  registerTwinCommand(program);
  registerDoctorCommand(program);
  registerClusterCommand(program);
  registerVerifyCommand(program);
  return program;
}

export async function main(argv: string[]): Promise<number> {
  const program = buildProgram();
  try {
    await program.parseAsync(argv);
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (error) {
    if (error instanceof CommanderError) {
      // Help and version exit 0; usage errors were already printed by commander.
      return error.exitCode === 0 ? 0 : 2;
    }
    if (error instanceof UserError) {
      process.stderr.write(`aiopslab: ${error.message}\n`);
      return error.exitCode;
    }
    return reportError(error);
  }
}

if (require.main === module) {
  // main() turns every error into an exit code itself.
  void main(process.argv).then((code) => {
    process.exitCode = code;
  });
}
