/**
 * The baseline's reading of traces: what an SRE sees when nothing in the cluster's objects explains a symptom. From a
 * get_traces export it summarises every client call between two services (gRPC operations `/<pkg>.<Svc>/<Method>`
 * recorded by the caller) — how many, their mean duration, how many failed — with one `awk` over the CSV, and names
 * the callee that is far slower than every other (a network delay on its pod) or whose calls mostly fail.
 */
import type { Finding } from './baseline-rules';

export interface CallStats {
  caller: string;
  callee: string;
  count: number;
  meanUs: number;
  errors: number;
  /** Calls that took 1 s or more. */
  slow: number;
}

/**
 * One line per caller → callee pair: `<caller> <callee> <count> <mean µs> <errors> <calls ≥ 1 s>`. Columns of the export:
 * trace_id, span_id, parent_span, service_name, operation_name, start_time, duration, has_error, response.
 */
export function callStatsCommand(csvFile: string): string {
  const program = 'NR>1 && $5 ~ /^\\/[A-Za-z]+\\.[A-Za-z]+\\// { split($5, op, "/"); split(op[2], pkg, "."); callee = tolower(pkg[1]); '
    + 'if (callee == $4) next; k = $4 " " callee; n[k]++; d[k] += $7; if ($8 == "True") e[k]++; if ($7 >= 1000000) s[k]++ } '
    + 'END { for (k in n) printf "%s %d %d %d %d\\n", k, n[k], d[k] / n[k], e[k], s[k] }';
  return `echo '### calls'; awk -F, '${program}' '${csvFile.replace(/'/g, `'\\''`)}'; echo '### end'`;
}

export function parseCallStats(text: string): CallStats[] {
  return text.split(/\r?\n/).map((l) => l.trim().split(/\s+/)).filter((f) => f.length >= 5 && /^\d+$/.test(f[2]))
    .map(([caller, callee, count, mean, errors, slow]) => ({ caller, callee, count: Number(count), meanUs: Number(mean), errors: Number(errors), slow: Number(slow ?? 0) }));
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0;

/**
 * Calls into one service take ≥ 1 s on average, ten times the median of all pairs, and most of them are slow: time
 * spent on its network. (A few late calls among fast ones are the aftermath of something past, e.g. calls held up by
 * an earlier packet loss completing once it ended.)
 */
export function ruleSlowCalls(snap: { calls: CallStats[] }): Finding[] {
  if (snap.calls.length < 3) return [];
  const typical = median(snap.calls.map((c) => c.meanUs));
  return snap.calls
    .filter((c) => c.meanUs >= 1_000_000 && c.meanUs >= 10 * Math.max(typical, 1_000) && c.slow * 2 > c.count)
    .map((c) => ({
      target: c.callee,
      rule: 'slow-calls',
      evidence: `${c.caller} → ${c.callee}: ${c.count} call(s), mean ${(c.meanUs / 1e6).toFixed(1)} s (typical call ${(typical / 1e3).toFixed(1)} ms)`,
      score: 84,
      analysis: { system_level: 'Hardware', fault_type: 'Network/Storage Issue' },
    }));
}

/** Most calls into one service fail (at least 3, at least half), while calls elsewhere succeed. */
export function ruleFailingCalls(snap: { calls: CallStats[] }): Finding[] {
  const failing = snap.calls.filter((c) => c.count >= 3 && c.errors * 2 >= c.count);
  if (failing.length === 0 || failing.length * 2 > snap.calls.length) return [];
  return failing.map((c) => ({
    target: c.callee,
    rule: 'failing-calls',
    evidence: `${c.caller} → ${c.callee}: ${c.errors} of ${c.count} call(s) failed`,
    score: 60,
  }));
}
