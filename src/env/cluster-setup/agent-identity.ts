/**
 * The agent's identity on a real cluster: the ServiceAccount `cluster setup` installs (charts/aiopslab-agent). Each
 * session asks the API server for a short-lived token of it (TokenRequest, `kubectl create token`) and hands it, in
 * memory only, to the agent's view as its upstream credentials: nothing the agent can read holds it, and what the
 * agent may do is what RBAC grants that ServiceAccount — an SRE's rights in the session's app namespace (bound there
 * when the namespace is made), read access to nodes and volumes, Prometheus through its service proxy; nothing in the
 * Chaos Mesh group, its namespace or CRDs.
 */
import * as k8s from '@kubernetes/client-node';
import type { Kubectl } from '../kubectl';
import { AGENT_IDENTITY } from './components';

/** Setup has not run on this cluster (a user error: the message names the fix). */
export class AgentIdentityMissingError extends Error {}

/** How long a session's token lives: the longest session budget plus clean-up (it is never renewed). */
export const AGENT_TOKEN_DURATION = '4h';

/** Whether the agent's ServiceAccount exists (setup ran on this cluster). */
export async function agentIdentityInstalled(kubectl: Kubectl): Promise<boolean> {
  const out = await kubectl.run(['get', 'serviceaccount', AGENT_IDENTITY.serviceAccount, '-n', AGENT_IDENTITY.namespace, '--ignore-not-found', '-o', 'name'], undefined, 60_000);
  return out.trim() !== '';
}

/** A fresh token of the agent's ServiceAccount. */
export async function requestAgentToken(kubectl: Kubectl, duration = AGENT_TOKEN_DURATION): Promise<string> {
  const token = (await kubectl.run(['create', 'token', AGENT_IDENTITY.serviceAccount, '-n', AGENT_IDENTITY.namespace, '--duration', duration], undefined, 60_000)).trim();
  if (!token) throw new Error(`The API server issued an empty token for ServiceAccount ${AGENT_IDENTITY.namespace}/${AGENT_IDENTITY.serviceAccount}.`);
  return token;
}

/**
 * The agent's upstream kubeconfig: the configured context's cluster (server, CA) with the agent's token in place of
 * the user's credentials. Fails, naming the fix, when setup has not installed the identity.
 */
export async function agentUpstream(kubectl: Kubectl, userConfig: k8s.KubeConfig, contextName: string): Promise<k8s.KubeConfig> {
  if (!(await agentIdentityInstalled(kubectl))) {
    throw new AgentIdentityMissingError(`The agent's identity (ServiceAccount ${AGENT_IDENTITY.namespace}/${AGENT_IDENTITY.serviceAccount}) is not installed on context "${contextName}", and the agent never acts with your own credentials. Fix: aiopslab cluster setup --context ${contextName}`);
  }
  const cluster = userConfig.getCurrentCluster();
  if (!cluster) throw new AgentIdentityMissingError(`Context "${contextName}" names no cluster.`);
  const token = await requestAgentToken(kubectl);
  const kc = new k8s.KubeConfig();
  kc.loadFromOptions({
    clusters: [{ ...cluster, name: 'upstream' }],
    users: [{ name: AGENT_IDENTITY.serviceAccount, token }],
    contexts: [{ name: 'agent', cluster: 'upstream', user: AGENT_IDENTITY.serviceAccount }],
    currentContext: 'agent',
  });
  return kc;
}

/** The RoleBinding that gives the agent an SRE's rights in one app namespace (applied when the namespace is made). */
export function agentRoleBinding(namespace: string): Record<string, unknown> {
  return {
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'RoleBinding',
    metadata: { name: AGENT_IDENTITY.appRole, namespace, labels: { 'app.kubernetes.io/part-of': 'aiopslab' } },
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: AGENT_IDENTITY.appRole },
    subjects: [{ kind: 'ServiceAccount', name: AGENT_IDENTITY.serviceAccount, namespace: AGENT_IDENTITY.namespace }],
  };
}
