import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';

/** `auto` (the default): sandbox the agent's shell wherever this machine can; `off`: never (the guarded policy alone). */
export type SandboxSetting = 'auto' | 'off';

export type SandboxAvailability =
  | { available: true; bwrap: string; socat: string; nsenter?: string }
  | { available: false; reason: string; fix: string };

let cached: SandboxAvailability | undefined;

/**
 * Whether this machine can run the agent's shell in the bubblewrap sandbox: Linux, `bwrap` and `socat` installed, and
 * user namespaces allowed (a trial run). Answered once per process; `off` answers without looking.
 */
export function sandboxAvailability(setting: SandboxSetting = 'auto'): SandboxAvailability {
  if (setting === 'off') {
    return { available: false, reason: 'turned off (sandbox: off in aiopslab.config.yaml or AIOPSLAB_SANDBOX=off)', fix: 'Remove `sandbox: off` from aiopslab.config.yaml and unset AIOPSLAB_SANDBOX.' };
  }
  cached ??= probe();
  return cached;
}

function probe(): SandboxAvailability {
  if (process.platform !== 'linux') {
    return { available: false, reason: `the sandbox uses Linux namespaces (bubblewrap); this is ${process.platform}`, fix: 'Run AIOpsLab on Linux (a Linux machine, WSL 2 or a Linux container) with bubblewrap and socat installed.' };
  }
  const bwrap = onPath('bwrap');
  const socat = onPath('socat');
  const missing = [!bwrap && 'bubblewrap', !socat && 'socat'].filter(Boolean) as string[];
  if (!bwrap || !socat) {
    return { available: false, reason: `${missing.join(' and ')} ${missing.length > 1 ? 'are' : 'is'} not installed`, fix: `apt-get install ${missing.join(' ')} (Debian, Ubuntu) or dnf install ${missing.join(' ')} (Fedora)` };
  }
  const trial = spawnSync(bwrap, [...systemBinds(), '--unshare-all', '--unshare-user', '--die-with-parent', '--proc', '/proc', '--dev', '/dev', '--', '/bin/sh', '-c', 'exit 0'], { encoding: 'utf8', timeout: 10_000 });
  if (trial.status !== 0) {
    const said = (trial.stderr || trial.error?.message || `exit ${trial.status}`).trim().split('\n')[0];
    return {
      available: false,
      reason: `bubblewrap cannot create namespaces here (${said})`,
      fix: 'Allow unprivileged user namespaces: sysctl -w kernel.unprivileged_userns_clone=1 (Debian) or kernel.apparmor_restrict_unprivileged_userns=0 (Ubuntu 24.04+); in a container, run it with --security-opt seccomp=unconfined or as a privileged one.',
    };
  }
  // nsenter (util-linux) lets every command of a session join one network namespace; without it each starts its own.
  const nsenter = onPath('nsenter');
  return { available: true, bwrap, socat, ...(nsenter ? { nsenter } : {}) };
}

/**
 * The host's system folders, read-only: /usr, and /bin, /sbin, /lib* as they are here (symlinks into /usr on
 * merged-/usr systems, folders elsewhere).
 */
export function systemBinds(): string[] {
  const args = ['--ro-bind', '/usr', '/usr'];
  for (const name of ['bin', 'sbin', 'lib', 'lib32', 'lib64', 'libx32']) {
    const at = `/${name}`;
    let stat: fs.Stats;
    try {
      stat = fs.lstatSync(at);
    } catch {
      continue;
    }
    if (stat.isSymbolicLink()) args.push('--symlink', fs.readlinkSync(at), at);
    else if (stat.isDirectory()) args.push('--ro-bind', at, at);
  }
  return args;
}

function onPath(name: string): string | undefined {
  for (const dir of (process.env.PATH ?? '/usr/bin:/bin').split(path.delimiter)) {
    if (!dir) continue;
    const file = path.join(dir, name);
    try {
      fs.accessSync(file, fs.constants.X_OK);
      return file;
    } catch {
      // not here
    }
  }
  return undefined;
}
