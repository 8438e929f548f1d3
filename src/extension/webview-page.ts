/**
 * What the extension's two webview pages (the transcript and the evaluation view) share: the HTML shell with a
 * per-load nonce under a strict Content-Security-Policy, and the DOM queries the integration tests ask the page.
 */
import { randomBytes } from 'node:crypto';
import * as vscode from 'vscode';

export interface PageShell {
  title: string;
  /** The bundle under dist/ that renders the page. */
  script: string;
  /** CSP directives besides default-src 'none' and the nonce'd script (style, image and font sources). */
  csp(nonce: string): string[];
  /** What goes in <head> after the meta tags (styles). */
  head(nonce: string): string;
  /** The page's body before the script (the mount point with its loading text). */
  body: string;
}

export function webviewHtml(webview: vscode.Webview, extensionUri: vscode.Uri, page: PageShell): string {
  const nonce = randomBytes(16).toString('base64');
  const script = webview.asWebviewUri(vscode.Uri.joinPath(extensionUri, 'dist', page.script)).toString();
  const csp = [`default-src 'none'`, ...page.csp(nonce), `script-src 'nonce-${nonce}'`].join('; ');
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
${page.head(nonce)}
<title>${page.title}</title>
</head>
<body>
${page.body}
<script nonce="${nonce}" src="${script}"></script>
</body>
</html>`;
}

export interface DomAnswer {
  count: number;
  texts: string[];
}

/** The page's answers to `query-dom` requests, matched by id; a closed page answers every open one with count -1. */
export class DomQueries {
  private readonly pending = new Map<number, (r: DomAnswer) => void>();
  private nextId = 1;

  ask(post: (message: { type: 'query-dom'; id: number; selector: string }) => void, selector: string): Promise<DomAnswer> {
    const id = this.nextId++;
    return new Promise((resolve) => {
      this.pending.set(id, resolve);
      post({ type: 'query-dom', id, selector });
    });
  }

  answer(reply: { id: number } & DomAnswer): void {
    const resolve = this.pending.get(reply.id);
    this.pending.delete(reply.id);
    resolve?.({ count: reply.count, texts: reply.texts });
  }

  cancelAll(): void {
    for (const resolve of this.pending.values()) resolve({ count: -1, texts: [] });
    this.pending.clear();
  }
}
