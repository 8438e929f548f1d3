import { parseArgs, type OptionSyntax, type ParsedArgs } from './options';
import { awkProblem, sedProblem } from './scripts';

/** What a program's check needs from the policy: whether a file argument stays in the session folder. */
export interface ArgumentContext {
  /** Why `file` may not be read or written (outside the session folder), or undefined when it may. */
  fileProblem(file: string): string | undefined;
  /** Why `url` may not be fetched (not the cluster's API server), or undefined when it may. */
  urlProblem(url: string): string | undefined;
}

type ProgramCheck = (args: string[], context: ArgumentContext) => string | undefined;

/** Options of each program that would read or write files elsewhere, run programs, or change who the agent is. */
const refusedOption = (args: ParsedArgs, refused: Record<string, string>): string | undefined => {
  for (const o of args.options) if (refused[o.name]) return refused[o.name];
  return undefined;
};

const onlyOptions = (program: string, args: ParsedArgs, allowed: readonly string[]): string | undefined => {
  const other = args.options.find((o) => !allowed.includes(o.name));
  return other ? `${program} option \`${other.name.length === 1 ? '-' : '--'}${other.name}\` is not allowed (allowed: ${allowed.map((a) => (a.length === 1 ? '-' : '--') + a).join(' ')}).` : undefined;
};

const filesProblem = (files: readonly string[], context: ArgumentContext): string | undefined => {
  for (const f of files) {
    const problem = context.fileProblem(f);
    if (problem) return problem;
  }
  return undefined;
};

/** A text tool whose positionals are all files (cat, head, sort, ...). */
function fileTool(syntax: OptionSyntax, refused: Record<string, string> = {}, fileOptions: readonly string[] = []): ProgramCheck {
  return (words, context) => {
    const args = parseArgs(words, syntax);
    return refusedOption(args, refused)
      ?? filesProblem(args.options.filter((o) => fileOptions.includes(o.name) && o.value !== undefined).map((o) => o.value!), context)
      ?? filesProblem([...args.positionals, ...args.afterDashes], context);
  };
}

const noFiles: ProgramCheck = () => undefined;

const SORT_REFUSED = {
  o: 'sort -o writes a file; redirect the output instead (sort ... > file inside the session folder).', output: 'sort --output writes a file; redirect the output instead.',
  T: 'sort -T writes temporary files elsewhere; leave it out.', 'temporary-directory': 'sort --temporary-directory writes elsewhere; leave it out.',
  'compress-program': 'sort --compress-program runs a program; leave it out.', 'files0-from': 'sort --files0-from reads a list of files; name the files instead.', 'random-source': 'sort --random-source reads a file; leave it out.',
};

function grepCheck(words: string[], context: ArgumentContext): string | undefined {
  const args = parseArgs(words, { shortValue: 'efABCmdD', longValue: ['regexp', 'file', 'after-context', 'before-context', 'context', 'max-count', 'include', 'exclude', 'exclude-dir', 'exclude-from', 'label', 'color', 'colour', 'devices', 'directories', 'binary-files', 'group-separator'] });
  const fileOptions = args.options.filter((o) => ['f', 'file', 'exclude-from'].includes(o.name)).map((o) => o.value ?? '');
  const patternGiven = args.options.some((o) => ['e', 'f', 'regexp', 'file'].includes(o.name));
  const files = [...(patternGiven ? args.positionals : args.positionals.slice(1)), ...args.afterDashes.slice(patternGiven || args.positionals.length ? 0 : 1)];
  return filesProblem([...fileOptions, ...files], context);
}

function jqCheck(words: string[], context: ArgumentContext): string | undefined {
  const args = parseArgs(words, { longValue: ['indent'], longTwoValues: ['arg', 'argjson'] });
  const refused = refusedOption(args, {
    f: 'jq -f reads the filter from a file; pass it inline.', 'from-file': 'jq --from-file reads the filter from a file; pass it inline.',
    L: 'jq -L loads modules; pass the filter inline.', 'library-path': 'jq --library-path loads modules; pass the filter inline.',
    slurpfile: 'jq --slurpfile reads another file; pass it as an input file instead.', rawfile: 'jq --rawfile reads another file; pass it as an input file instead.',
  });
  if (refused) return refused;
  const [filter, ...files] = [...args.positionals, ...args.afterDashes];
  if (filter !== undefined && /\b(import|include)\b/.test(filter)) return 'jq `import`/`include` load modules or files; write the filter inline.';
  return filesProblem(files, context);
}

function awkCheck(words: string[], context: ArgumentContext): string | undefined {
  const args = parseArgs(words, { shortValue: 'Fvf', stopAtFirstPositional: true });
  if (args.options.some((o) => o.name === 'f' || o.name === 'file')) return 'awk -f runs a program from a file; pass the program inline.';
  const wrong = onlyOptions('awk', args, ['F', 'v']);
  if (wrong) return wrong;
  const [program, ...operands] = [...args.positionals, ...args.afterDashes];
  if (program === undefined) return 'awk needs a program.';
  return awkProblem(program) ?? filesProblem(operands.filter((o) => !/^[A-Za-z_][A-Za-z0-9_]*=/.test(o)), context);
}

function sedCheck(words: string[], context: ArgumentContext): string | undefined {
  const args = parseArgs(words, { shortValue: 'efl', longValue: ['expression', 'file', 'line-length'] });
  const refused = refusedOption(args, {
    i: 'sed -i edits files in place; print the result instead (sed ... file > new-file inside the session folder).', 'in-place': 'sed --in-place edits files; print the result instead.',
    f: 'sed -f reads the script from a file; pass it with -e or inline.', file: 'sed --file reads the script from a file; pass it inline.',
  });
  if (refused) return refused;
  const wrong = onlyOptions('sed', args, ['n', 'E', 'r', 's', 'u', 'z', 'e', 'l', 'quiet', 'silent', 'regexp-extended', 'separate', 'unbuffered', 'null-data', 'posix', 'expression', 'line-length', 'debug', 'sandbox']);
  if (wrong) return wrong;
  const scripts = args.options.filter((o) => o.name === 'e' || o.name === 'expression').map((o) => o.value ?? '');
  const positionals = [...args.positionals, ...args.afterDashes];
  if (scripts.length === 0 && positionals.length) scripts.push(positionals.shift()!);
  for (const script of scripts) {
    const problem = sedProblem(script);
    if (problem) return problem;
  }
  return filesProblem(positionals, context);
}

const CURL_FLAGS = ['s', 'S', 'f', 'L', 'v', 'i', 'I', 'k', 'G', 'silent', 'show-error', 'fail', 'fail-with-body', 'location', 'verbose', 'include', 'head', 'insecure', 'get', 'compressed', 'no-progress-meter', 'http1.1', 'http2', 'globoff', 'g'];
const CURL_VALUES = ['X', 'H', 'd', 'm', 'w', 'u', 'A', 'e', 'request', 'header', 'data', 'data-raw', 'data-urlencode', 'max-time', 'connect-timeout', 'retry', 'retry-delay', 'write-out', 'user', 'user-agent', 'referer', 'max-filesize'];

function curlCheck(words: string[], context: ArgumentContext): string | undefined {
  const args = parseArgs(words, { shortValue: 'XHdmwuAe', longValue: CURL_VALUES.filter((v) => v.length > 1) });
  const other = args.options.find((o) => !CURL_FLAGS.includes(o.name) && !CURL_VALUES.includes(o.name));
  if (other) {
    const name = (other.name.length === 1 ? '-' : '--') + other.name;
    return `curl option \`${name}\` is not allowed: curl may only request a URL and print the answer (no files written or read, no config, no proxies). Allowed: -s -S -f -L -v -i -I -k -G -X -H -d -m -w -u -A and their long forms; redirect the output into the session folder to keep it.`;
  }
  for (const o of args.options) {
    if (o.value === undefined) continue;
    if (o.value.startsWith('@') || (o.name === 'data-urlencode' && o.value.includes('@'))) return `curl \`${o.name}\` with @file reads a file; pass the data inline.`;
    if ((o.name === 'w' || o.name === 'write-out') && /%\{?output\{|%output/.test(o.value)) return 'curl -w %output{...} writes a file; leave it out.';
  }
  for (const url of [...args.positionals, ...args.afterDashes]) {
    if (!/^https?:\/\//i.test(url)) return `curl may only fetch http:// or https:// URLs, not \`${url}\` (file://, other schemes and bare names are refused).`;
    const problem = context.urlProblem(url);
    if (problem) return problem;
  }
  return undefined;
}

const KUBECTL_IDENTITY = ['kubeconfig', 'server', 's', 'token', 'as', 'as-group', 'as-uid', 'context', 'user', 'cluster', 'certificate-authority', 'client-certificate', 'client-key', 'username', 'password', 'insecure-skip-tls-verify', 'tls-server-name', 'disable-compression'];
const KUBECTL_WRITERS = ['cache-dir', 'log-file', 'log-dir', 'profile-output', 'log-file-max-size', 'alsologtostderr', 'one-output'];
const KUBECTL_CONFIG_READS = ['view', 'current-context', 'get-contexts', 'get-clusters', 'get-users'];

function kubectlCheck(words: string[], context: ArgumentContext): string | undefined {
  const dashes = words.indexOf('--');
  const own = dashes < 0 ? words : words.slice(0, dashes); // after `--` comes the command run in the container
  for (const word of own) {
    const name = /^--?([A-Za-z0-9-]+)/.exec(word)?.[1];
    if (!name || !word.startsWith('-')) continue;
    const long = word.startsWith('--');
    if ((long && KUBECTL_IDENTITY.includes(name)) || (!long && word.startsWith('-s'))) {
      return `kubectl \`${word.split('=')[0]}\` would change which cluster or identity you use; your kubeconfig already points at the incident cluster as you. Leave it out.`;
    }
    if (long && KUBECTL_WRITERS.includes(name)) return `kubectl \`--${name}\` writes files outside the session folder; leave it out.`;
  }
  const args = parseArgs(own, { shortValue: 'nolfckpLc', longValue: ['namespace', 'output', 'selector', 'filename', 'kustomize', 'container', 'patch', 'type', 'field-selector', 'sort-by', 'template', 'from-file', 'from-env-file', 'from-literal', 'since', 'tail', 'timeout', 'replicas', 'image', 'request-timeout', 'v', 'chunk-size', 'label-columns'] });
  for (const o of args.options) {
    if (o.value === undefined) continue;
    if (['f', 'filename', 'k', 'kustomize', 'from-env-file'].includes(o.name) && o.value !== '-') {
      if (/^[a-z]+:\/\//i.test(o.value)) return 'kubectl may only read manifests from the session folder or stdin (-f -), not from URLs.';
      const problem = context.fileProblem(o.value);
      if (problem) return problem;
    }
    if (o.name === 'from-file') {
      const problem = context.fileProblem(o.value.replace(/^[^/=]+=/, ''));
      if (problem) return problem;
    }
    if ((o.name === 'o' || o.name === 'output') && /-file=/.test(o.value)) {
      const problem = context.fileProblem(o.value.slice(o.value.indexOf('=') + 1));
      if (problem) return problem;
    }
  }
  const [subcommand, ...rest] = args.positionals;
  if (subcommand === 'proxy') return 'kubectl proxy never ends and opens a port; use kubectl get --raw <path> instead.';
  if (subcommand === 'plugin') return 'kubectl plugin runs other programs; use kubectl\'s own commands.';
  if (subcommand === 'attach') return 'kubectl attach streams until the container ends; use kubectl logs instead.';
  if (subcommand === 'config' && !KUBECTL_CONFIG_READS.includes(rest[0] ?? '')) return `kubectl config ${rest[0] ?? ''} would change the kubeconfig; only ${KUBECTL_CONFIG_READS.join(', ')} are allowed.`;
  if (subcommand === 'cp') {
    for (const p of rest.filter((r) => !r.includes(':'))) {
      const problem = context.fileProblem(p);
      if (problem) return problem;
    }
  }
  return undefined;
}

const HELM_REFUSED: Record<string, string> = {
  'post-renderer': 'helm --post-renderer runs a program; leave it out.',
  kubeconfig: 'helm --kubeconfig would change which cluster you use; leave it out.',
  'kube-context': 'helm --kube-context would change which cluster you use; leave it out.',
  'kube-token': 'helm --kube-token would change who you are; leave it out.',
  'kube-apiserver': 'helm --kube-apiserver would change which cluster you use; leave it out.',
  'kube-as-user': 'helm --kube-as-user would change who you are; leave it out.',
  'kube-as-group': 'helm --kube-as-group would change who you are; leave it out.',
  'kube-ca-file': 'helm --kube-ca-file reads files elsewhere; leave it out.',
  'kube-insecure-skip-tls-verify': 'helm --kube-insecure-skip-tls-verify changes how the cluster is reached; leave it out.',
  'kube-tls-server-name': 'helm --kube-tls-server-name changes how the cluster is reached; leave it out.',
  'registry-config': 'helm --registry-config reads files elsewhere; leave it out.',
  'repository-config': 'helm --repository-config reads files elsewhere; leave it out.',
  'repository-cache': 'helm --repository-cache writes elsewhere; leave it out.',
};

function helmCheck(words: string[], context: ArgumentContext): string | undefined {
  const args = parseArgs(words, { shortValue: 'nfo', longValue: ['namespace', 'values', 'set', 'set-string', 'set-file', 'set-json', 'output', 'version', 'timeout', 'repo', 'ca-file', 'cert-file', 'key-file', 'post-renderer', 'kubeconfig', 'kube-context', 'kube-token', 'kube-apiserver', 'kube-as-user', 'kube-as-group', 'kube-ca-file', 'kube-tls-server-name', 'registry-config', 'repository-config', 'repository-cache'] });
  const refused = refusedOption(args, HELM_REFUSED);
  if (refused) return refused;
  if (args.positionals[0] === 'plugin') return 'helm plugin installs or runs other programs; use helm\'s own commands.';
  const files = args.options.filter((o) => ['f', 'values', 'ca-file', 'cert-file', 'key-file'].includes(o.name)).map((o) => o.value ?? '');
  files.push(...args.options.filter((o) => o.name === 'set-file').flatMap((o) => (o.value ?? '').split(',').map((kv) => kv.slice(kv.indexOf('=') + 1))));
  files.push(...args.positionals.filter((p) => /^(\/|\.|~)/.test(p)));
  return filesProblem(files.filter((f) => f !== '-'), context);
}

const DOCKER_SUBCOMMANDS = ['ps', 'logs', 'inspect', 'stop', 'start', 'restart', 'kill', 'exec', 'top', 'stats', 'port', 'images', 'version', 'info'];

function dockerCheck(words: string[]): string | undefined {
  const [subcommand, ...rest] = words;
  if (subcommand === undefined || subcommand.startsWith('-')) return 'docker options before the command (such as -H or --context) are not allowed; start with the command (docker ps, docker logs <name>, ...).';
  if (!DOCKER_SUBCOMMANDS.includes(subcommand)) return `docker ${subcommand} is not allowed: it would start containers, copy files or change images. Allowed: docker ${DOCKER_SUBCOMMANDS.join(', ')}.`;
  if (subcommand === 'stats' && !rest.includes('--no-stream')) return 'docker stats streams forever; add --no-stream.';
  return undefined;
}

/** The allowed programs and how each one's arguments are checked. */
export const PROGRAM_CHECKS: Readonly<Record<string, ProgramCheck>> = {
  kubectl: kubectlCheck,
  helm: helmCheck,
  curl: curlCheck,
  grep: grepCheck,
  egrep: grepCheck,
  awk: awkCheck,
  sed: sedCheck,
  jq: jqCheck,
  head: fileTool({ shortValue: 'nc', longValue: ['lines', 'bytes'] }),
  tail: fileTool({ shortValue: 'ncs', longValue: ['lines', 'bytes', 'sleep-interval', 'pid'] }, {
    f: 'tail -f never ends; use tail without -f.', F: 'tail -F never ends; use tail without -F.', follow: 'tail --follow never ends; use tail without it.',
  }),
  sort: fileTool({ shortValue: 'ktoTS', longValue: ['key', 'field-separator', 'output', 'temporary-directory', 'buffer-size', 'parallel', 'batch-size', 'compress-program', 'files0-from', 'random-source'] }, SORT_REFUSED),
  uniq: fileTool({ shortValue: 'fsw', longValue: ['skip-fields', 'skip-chars', 'check-chars', 'all-repeated', 'group'] }),
  wc: fileTool({}, { 'files0-from': 'wc --files0-from reads a list of files; name the files instead.' }),
  cut: fileTool({ shortValue: 'bcdf', longValue: ['bytes', 'characters', 'delimiter', 'fields', 'output-delimiter'] }),
  tr: noFiles,
  cat: fileTool({}),
  ls: fileTool({ shortValue: 'IwT', longValue: ['ignore', 'hide', 'width', 'format', 'sort', 'time', 'color', 'quoting-style', 'indicator-style', 'block-size', 'time-style', 'tabsize'] }),
  echo: noFiles,
  date: (words, context) => {
    const args = parseArgs(words, { shortValue: 'dfrsI', longValue: ['date', 'file', 'reference', 'set', 'iso-8601', 'rfc-3339'] });
    return refusedOption(args, {
      s: 'date -s would set the clock; leave it out.', set: 'date --set would set the clock; leave it out.',
      f: 'date -f reads a file; use date -d instead.', file: 'date --file reads a file; use date -d instead.',
    }) ?? filesProblem(args.options.filter((o) => o.name === 'r' || o.name === 'reference').map((o) => o.value ?? ''), context);
  },
  sleep: noFiles,
  docker: dockerCheck,
};
