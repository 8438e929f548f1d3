/**
 * Agent replies in editors (language `aiopslab-reply`): a CodeLens per fenced block with the parsed call and
 * "Run in session"; diagnostics at the offending range (parser errors, unknown APIs, arguments that do not fit the
 * action, strings joined for want of a comma) with quick fixes; a hover with args and kwargs. Checked against the
 * task of the session running now, if any.
 */
import * as vscode from 'vscode';
import type { EngineHost } from '../host';
import type { TaskType } from '../../core/tasks/task-type';
import { analyseReplies, hoverMarkdown, type ReplyBlock } from '../model/reply-analysis';

export const REPLY_LANGUAGE = 'aiopslab-reply';

/**
 * Opens a past agent reply beside the transcript as an aiopslab-reply document named `<name>.aiops-reply` (an
 * untitled document made from content alone is named after its first line, e.g. "Thought: the pods look…").
 */
export async function openReplyDocument(text: string, name: string): Promise<vscode.TextEditor> {
  const doc = await vscode.workspace.openTextDocument(vscode.Uri.from({ scheme: 'untitled', path: `${name}.aiops-reply` }));
  const editor = await vscode.window.showTextDocument(doc, { viewColumn: vscode.ViewColumn.Beside, preview: true });
  // Opened again: the document may hold the reply already, or what the user typed since.
  if (doc.getText() !== text) await editor.edit((e) => e.replace(new vscode.Range(doc.positionAt(0), doc.positionAt(doc.getText().length)), text));
  if (doc.languageId !== REPLY_LANGUAGE) await vscode.languages.setTextDocumentLanguage(doc, REPLY_LANGUAGE);
  return editor;
}

export function registerReplyTools(host: EngineHost): vscode.Disposable[] {
  const diagnostics = vscode.languages.createDiagnosticCollection('aiopslab-reply');
  const cache = new WeakMap<vscode.TextDocument, { version: number; blocks: ReplyBlock[] }>();
  const blocksOf = (doc: vscode.TextDocument): ReplyBlock[] => {
    const hit = cache.get(doc);
    if (hit && hit.version === doc.version) return hit.blocks;
    const blocks = analyseReplies(doc.getText(), { task: host.currentInteractive()?.transcript.header.task as TaskType | undefined });
    cache.set(doc, { version: doc.version, blocks });
    return blocks;
  };
  const range = (doc: vscode.TextDocument, start: number, end: number) => new vscode.Range(doc.positionAt(start), doc.positionAt(end));
  const update = (doc: vscode.TextDocument) => {
    if (doc.languageId !== REPLY_LANGUAGE) return;
    diagnostics.set(
      doc.uri,
      blocksOf(doc).flatMap((b) =>
        b.diagnostics.map((x) => {
          const d = new vscode.Diagnostic(range(doc, x.start, x.end), x.message, x.severity === 'warning' ? vscode.DiagnosticSeverity.Warning : vscode.DiagnosticSeverity.Error);
          d.source = 'AIOpsLab';
          d.code = x.code;
          return d;
        }),
      ),
    );
  };
  const lensEmitter = new vscode.EventEmitter<void>();
  const selector: vscode.DocumentSelector = { language: REPLY_LANGUAGE };
  const disposables: vscode.Disposable[] = [
    diagnostics,
    lensEmitter,
    vscode.workspace.onDidOpenTextDocument(update),
    vscode.workspace.onDidChangeTextDocument((e) => update(e.document)),
    vscode.workspace.onDidCloseTextDocument((d) => diagnostics.delete(d.uri)),
    host.onDidChangeSessions(() => lensEmitter.fire()),
    vscode.languages.registerCodeLensProvider(selector, {
      onDidChangeCodeLenses: lensEmitter.event,
      provideCodeLenses: (doc) => {
        const lenses: vscode.CodeLens[] = [];
        const running = host.currentInteractive() !== undefined;
        for (const b of blocksOf(doc)) {
          const r = range(doc, b.start, b.start);
          if (b.call) {
            lenses.push(new vscode.CodeLens(r, { title: `$(symbol-method) ${b.call.text.length > 80 ? b.call.text.slice(0, 77) + '...' : b.call.text}`, command: 'aiopslab.parseReply', arguments: [b.text] }));
            if (running) lenses.push(new vscode.CodeLens(r, { title: '$(play) Run in session', command: 'aiopslab.sendAction', arguments: [b.text] }));
          } else {
            const error = b.diagnostics.find((d) => d.severity === 'error');
            if (error) lenses.push(new vscode.CodeLens(r, { title: `$(error) ${error.code}: not a valid action`, command: 'aiopslab.parseReply', arguments: [b.text] }));
          }
        }
        return lenses;
      },
    }),
    vscode.languages.registerHoverProvider(selector, {
      provideHover: (doc, pos) => {
        const offset = doc.offsetAt(pos);
        const b = blocksOf(doc).find((x) => offset >= x.start && offset <= x.end);
        const md = b && hoverMarkdown(b);
        return b && md ? new vscode.Hover(new vscode.MarkdownString(md), range(doc, b.start, b.end)) : undefined;
      },
    }),
    vscode.languages.registerCodeActionsProvider(selector, {
      provideCodeActions: (doc, r) => {
        const actions: vscode.CodeAction[] = [];
        for (const b of blocksOf(doc)) {
          for (const x of b.diagnostics) {
            if (!x.fix || !range(doc, x.start, x.end).intersection(r)) continue;
            const action = new vscode.CodeAction(x.fix.title, vscode.CodeActionKind.QuickFix);
            action.edit = new vscode.WorkspaceEdit();
            for (const e of x.fix.edits) action.edit.replace(doc.uri, range(doc, e.start, e.end), e.text);
            action.isPreferred = true;
            actions.push(action);
          }
        }
        return actions;
      },
    }, { providedCodeActionKinds: [vscode.CodeActionKind.QuickFix] }),
  ];
  for (const doc of vscode.workspace.textDocuments) update(doc);
  return disposables;
}
