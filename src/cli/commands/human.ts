import * as readline from 'node:readline/promises';
import type { Command } from 'commander';
import { HumanAgent, renderHumanIntro } from '../../agents/human';
import type { AgentContext } from '../../core/agents/types';
import { recoverLeftoversBeforeRun } from '../recover-report';
import { cancelOnSigint, engineFor } from '../context';
import { exitCodeFor, renderSummary } from './run';
import { wholeNumber } from '../options';

export function registerHumanCommand(program: Command): void {
  program
    .command('human <problem-id>')
    .description('act as the agent yourself: type one API call per turn (help lists them, exit quits)')
    .option('--until-solved', 'onboarding assessment: a submission counts only when it is correct (no step limit)')
    .option('--max-steps <n>', 'step budget (default 30)', wholeNumber('--max-steps', 'the step budget'))
    .option('--workload <mode>', 'steady (default) or original (the original\'s one-shot wrk2 run)')
    .option('--shell', 'treat a line that is not an API call as a shell command for exec_shell')
    .action(async (problemId: string, opts: { untilSolved?: boolean; maxSteps?: number; shell?: boolean; workload?: 'steady' | 'original' }, command: Command) => {
      const engine = engineFor(command, { shellPolicy: 'open', workload: opts.workload });
      engine.problem(problemId);
      const rl = readline.createInterface({ input: process.stdin, output: process.stdout, terminal: process.stdin.isTTY === true, historySize: 200 });
      const cancel = cancelOnSigint();
      let introduced = false;
      // An async iterator buffers lines, so piped input (a script of calls) is not lost between prompts.
      const lines = rl[Symbol.asyncIterator]();
      const ask = async (observation: string, info: { context?: AgentContext }): Promise<string> => {
        if (!introduced && info.context) {
          introduced = true;
          process.stdout.write(`\n${renderHumanIntro(info.context)}\n`);
        }
        process.stdout.write(`\n── Environment ──\n${observation}\n`);
        for (;;) {
          process.stdout.write('aiopslab> ');
          const next = await lines.next().catch(() => ({ done: true as const, value: undefined }));
          const line = next.done ? 'exit' : String(next.value).trim();
          if (!process.stdin.isTTY) process.stdout.write(line + '\n');
          if (line === '') continue;
          if (/^(exit|quit)$/i.test(line)) {
            // Ends the session as cancelled: the fault is recovered and the app removed.
            cancel.abort();
            return new Promise<string>(() => undefined);
          }
          if (line === 'help') {
            const apis = info.context?.apis ?? {};
            process.stdout.write(Object.entries(apis).map(([name, doc]) => `${name}\n${doc}`).join('\n\n') + '\n');
            continue;
          }
          return line;
        }
      };
      const agent = new HumanAgent(ask, { shellFallback: opts.shell });
      try {
        await recoverLeftoversBeforeRun(engine);
        const record = await engine.run({
          problemId,
          agent,
          agentName: 'human',
          maxSteps: opts.maxSteps !== undefined ? opts.maxSteps : opts.untilSolved ? Number.MAX_SAFE_INTEGER : 30,
          signal: cancel.signal,
          untilSolved: opts.untilSolved,
        });
        process.stdout.write('\n' + renderSummary(record) + '\n');
        process.exitCode = exitCodeFor(record);
      } finally {
        rl.close();
        cancel.dispose();
      }
    });
}
