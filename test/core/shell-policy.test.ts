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
