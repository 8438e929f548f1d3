import type { AgentContext } from '../../src/core/agents/types';
import type { ActionDefinition } from '../../src/core/actions/types';

export const ACTIONS: ActionDefinition[] = [
  {
    name: 'exec_shell',
    kind: 'action',
    doc: 'Execute any shell command in a predefined debugging environment.\n\n        Args:\n            command (str): The command to execute.\n            timeout (int): Timeout in seconds.\n\n        Returns:\n            str: The output of the command.',
    parameters: [
      { name: 'command', schema: { type: 'string', description: 'The command to execute.' } },
      { name: 'timeout', schema: { type: 'integer' }, default: 30, optional: true },
    ],
  },
  {
    name: 'get_logs',
    kind: 'read',
    doc: 'Collects relevant log data from a pod using Kubectl.\n\n        Args:\n            namespace (str): The namespace.\n            service (str): The service name.',
    parameters: [
      { name: 'namespace', schema: { type: 'string' } },
      { name: 'service', schema: { type: 'string' } },
    ],
  },
  {
    name: 'submit',
    kind: 'action',
    doc: 'Submit if anomalies are detected.\n\n        Args:\n            has_anomaly (str): "Yes" or "No".',
    parameters: [{ name: 'has_anomaly', schema: { type: 'string', enum: ['Yes', 'No'] } }],
  },
];

export function makeContext(overrides: Partial<AgentContext> = {}): AgentContext {
  const apis: Record<string, string> = {};
  for (const a of ACTIONS) apis[a.name] = a.doc;
  return {
    problemId: 'k8s_target_port-misconfig-detection-1',
    task: 'detection',
    problemDescription:
      'You are an expert DevOps engineer assigned to detect anomalies in a deployed service.\n\nService Details:\nService Name: Social Network\nNamespace: test-social-network\nDescription: A social network.\nSupported Operations:\n  - Create a post',
    instructions: 'Respond with one API call in a markdown code block.',
    apis,
    actions: ACTIONS,
    ...overrides,
  };
}
