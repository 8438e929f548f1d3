/**
 * The message listener both pages use: the host's test requests (the text of the elements matching a selector, a
 * click on one) are answered here; every other message goes to the page's own handler.
 */
type TestRequest = { type: 'query-dom'; id: number; selector: string } | { type: 'click'; selector: string };
type DomReply = { type: 'dom'; id: number; count: number; texts: string[] };

/** At most this many texts go back per query (a transcript may hold thousands of turns; the count says how many). */
const MAX_TEXTS = 200;

export function listenToHost<M extends { type: string }>(reply: (m: DomReply) => void, handle: (m: Exclude<M, TestRequest>) => void): void {
  window.addEventListener('message', (event: MessageEvent<M | TestRequest>) => {
    const m = event.data;
    if (m.type === 'query-dom') {
      const q = m as Extract<TestRequest, { type: 'query-dom' }>;
      const nodes = [...document.querySelectorAll(q.selector)];
      reply({ type: 'dom', id: q.id, count: nodes.length, texts: nodes.slice(0, MAX_TEXTS).map((n) => (n.textContent ?? '').trim()) });
    } else if (m.type === 'click') {
      (document.querySelector((m as TestRequest).selector) as HTMLElement | null)?.click();
    } else {
      handle(m as Exclude<M, TestRequest>);
    }
  });
}
