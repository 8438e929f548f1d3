/**
 * What a person types in the chat (`/human` mode) or the panel's action box, turned into an agent turn in the text
 * protocol: an API call (`get_logs("ns", "svc")`, fenced or not) goes through as written; any other line is a shell
 * command and runs as `exec_shell("<line>")`.
 */
import type { AgentTurn } from '../../core/agents/types';
import { wrapHumanInput } from '../../core/parser';

const FENCE = '```';
const CALL = /^[A-Za-z_][A-Za-z0-9_]*\s*\(/;

export function humanTextToTurn(input: string): AgentTurn {
  const text = input.trim();
  if (text.includes(FENCE)) return { text };
  // Chat renders `x` as code: accept a call or command wrapped in single backticks.
  const unquoted = text.replace(/^`([^`]*)`$/s, '$1').trim();
  return { text: wrapHumanInput(unquoted, { shellFallback: true }) };
}

/** Splits `/start <problem-id> [max-steps]` style arguments. */
export function splitArgs(prompt: string): string[] {
  return prompt.trim().split(/\s+/).filter(Boolean);
}

/** The submit call for `/submit <answer>` given the task: `Yes`, `a, b`, `["a"]`, `Application Misconfiguration`… */
export function submitCallFromText(task: string, answer: string): string {
  const a = answer.trim();
  if (CALL.test(a)) return a;
  switch (task) {
    case 'detection': {
      const yes = /^(y|yes|true|anomal)/i.test(a);
      return `submit(${JSON.stringify(yes ? 'Yes' : /^(n|no|false)/i.test(a) ? 'No' : a)})`;
    }
    case 'localization': {
      if (a.startsWith('[')) return `submit(${a})`;
      const list = a.split(/[,\s]+/).filter(Boolean);
      return `submit(${JSON.stringify(list)})`;
    }
    case 'analysis': {
      if (a.startsWith('{')) return `submit(${a})`;
      const [level, type] = a.split(/\s*[;|]\s*/);
      return `submit({"system_level": ${JSON.stringify(level ?? '')}, "fault_type": ${JSON.stringify(type ?? '')}})`;
    }
    default:
      return 'submit()';
  }
}
