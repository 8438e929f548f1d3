/**
 * The embedded cluster ("the twin"): a Kubernetes API server on 127.0.0.1 that the real kubectl and
 * @kubernetes/client-node use unmodified.
 *
 *   const twin = await startTwin({ stateDir });   // child process; writes <stateDir>/kubeconfig
 *   spawn(await resolveKubectl(), ['get', 'pods'], { env: { ...process.env, ...twin.env } });
 *   await twin.stop();
 *
 *   // A cluster as kind leaves it, reached like a real one (HTTPS, bearer tokens, RBAC):
 *   const kind = await startTwin({ stateDir, bare: true, tls: true, name: 'twin-a' });
 */
export { startTwin, StartTwinOptions, TwinHandle } from './process/start';
export { serveTwin, ServeOptions, ServedTwin } from './process/serve';
export { writeKubeconfig, kubeconfigYaml } from './process/kubeconfig';
export { resolveKubectl, bundledKubectlPath } from './kubectl-path';
export { resolveHelm } from './helm-path';
export { MemoryStore } from './apiserver/store';
export { SERVER_VERSION } from './apiserver/server';
