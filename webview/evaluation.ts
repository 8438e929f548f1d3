/**
 * The Evaluation page: renders the leaderboard the host sends (../src/extension/evaluation/protocol.ts), all text
 * through textContent; a mark in the agent × problem matrix asks the host to open that session's transcript.
 */
import type { EvaluationHostMessage, EvaluationPageMessage, EvaluationView } from '../src/extension/evaluation/protocol';
import { listenToHost } from './host-messages';

declare function acquireVsCodeApi(): { postMessage(message: EvaluationPageMessage): void };

const vscode = acquireVsCodeApi();
const app = document.getElementById('app')!;

function el<K extends keyof HTMLElementTagNameMap>(tag: K, cls?: string, text?: string): HTMLElementTagNameMap[K] {
  const e = document.createElement(tag);
  if (cls) e.className = cls;
  if (text !== undefined) e.textContent = text;
  return e;
}

function table(id: string, header: string[], rows: Array<Array<string | HTMLElement>>): HTMLTableElement {
  const t = el('table');
  t.id = id;
  const head = t.createTHead().insertRow();
  for (const h of header) head.appendChild(el('th', undefined, h));
  const body = t.createTBody();
  for (const r of rows) {
    const tr = body.insertRow();
    for (const c of r) {
      const td = tr.insertCell();
      if (typeof c === 'string') td.textContent = c;
      else td.appendChild(c);
    }
  }
  return t;
}

function render(view: EvaluationView): void {
  const parts: HTMLElement[] = [el('h2', undefined, 'Agents × tasks'), el('p', 'summary', view.summary)];
  if (view.progress) parts.push(el('p', 'progress', view.progress));
  parts.push(view.table.rows.length ? table('leaderboard', view.table.header, view.table.rows) : el('p', 'empty', 'No scored sessions in the results folder yet: run "AIOpsLab: Run Evaluation Suite…".'));
  parts.push(el('h2', undefined, 'Per problem'), el('p', 'legend', '✓ solved · ✗ not solved · ! error — click a mark for its transcript.'));
  const rows = view.matrix.rows.map((r) => [r.problemId, r.task, ...r.cells.map((runs) => {
    const span = el('span');
    if (!runs.length) span.textContent = '–';
    for (const run of runs) {
      const b = el('button', `run ${run.outcome}`, run.mark);
      b.title = `${run.outcome}: session ${run.sessionId} — open its transcript`;
      b.dataset.session = run.sessionId;
      b.addEventListener('click', () => vscode.postMessage({ type: 'open-session', sessionId: run.sessionId }));
      span.appendChild(b);
    }
    return span;
  })]);
  parts.push(table('matrix', ['Problem', 'Task', ...view.matrix.columns], rows));
  app.replaceChildren(...parts);
}

listenToHost<EvaluationHostMessage>((m) => vscode.postMessage(m), (m) => {
  switch (m.type) {
    case 'view':
      render(m.view);
      break;
  }
});

vscode.postMessage({ type: 'ready' });
