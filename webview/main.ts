/**
 * The transcript panel's page. Renders the header, the turns and the results from typed host messages
 * (../src/extension/protocol.ts), all text through textContent (observations are untrusted). Large transcripts
 * render in chunks per animation frame, and observations are built only when expanded, so 1,000 steps stay smooth.
 */
import type { HeaderView, HostMessage, LiveTelemetryView, PanelState, ResultsView, StepView, TranscriptSnapshot, WebviewMessage } from '../src/extension/protocol';
import { formatAction, truncateForView } from '../src/extension/model/transcript-model';
import { stepChangesCluster } from '../src/extension/model/command-risk';
import { buildCharts, type ChartModel } from '../src/extension/model/telemetry-charts';
import { listenToHost } from './host-messages';
import { answerLines, formatElapsed, formatTokens, metricRow } from '../src/core/session/figures';

interface VsCodeApi {
  postMessage(message: WebviewMessage): void;
  getState(): PanelState | undefined;
  setState(state: PanelState): void;
}
declare function acquireVsCodeApi(): VsCodeApi;

const vscode = acquireVsCodeApi();
const app = document.getElementById('app')!;
const initial = JSON.parse(app.dataset.state ?? '{}') as PanelState;
vscode.setState(initial);

const CHUNK = 50;
const SLICE_MS = 25;
const OBS_PREVIEW = 4000;

let header: HeaderView | undefined;
let steps: StepView[] = [];
let results: ResultsView | undefined;
let liveTelemetry: LiveTelemetryView | undefined;
const turnEls = new Map<number, HTMLElement>();
let replayTimer: number | undefined;
let renderToken = 0;

function el<K extends keyof HTMLElementTagNameMap>(tag: K, cls?: string, text?: string): HTMLElementTagNameMap[K] {
  const e = document.createElement(tag);
  if (cls) e.className = cls;
  if (text !== undefined) e.textContent = text;
  return e;
}

function post(m: WebviewMessage): void {
  vscode.postMessage(m);
}

// ---- layout ----
app.textContent = '';
const headerEl = el('header', 'header');
const taskEl = el('details', 'task hidden');
const toolbar = el('div', 'toolbar');
const turnsEl = el('section', 'turns');
turnsEl.setAttribute('aria-label', 'Turns');
const inputEl = el('section', 'action-input hidden');
const resultsEl = el('section', 'results hidden');
const chartsEl = el('section', 'charts');
app.append(headerEl, taskEl, toolbar, inputEl, turnsEl, resultsEl, chartsEl);

const exportBtn = el('button', 'secondary', 'Export JSON');
exportBtn.onclick = () => post({ type: 'export-json' });
const stopBtn = el('button', 'secondary hidden', 'Stop session');
stopBtn.onclick = () => post({ type: 'stop' });
const expandAll = el('button', 'secondary', 'Expand all observations');
expandAll.onclick = () => {
  for (const d of turnsEl.querySelectorAll('details.observation')) (d as HTMLDetailsElement).open = true;
};
const skipReplay = el('button', 'secondary hidden', 'Show all steps');
skipReplay.onclick = () => finishReplay();
toolbar.append(exportBtn, stopBtn, expandAll, skipReplay);

const actionBox = el('textarea', 'action-text');
actionBox.placeholder = 'get_logs("test-hotel-reservation", "geo")  ·  kubectl get pods -n test-hotel-reservation  ·  submit("Yes")';
actionBox.rows = 2;
const sendBtn = el('button', 'primary', 'Send action');
const actionStatus = el('div', 'action-status');
sendBtn.onclick = () => {
  const text = actionBox.value.trim();
  if (!text) return;
  sendBtn.disabled = true;
  actionStatus.textContent = 'Running…';
  post({ type: 'send-action', text });
};
actionBox.addEventListener('keydown', (e) => {
  if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) sendBtn.click();
});
// One listener for the reply buttons of every turn (a 1,000-step transcript would otherwise carry 2,000 of them).
turnsEl.addEventListener('click', (e) => {
  const button = (e.target as HTMLElement).closest<HTMLElement>('[data-reply-act]');
  const text = button?.closest('.reply')?.querySelector('.reply-text')?.textContent;
  if (!button || !text) return;
  const step = Number(button.closest<HTMLElement>('.turn')?.dataset.step);
  post(button.dataset.replyAct === 'open' ? { type: 'open-reply', text, ...(Number.isInteger(step) ? { step } : {}) } : { type: 'rerun-reply', text });
});
inputEl.append(el('label', 'label', 'Your action (an API call, or a shell command; Ctrl+Enter sends)'), actionBox, sendBtn, actionStatus);

// ---- header ----
/** The agent's episode so far (or in all, once it ended); "–" while the session is still being set up. */
function elapsedText(h: HeaderView): string {
  return h.startTime === undefined ? '–' : formatElapsed(((h.endTime ?? Date.now()) - h.startTime) / 1000);
}

function renderHeader(): void {
  if (!header) return;
  const h = header;
  headerEl.textContent = '';
  const title = el('h1', 'problem', h.problemId);
  const badges = el('div', 'badges');
  const statusCls = h.status === 'completed' && results?.verdict ? (results.verdict.success ? 'ok' : 'bad') : h.status === 'error' ? 'bad' : h.status === 'running' || h.status === 'starting' ? 'live' : 'neutral';
  const statusText = h.status === 'completed' && results?.verdict ? (results.verdict.success ? 'solved' : 'not solved') : h.status;
  badges.append(
    badge('Task', h.task),
    badge('App', h.app),
    badge('Agent', h.agent),
    badge('Status', statusText + (h.phase && h.live ? ` · ${h.phase}${h.phaseDetail ? ` (${h.phaseDetail})` : ''}` : ''), `status ${statusCls}`),
    badge('Steps', `${h.steps} / ${h.maxSteps}`, 'steps'),
    badge('Elapsed', elapsedText(h), 'elapsed'),
  );
  if (h.tokens) badges.append(badge('Tokens', formatTokens(h.tokens), 'tokens'));
  if (h.replay) badges.append(badge('Mode', 'replay'));
  const sid = el('div', 'session-id', `Session ${h.sessionId}`);
  headerEl.append(title, badges, sid);
  inputEl.classList.toggle('hidden', !h.interactive);
  stopBtn.classList.toggle('hidden', !h.live);
}

function badge(label: string, value: string, cls = ''): HTMLElement {
  const b = el('span', `badge ${cls}`.trim());
  b.append(el('span', 'badge-label', label), el('span', 'badge-value', value));
  return b;
}

setInterval(() => {
  if (header?.live) {
    const e = headerEl.querySelector('.elapsed .badge-value');
    if (e) e.textContent = elapsedText(header);
  }
}, 1000);

// ---- turns ----
function renderTurn(s: StepView): HTMLElement {
  const turn = el('article', 'turn');
  turn.dataset.step = String(s.step);
  const head = el('div', 'turn-head');
  head.append(el('span', 'step-no', `Step ${s.step + 1}`));
  if (stepChangesCluster(s)) head.append(el('span', 'tag write', 'changes cluster'));
  if (s.action?.structured) head.append(el('span', 'tag', 'tool call'));
  const timing = [s.agentMs !== undefined ? `agent ${s.agentMs} ms` : '', s.actionMs !== undefined ? `action ${s.actionMs} ms` : '', s.tokens ? `${s.tokens.input}→${s.tokens.output} tokens` : ''].filter(Boolean).join(' · ');
  if (timing) head.append(el('span', 'timing', timing));
  turn.append(head);

  if (s.reply.trim()) {
    const reply = el('details', 'reply');
    const lines = s.reply.split('\n');
    reply.open = lines.length <= 12;
    const actions = el('div', 'reply-actions');
    const open = el('button', 'link', 'Open in editor');
    open.dataset.replyAct = 'open';
    open.title = 'Open this reply as an aiopslab-reply document: the parsed call, parse errors as diagnostics, Run in session';
    const rerun = el('button', 'link', 'Run in current session');
    rerun.dataset.replyAct = 'rerun';
    rerun.title = 'Run this reply\'s action again in the session you are acting in now';
    actions.append(open, rerun);
    reply.append(el('summary', undefined, `Agent reply (${lines.length} line${lines.length === 1 ? '' : 's'})`), el('pre', 'reply-text', s.reply), actions);
    turn.append(reply);
  }
  if (s.action) {
    const a = el('div', 'action');
    a.append(el('span', 'codicon-like', '▶'), el('code', 'action-call', formatAction(s.action)));
    turn.append(a);
  } else if (s.parseError) {
    const pe = el('div', 'parse-error');
    pe.append(el('strong', undefined, 'Could not parse an action. '), el('span', undefined, 'The agent was told:'), el('pre', undefined, s.parseError));
    turn.append(pe);
  }
  if (s.observation === undefined) {
    turn.append(el('div', 'pending', 'Running…'));
  } else {
    const obs = el('details', 'observation');
    const summary = el('summary', undefined, `Observation (${s.observation.length.toLocaleString()} chars)`);
    obs.append(summary);
    let filled = false;
    obs.addEventListener('toggle', () => {
      if (!obs.open || filled) return;
      filled = true;
      fillObservation(obs, s.observation!);
    });
    // Short observations open by default; their body is cheap.
    if (s.observation.length <= 600) obs.open = true;
    turn.append(obs);
  }
  return turn;
}

function fillObservation(container: HTMLElement, text: string): void {
  const { head, truncated } = truncateForView(text, OBS_PREVIEW);
  const pre = el('pre', 'observation-text', head);
  container.append(pre);
  if (truncated > 0) {
    const more = el('button', 'link', `Show ${truncated.toLocaleString()} more characters`);
    more.onclick = () => {
      pre.textContent = text;
      more.remove();
    };
    container.append(more);
  }
}

function upsertTurn(s: StepView): void {
  const i = steps.findIndex((x) => x.step === s.step);
  if (i >= 0) steps[i] = { ...steps[i], ...s };
  else steps.push(s);
  const node = renderTurn(i >= 0 ? steps[i] : s);
  const old = turnEls.get(s.step);
  if (old) old.replaceWith(node);
  else turnsEl.append(node);
  turnEls.set(s.step, node);
}

function renderAllTurns(): void {
  const token = ++renderToken;
  turnsEl.textContent = '';
  turnEls.clear();
  const t0 = performance.now();
  if (!steps.length) turnsEl.append(el('p', 'empty', header?.live ? 'Waiting for the first action…' : 'No steps.'));
  let i = 0;
  // Time-sliced: the first slice (what is on screen) paints at once, the rest follows in ~25 ms slices so the page
  // stays responsive; slices are not tied to animation frames (which a hidden panel throttles).
  const chunk = () => {
    if (token !== renderToken) return;
    const frag = document.createDocumentFragment();
    const sliceStart = performance.now();
    let n = 0;
    while (i < steps.length && (n < CHUNK || performance.now() - sliceStart < SLICE_MS)) {
      const node = renderTurn(steps[i]);
      turnEls.set(steps[i].step, node);
      frag.append(node);
      i++;
      n++;
    }
    turnsEl.append(frag);
    if (i < steps.length) setTimeout(chunk, 0);
    else post({ type: 'rendered', steps: steps.length, ms: Math.round(performance.now() - t0) });
  };
  chunk();
}

// ---- results ----
/** An answer as a list when it is one (the checks a mitigation is judged on), else as one line. */
function answer(cls: string, v: unknown): HTMLElement {
  const lines = answerLines(v);
  const dd = el('dd', cls);
  if (lines.length === 1) dd.textContent = lines[0];
  else {
    const list = el('ul');
    for (const line of lines) list.append(el('li', undefined, line));
    dd.append(list);
  }
  return dd;
}

function renderResults(): void {
  renderCharts();
  resultsEl.textContent = '';
  if (!results) {
    resultsEl.classList.add('hidden');
    return;
  }
  resultsEl.classList.remove('hidden');
  resultsEl.append(el('h2', undefined, 'Results'));
  const v = results.verdict;
  if (v) {
    const verdict = el('div', `verdict ${v.success ? 'ok' : 'bad'}`);
    verdict.append(el('strong', undefined, v.success ? 'Solved' : 'Not solved'), el('p', 'why', v.explanation));
    const grid = el('dl', 'expected-given');
    grid.append(el('dt', undefined, 'Expected'), answer('expected', v.expected), el('dt', undefined, 'Given'), answer('given', v.given));
    verdict.append(grid);
    resultsEl.append(verdict);
  }
  if (results.error) resultsEl.append(el('div', 'error', `Error: ${results.error}`));
  // Why there is no telemetry is said once, where the charts would be.
  for (const note of results.notes ?? []) if (results.telemetry || !isTelemetryNote(note)) resultsEl.append(el('p', 'note', note));
  if (results.metrics.length) {
    const table = el('table', 'metrics');
    const thead = el('thead');
    const hr = el('tr');
    hr.append(el('th', undefined, 'Metric'), el('th', undefined, 'Value'));
    thead.append(hr);
    const tbody = el('tbody');
    for (const [k, val] of results.metrics) {
      const row = metricRow(k, val);
      const tr = el('tr');
      const value = el('td', undefined, row.value);
      if (row.note) value.append(el('span', 'metric-note', row.note));
      tr.append(el('td', undefined, row.key), value);
      tbody.append(tr);
    }
    table.append(thead, tbody);
    resultsEl.append(table);
  }
  if (results.tokens) resultsEl.append(el('p', 'tokens', `Model tokens: ${formatTokens(results.tokens)}`));
  if (header?.startTime !== undefined && header.endTime !== undefined) {
    const setUp = results.frameworkOverheadSec !== undefined ? `; set-up and clean-up (deploy, inject, scoring, recovery): ${formatElapsed(results.frameworkOverheadSec)}` : '';
    resultsEl.append(el('p', 'overhead', `Elapsed: ${elapsedText(header)} (the agent's episode)${setUp}`));
  }
}

function isTelemetryNote(note: string): boolean {
  return /telemetry/i.test(note);
}

// ---- telemetry charts ----
const SVG = 'http://www.w3.org/2000/svg';
let focusedService: string | undefined;

function svg<K extends keyof SVGElementTagNameMap>(tag: K, attrs: Record<string, string | number>, text?: string): SVGElementTagNameMap[K] {
  const e = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, String(v));
  if (text !== undefined) e.textContent = text;
  return e;
}

/** Charts from the session's telemetry (inline SVG; colours from the theme through the stylesheet). */
function renderCharts(): void {
  chartsEl.textContent = '';
  chartsEl.append(el('h2', undefined, 'Telemetry'));
  const telemetry = results?.telemetry ?? (results ? undefined : liveTelemetry?.telemetry);
  const injectedAt = results?.timeline?.injectedAt ?? liveTelemetry?.injectedAt;
  if (!telemetry) {
    const why = results?.notes?.find(isTelemetryNote);
    const pending = header?.live ? 'Request latency and error rate per service are charted here while the session runs, once Prometheus has two scrapes of this episode (read every 20 s).' : header?.replay && !results ? 'The charts follow at the end of the replay.' : 'This session recorded no telemetry.';
    chartsEl.append(el('p', 'placeholder', why ?? pending));
    return;
  }
  const writes = steps
    .filter((s) => stepChangesCluster(s) && s.startedAt !== undefined)
    .map((s) => ({ atMs: s.startedAt! + (s.agentMs ?? 0), step: s.step, title: s.action ? formatAction(s.action) : 'action' }));
  const charts = buildCharts(telemetry, { injectedAt, endedAt: header?.live ? undefined : header?.endTime, writes });
  chartsEl.append(el('p', 'chart-caption', `Per service, from Prometheus (namespace ${telemetry.namespace}; one point every ${Math.round(telemetry.stepMs / 1000)} s over the previous ${telemetry.windowSec} s). Time is relative to the fault injection; dashed red: the injection, orange: the agent's actions that change the cluster, grey: the end of the agent's episode (the evaluation follows).${results ? '' : ' Live: read again every 20 s while the session runs.'}`));
  const legend = el('div', 'chart-legend');
  legend.setAttribute('role', 'list');
  for (const line of charts[0].lines) {
    const item = el('button', `legend-item${focusedService === line.service ? ' focused' : ''}${line.faultTarget ? ' fault-target' : ''}`);
    item.setAttribute('role', 'listitem');
    item.dataset.service = line.service;
    const target = line.faultTarget ? ' The fault is aimed at this service.' : '';
    item.title = `${line.service}: peak p99 ${charts[1].lines[line.index].peak}, peak error rate ${charts[2].lines[line.index].peak}.${target} Click to highlight.`;
    const swatch = svg('svg', { width: 18, height: 8, class: 'swatch' });
    swatch.append(svg('line', { x1: 0, y1: 4, x2: 18, y2: 4, class: `series c${line.index % 8} d${Math.floor(line.index / 8) % 3}` }));
    item.append(swatch, el('span', undefined, line.service));
    if (line.faultTarget) item.append(el('span', 'fault-tag', line.d ? 'fault' : 'fault · no requests'));
    item.onclick = () => {
      focusedService = focusedService === line.service ? undefined : line.service;
      renderCharts();
    };
    legend.append(item);
  }
  if (telemetry.omittedServices?.length) legend.append(el('span', 'chart-omitted', `+${telemetry.omittedServices.length} quieter services not recorded`));
  chartsEl.append(legend);
  const grid = el('div', 'chart-grid');
  for (const c of charts) grid.append(chartSvg(c));
  chartsEl.append(grid);
}

function chartSvg(c: ChartModel): HTMLElement {
  const figure = el('figure', 'chart-figure');
  figure.append(el('figcaption', undefined, c.title));
  const root = svg('svg', { viewBox: `0 0 ${c.width} ${c.height}`, class: `chart chart-${c.id}`, role: 'img', 'aria-label': `${c.title} per service over time` });
  const { left, right, top, bottom } = c.plot;
  for (const t of c.yTicks) {
    root.append(svg('line', { x1: left, x2: right, y1: t.y, y2: t.y, class: 'grid' }));
    root.append(svg('text', { x: left - 6, y: t.y + 5, class: 'tick y' }, t.label));
  }
  for (const t of c.xTicks) root.append(svg('text', { x: t.x, y: bottom + 19, class: 'tick x' }, t.label));
  root.append(svg('line', { x1: left, x2: right, y1: bottom, y2: bottom, class: 'axis' }));
  for (const line of c.lines) {
    if (!line.d) continue;
    const dim = focusedService !== undefined && focusedService !== line.service;
    const p = svg('path', { d: line.d, class: `series c${line.index % 8} d${Math.floor(line.index / 8) % 3}${dim ? ' dim' : ''}${focusedService === line.service ? ' focused' : ''}`, 'data-service': line.service });
    p.append(svg('title', {}, `${line.service} (peak ${line.peak})`));
    root.append(p);
  }
  for (const m of c.markers) {
    const g = svg('g', { class: `marker marker-${m.kind}` });
    g.append(svg('line', { x1: m.x, x2: m.x, y1: top - 4, y2: bottom }), svg('text', { x: m.x + 3, y: top - 6 }, m.label), svg('title', {}, m.title));
    root.append(g);
  }
  figure.append(root);
  return figure;
}

// ---- replay ----
function startReplay(delayMs: number): void {
  const all = steps;
  const finalResults = results;
  steps = [];
  results = undefined;
  renderAllTurns();
  renderResults();
  skipReplay.classList.remove('hidden');
  let i = 0;
  const tick = () => {
    if (i >= all.length) {
      results = finalResults;
      renderResults();
      skipReplay.classList.add('hidden');
      replayTimer = undefined;
      return;
    }
    if (i === 0) turnsEl.textContent = '';
    upsertTurn(all[i++]);
    replayTimer = window.setTimeout(tick, delayMs);
  };
  replayFinal = { all, finalResults };
  replayTimer = window.setTimeout(tick, delayMs);
}
let replayFinal: { all: StepView[]; finalResults: ResultsView | undefined } | undefined;
function finishReplay(): void {
  if (replayTimer !== undefined) clearTimeout(replayTimer);
  replayTimer = undefined;
  if (replayFinal) {
    steps = replayFinal.all;
    results = replayFinal.finalResults;
    replayFinal = undefined;
  }
  skipReplay.classList.add('hidden');
  renderAllTurns();
  renderResults();
}

// ---- task ----
/** The problem statement, instructions and APIs, open for a person acting as the agent (they need it to act). */
function renderTask(task: TranscriptSnapshot['task']): void {
  taskEl.textContent = '';
  taskEl.classList.toggle('hidden', !task);
  if (!task) return;
  const wasOpen = taskEl.dataset.shown === '1' ? taskEl.open : Boolean(header?.interactive);
  taskEl.append(
    el('summary', 'task-summary', 'Task: what the agent is told'),
    el('div', 'task-description', task.description),
    el('div', 'task-instructions', task.instructions),
    el('div', 'task-apis', `Available APIs: ${task.apis.join(', ')}`),
  );
  taskEl.open = wasOpen;
  taskEl.dataset.shown = '1';
}

// ---- messages ----
function applySnapshot(s: TranscriptSnapshot): void {
  header = s.header;
  renderTask(s.task);
  steps = [...s.steps].sort((a, b) => a.step - b.step);
  results = s.results;
  liveTelemetry = s.liveTelemetry;
  renderHeader();
  renderAllTurns();
  renderResults();
}

listenToHost<HostMessage>(post, (m) => {
  switch (m.type) {
    case 'init':
      applySnapshot(m.snapshot);
      break;
    case 'header':
      header = m.header;
      renderHeader();
      break;
    case 'step':
      if (!turnEls.size) turnsEl.textContent = '';
      upsertTurn(m.step);
      if (header?.live) turnEls.get(m.step.step)?.scrollIntoView({ block: 'nearest' });
      break;
    case 'results':
      header = m.header;
      results = m.results;
      renderHeader();
      renderResults();
      break;
    case 'action-result':
      sendBtn.disabled = false;
      actionStatus.textContent = m.message;
      actionStatus.className = `action-status ${m.ok ? 'ok' : 'bad'}`;
      if (m.ok) actionBox.value = '';
      break;
    case 'acting':
      // "Run in current session" only when there is one (a human or chat session of this window).
      document.body.classList.toggle('acting', m.session !== undefined);
      break;
    case 'replay':
      startReplay(m.delayMs);
      break;
    case 'pong':
      break;
    case 'telemetry':
      liveTelemetry = { telemetry: m.telemetry, injectedAt: m.injectedAt };
      if (!results) renderCharts();
      break;
    case 'reveal':
      document.querySelector(m.selector)?.scrollIntoView({ block: 'start' });
      break;
    default:
      break;
  }
});

post({ type: 'ready' });
