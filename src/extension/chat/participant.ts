/**
 * @aiopslab: start a problem, let the selected chat model act as the agent through our language-model tools (each
 * tool call = one step of the session; the tool result = the observation), or act as the agent yourself (/human:
 * each message is an API call or a shell command).
 */
import * as vscode from 'vscode';
import type { EngineHost, LiveSession } from '../host';
import { humanTextToTurn, splitArgs, submitCallFromText } from '../model/chat-input';
import { formatAction } from '../model/transcript-model';
import { TOOL_PREFIX } from '../model/tool-schemas';
import { renderSystemPrompt } from '../../agents/prompts';
import { statusText } from '../tools/status';
import { BYO_VENDOR, NO_MODEL_ID } from '../byo/provider';

export const PARTICIPANT_ID = 'aiopslab.chat';

interface ChatResultMeta {
  sessionId?: string;
  mode?: 'agent' | 'human';
  command?: string;
}

const OBS_LIMIT = 3000;

/** The part of the chat response stream the participant writes to. */
interface Out {
  markdown(text: string): void;
  progress(text: string): void;
  button(command: vscode.Command): void;
}

function fence(text: string, lang = ''): string {
  const cut = text.length > OBS_LIMIT ? `${text.slice(0, OBS_LIMIT)}\n… (${text.length - OBS_LIMIT} more characters in the transcript)` : text;
  const ticks = /```/.test(cut) ? '````' : '```';
  return `${ticks}${lang}\n${cut}\n${ticks}\n`;
}

export class AiopsChatParticipant {
  /** Sessions the person drives by typing (from /human). */
  private readonly humanSessions = new Set<string>();
  /** Fired after each handled request (tests wait on it). */
  readonly onDidHandle = new vscode.EventEmitter<{ command?: string; prompt: string; result: vscode.ChatResult; markdown: string }>();

  constructor(private readonly host: EngineHost, private readonly extensionUri: vscode.Uri) {}

  register(): vscode.Disposable {
    const participant = vscode.chat.createChatParticipant(PARTICIPANT_ID, (req, ctx, stream, token) => this.handle(req, ctx, stream, token));
    participant.iconPath = vscode.Uri.joinPath(this.extensionUri, 'media', 'aiopslab.svg');
    participant.followupProvider = {
      provideFollowups: (result: vscode.ChatResult) => {
        const meta = result.metadata as ChatResultMeta | undefined;
        const live = meta?.sessionId ? this.host.get(meta.sessionId) : undefined;
        if (!live || live.transcript.finished) return [{ prompt: '', label: 'Start another problem', command: 'start' }];
        if (meta?.mode === 'human') return [{ prompt: '', label: 'Show status', command: 'status' }, { prompt: '', label: 'Stop the session', command: 'stop' }];
        return [
          { prompt: '', label: 'Let the model investigate', command: 'agent' },
          { prompt: '', label: 'Show status', command: 'status' },
        ];
      },
    };
    return vscode.Disposable.from(participant, this.onDidHandle);
  }

  async handle(request: vscode.ChatRequest, _context: vscode.ChatContext, stream: vscode.ChatResponseStream, token: vscode.CancellationToken): Promise<vscode.ChatResult> {
    let markdown = '';
    // The response stream is a frozen object: record what we write through a small wrapper instead.
    const out: Out = {
      markdown: (v) => {
        markdown += v;
        stream.markdown(v);
      },
      progress: (v) => stream.progress(v),
      button: (c) => stream.button(c),
    };
    let result: vscode.ChatResult;
    try {
      result = await this.dispatch(request, out, token);
    } catch (e) {
      const message = (e as Error).message;
      out.markdown(`**Error:** ${message}\n`);
      result = { errorDetails: { message }, metadata: { command: request.command } };
    }
    this.onDidHandle.fire({ command: request.command, prompt: request.prompt, result, markdown });
    return result;
  }

  private async dispatch(request: vscode.ChatRequest, stream: Out, token: vscode.CancellationToken): Promise<vscode.ChatResult> {
    const args = splitArgs(request.prompt);
    switch (request.command) {
      case 'start':
        return this.start(request, stream, token, args, false);
      case 'human':
        return this.start(request, stream, token, args, true);
      case 'agent': {
        const live = this.host.currentInteractive();
        if (!live) throw new Error('No session is running. Start one with `/start <problem-id>`.');
        return this.runAgent(live, request, stream, token);
      }
      case 'status':
        stream.markdown(fence(statusText(this.host)));
        return { metadata: { command: 'status', sessionId: this.host.currentInteractive()?.id } };
      case 'submit': {
        const live = this.requireSession();
        const call = submitCallFromText(live.transcript.header.task, request.prompt);
        return this.humanStep(live, call, stream);
      }
      case 'stop': {
        const live = this.requireSession();
        const record = await this.host.stop(live);
        this.humanSessions.delete(live.id);
        stream.markdown(`Stopped session \`${live.id}\` (${record?.status ?? 'ended'}); the fault was recovered.\n`);
        return { metadata: { command: 'stop', sessionId: live.id } };
      }
      default: {
        const live = this.host.currentInteractive();
        if (live && this.humanSessions.has(live.id)) return this.humanStep(live, request.prompt, stream);
        if (live) return this.runAgent(live, request, stream, token);
        if (args.length === 1 && /^[\w.-]+-\d+$/.test(args[0])) return this.start(request, stream, token, args, false);
        stream.markdown(
          'I run AIOpsLab incident problems. Try:\n\n' +
            '- `/start <problem-id>` — deploy the app, inject the fault and show the task; then `/agent` lets this model investigate with the AIOpsLab tools\n' +
            '- `/human <problem-id>` — act as the agent yourself: type `get_logs("ns", "svc")`, `kubectl get pods -n ns`, then `/submit …`\n' +
            '- `/status`, `/submit <answer>`, `/stop`\n',
        );
        const some = this.host.engine.listProblems().slice(0, 5).map((p) => `\`${p.id}\``);
        stream.markdown(`\nSome problems: ${some.join(', ')} (all of them in the AIOpsLab Problems view).\n`);
        return { metadata: {} };
      }
    }
  }

  private requireSession(): LiveSession {
    const live = this.host.currentInteractive();
    if (!live) throw new Error('No session is running. Start one with `/start <problem-id>` or `/human <problem-id>`.');
    return live;
  }

  private async start(request: vscode.ChatRequest, stream: Out, token: vscode.CancellationToken, args: string[], human: boolean): Promise<vscode.ChatResult> {
    const problemId = args[0];
    if (!problemId) throw new Error(`Name the problem: \`/${human ? 'human' : 'start'} <problem-id>\`, e.g. \`/${human ? 'human' : 'start'} ${this.host.engine.listProblems()[0]?.id ?? 'noop_detection_hotel_reservation-1'}\`.`);
    this.host.engine.problem(problemId); // unknown IDs fail here with suggestions
    const maxSteps = args[1] && /^\d+$/.test(args[1]) ? Number(args[1]) : undefined;
    const existing = this.host.currentInteractive();
    if (existing) throw new Error(`Session \`${existing.id}\` (${existing.problemId}) is still running; \`/stop\` it first.`);
    stream.progress(`Starting ${problemId}: deploying the app and injecting the fault…`);
    const agentName = human ? 'human' : `vscode-lm:${request.model.vendor}/${request.model.id}`;
    const live = await this.host.startInteractive({ problemId, agentName, maxSteps });
    if (human) this.humanSessions.add(live.id);
    const ctx = live.interactive?.context;
    stream.markdown(`**Session \`${live.id}\` started** — ${live.transcript.header.task} task on ${live.transcript.header.app}, budget ${live.transcript.header.maxSteps} steps.\n\n`);
    if (ctx) stream.markdown(`${ctx.problemDescription.trim()}\n\n${ctx.instructions.trim()}\n\n`);
    stream.button({ command: 'aiopslab.openTranscript', title: 'Open transcript', arguments: [{ session_id: live.id }] });
    if (human) {
      stream.markdown('\nYou are the agent. Send one action per message: an API call such as `get_logs("<namespace>", "<service>")` or a shell command such as `kubectl get pods -n <namespace>`; finish with `/submit <answer>`.\n');
      return { metadata: { sessionId: live.id, mode: 'human', command: request.command } };
    }
    if (request.command === 'start' && !/--agent\b/.test(request.prompt)) {
      stream.markdown('\nSay `/agent` to let the selected model investigate with the AIOpsLab tools, or act yourself with API calls.\n');
      return { metadata: { sessionId: live.id, mode: 'agent', command: request.command } };
    }
    return this.runAgent(live, request, stream, token);
  }

  private async humanStep(live: LiveSession, text: string, stream: Out): Promise<vscode.ChatResult> {
    const turn = humanTextToTurn(text);
    const result = await this.host.step(live, turn);
    const step = live.transcript.steps.find((s) => s.step === result.step);
    if (result.parseError) stream.markdown(`**Could not parse that action.**\n\n${fence(result.parseError)}`);
    else if (step?.action) stream.markdown(`**Step ${result.step + 1}** \`${formatAction(step.action)}\`\n\n${fence(result.observation)}`);
    else stream.markdown(fence(result.observation));
    if (result.done) this.finish(live, stream);
    return { metadata: { sessionId: live.id, mode: 'human', command: 'human' } };
  }

  private finish(live: LiveSession, stream: Out): void {
    this.humanSessions.delete(live.id);
    const r = live.transcript.results;
    const v = r?.verdict;
    if (v) stream.markdown(`\n### ${v.success ? '✅ Solved' : '❌ Not solved'}\n${v.explanation}\n\nExpected: \`${JSON.stringify(v.expected)}\` · Given: \`${JSON.stringify(v.given)}\`\n`);
    else stream.markdown(`\nThe session ended (${live.transcript.header.status}${r?.error ? `: ${r.error}` : ''}).\n`);
    stream.button({ command: 'aiopslab.openTranscript', title: 'Open transcript', arguments: [{ session_id: live.id }] });
  }

  /** The tool-calling loop: the request's model acts; each tool call is a step; stops at the budget, the end or cancel. */
  private async runAgent(live: LiveSession, request: vscode.ChatRequest, stream: Out, token: vscode.CancellationToken): Promise<vscode.ChatResult> {
    const model = request.model;
    if (model.vendor === BYO_VENDOR && model.id === NO_MODEL_ID) {
      throw new Error('The selected entry "AIOpsLab (no model)" is not a language model, so it cannot investigate. Pick a real model in the chat\'s model picker, or act yourself: send API calls or shell commands, then `/submit <answer>`.');
    }
    const ctx = live.interactive?.context;
    if (!ctx) throw new Error('The session has no task context yet.');
    const tools = vscode.lm.tools
      .filter((t) => t.name.startsWith(TOOL_PREFIX) && t.name !== `${TOOL_PREFIX}status`)
      .map((t) => ({ name: t.name, description: t.description, inputSchema: t.inputSchema }));
    if (!tools.length) throw new Error('The AIOpsLab tools are not available (no session running?).');
    const system = renderSystemPrompt(ctx.problemDescription, ctx.apis, { showAllApis: true, protocol: 'tools' }).replace(/\b(exec_shell|get_logs|get_metrics|get_traces|read_metrics|read_traces|submit)\b(?=\s*\n)/g, `${TOOL_PREFIX}$1`);
    const messages: vscode.LanguageModelChatMessage[] = [vscode.LanguageModelChatMessage.User(`${system}\n\n${ctx.instructions}${request.command === 'agent' && request.prompt.trim() ? `\n\nThe user adds: ${request.prompt.trim()}` : ''}`)];
    let nudges = 0;
    // Bounded even if every call fails (e.g. the user declines confirmations): the session's own budget counts steps only.
    const maxRequests = live.transcript.header.maxSteps * 2 + 5;
    for (let requests = 0; requests < maxRequests && !token.isCancellationRequested && live.interactive && !live.interactive.done; requests++) {
      const response = await model.sendRequest(messages, { tools }, token);
      let text = '';
      const calls: vscode.LanguageModelToolCallPart[] = [];
      for await (const part of response.stream) {
        if (part instanceof vscode.LanguageModelTextPart) {
          text += part.value;
          stream.markdown(part.value);
        } else if (part instanceof vscode.LanguageModelToolCallPart) calls.push(part);
      }
      if (!calls.length) {
        messages.push(vscode.LanguageModelChatMessage.Assistant(text || '(no reply)'));
        if (++nudges > 2) {
          stream.markdown('\n\nThe model stopped calling tools; the session is still running — `/agent` to continue, or act yourself.\n');
          break;
        }
        messages.push(vscode.LanguageModelChatMessage.User('Act by calling exactly one of the AIOpsLab tools now.'));
        continue;
      }
      nudges = 0;
      const call = calls[0];
      const stepNo = live.transcript.header.steps + 1;
      stream.progress(`Step ${stepNo}: ${call.name.slice(TOOL_PREFIX.length)}`);
      let resultText: string;
      try {
        const result = await vscode.lm.invokeTool(call.name, { input: call.input, toolInvocationToken: request.toolInvocationToken }, token);
        resultText = result.content.map((p) => (p instanceof vscode.LanguageModelTextPart ? p.value : '')).join('');
      } catch (e) {
        resultText = `Error: ${(e as Error).message}`;
      }
      stream.markdown(`\n\n**Step ${stepNo}** \`${call.name.slice(TOOL_PREFIX.length)}(${JSON.stringify(call.input)})\`\n\n${fence(resultText)}`);
      messages.push(vscode.LanguageModelChatMessage.Assistant(text ? [new vscode.LanguageModelTextPart(text), call] : [call]));
      messages.push(vscode.LanguageModelChatMessage.User([new vscode.LanguageModelToolResultPart(call.callId, [new vscode.LanguageModelTextPart(resultText)])]));
    }
    if (live.interactive?.done) {
      await live.finished;
      this.finish(live, stream);
    }
    return { metadata: { sessionId: live.id, mode: 'agent', command: request.command } };
  }
}
