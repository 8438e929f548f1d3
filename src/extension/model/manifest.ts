/**
 * The extension's manifest contributions as data. `scripts/gen-contributes.mjs` writes them into package.json and a
 * unit test checks that package.json still matches, so commands, menus, settings and the tool schemas cannot drift
 * from the code (the tool schemas come from the engine's action definitions).
 */
import { configurationProperties } from './settings';
import { lmToolContributions, SESSION_CONTEXT_KEY } from './tool-schemas';

export interface CommandSpec {
  command: string;
  title: string;
  icon?: string;
  /** Shown in the command palette (commands that need a tree item are not). */
  palette?: boolean | string;
}

export const COMMANDS: readonly CommandSpec[] = [
  { command: 'aiopslab.startProblem', title: 'Start Problem…', icon: '$(play-circle)' },
  { command: 'aiopslab.runAgent', title: 'Run Agent on Problem…', icon: '$(play)' },
  { command: 'aiopslab.actAsHuman', title: 'Act as Human Agent', icon: '$(person)' },
  { command: 'aiopslab.sendAction', title: 'Send Action to Session…', icon: '$(send)', palette: SESSION_CONTEXT_KEY },
  { command: 'aiopslab.stopSession', title: 'Stop Session', icon: '$(debug-stop)' },
  { command: 'aiopslab.submit', title: 'Submit…', icon: '$(check)', palette: SESSION_CONTEXT_KEY },
  { command: 'aiopslab.openTranscript', title: 'Open Transcript', icon: '$(open-preview)' },
  { command: 'aiopslab.runSuite', title: 'Run Evaluation Suite…', icon: '$(run-all)' },
  { command: 'aiopslab.openEvaluation', title: 'Open Evaluation (Leaderboard)', icon: '$(graph)' },
  { command: 'aiopslab.recover', title: 'Recover Leftover Faults', icon: '$(debug-restart)' },
  { command: 'aiopslab.openClusterTerminal', title: 'Open Cluster Terminal', icon: '$(terminal)' },
  { command: 'aiopslab.setApiKey', title: 'Set API Key…', icon: '$(key)' },
  { command: 'aiopslab.parseReply', title: 'Parse Agent Reply', icon: '$(symbol-method)' },
  { command: 'aiopslab.openDefinition', title: 'Open Definition', icon: '$(go-to-file)', palette: false },
  { command: 'aiopslab.refresh', title: 'Refresh', icon: '$(refresh)' },
  { command: 'aiopslab.replaySession', title: 'Replay', icon: '$(history)', palette: false },
  { command: 'aiopslab.reevaluateSession', title: 'Re-evaluate', icon: '$(checklist)', palette: false },
  { command: 'aiopslab.exportSession', title: 'Export JSON', icon: '$(export)', palette: false },
  { command: 'aiopslab.deleteSession', title: 'Delete', icon: '$(trash)', palette: false },
];

const PROBLEM = 'view == aiopslab.problems && viewItem =~ /^problem/';
const SESSION = 'view == aiopslab.sessions && viewItem =~ /^session/';
/** A saved session (`session.final`: one that cannot be scored again — mitigation, cancelled, failed). */
const SAVED = 'view == aiopslab.sessions && viewItem =~ /^session(\\.final)?$/';

export function contributes(): Record<string, unknown> {
  return {
    viewsContainers: {
      activitybar: [{ id: 'aiopslab', title: 'AIOpsLab', icon: 'media/aiopslab.svg' }],
    },
    views: {
      aiopslab: [
        { id: 'aiopslab.problems', name: 'Problems', icon: 'media/aiopslab.svg', contextualTitle: 'AIOpsLab' },
        { id: 'aiopslab.sessions', name: 'Sessions', icon: 'media/aiopslab.svg', contextualTitle: 'AIOpsLab' },
      ],
    },
    languages: [
      { id: 'aiopslab-reply', aliases: ['AIOpsLab agent reply', 'aiopslab-reply'], extensions: ['.aiops-reply'] },
    ],
    viewsWelcome: [
      { view: 'aiopslab.sessions', contents: 'No sessions yet.\n[Start Problem…](command:aiopslab.startProblem)\n[Run Evaluation Suite…](command:aiopslab.runSuite)' },
    ],
    commands: COMMANDS.map((c) => ({ command: c.command, title: c.title, category: 'AIOpsLab', ...(c.icon ? { icon: c.icon } : {}) })),
    menus: {
      commandPalette: COMMANDS.filter((c) => c.palette !== undefined && c.palette !== true).map((c) => ({ command: c.command, when: c.palette === false ? 'false' : String(c.palette) })),
      'view/title': [
        { command: 'aiopslab.startProblem', when: 'view == aiopslab.problems', group: 'navigation@1' },
        { command: 'aiopslab.runSuite', when: 'view == aiopslab.problems', group: 'navigation@2' },
        { command: 'aiopslab.openEvaluation', when: 'view == aiopslab.sessions', group: 'navigation@2' },
        { command: 'aiopslab.refresh', when: 'view == aiopslab.problems || view == aiopslab.sessions', group: 'navigation@9' },
        { command: 'aiopslab.stopSession', when: `view == aiopslab.sessions && ${SESSION_CONTEXT_KEY}`, group: 'navigation@1' },
        { command: 'aiopslab.recover', when: 'view == aiopslab.sessions', group: '2_maintenance' },
        { command: 'aiopslab.setApiKey', when: 'view == aiopslab.problems', group: '2_maintenance' },
      ],
      'view/item/context': [
        { command: 'aiopslab.runAgent', when: PROBLEM, group: 'inline@1' },
        { command: 'aiopslab.actAsHuman', when: PROBLEM, group: 'inline@2' },
        { command: 'aiopslab.openDefinition', when: PROBLEM, group: 'inline@3' },
        { command: 'aiopslab.runAgent', when: PROBLEM, group: '1_run@1' },
        { command: 'aiopslab.actAsHuman', when: PROBLEM, group: '1_run@2' },
        { command: 'aiopslab.openDefinition', when: PROBLEM, group: '2_open@1' },
        { command: 'aiopslab.openTranscript', when: SESSION, group: 'inline@1' },
        { command: 'aiopslab.stopSession', when: 'view == aiopslab.sessions && viewItem == session.running', group: 'inline@2' },
        { command: 'aiopslab.openTranscript', when: SESSION, group: '1_open@1' },
        { command: 'aiopslab.replaySession', when: SAVED, group: '1_open@2' },
        { command: 'aiopslab.openClusterTerminal', when: 'view == aiopslab.sessions && viewItem == session.running', group: '1_open@3' },
        { command: 'aiopslab.reevaluateSession', when: 'view == aiopslab.sessions && viewItem == session', group: '1_open@4' },
        { command: 'aiopslab.exportSession', when: SAVED, group: '2_file@1' },
        { command: 'aiopslab.deleteSession', when: SAVED, group: '2_file@2' },
        { command: 'aiopslab.stopSession', when: 'view == aiopslab.sessions && viewItem == session.running', group: '3_session@1' },
      ],
      'editor/context': [{ command: 'aiopslab.parseReply', when: 'editorHasSelection', group: 'aiopslab@1' }],
    },
    configuration: {
      title: 'AIOpsLab',
      properties: configurationProperties(),
    },
    chatParticipants: [
      {
        id: 'aiopslab.chat',
        name: 'aiopslab',
        fullName: 'AIOpsLab',
        description: 'Start an incident problem, let the model investigate it with the AIOpsLab tools, or act as the agent yourself',
        isSticky: true,
        commands: [
          { name: 'start', description: 'Start a problem: /start <problem-id> (the chat model then acts as the agent unless you say /human)' },
          { name: 'agent', description: 'Let the selected chat model act as the agent on the running session (tool calls, one step each)' },
          { name: 'human', description: 'Act as the agent yourself: /human <problem-id>, then type API calls or shell commands' },
          { name: 'status', description: 'Show the running session: task, steps used, last observation' },
          { name: 'submit', description: 'Submit an answer: /submit Yes · /submit svc-a, svc-b · /submit Application; Misconfiguration · /submit' },
          { name: 'stop', description: 'Stop the running session (the fault is recovered)' },
        ],
      },
    ],
    languageModelTools: lmToolContributions(),
    languageModelChatProviders: [{ vendor: 'aiopslab', displayName: 'AIOpsLab endpoints (OpenAI-compatible)' }],
  };
}
