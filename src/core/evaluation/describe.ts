/** A short, readable rendering of an agent's answer for verdicts. */
export function describeAnswer(v: unknown): string {
  if (v === undefined) return 'nothing';
  if (v === null) return 'None';
  try {
    const s = JSON.stringify(v);
    return s.length > 120 ? `${s.slice(0, 117)}...` : s;
  } catch {
    return String(v);
  }
}
