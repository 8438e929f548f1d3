import type { ActionDefinition } from '../actions/types';
import type { TaskType } from '../tasks/task-type';

/** What an agent receives before the first step (the original's `init_context(problem_desc, instructions, apis)`). */
export interface AgentContext {
  problemId: string;
  task: TaskType;
  problemDescription: string;
  instructions: string;
  /** name → documentation, as the original hands them to agents. */
  apis: Record<string, string>;
  /** The same actions with their argument schemas, for structured tool calling. */
  actions: readonly ActionDefinition[];
}

export interface TokenUsage {
  inputTokens: number;
  outputTokens: number;
  /** Where the numbers came from: the API's reported usage or a local tokenizer. */
  source: 'api' | 'tokenizer' | 'none';
  costUsd?: number;
}

/** A structured action (OpenAI function call, VS Code LM tool call, HTTP `{action: {name, arguments}}`). */
export interface ToolCall {
  name: string;
  arguments: Record<string, unknown>;
}

/** One agent turn: text in the text protocol, or a structured tool call (with optional text alongside). */
export interface AgentTurn {
  text: string;
  toolCall?: ToolCall;
  usage?: TokenUsage;
}

export interface Agent {
  readonly name: string;
  initContext(context: AgentContext): void | Promise<void>;
  /** The original's `get_action(observation) -> str`; may return a structured turn. */
  getAction(observation: string, signal?: AbortSignal): Promise<string | AgentTurn>;
  /** Called once the episode is over (e.g. to close connections). */
  dispose?(): void | Promise<void>;
}

export function toAgentTurn(reply: string | AgentTurn): AgentTurn {
  return typeof reply === 'string' ? { text: reply } : reply;
}
