/**
 * Caps an observation so one noisy command cannot flood an agent's context. Keeps the head and the tail (the end of
 * a log is usually what matters) and says exactly what was cut, so the agent can narrow its command.
 */
export function capOutput(text: string, maxChars: number): string {
  if (maxChars <= 0 || text.length <= maxChars) return text;
  const headChars = Math.floor(maxChars * 0.4);
  const tailChars = maxChars - headChars;
  const cut = text.slice(headChars, text.length - tailChars);
  const cutLines = countLines(cut);
  return (
    text.slice(0, headChars) +
    `\n[… output truncated: ${cut.length} characters (${cutLines} lines) cut from the middle of ${text.length}; ` +
    'narrow the command (grep, --tail, -o jsonpath, head) to see that part …]\n' +
    text.slice(text.length - tailChars)
  );
}

function countLines(s: string): number {
  let n = 1;
  for (let i = 0; i < s.length; i++) if (s.charCodeAt(i) === 10) n++;
  return n;
}
