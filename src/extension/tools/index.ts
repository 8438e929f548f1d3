import * as vscode from 'vscode';
import type { EngineHost } from '../host';
import { TOOL_PREFIX } from '../model/tool-schemas';
import { GetLogsTool, GetMetricsTool, GetTracesTool, ReadMetricsTool, ReadTracesTool } from './base';
import { ExecShellTool } from './exec-shell';
import { StatusTool } from './status';
import { SubmitTool } from './submit';

/** Registers one tool per agent-facing action plus the status tool (names and schemas in package.json). */
export function registerTools(host: EngineHost): vscode.Disposable[] {
  const n = (a: string) => `${TOOL_PREFIX}${a}`;
  return [
    vscode.lm.registerTool(n('exec_shell'), new ExecShellTool(host, n('exec_shell'))),
    vscode.lm.registerTool(n('get_logs'), new GetLogsTool(host, n('get_logs'))),
    vscode.lm.registerTool(n('get_metrics'), new GetMetricsTool(host, n('get_metrics'))),
    vscode.lm.registerTool(n('get_traces'), new GetTracesTool(host, n('get_traces'))),
    vscode.lm.registerTool(n('read_metrics'), new ReadMetricsTool(host, n('read_metrics'))),
    vscode.lm.registerTool(n('read_traces'), new ReadTracesTool(host, n('read_traces'))),
    vscode.lm.registerTool(n('submit'), new SubmitTool(host, n('submit'))),
    vscode.lm.registerTool(n('status'), new StatusTool(host)),
  ];
}
