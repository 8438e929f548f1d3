import * as vscode from 'vscode';
import type { EngineHost } from './host';
import { formatElapsed, formatTokens } from '../core/session/figures';

/** A status bar item while sessions run in this window: problem, step count, phase; click opens the transcript. */
export function registerStatusBar(host: EngineHost): vscode.Disposable[] {
  const item = vscode.window.createStatusBarItem('aiopslab.session', vscode.StatusBarAlignment.Left, 50);
  item.name = 'AIOpsLab session';
  const update = () => {
    const running = host.running();
    if (!running.length) {
      item.hide();
      return;
    }
    const s = running.sort((a, b) => b.startedAt - a.startedAt)[0];
    const h = s.transcript.header;
    item.text = `$(beaker) ${h.problemId} · ${h.steps}/${h.maxSteps}${h.phase && h.phase !== 'agent' ? ` · ${h.phase}` : ''}${running.length > 1 ? ` (+${running.length - 1})` : ''}`;
    // The transcript's header figures: the status bar never counts on its own.
    const elapsed = h.startTime !== undefined ? `Elapsed: ${formatElapsed((Date.now() - h.startTime) / 1000)}` : `Setting up${h.phase ? ` (${h.phase})` : ''}`;
    item.tooltip = [`AIOpsLab: ${h.problemId} (${h.task}) with ${h.agent} — click to open the transcript`, `Steps: ${h.steps} of ${h.maxSteps}`, elapsed, h.tokens ? `Tokens: ${formatTokens(h.tokens)}` : ''].filter(Boolean).join('\n');
    item.command = { command: 'aiopslab.openTranscript', title: 'Open Transcript', arguments: [s.transcript.header.sessionId || s.id] };
    item.show();
  };
  return [item, host.onDidChangeSessions(update), host.onDidUpdate(update)];
}
