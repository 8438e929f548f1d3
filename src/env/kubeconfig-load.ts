import * as k8s from '@kubernetes/client-node';

/**
 * Loads a kubeconfig (a file, or the default: KUBECONFIG, ~/.kube/config, in-cluster) for client-node, selecting
 * `context` when given. A cluster served over plain http (`kubectl proxy`, the embedded cluster) works as with kubectl:
 * client-node refuses http unless insecure-skip-tls-verify is set, which means nothing without TLS, so it is set.
 */
export function loadKubeConfig(kubeconfigPath?: string, context?: string): k8s.KubeConfig {
  const kc = new k8s.KubeConfig();
  if (kubeconfigPath) kc.loadFromFile(kubeconfigPath);
  else kc.loadFromDefault();
  if (kc.clusters.some((c) => c.server.startsWith('http:') && !c.skipTLSVerify)) {
    kc.loadFromOptions({
      clusters: kc.clusters.map((c) => (c.server.startsWith('http:') ? { ...c, skipTLSVerify: true } : c)),
      users: kc.users,
      contexts: kc.contexts,
      currentContext: kc.currentContext,
    });
  }
  if (context) kc.setCurrentContext(context);
  return kc;
}
