/**
 * Why undoing a leftover fault failed, read from the error kubectl or the API client gave: one reading for the
 * report of `aiopslab recover` and the extension's notification, which word it at different lengths.
 */
export type RecoveryErrorCause =
  | { kind: 'unreachable'; url?: string }
  | { kind: 'no-context' }
  | { kind: 'no-kubeconfig'; file: string }
  | { kind: 'other'; firstLine: string };

export function recoveryErrorCause(error: string): RecoveryErrorCause {
  if (/connect: connection refused|ECONNREFUSED/.test(error)) {
    return { kind: 'unreachable', url: /(https?:\/\/[^/"\\\s]+)/.exec(error)?.[1] };
  }
  if (/No active cluster|context .* does not exist|is not in your kubeconfig/i.test(error)) return { kind: 'no-context' };
  const noFile = /ENOENT: no such file or directory, open '([^']+)'/.exec(error);
  if (noFile) return { kind: 'no-kubeconfig', file: noFile[1] };
  return { kind: 'other', firstLine: error.split('\n')[0].trim() };
}

/**
 * The part of an error a person needs (kubectl prefixes client-go log lines to the real cause). `brief`: for a
 * notification line — no "(connection refused)" after the address, and a long first line cut at 160 characters.
 */
export function summarizeError(error: string, options: { brief?: boolean } = {}): string {
  const cause = recoveryErrorCause(error);
  switch (cause.kind) {
    case 'unreachable':
      return `cannot reach the cluster's API server${cause.url ? ` at ${cause.url}` : ''}${options.brief ? '' : ' (connection refused)'}`;
    case 'no-context':
      return 'no such context in the kubeconfig';
    case 'no-kubeconfig':
      return `the kubeconfig ${cause.file} does not exist`;
    case 'other':
      return options.brief && cause.firstLine.length > 160 ? `${cause.firstLine.slice(0, 157)}…` : cause.firstLine;
  }
}
