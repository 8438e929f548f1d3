import { strict as assert } from 'node:assert';
import { checkShellCommand, splitShellCommand } from '../../src/core/shell/policy';
import { capOutput } from '../../src/core/shell/output-cap';

const dir = '/tmp/aiopslab-results/s1';

function refused(command: string, policy: 'open' | 'guarded' = 'guarded'): string {
  const result = checkShellCommand(command, policy, dir);
  assert.equal(result.allowed, false, `expected "${command}" to be refused`);
  return (result as { message: string }).message;
}

function allowed(command: string, policy: 'open' | 'guarded' = 'guarded'): void {
  const result = checkShellCommand(command, policy, dir);
  assert.equal(result.allowed, true, `expected "${command}" to be allowed, got: ${(result as { message?: string }).message}`);
}

describe('shell policy', () => {
  it('refuses the original interactive commands under every policy, with the original texts', () => {
    assert.equal(refused('kubectl edit svc user-service', 'open'), 'Error: Cannot use `kubectl edit`. Use `kubectl patch` instead.');
    assert.equal(refused('kubectl port-forward svc/x 8080:80', 'open'), 'Error: Cannot use `kubectl port-forward` because it is an interactive command.');
    assert.equal(refused('kubectl logs -f geo-123', 'open'), 'Error: Cannot use `kubectl logs -f`. Use `kubectl logs` instead.');
    assert.equal(refused('docker logs -f c', 'open'), 'Error: Cannot use `docker logs -f`. Use `docker logs` instead.');
  });

  it('refuses watches and interactive exec that would never return', () => {
    assert.match(refused('kubectl get pods -w', 'open'), /never end/);
    assert.match(refused('kubectl exec -it geo -- sh', 'open'), /never end/);
  });

  it('lets the open policy run anything else', () => {
    allowed('python3 -c "print(1)"', 'open');
    allowed('rm -rf /tmp/x', 'open');
  });

  it('allows pipelines of allow-listed programs under the guarded policy', () => {
    allowed('kubectl get pods -n test-social-network | grep -v Running | wc -l');
    allowed('kubectl get pods -A -o json | jq ".items[].metadata.name" | sort | uniq');
    allowed('kubectl describe pod geo-1 -n ns && kubectl get events -n ns --sort-by=.lastTimestamp | tail -20');
    allowed('kubectl logs geo-1 -n ns 2>&1 | head -50');
    allowed('kubectl get svc -o yaml > svc.yaml');
    allowed(`kubectl get pods -o json > ${dir}/pods.json`);
    allowed('kubectl get pods > /dev/null');
    allowed("kubectl patch svc user-service -n ns --type=json -p '[{\"op\":\"replace\",\"path\":\"/spec/ports/0/targetPort\",\"value\":9090}]'");
  });

  it('refuses programs off the allow-list and says what is allowed', () => {
    const message = refused('kubectl get pods | python3 -c "import sys"');
    assert.match(message, /`python3` is not an allowed program/);
    assert.match(message, /kubectl, helm, curl/);
    refused('rm -rf /');
    refused('bash -c "kubectl get pods"');
    refused('kubectl get pods; rm -rf ~');
  });

  it('refuses command substitution, which would run unchecked programs', () => {
    assert.match(refused('echo $(rm -rf /)'), /substitution/);
    assert.match(refused('echo `id`'), /substitution/);
    assert.match(refused('cat <(id)'), /substitution/);
    assert.match(refused('kubectl get pods -l "app=$(id)"'), /substitution/);
  });

  it('keeps quoted metacharacters as data', () => {
    allowed("kubectl get pods | grep 'a|b;c'");
    allowed('echo "x > y"');
    assert.deepEqual(splitShellCommand("grep 'a|b' f | wc -l").commands, [['grep', 'a|b', 'f'], ['wc', '-l']]);
  });

  it('refuses redirections that write outside the session folder', () => {
    assert.match(refused('kubectl get pods > /etc/passwd'), /outside the session folder/);
    assert.match(refused('kubectl get pods >> ../../other/file'), /outside the session folder/);
    assert.match(refused(`echo x > ${dir}/../escape`), /outside the session folder/);
  });
});

describe('output cap', () => {
  it('leaves short output alone', () => {
    assert.equal(capOutput('hello\n', 100), 'hello\n');
  });

  it('keeps head and tail and says how much was cut', () => {
    const text = Array.from({ length: 1000 }, (_, i) => `line ${i}`).join('\n');
    const capped = capOutput(text, 500);
    assert.ok(capped.startsWith('line 0\n'));
    assert.ok(capped.endsWith('line 999'));
    assert.match(capped, /output truncated: \d+ characters \(\d+ lines\) cut/);
    assert.ok(capped.length < 700);
  });
});

describe('shell policy: what turns an allowed program into a launcher, a writer or another identity', () => {
  const apiServers = ['127.0.0.1:6443'];
  const why = (command: string) => {
    const result = checkShellCommand(command, 'guarded', dir, apiServers);
    assert.equal(result.allowed, false, `expected "${command}" to be refused`);
    return (result as { message: string }).message;
  };
  const ok = (command: string) => {
    const result = checkShellCommand(command, 'guarded', dir, apiServers);
    assert.equal(result.allowed, true, `expected "${command}" to be allowed, got: ${(result as { message?: string }).message}`);
  };

  it('refuses awk system(), pipes, getline, ARGV and writes, and keeps ordinary awk', () => {
    assert.match(why(`awk 'BEGIN{system("id")}'`), /awk's `system`/);
    assert.match(why(`awk '{print | "sh"}'`), /pipe to a command/);
    assert.match(why(`awk '{print |& "sh"}'`), /pipe to a command/);
    assert.match(why(`awk 'BEGIN{"id" | getline x}'`), /getline|pipe/);
    assert.match(why(`awk '{getline line < "/etc/passwd"}'`), /getline/);
    assert.match(why(`awk 'BEGIN{ARGV[1]="/etc/passwd"; ARGC=2} {print}'`), /ARGV/);
    assert.match(why(`awk '{print > "out"}'`), /write a file/);
    assert.match(why(`awk -f prog.awk x`), /awk -f/);
    ok(`awk '{print $1}' x.csv`);
    ok(`awk -F, '$3 > 5 {print $1}' x.csv`);
    ok(`awk 'NR>1 {s+=$2} END {print s}' x.csv`);
  });

  it('refuses sed e, w, W, r and -i, and keeps s///, p and d', () => {
    assert.match(why(`sed -n '1e id' x`), /command `e`/);
    assert.match(why(`sed 's/a/id/e' x`), /flag `e`/);
    assert.match(why(`sed 's/a/b/w out' x`), /flag `w/);
    assert.match(why(`sed 'w out' x`), /command `w`/);
    assert.match(why(`sed '1r /etc/passwd' x`), /command `r`/);
    assert.match(why(`sed -i 's/a/b/' x`), /sed -i/);
    assert.match(why(`sed -f script.sed x`), /sed -f/);
    ok(`sed -e 's/requireTLS/disabled/' -e '/certificateKeyFile:/d' x.yaml`);
    ok(`sed -n '/error/p;3q' x.log`);
    ok(`sed 's|a|b|g; y/abc/xyz/' x`);
  });

  it('lets curl only read the API server, and refuses its file options', () => {
    assert.match(why('curl -s file:///etc/passwd'), /only fetch http/);
    assert.match(why('curl -s -o out http://127.0.0.1:6443/version'), /`-o` is not allowed/);
    assert.match(why('curl -O http://127.0.0.1:6443/version'), /`-O` is not allowed/);
    assert.match(why('curl --output out http://127.0.0.1:6443/version'), /--output/);
    assert.match(why('curl -K cfg http://127.0.0.1:6443/'), /`-K`/);
    assert.match(why('curl --config cfg http://127.0.0.1:6443/'), /--config/);
    assert.match(why('curl -T x http://127.0.0.1:6443/'), /`-T`/);
    assert.match(why('curl --upload-file x http://127.0.0.1:6443/'), /--upload-file/);
    assert.match(why('curl -d @secret http://127.0.0.1:6443/'), /@file/);
    assert.match(why('curl -s http://127.0.0.1:8080/'), /only the cluster's API server/);
    ok('curl -s http://127.0.0.1:6443/version');
  });

  it('refuses kubectl options and commands that change identity or target, or read and write host files', () => {
    for (const flag of ['--kubeconfig=/x', '--server=http://x', '-s http://x', '--token=t', '--as=admin', '--as-group=system:masters', '--context=c', '--user=u', '--cluster=c', '--certificate-authority=/ca', '--client-key=/k']) {
      assert.match(why(`kubectl ${flag} get pods`), /would change which cluster or identity/, flag);
    }
    assert.match(why('kubectl cp ns/pod:/etc/hosts /tmp/hosts'), /outside the session folder/);
    assert.match(why('kubectl apply -f /etc/x.yaml'), /outside the session folder/);
    assert.match(why('kubectl apply -f http://example.com/x.yaml'), /not from URLs/);
    assert.match(why('kubectl config use-context other'), /would change the kubeconfig/);
    assert.match(why('kubectl proxy'), /kubectl proxy/);
    ok('kubectl get configmap x -n ns -o yaml | sed -e s/a/b/ | kubectl apply -f -');
    ok('kubectl cp ns/pod:/etc/hosts ./hosts');
    ok('kubectl exec -n ns mongo-0 -- mongo --eval "db.x.find()"');
  });

  it('refuses helm plugin and docker run/cp, keeps docker ps/logs', () => {
    assert.match(why('helm plugin install x'), /helm plugin/);
    assert.match(why('helm install x ./chart --post-renderer ./hook'), /post-renderer/);
    assert.match(why('docker run -v /:/host alpine'), /docker run is not allowed/);
    assert.match(why('docker cp c:/etc/passwd .'), /docker cp is not allowed/);
    assert.match(why('docker -H tcp://x ps'), /options before the command/);
    ok("docker ps -a --format '{{.Names}}'");
    ok('docker logs clientapp-1 | tail -n 5');
  });

  it('refuses ~, $ and globs in redirection targets, heredocs, substitutions and background jobs, each with a way out', () => {
    assert.match(why('echo x > ~/f'), /would be expanded/);
    assert.match(why('echo x > $HOME/f'), /variables/);
    assert.match(why('echo x > f*'), /would be expanded/);
    assert.match(why('cat <<EOF\nx\nEOF'), /heredocs/);
    assert.match(why('cat <(id)'), /process substitution/);
    assert.match(why("echo $'\\x41'"), /ANSI-C/);
    assert.match(why('sleep 100 &'), /background/);
    assert.match(why('(id)'), /subshells/);
    assert.match(why('kubectl get pods\nid'), /`id` is not an allowed program/);
    assert.match(why('cat < /etc/passwd'), /outside the session folder/);
    assert.match(why('KUBECONFIG=/x kubectl get pods'), /setting `KUBECONFIG`/);
    assert.match(why('/usr/bin/cat x'), /call programs by name/);
    ok('LC_ALL=C sort x | uniq -c');
    ok('kubectl get pods 2>&1 | grep -v Running');
  });
});
