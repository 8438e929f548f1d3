/**
 * Starts a twin in a child process (off the caller's event loop, so synchronous kubectl calls cannot deadlock it),
 * writes its kubeconfig and a per-twin kubectl cache dir, and returns how to reach and stop it.
 */
import { loadModel, modelledApps } from '../sim/load-model';
import type { AppModel } from '../sim/model';
import { fork, ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { KUBECTL_TWIN_ENV, writeKubeconfig } from './kubeconfig';
import { createTwinTls } from './tls';
import { dockerShimFiles, writeDockerShim } from '../flower/docker-cli';

export interface StartTwinOptions {
  /** Folder for this twin's kubeconfig, kubectl cache and log. Created if missing. */
  stateDir: string;
  /** Port on 127.0.0.1; 0 or absent picks a free one. */
  port?: number;
  /** Namespace of the kubeconfig context (default `default`). */
  namespace?: string;
  /** Milliseconds to wait for the child to serve (default 15000). */
  timeoutMs?: number;
  /** Overrides the compiled entry script (for bundled builds). */
  entryPath?: string;
  /** A cluster as `kind create cluster` leaves it (see ServeOptions.bare in serve.ts). Default false. */
  bare?: boolean;
  /**
   * Serve HTTPS with a CA made for this twin, authenticate bearer tokens (a random admin token in the kubeconfig;
   * ServiceAccount tokens) and authorize with RBAC, as a real API server. Default false: plain http with the secret
   * admin path prefix and the restricted agent view (per-session twins: no certificate to make, ~0.3 s saved).
   */
  tls?: boolean;
  /** Name of the kubeconfig's context, cluster and (with tls) user entries. Default `aiopslab-twin`. */
  name?: string;
}

export interface TwinHandle {
  /**
   * `http://127.0.0.1:PORT/admin-…`: the orchestrator's view (everything). The agent's view is the plain `agentUrl`.
   * With tls: `https://127.0.0.1:PORT` for both; who sees what is decided by the token.
   */
  url: string;
  agentUrl: string;
  port: number;
  pid: number;
  /** Orchestrator's kubeconfig (sees everything). */
  kubeconfigPath: string;
  /**
   * The agent's kubeconfig (for exec_shell): Chaos Mesh resources and CRDs answer 403, our annotations are hidden.
   * With tls: no token (system:anonymous, which RBAC lets read only /version and health); an agent identity is a
   * ServiceAccount token given by whoever sets the cluster up.
   */
  agentKubeconfigPath: string;
  /** Environment for the agent's kubectl: KUBECONFIG (agent view) and KUBECACHEDIR. */
  agentEnv: Record<string, string>;
  /** KUBECACHEDIR for kubectl against this twin (`<stateDir>/kube-cache`). */
  kubeCacheDir: string;
  /** Environment for a kubectl child: KUBECONFIG, KUBECACHEDIR and KUBECTL_TWIN_ENV. */
  env: Record<string, string>;
  /** The child's stdout/stderr. */
  logPath: string;
  /** `<stateDir>/bin/docker`: the docker CLI for the Docker Compose apps (Flower) modelled as pods of namespace docker. */
  dockerShim: string;
  /** The host files the docker shim runs (its script and modules), which an agent sandbox binds read-only. */
  dockerShimFiles: string[];
  /** The telemetry APIs (Prometheus, Jaeger per app namespace) the twin answers. */
  telemetry?: { prometheusUrl: string; jaegerUrls: Record<string, string> };
  /** Name of the kubeconfig's context and cluster entries. */
  name: string;
  /** With tls: the CA that signed the serving certificate (PEM) and the admin bearer token (system:masters). */
  tls?: { caPem: string; adminToken: string };
  /** Settles when the child process ends (exit code, or null when killed by a signal). */
  exited: Promise<number | null>;
  stop(): Promise<void>;
}

export const AGENT_TOKEN = 'aiopslab-agent';

/**
 * The apps' behaviour models, parsed once in this process and handed to every twin it starts: parsing the YAML is
 * half of a twin's start-up CPU, and eval --parallel starts a twin per worker at the same moment. Undefined when they
 * cannot be read here: the twin then reads them itself (and reports what is wrong with them).
 */
function parsedModels(): AppModel[] | undefined {
  try {
    return modelledApps().map((app) => loadModel(app));
  } catch {
    return undefined;
  }
}

export async function startTwin(o: StartTwinOptions): Promise<TwinHandle> {
  const stateDir = path.resolve(o.stateDir);
  fs.mkdirSync(stateDir, { recursive: true });
  const kubeCacheDir = path.join(stateDir, 'kube-cache');
  fs.mkdirSync(kubeCacheDir, { recursive: true });
  const logPath = path.join(stateDir, 'twin.log');
  const logFd = fs.openSync(logPath, 'a');
  const adminPrefix = `/admin-${randomBytes(12).toString('hex')}`;
  const name = o.name ?? 'aiopslab-twin';
  const identity = o.tls ? { tls: await createTwinTls(name), adminToken: randomBytes(32).toString('base64url') } : undefined;
  const entry = o.entryPath ?? path.join(__dirname, 'entry.js');
  const models = parsedModels();
  let child: ChildProcess;
  try {
    child = fork(entry, [], {
      stdio: ['ignore', logFd, logFd, 'ipc'],
      // Structured clone, not JSON: the models arrive exactly as parsed (an Infinity or an undefined stays one).
      serialization: 'advanced',
      env: { ...process.env, AIOPSLAB_TWIN_PORT: String(o.port ?? 0), AIOPSLAB_TWIN_ADMIN_PREFIX: adminPrefix, AIOPSLAB_TWIN_BARE: o.bare ? '1' : '', AIOPSLAB_TWIN_IDENTITY: identity ? '1' : '', AIOPSLAB_TWIN_MODELS: models ? '1' : '' },
      execArgv: [],
    });
  } finally {
    fs.closeSync(logFd);
  }
  // The key and the admin token go over the IPC channel, not the environment (which the child's children inherit).
  if (identity) child.send({ type: 'identity', value: identity });
  if (models) child.send({ type: 'models', value: models });
  let telemetry: TwinHandle['telemetry'];
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => { child.kill('SIGKILL'); reject(new Error(`the twin did not start within ${o.timeoutMs ?? 15000} ms; see ${logPath}`)); }, o.timeoutMs ?? 15000);
    child.once('message', (m: unknown) => {
      clearTimeout(timer);
      const msg = m as { type?: string; port?: number; message?: string; telemetry?: TwinHandle['telemetry'] };
      telemetry = msg.telemetry;
      if (msg.type === 'ready' && msg.port) resolve(msg.port);
      else reject(new Error(`the twin failed to start: ${msg.message ?? 'unknown error'}; see ${logPath}`));
    });
    child.once('exit', (code) => { clearTimeout(timer); reject(new Error(`the twin exited during start (code ${code}); see ${logPath}`)); });
  });
  child.removeAllListeners('exit');
  const exited = new Promise<number | null>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve(child.exitCode);
    else child.once('exit', (code) => resolve(code));
  });
  const url = `${identity ? 'https' : 'http'}://127.0.0.1:${port}`;
  const adminUrl = identity ? url : url + adminPrefix;
  const kubeconfigPath = identity
    ? writeKubeconfig(path.join(stateDir, 'kubeconfig'), { server: url, token: identity.adminToken, caPem: identity.tls.caPem, namespace: o.namespace, contextName: name, userName: name })
    : writeKubeconfig(path.join(stateDir, 'kubeconfig'), { server: adminUrl, token: 'aiopslab-admin', namespace: o.namespace, contextName: name });
  const agentKubeconfigPath = writeKubeconfig(path.join(stateDir, 'agent-kubeconfig'), {
    server: url, token: identity ? undefined : AGENT_TOKEN, caPem: identity?.tls.caPem, namespace: o.namespace, contextName: name, userName: 'aiopslab-agent',
  });
  const dockerShim = writeDockerShim(path.join(stateDir, 'bin'), { entryScript: entry });
  let stopped: Promise<void> | undefined;
  return {
    url: adminUrl, agentUrl: url, port, name, tls: identity ? { caPem: identity.tls.caPem, adminToken: identity.adminToken } : undefined, pid: child.pid!, kubeconfigPath, kubeCacheDir, logPath, agentKubeconfigPath, exited, telemetry, dockerShim, dockerShimFiles: dockerShimFiles(entry),
    env: { KUBECONFIG: kubeconfigPath, KUBECACHEDIR: kubeCacheDir, ...KUBECTL_TWIN_ENV },
    agentEnv: { KUBECONFIG: agentKubeconfigPath, KUBECACHEDIR: kubeCacheDir, ...KUBECTL_TWIN_ENV },
    stop() {
      stopped ??= new Promise<void>((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) { resolve(); return; }
        const kill = setTimeout(() => child.kill('SIGKILL'), 3000);
        void exited.then(() => { clearTimeout(kill); resolve(); });
        try { child.send({ type: 'stop' }); } catch { child.kill('SIGTERM'); }
      });
      return stopped;
    },
  };
}
