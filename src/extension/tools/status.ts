import * as vscode from 'vscode';
import type { EngineHost } from '../host';
import { textResult } from './base';

/** The running session's task, budget and last observation. */
export class StatusTool implements vscode.LanguageModelTool<Record<string, never>> {
  constructor(private readonly host: EngineHost) {}

  async invoke(): Promise<vscode.LanguageModelToolResult> {
    return textResult(statusText(this.host));
  }
}

export function statusText(host: EngineHost): string {
  const s = host.currentInteractive();
  if (!s) {
    const others = host.running();
    return others.length
      ? `No interactive AIOpsLab session; ${others.length} agent run(s) in progress: ${others.map((o) => `${o.problemId} (${o.agentName}, step ${o.transcript.header.steps}/${o.transcript.header.maxSteps})`).join(', ')}.`
      : 'No AIOpsLab session is running. Start one with "@aiopslab /start <problem-id>".';
  }
  const h = s.transcript.header;
  const ctx = s.interactive?.context;
  const last = s.transcript.steps.at(-1);
  const lines = [
    `Session ${h.sessionId}: problem ${h.problemId} (${h.task} task, app ${h.app}), agent ${h.agent}.`,
    `Steps used: ${h.steps} of ${h.maxSteps}. Status: ${h.status}${h.phase ? ` (${h.phase})` : ''}.`,
  ];
  if (ctx) lines.push('', 'Problem description:', ctx.problemDescription.trim(), '', 'Instructions:', ctx.instructions.trim());
  if (last?.observation) lines.push('', `Last observation (step ${last.step + 1}):`, last.observation.slice(0, 2000));
  return lines.join('\n');
}
