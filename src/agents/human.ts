/**
 * The human agent: each turn shows the observation to a person (the CLI plugs readline, the chat
 * panel its own input) and sends back what they typed. A reply that already holds a fenced block
 * is passed as is; anything else is wrapped the way the original CLI wraps human input:
 * `Action:` + an opening fence + newline + the line + newline + a closing fence.
 */
import type { Agent, AgentContext } from '../core/agents/types';
import { wrapHumanInput as coreWrapHumanInput } from '../core/parser';
import { renderSystemPrompt } from './prompts';

export interface HumanTurnInfo {
  step: number;
  context?: AgentContext;
  signal?: AbortSignal;
}

export type AskFn = (observation: string, info: HumanTurnInfo) => Promise<string>;

export interface HumanAgentOptions {
  name?: string;
  /**
   * When true, a line that is not an API call (no `name(` at its start) is sent as
   * `exec_shell("<line>")`, so a person can type `kubectl get pods` directly. Default false (as the original).
   */
  shellFallback?: boolean;
}

/** Wrap one typed line as the original CLI does (the core parser's rule, shared with the CLI). */
export function wrapHumanInput(input: string, options: { shellFallback?: boolean } = {}): string {
  return coreWrapHumanInput(input, { shellFallback: options.shellFallback });
}

/** The task message the original CLI prints after `start`: problem, all API groups, "think step-by-step". */
export function renderHumanIntro(context: AgentContext): string {
  return renderSystemPrompt(context.problemDescription, context.apis, { showAllApis: true, protocol: 'text' });
}

export class HumanAgent implements Agent {
  readonly name: string;
  private context?: AgentContext;
  private step = 0;
  private readonly shellFallback: boolean;

  constructor(private readonly ask: AskFn, options: HumanAgentOptions = {}) {
    this.name = options.name ?? 'human';
    this.shellFallback = options.shellFallback ?? false;
  }

  initContext(context: AgentContext): void {
    this.context = context;
    this.step = 0;
  }

  async getAction(observation: string, signal?: AbortSignal): Promise<string> {
    this.step += 1;
    const typed = await this.ask(observation, { step: this.step, context: this.context, signal });
    return wrapHumanInput(typed, { shellFallback: this.shellFallback });
  }
}
