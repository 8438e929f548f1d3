/**
 * What `GET /version` answers. kubectl supports a server one minor version either side of it and warns beyond that,
 * so the twin answers each kubectl with that kubectl's own minor version (read from its User-Agent,
 * `kubectl/v1.35.2 (linux/amd64) …`): any current client is within its skew. Other callers — gcloud's kubectl
 * dispatcher (which picks its bundled client by this answer), client-node, curl — get the default, 1.31.
 */
export interface VersionInfo {
  major: string; minor: string; gitVersion: string; gitCommit: string; gitTreeState: string;
  buildDate: string; goVersion: string; compiler: string; platform: string;
}

export const SERVER_VERSION: VersionInfo = {
  major: '1', minor: '31', gitVersion: 'v1.31.9', gitCommit: '7d9c2a6d8e9e0c4c3f0a9b3c1e2f4d5a6b7c8d9e', gitTreeState: 'clean',
  buildDate: '2025-05-15T09:00:00Z', goVersion: 'go1.23.8', compiler: 'gc', platform: 'linux/amd64',
};

const KUBECTL_UA = /^kubectl\/v1\.(\d{1,2})\./;

/** The version to report to a caller: a kubectl's own minor (1.20–1.99), else the default. */
export function versionFor(userAgent: string | undefined, base: VersionInfo = SERVER_VERSION): VersionInfo {
  const m = KUBECTL_UA.exec(userAgent ?? '');
  const minor = m ? Number(m[1]) : NaN;
  if (!(minor >= 20) || String(minor) === base.minor) return base;
  return { ...base, minor: String(minor), gitVersion: `v1.${minor}.0` };
}
