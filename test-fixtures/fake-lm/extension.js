// A scripted language model for the AIOpsLab integration tests (never shipped). When AIOpsLab tools are offered it
// investigates once with exec_shell, then submits "Yes" (a detection answer); otherwise it answers with text.
const vscode = require('vscode');

function countToolResults(messages) {
  let n = 0;
  for (const m of messages) for (const p of m.content) if (p instanceof vscode.LanguageModelToolResultPart) n++;
  return n;
}

exports.activate = (context) => {
  context.subscriptions.push(
    vscode.lm.registerLanguageModelChatProvider('fake-lm', {
      provideLanguageModelChatInformation: () => [
        { id: 'scripted', name: 'Scripted SRE', family: 'fake', version: '1', maxInputTokens: 100000, maxOutputTokens: 4000, capabilities: { toolCalling: true }, isUserSelectable: true },
      ],
      async provideLanguageModelChatResponse(_model, messages, options, progress) {
        const tools = (options.tools || []).map((t) => t.name);
        const done = countToolResults(messages);
        if (tools.includes('aiopslab_exec_shell') && done === 0) {
          progress.report(new vscode.LanguageModelTextPart('Let me look at the pods first.'));
          progress.report(new vscode.LanguageModelToolCallPart('call-1', 'aiopslab_exec_shell', { command: 'kubectl get pods -A' }));
          return;
        }
        if (tools.includes('aiopslab_submit') && done === 1) {
          progress.report(new vscode.LanguageModelToolCallPart('call-2', 'aiopslab_submit', { has_anomaly: 'Yes' }));
          return;
        }
        if (tools.includes('exec_shell') && done === 0) {
          progress.report(new vscode.LanguageModelToolCallPart('call-a', 'exec_shell', { command: 'kubectl get pods -A' }));
          return;
        }
        if (tools.includes('submit') && done >= 1) {
          progress.report(new vscode.LanguageModelToolCallPart('call-b', 'submit', { has_anomaly: 'Yes' }));
          return;
        }
        // Text protocol (no tools offered, our system prompt present): one fenced call per reply.
        const all = messages.map((m) => m.content.map((p) => (p instanceof vscode.LanguageModelTextPart ? p.value : '')).join('')).join('\n');
        if (!tools.length && all.includes('submit(')) {
          const replies = messages.filter((m) => m.role === vscode.LanguageModelChatMessageRole.Assistant).length;
          progress.report(new vscode.LanguageModelTextPart(replies === 0 ? 'Thought: look at the pods\nAction:\n```\nexec_shell("kubectl get pods -A")\n```' : 'Action:\n```\nsubmit("Yes")\n```'));
          return;
        }
        const last = messages[messages.length - 1];
        const text = last ? last.content.map((p) => (p instanceof vscode.LanguageModelTextPart ? p.value : '')).join('') : '';
        progress.report(new vscode.LanguageModelTextPart(`fake reply to: ${text.slice(0, 40)}`));
      },
      provideTokenCount: async (_m, t) => (typeof t === 'string' ? Math.ceil(t.length / 4) : 10),
    }),
  );
};
