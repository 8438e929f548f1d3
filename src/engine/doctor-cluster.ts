/**
 * `aiopslab doctor` on a real cluster: everything a problem needs there, each failed check with the command that
 * fixes it. Reads only; the agent-identity check asks the API server what the agent's token may do
 * (SelfSubjectAccessReview), so it proves RBAC, not our reading of it.
 */
import * as k8s from '@kubernetes/client-node';
import type { DoctorCheck } from './doctor';
import type { Kubectl } from '../env/kubectl';
import { loadKubeConfig } from '../env/kubeconfig-load';
import { detectRuntime } from '../env/cluster-setup/runtime';
import { AGENT_IDENTITY, CHAOS_MESH_NAMESPACE, MONITORING_NAMESPACE } from '../env/cluster-setup/components';
import { agentUpstream } from '../env/cluster-setup/agent-identity';

interface VersionInfo { major: string; minor: string; gitVersion: string }

const minor = (v?: VersionInfo) => (v ? parseInt(v.minor, 10) : NaN);

export async function realClusterChecks(kubectl: Kubectl, context: string): Promise<DoctorCheck[]> {
  const setup = `aiopslab cluster setup --context ${context}`;
  const checks: DoctorCheck[] = [];
  let versions: { clientVersion?: VersionInfo; serverVersion?: VersionInfo };
  try {
    versions = JSON.parse(await kubectl.run(['version', '-o', 'json'], undefined, 20_000)) as typeof versions;
  } catch (error) {
    checks.push({ name: 'API server', ok: false, detail: `context ${context}: ${(error as Error).message.split('\n')[0]}`, fix: `Check that the cluster of context "${context}" is running and reachable: kubectl --context ${context} cluster-info` });
    return checks;
  }
  checks.push(versionCheck(versions.clientVersion, versions.serverVersion, context));
  const nodes = await kubectl.json<{ items: k8s.V1Node[] }>(['get', 'nodes']).catch(() => ({ items: [] as k8s.V1Node[] }));
  checks.push(nodesCheck(nodes.items));
  const runtime = detectRuntime(nodes.items);
  checks.push({ name: 'container runtime', ok: true, warning: !runtime, detail: runtime ? `${runtime.runtime} (${runtime.detail}); Chaos Mesh's daemon uses ${runtime.socketPath}` : 'the nodes report no runtime Chaos Mesh knows (containerd, docker, cri-o)', fix: runtime ? undefined : 'Chaos Mesh will assume containerd; set chaosDaemon.runtime by hand if that is wrong.' });
  checks.push(await helmCheck());
  checks.push(await chaosMeshCheck(kubectl, setup));
  checks.push(await proxyCheck(kubectl, 'Prometheus', `/api/v1/namespaces/${MONITORING_NAMESPACE}/services/prometheus-server:80/proxy/api/v1/query?query=up`, (body) => /"status"\s*:\s*"success"/.test(body), setup));
  checks.push(await jaegerCheck(kubectl));
  checks.push(await storageCheck(kubectl, setup));
  checks.push(await agentIdentityCheck(kubectl, context, setup));
  return checks;
}

function versionCheck(client: VersionInfo | undefined, server: VersionInfo | undefined, context: string): DoctorCheck {
  const skew = Math.abs(minor(client) - minor(server));
  const detail = `context ${context}: server ${server?.gitVersion ?? '?'}, kubectl ${client?.gitVersion ?? '?'}`;
  if (!(skew > 1)) return { name: 'API server', ok: true, detail };
  return { name: 'API server', ok: true, warning: true, detail: `${detail}: ${skew} minor versions apart (kubectl supports one either way)`, fix: `Use kubectl 1.${minor(server)} (set AIOPSLAB_KUBECTL to it).` };
}

function nodesCheck(nodes: k8s.V1Node[]): DoctorCheck {
  const ready = nodes.filter((n) => n.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True'));
  const notReady = nodes.filter((n) => !ready.includes(n)).map((n) => n.metadata?.name);
  if (!nodes.length) return { name: 'nodes', ok: false, detail: 'no nodes can be listed', fix: 'kubectl get nodes must list at least one Ready node.' };
  return { name: 'nodes', ok: ready.length > 0, warning: notReady.length > 0, detail: `${ready.length}/${nodes.length} Ready${notReady.length ? `; not Ready: ${notReady.join(', ')}` : ''}`, fix: notReady.length ? `kubectl describe node ${notReady[0]} says why.` : undefined };
}

async function helmCheck(): Promise<DoctorCheck> {
  try {
    const { resolveHelm, helmVersion } = await import('../twin/helm-path');
    const helm = await resolveHelm();
    return { name: 'Helm', ok: true, detail: `${helm} (${await helmVersion(helm)})` };
  } catch (error) {
    return { name: 'Helm', ok: true, warning: true, detail: (error as Error).message, fix: 'Install Helm 3: cluster setup needs it (sessions do not).' };
  }
}

async function chaosMeshCheck(kubectl: Kubectl, setup: string): Promise<DoctorCheck> {
  const name = 'Chaos Mesh';
  const crd = await kubectl.run(['get', 'customresourcedefinition', 'podchaos.chaos-mesh.org', '--ignore-not-found', '-o', 'name'], undefined, 20_000).catch(() => '');
  if (!crd.trim()) return { name, ok: false, detail: 'its kinds are not installed (the pod, network, stress, I/O and kernel faults need them)', fix: setup };
  const deployment = await kubectl.json<k8s.V1Deployment>(['get', 'deployment', 'chaos-controller-manager', '-n', CHAOS_MESH_NAMESPACE]).catch(() => undefined);
  const available = deployment?.status?.availableReplicas ?? 0;
  if (!available) return { name, ok: false, detail: deployment ? `controller ${CHAOS_MESH_NAMESPACE}/chaos-controller-manager has no available replica` : `no controller (Deployment ${CHAOS_MESH_NAMESPACE}/chaos-controller-manager)`, fix: deployment ? `kubectl -n ${CHAOS_MESH_NAMESPACE} describe deployment chaos-controller-manager; then ${setup}` : setup };
  return { name, ok: true, detail: `kinds installed, controller ${CHAOS_MESH_NAMESPACE}/chaos-controller-manager available (${available})` };
}

/** A service answering through the API server's service proxy, as get_metrics / get_traces reach it. */
async function proxyCheck(kubectl: Kubectl, name: string, rawPath: string, answers: (body: string) => boolean, fix: string): Promise<DoctorCheck> {
  try {
    const body = await kubectl.run(['get', '--raw', rawPath], undefined, 20_000);
    return answers(body) ? { name, ok: true, detail: `answers through the service proxy (${rawPath.split('/proxy')[0].replace('/api/v1/namespaces/', '')})` } : { name, ok: false, detail: `unexpected answer: ${body.slice(0, 200)}`, fix };
  } catch (error) {
    return { name, ok: false, detail: `does not answer through the service proxy: ${(error as Error).message.split('\n').pop()?.slice(0, 300)}`, fix };
  }
}

async function jaegerCheck(kubectl: Kubectl): Promise<DoctorCheck> {
  const check = await proxyCheck(kubectl, 'Jaeger', `/api/v1/namespaces/${MONITORING_NAMESPACE}/services/jaeger:16686/proxy/api/services`, (body) => body.includes('"data"'), '');
  // The apps that trace bring their own Jaeger; the shared one serves the others.
  return check.ok ? check : { name: 'Jaeger', ok: true, warning: true, detail: `no shared Jaeger in namespace ${MONITORING_NAMESPACE} (apps that bring their own still trace)`, fix: 'aiopslab cluster setup installs one.' };
}

async function storageCheck(kubectl: Kubectl, setup: string): Promise<DoctorCheck> {
  const classes = await kubectl.json<{ items: k8s.V1StorageClass[] }>(['get', 'storageclasses']).catch(() => ({ items: [] as k8s.V1StorageClass[] }));
  const defaults = classes.items.filter((c) => c.metadata?.annotations?.['storageclass.kubernetes.io/is-default-class'] === 'true');
  if (defaults.length) return { name: 'default StorageClass', ok: true, detail: defaults.map((c) => `${c.metadata?.name} (${c.provisioner})`).join(', ') };
  return { name: 'default StorageClass', ok: false, detail: 'none (claims without a class never bind)', fix: setup };
}

/** What the agent's token must be refused (and one thing it must be allowed, so a broken token does not pass). */
const MUST_DENY: Array<{ what: string; attrs: k8s.V1ResourceAttributes }> = [
  { what: 'list Chaos Mesh PodChaos', attrs: { group: 'chaos-mesh.org', resource: 'podchaos', verb: 'list', namespace: CHAOS_MESH_NAMESPACE } },
  { what: 'list CustomResourceDefinitions', attrs: { group: 'apiextensions.k8s.io', resource: 'customresourcedefinitions', verb: 'list' } },
  { what: `read pods in namespace ${CHAOS_MESH_NAMESPACE}`, attrs: { group: '', resource: 'pods', verb: 'list', namespace: CHAOS_MESH_NAMESPACE } },
  { what: 'read secrets in kube-system', attrs: { group: '', resource: 'secrets', verb: 'list', namespace: 'kube-system' } },
  { what: 'create ClusterRoleBindings', attrs: { group: 'rbac.authorization.k8s.io', resource: 'clusterrolebindings', verb: 'create' } },
];

async function agentIdentityCheck(kubectl: Kubectl, context: string, setup: string): Promise<DoctorCheck> {
  const name = 'agent identity';
  let upstream: k8s.KubeConfig;
  try {
    upstream = await agentUpstream(kubectl, loadKubeConfig(undefined, context), context);
  } catch (error) {
    return { name, ok: false, detail: (error as Error).message.replace(/ Fix: .*$/, ''), fix: setup };
  }
  const api = upstream.makeApiClient(k8s.AuthorizationV1Api);
  const allowed = async (attrs: k8s.V1ResourceAttributes) => (await api.createSelfSubjectAccessReview({ body: { spec: { resourceAttributes: attrs } } })).status?.allowed === true;
  try {
    if (!(await allowed({ group: '', resource: 'nodes', verb: 'list' }))) {
      return { name, ok: false, detail: `ServiceAccount ${AGENT_IDENTITY.namespace}/${AGENT_IDENTITY.serviceAccount} may not even list nodes: its roles are missing`, fix: setup };
    }
    const leaks: string[] = [];
    for (const probe of MUST_DENY) if (await allowed(probe.attrs)) leaks.push(probe.what);
    if (leaks.length) return { name, ok: false, detail: `the agent's ServiceAccount may ${leaks.join(', ')}: it could see or change the fault machinery`, fix: `kubectl get clusterrolebindings,rolebindings -A -o wide | grep ${AGENT_IDENTITY.serviceAccount}  — remove the bindings that grant it more than charts/aiopslab-agent does` };
    return { name, ok: true, detail: `ServiceAccount ${AGENT_IDENTITY.namespace}/${AGENT_IDENTITY.serviceAccount}: refused ${MUST_DENY.map((p) => p.what).join(', ')}` };
  } catch (error) {
    return { name, ok: false, detail: `the agent's token was not accepted: ${(error as Error).message.slice(0, 300)}`, fix: setup };
  }
}
