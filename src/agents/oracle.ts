import type { Agent } from '../core/agents/types';
import { expectedSubmission, wrongSubmission } from '../core/evaluation/answers';
import { fenced, formatCall } from '../core/parser';
import type { ProblemDefinition } from '../core/problems/types';

/**
 * Not an agent to evaluate: it reads the problem's ground truth. It proves that each problem is solvable and that its
 * scoring can tell a fix from doing nothing (`aiopslab verify`):
 *  - `solve`: runs the problem's `solution` commands through exec_shell, then submits the expected answer;
 *  - `idle`: does nothing (mitigation: submits at once, nothing fixed; other tasks: never answers);
 *  - `wrong`: submits a wrong answer (detection, localization, analysis).
 */
export class OracleAgent implements Agent {
  readonly name: string;
  private readonly replies: string[];

  constructor(problem: ProblemDefinition, mode: 'solve' | 'idle' | 'wrong') {
    this.name = mode === 'solve' ? 'oracle' : mode === 'idle' ? 'do-nothing' : 'wrong-answer';
    const submit = (value: unknown) => fenced(problem.task === 'mitigation' ? formatCall('submit') : formatCall('submit', [value]));
    if (mode === 'idle') {
      // Mitigation: submit without fixing anything. Other tasks: look around and never answer.
      this.replies = [problem.task === 'mitigation' ? submit(undefined) : fenced(formatCall('exec_shell', ['kubectl get pods -A']))];
    } else if (mode === 'wrong') {
      this.replies = [submit(wrongSubmission(problem))];
    } else {
      const commands = problem.task === 'mitigation' ? problem.solution ?? [] : [];
      this.replies = [...commands.map((command) => fenced(formatCall('exec_shell', [command], { timeout: 180 }))), submit(expectedSubmission(problem))];
    }
  }

  initContext(): void {}

  async getAction(): Promise<string> {
    return this.replies.shift() ?? fenced(formatCall('submit'));
  }
}
