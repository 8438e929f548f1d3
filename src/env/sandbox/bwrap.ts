import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { AgentShell, AgentShellSetup } from './agent-shell';
import { systemBinds } from './availability';
import { ApiBridge } from './bridge';
import type { ApiEndpoint } from './kubeconfig-endpoints';
import { runProcess, type ProcessResult } from './process';
import { INNER_SOCKETS, SessionNetwork } from './session-network';
import { commandWords } from '../../core/shell/tokenize';

/** Where the sandbox finds its own things (nothing of the host's layout shows through but the session folder's path). */
const INNER = {
  sockets: INNER_SOCKETS,
  kubectl: '/opt/aiopslab/bin/kubectl',
  kubeconfig: '/opt/aiopslab/kubeconfig',
  kubeCache: '/opt/aiopslab/kube-cache',
  pathDir: (i: number) => `/opt/aiopslab/path/${i}`,
};

interface Prepared {
  /** bwrap's arguments up to the program it runs, without the namespaces to unshare. */
  args: string[];
  /** The script that opens the way to the API servers before the command runs. */
  init: string;
  bridge: ApiBridge;
  runtimeDir: string;
  socketDir: string;
}

/** Every namespace of a command's own, the network included (each command starts its own forwarders). */
const OWN_NETWORK = ['--unshare-all', '--unshare-user'];
/** Every namespace of a command's own but the network, which is the session's (SessionNetwork). */
const SESSION_NETWORK = ['--unshare-user', '--unshare-ipc', '--unshare-pid', '--unshare-uts', '--unshare-cgroup-try'];

/**
 * Why commands in this process start their own forwarders instead of joining a session's network: set when opening
 * one or the first trial of joining it failed (the kernel or a policy refusing setns, a holder that never got ready).
 * Falling back costs speed, never isolation.
 */
let sessionNetworkUnusable: string | undefined;
let sessionNetworkTried = false;

/** Programs that talk to the API server (docker is the embedded cluster's shim over kubectl). */
const CLUSTER_CLIENTS = ['kubectl', 'helm', 'curl', 'docker'];

/** Whether a command line may need the API server; when the tokenizer cannot tell, it may. */
function needsApiServer(command: string): boolean {
  const commands = commandWords(command);
  return !commands || commands.some((words) => words.some((w) => CLUSTER_CLIENTS.includes(w.slice(w.lastIndexOf('/') + 1))));
}

/** The agent's user inside the sandbox (the host user, mapped). */
const AGENT_UID = 1000;

/** /etc files the tools need (dynamic linker cache, `awk` alternatives, CA roots, time zone), when the host has them. */
const ETC_READ_ONLY = ['/etc/alternatives', '/etc/ld.so.cache', '/etc/ssl', '/etc/ca-certificates', '/etc/pki', '/etc/localtime', '/etc/nsswitch.conf'];

/** Environment variables copied from the host into the sandbox (locale, terminal, time zone). */
const COPIED_ENV = ['LANG', 'LC_ALL', 'TERM', 'TZ'];

/**
 * The agent's shell in a bubblewrap sandbox: every namespace unshared (no network but its API servers, a private
 * /proc and /tmp), system folders read-only, kubectl and the agent's kubeconfig read-only, the session folder
 * read-write as working folder and HOME, and nothing else of the host: no project folder, no results folder, no
 * `.env`, no real home.
 */
export class BubblewrapShell implements AgentShell {
  readonly isolation = 'sandbox' as const;
  private prepared?: Promise<Prepared>;
  private network?: Promise<SessionNetwork | undefined>;

  constructor(
    private readonly setup: AgentShellSetup,
    private readonly tools: { bwrap: string; socat: string; nsenter?: string },
    private readonly kubeconfig: { endpoints: ApiEndpoint[]; files: string[] },
  ) {}

  async run(command: string, options: { timeoutSec: number; signal?: AbortSignal }): Promise<ProcessResult> {
    const prepared = await (this.prepared ??= this.prepare());
    const network = await this.sessionNetwork(prepared);
    const env = { PATH: process.env.PATH ?? '/usr/bin:/bin' };
    if (network) {
      const [file, ...enter] = network.enter(this.tools.nsenter!);
      return runProcess(file, [...enter, this.tools.bwrap, ...SESSION_NETWORK, ...prepared.args, '--', '/bin/bash', '-c', command], { env, ...options });
    }
    // Commands that never talk to the cluster skip the forwarders (a process less to start); they run just as isolated.
    const script = needsApiServer(command) ? prepared.init : 'exec /bin/bash -c "$1"';
    return runProcess(this.tools.bwrap, [...OWN_NETWORK, ...prepared.args, '--', '/bin/bash', '-c', script, 'aiopslab-sandbox', command], { env, ...options });
  }

  /** How commands reach the API servers: `session` (one network for the session) or `per-command` (their own forwarders). */
  async forwarding(): Promise<'session' | 'per-command'> {
    return (await this.sessionNetwork(await (this.prepared ??= this.prepare()))) ? 'session' : 'per-command';
  }

  /**
   * The session's network, started on first use and again should its holder have ended; none where commands cannot
   * join one (then each starts its own forwarders, as isolated but slower).
   */
  private sessionNetwork(prepared: Prepared): Promise<SessionNetwork | undefined> {
    if (!this.tools.nsenter || sessionNetworkUnusable) return Promise.resolve(undefined);
    if (this.network) {
      const current = this.network;
      return current.then((n) => {
        if (n?.alive) return n;
        n?.close();
        if (this.network === current) this.network = undefined;
        return this.sessionNetwork(prepared);
      });
    }
    this.network = this.openNetwork(prepared);
    return this.network;
  }

  private async openNetwork(prepared: Prepared): Promise<SessionNetwork | undefined> {
    let network: SessionNetwork | undefined;
    try {
      network = await SessionNetwork.open(this.tools.bwrap, prepared.socketDir, this.kubeconfig.endpoints, prepared.init);
      if (!sessionNetworkTried) {
        // Once per process: whether a command's sandbox can join it here (some kernels or policies refuse setns).
        const [file, ...enter] = network.enter(this.tools.nsenter!);
        const trial = await runProcess(file, [...enter, this.tools.bwrap, ...SESSION_NETWORK, ...prepared.args, '--', '/bin/true'], { env: { PATH: process.env.PATH ?? '/usr/bin:/bin' }, timeoutSec: 30 });
        if (trial.exitCode !== 0) throw new Error(`a command cannot join it: ${(trial.stderr.trim() || `exit ${trial.exitCode}`).split('\n')[0]}`);
        sessionNetworkTried = true;
      }
      return network;
    } catch (error) {
      network?.close();
      sessionNetworkUnusable = (error as Error).message;
      return undefined;
    }
  }

  async dispose(): Promise<void> {
    const prepared = this.prepared;
    const network = this.network;
    this.prepared = undefined;
    this.network = undefined;
    (await network?.catch(() => undefined))?.close();
    if (!prepared) return;
    const { bridge, runtimeDir } = await prepared.catch(() => ({ bridge: undefined, runtimeDir: undefined }));
    await bridge?.close();
    // Asynchronous, as the copy in prepare: removing a few dozen files takes tens of milliseconds (more on a busy
    // disk), during which parallel sessions of this process would otherwise all stand still.
    if (runtimeDir) await fs.promises.rm(runtimeDir, { recursive: true, force: true });
  }

  /** Once per session: the host-side folder (sockets, generated /etc files, a copy of the kubectl cache), the bridge, the bwrap arguments. */
  private async prepare(): Promise<Prepared> {
    const runtimeDir = await fs.promises.mkdtemp(path.join(runtimeBase(), 'aiopslab-sandbox-'));
    await fs.promises.chmod(runtimeDir, 0o700);
    const socketDir = path.join(runtimeDir, 'sockets');
    const etcDir = path.join(runtimeDir, 'etc');
    const cacheDir = path.join(runtimeDir, 'kube-cache');
    await Promise.all([fs.promises.mkdir(socketDir), fs.promises.mkdir(etcDir)]);
    // The agent's own copy of the discovery cache: warm from the first command, and nothing it writes reaches the host's.
    // Asynchronous: parallel sessions of this process go on meanwhile.
    if (this.setup.kubeCacheDir && fs.existsSync(this.setup.kubeCacheDir)) await fs.promises.cp(this.setup.kubeCacheDir, cacheDir, { recursive: true });
    else await fs.promises.mkdir(cacheDir);
    const { sessionDir } = this.setup;
    await Promise.all([
      fs.promises.writeFile(path.join(etcDir, 'passwd'), `agent:x:${AGENT_UID}:${AGENT_UID}:AIOpsLab agent:${sessionDir}:/bin/bash\n`),
      fs.promises.writeFile(path.join(etcDir, 'group'), `agent:x:${AGENT_UID}:\n`),
      fs.promises.writeFile(path.join(etcDir, 'hosts'), hostsFile(this.kubeconfig.endpoints)),
      fs.promises.mkdir(sessionDir, { recursive: true }),
    ]);
    const bridge = await ApiBridge.open(this.kubeconfig.endpoints, socketDir);
    const args = [
      '--uid', String(AGENT_UID), '--gid', String(AGENT_UID), '--hostname', 'aiopslab-agent',
      '--die-with-parent', '--new-session',
      ...systemBinds(),
      ...ETC_READ_ONLY.flatMap((p) => ['--ro-bind-try', p, p]),
      ...['passwd', 'group', 'hosts'].flatMap((f) => ['--ro-bind', path.join(etcDir, f), `/etc/${f}`]),
      '--proc', '/proc', '--dev', '/dev', '--tmpfs', '/tmp',
      '--ro-bind', socketDir, INNER.sockets,
      ...this.toolBinds(),
      '--bind', cacheDir, INNER.kubeCache,
      '--bind', sessionDir, sessionDir, '--chdir', sessionDir,
      '--clearenv', ...this.environment().flatMap(([k, v]) => ['--setenv', k, v]),
    ];
    return { args, init: initScript(this.kubeconfig.endpoints), bridge, runtimeDir, socketDir };
  }

  private toolBinds(): string[] {
    const args: string[] = [];
    const kubectl = this.setup.kubectlDir ? path.join(this.setup.kubectlDir, 'kubectl') : undefined;
    if (kubectl && fs.existsSync(kubectl)) args.push('--ro-bind', kubectl, INNER.kubectl);
    if (this.setup.kubeconfigPath) args.push('--ro-bind', this.setup.kubeconfigPath, INNER.kubeconfig);
    for (const file of this.kubeconfig.files) args.push('--ro-bind', file, file);
    (this.setup.pathDirs ?? []).forEach((dir, i) => args.push('--ro-bind', dir, INNER.pathDir(i)));
    for (const p of this.setup.toolPaths ?? []) args.push('--ro-bind-try', p, p);
    return args;
  }

  private environment(): Array<[string, string]> {
    const pathDirs = [path.dirname(INNER.kubectl), ...(this.setup.pathDirs ?? []).map((_, i) => INNER.pathDir(i)), '/usr/local/bin', '/usr/bin', '/bin'];
    const env: Array<[string, string]> = [
      ['PATH', pathDirs.join(':')], ['HOME', this.setup.sessionDir], ['USER', 'agent'], ['SHELL', '/bin/bash'], ['TMPDIR', '/tmp'],
      ['KUBECONFIG', INNER.kubeconfig], ['KUBECACHEDIR', INNER.kubeCache], ['AIOPSLAB_KUBECTL', INNER.kubectl],
      ['AIOPSLAB_SESSION_DIR', this.setup.sessionDir],
    ];
    for (const key of COPIED_ENV) {
      const value = process.env[key];
      if (value) env.push([key, value]);
    }
    return env;
  }
}

/** /etc/hosts of the sandbox: localhost, and each API server named by host name at the loopback address standing for it. */
function hostsFile(endpoints: ApiEndpoint[]): string {
  const lines = ['127.0.0.1 localhost', '::1 localhost ip6-localhost ip6-loopback'];
  for (const e of endpoints) if (e.innerAddress !== e.host && e.host !== 'localhost') lines.push(`${e.innerAddress} ${e.host}`);
  return lines.join('\n') + '\n';
}


/**
 * Runs inside the sandbox before the agent's command ($1): a forwarder (socat) per API server on the sandbox's
 * loopback, connected to the host through the bridge's socket. It waits, blocked on a pipe rather than polling, until
 * each forwarder says it listens, keeps draining their log so they never block on it, then becomes bash running the
 * command.
 */
export function initScript(endpoints: ApiEndpoint[]): string {
  const lines: string[] = [];
  endpoints.forEach((e, i) => {
    const listen = e.innerAddress.includes(':') ? `TCP6-LISTEN:${e.port},bind=[${e.innerAddress}]` : `TCP4-LISTEN:${e.port},bind=${e.innerAddress}`;
    const fd = 3 + i;
    lines.push(
      `exec ${fd}< <(exec socat -d -d ${listen},reuseaddr,fork UNIX-CONNECT:${INNER.sockets}/api-${i}.sock 2>&1 >/dev/null)`,
      `while read -r line <&${fd}; do case $line in *"listening on"*) break;; esac; done`,
      `cat <&${fd} >/dev/null ${fd}<&- &`,
      `exec ${fd}<&-`,
    );
  });
  lines.push('exec /bin/bash -c "$1"');
  return lines.join('\n');
}

/**
 * Where the per-session folders go: a memory file system when there is one ($XDG_RUNTIME_DIR, made for sockets like
 * the bridge's, else /dev/shm), else the temporary folder. Each session copies the discovery cache there and removes
 * it all at the end: on a busy disk that took up to a second per session, in memory a few milliseconds.
 */
function runtimeBase(): string {
  for (const dir of [process.env.XDG_RUNTIME_DIR, '/dev/shm']) {
    if (!dir || !path.isAbsolute(dir)) continue;
    try {
      fs.accessSync(dir, fs.constants.W_OK | fs.constants.X_OK);
      if (fs.statSync(dir).isDirectory()) return dir;
    } catch {
      // not usable here
    }
  }
  return os.tmpdir();
}
