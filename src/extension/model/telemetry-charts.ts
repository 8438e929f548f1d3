/**
 * The transcript panel's telemetry charts as geometry: three charts (p50 latency, p99 latency, error rate), one line
 * per service, the time axis labelled relative to the fault injection, and vertical markers for the injection and the
 * agent's write actions. Pure (no DOM, no `vscode`): the webview turns it into inline SVG, unit tests check it.
 */
import type { SessionTelemetry } from '../../core/session/types';

export const CHART_WIDTH = 640;
export const CHART_HEIGHT = 190;
/** Room for the tick labels: the chart is scaled to its column (often ~400 px wide), so they are drawn large. */
const PLOT = { left: 66, right: CHART_WIDTH - 14, top: 20, bottom: CHART_HEIGHT - 28 };

export type ChartId = 'p50' | 'p99' | 'errors';

export interface ChartLine {
  service: string;
  /** Index of the service (its colour and dash in the stylesheet). */
  index: number;
  /** SVG path data; a gap where the service had no requests. Empty when it has no value at all. */
  d: string;
  /** Peak value, formatted (the legend's tooltip). */
  peak: string;
  /** The service the session's fault is aimed at (named in the legend even when it served nothing). */
  faultTarget: boolean;
}

export interface ChartMarker {
  kind: 'inject' | 'write' | 'end';
  x: number;
  label: string;
  title: string;
}

export interface ChartModel {
  id: ChartId;
  title: string;
  width: number;
  height: number;
  plot: { left: number; right: number; top: number; bottom: number };
  yTicks: Array<{ y: number; label: string }>;
  xTicks: Array<{ x: number; label: string }>;
  lines: ChartLine[];
  markers: ChartMarker[];
}

export interface ChartMarkers {
  injectedAt?: number;
  /** When the agent loop ended (what follows is the evaluation watching the cluster, and cleanup). */
  endedAt?: number;
  /** The agent's actions that may change the cluster: when each ran and what it was. */
  writes: Array<{ atMs: number; step: number; title: string }>;
}

/** `+1m 30s`, `-45s`, `0s`: time relative to the fault injection. */
export function relativeTime(ms: number): string {
  const sign = ms < 0 ? '-' : ms > 0 ? '+' : '';
  const s = Math.round(Math.abs(ms) / 1000);
  if (s < 60) return `${sign}${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${sign}${m}m${s % 60 ? ` ${s % 60}s` : ''}`;
  return `${sign}${Math.floor(m / 60)}h${m % 60 ? ` ${m % 60}m` : ''}`;
}

export function formatMs(v: number): string {
  if (v >= 1000) return `${Number((v / 1000).toPrecision(3))} s`;
  if (v >= 1) return `${Number(v.toPrecision(3))} ms`;
  return `${Number((v * 1000).toPrecision(3))} µs`;
}

function formatPercent(v: number): string {
  return `${Number((v * 100).toPrecision(3))} %`;
}

function niceCeil(v: number): number {
  if (v <= 0) return 1;
  const p = 10 ** Math.floor(Math.log10(v));
  for (const m of [1, 2, 2.5, 5, 10]) if (m * p >= v) return m * p;
  return 10 * p;
}

interface Scale {
  y: (v: number) => number;
  ticks: Array<{ y: number; label: string }>;
}

/** Latency spans orders of magnitude (a healthy service in ms, a broken one in seconds): log scale. */
function logScale(values: number[], format: (v: number) => string): Scale {
  const positive = values.filter((v) => v > 0);
  let lo = positive.length ? 10 ** Math.floor(Math.log10(Math.min(...positive))) : 1;
  let hi = positive.length ? 10 ** Math.ceil(Math.log10(Math.max(...positive))) : 10;
  if (hi <= lo) hi = lo * 10;
  if (!positive.length) lo = 1;
  const span = Math.log10(hi) - Math.log10(lo);
  const y = (v: number) => PLOT.bottom - ((Math.log10(Math.max(v, lo)) - Math.log10(lo)) / span) * (PLOT.bottom - PLOT.top);
  const ticks: Scale['ticks'] = [];
  const every = Math.max(1, Math.ceil(span / 4));
  for (let e = Math.log10(lo); e <= Math.log10(hi) + 1e-9; e += every) ticks.push({ y: y(10 ** e), label: format(10 ** e) });
  return { y, ticks };
}

function linearScale(values: number[], format: (v: number) => string, floorMax: number): Scale {
  const max = niceCeil(Math.max(floorMax, ...values));
  const y = (v: number) => PLOT.bottom - (v / max) * (PLOT.bottom - PLOT.top);
  return { y, ticks: [0, max / 2, max].map((v) => ({ y: y(v), label: format(v) })) };
}

function pathOf(values: Array<number | null>, x: (i: number) => number, y: (v: number) => number): string {
  let d = '';
  let pen = false;
  values.forEach((v, i) => {
    if (v === null) {
      pen = false;
      return;
    }
    d += `${pen ? 'L' : 'M'}${x(i).toFixed(1)} ${y(v).toFixed(1)}`;
    pen = true;
  });
  // A lone point between gaps still shows: a zero-length segment draws a round cap.
  return d.replace(/M([\d.]+) ([\d.]+)(?=M|$)/g, 'M$1 $2L$1 $2');
}

export function buildCharts(t: SessionTelemetry, marks: ChartMarkers): ChartModel[] {
  const points = Math.max(0, ...t.services.map((s) => Math.max(s.p50Ms.length, s.p99Ms.length, s.errorRate.length)));
  // The window read may end up to a step after the last point (the episode's last seconds): the axis covers it.
  const endMs = Math.max(t.startMs + Math.max(1, points - 1) * t.stepMs, t.endMs ?? 0);
  const xOfTime = (ms: number) => PLOT.left + ((ms - t.startMs) / (endMs - t.startMs)) * (PLOT.right - PLOT.left);
  const x = (i: number) => xOfTime(t.startMs + i * t.stepMs);
  const origin = marks.injectedAt !== undefined && marks.injectedAt >= t.startMs && marks.injectedAt <= endMs ? marks.injectedAt : t.startMs;
  const xTicks: ChartModel['xTicks'] = [];
  const span = endMs - t.startMs;
  const tickEvery = [5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200].map((s) => s * 1000).find((s) => span / s <= 6) ?? 3_600_000 * 4;
  for (let k = Math.ceil((t.startMs - origin) / tickEvery); origin + k * tickEvery <= endMs; k++) {
    const at = origin + k * tickEvery;
    xTicks.push({ x: xOfTime(at), label: relativeTime(at - origin) });
  }
  const markers: ChartMarker[] = [];
  if (marks.injectedAt !== undefined && marks.injectedAt >= t.startMs && marks.injectedAt <= endMs) {
    markers.push({ kind: 'inject', x: xOfTime(marks.injectedAt), label: 'fault', title: `Fault injected at ${new Date(marks.injectedAt).toISOString().slice(11, 19)} UTC` });
  }
  if (marks.endedAt !== undefined && marks.endedAt >= t.startMs && marks.endedAt <= endMs - t.stepMs / 2) {
    markers.push({ kind: 'end', x: xOfTime(marks.endedAt), label: 'end', title: `The agent's episode ended (${relativeTime(marks.endedAt - origin)}); after it, the evaluation` });
  }
  for (const w of marks.writes) {
    if (w.atMs < t.startMs || w.atMs > endMs) continue;
    markers.push({ kind: 'write', x: xOfTime(w.atMs), label: `#${w.step + 1}`, title: `Step ${w.step + 1} (${relativeTime(w.atMs - origin)}): ${w.title}` });
  }
  const chart = (id: ChartId, title: string, pick: (s: SessionTelemetry['services'][number]) => Array<number | null>, log: boolean, format: (v: number) => string): ChartModel => {
    const all = t.services.flatMap((s) => pick(s).filter((v): v is number => v !== null));
    const scale = log ? logScale(all, format) : linearScale(all, format, 0.01);
    return {
      id,
      title,
      width: CHART_WIDTH,
      height: CHART_HEIGHT,
      plot: { ...PLOT },
      yTicks: scale.ticks,
      xTicks,
      markers,
      lines: t.services.map((s, index) => {
        const values = pick(s);
        const peak = Math.max(-1, ...values.filter((v): v is number => v !== null));
        return { service: s.service, index, d: pathOf(values, x, scale.y), peak: peak >= 0 ? format(peak) : 'no requests', faultTarget: s.service === t.faultTarget };
      }),
    };
  };
  return [
    chart('p50', 'Request latency p50', (s) => s.p50Ms, true, formatMs),
    chart('p99', 'Request latency p99', (s) => s.p99Ms, true, formatMs),
    chart('errors', 'Error rate', (s) => s.errorRate, false, formatPercent),
  ];
}
