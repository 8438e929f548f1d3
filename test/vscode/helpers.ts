/** Helpers shared by the extension-host suites: waiting on events and conditions, and driving @aiopslab in the chat. */
import * as vscode from 'vscode';
import type { AiopsLabApi } from '../../src/extension/extension';

export function waitFor<T>(event: vscode.Event<T>, pred: (v: T) => boolean, what: string, ms = 30_000): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      sub.dispose();
      reject(new Error(`timed out waiting for ${what}`));
    }, ms);
    const sub = event((v) => {
      if (pred(v)) {
        clearTimeout(timer);
        sub.dispose();
        resolve(v);
      }
    });
  });
}

export async function until<T>(fn: () => Promise<T | undefined> | T | undefined, what: string, ms = 20_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v !== undefined && v !== false) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Sends a chat query and waits for our participant to finish it; retried while the chat has not picked a model yet. */
export async function chat(api: AiopsLabApi, query: string, command: string | undefined): Promise<{ command?: string; prompt: string; result: vscode.ChatResult; markdown: string }> {
  for (let attempt = 1; ; attempt++) {
    const handled = waitFor(api.chat.onDidHandle.event, (h) => h.command === command, `chat "${query}"`, attempt < 4 ? 15_000 : 30_000);
    await vscode.commands.executeCommand('workbench.action.chat.open', { query });
    try {
      return await handled;
    } catch (e) {
      // "Language model unavailable": the chat view had not selected the fake model yet.
      if (attempt >= 4) throw e;
      await new Promise((r) => setTimeout(r, 1000));
    }
  }
}

