import { strict as assert } from 'node:assert';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

const root = path.resolve(__dirname, '..', '..', '..');
const bin = path.join(root, 'bin', 'aiopslab.js');

/** Runs the real CLI as a user would (node bin/aiopslab.js), in a scratch working folder. */
function cli(args: string[], input?: string, cwd?: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [bin, ...args], { cwd: cwd ?? fs.mkdtempSync(path.join(os.tmpdir(), 'aiopslab-cli-')), env: { ...process.env, AIOPSLAB_DEBUG: '' } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (b) => (stdout += b));
    child.stderr.on('data', (b) => (stderr += b));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(input ?? '');
  });
}

async function parse(reply: string): Promise<{ code: number | null; json: any }> { // eslint-disable-line @typescript-eslint/no-explicit-any
  const r = await cli(['parse', '--json'], reply);
  return { code: r.code, json: JSON.parse(r.stdout) };
}

describe('CLI', function () {
  this.timeout(30_000);
  before(function () {
    if (!fs.existsSync(path.join(root, 'dist', 'cli.js'))) throw new Error('dist/cli.js is missing: run `npm run build` (npm test does it).');
  });

  describe('aiopslab parse', () => {
    it('parses the original form and prints api_name, args, kwargs, context', async () => {
      const { code, json } = await parse('Thought: list pods.\nAction:\n```\nexec_shell("kubectl get pods -n test-hotel-reservation")\n```');
      assert.equal(code, 0);
      assert.deepEqual(json, { api_name: 'exec_shell', args: ['kubectl get pods -n test-hotel-reservation'], kwargs: {}, context: ['Thought: list pods.\nAction:'], diagnostics: [] });
    });

    it('reports the common broken replies as diagnostics with positions and fixes', async () => {
      const joined = await parse('Action:\n```\nget_logs("ns" "svc")\n```');
      assert.equal(joined.code, 1, 'get_logs gets one joined string: the service is missing');
      assert.deepEqual(joined.json.diagnostics.map((d: { code: string; severity: string; line: number; column: number }) => [d.code, d.severity, d.line, d.column]), [
        ['adjacent-strings', 'warning', 3, 14],
        ['missing-argument', 'error', 3, 20],
      ]);
      assert.deepEqual(joined.json.diagnostics[0].fix, { title: 'Insert comma', edits: [{ start: 25, end: 25, text: ',' }] });
      const unknown = await parse('```\nget_log("ns", "svc")\n```');
      assert.equal(unknown.code, 1);
      assert.deepEqual([unknown.json.diagnostics[0].code, unknown.json.diagnostics[0].line, unknown.json.diagnostics[0].column], ['unknown-api', 2, 1]);
      assert.equal(unknown.json.diagnostics[0].fix.edits[0].text, 'get_logs');
      const missing = await parse('```\nget_logs("ns")\n```');
      assert.equal(missing.code, 1);
      assert.match(missing.json.diagnostics[0].message, /missing required argument 'service'/);
      const usage = await cli(['parse', '--task', 'fixing'], 'x');
      assert.equal(usage.code, 2);
      assert.match(usage.stderr, /--task must be one of detection, localization, analysis, mitigation/);
    });

    it('accepts the forgiving forms', async () => {
      const forms: Array<[string, string]> = [
        ['```python\nget_logs("test-social-network", "user-service")\n```', 'get_logs'],
        ['Action:```\nsubmit(["geo", "rate"])\n```', 'submit'],
        ['    ```\n    submit({"system_level": "Application", "fault_type": "Misconfiguration"})\n    ```', 'submit'],
        ['get_metrics("test-hotel-reservation", 10)', 'get_metrics'],
        ['```\nexec_shell(command="kubectl get svc", timeout=60)  # look at services\n```', 'exec_shell'],
        ['```\nsubmit(\n  ["user-service"],\n)\n```', 'submit'],
      ];
      for (const [reply, name] of forms) {
        const { code, json } = await parse(reply);
        assert.equal(code, 0, `${reply} → ${JSON.stringify(json)}`);
        assert.equal(json.api_name, name);
      }
      // The command comes out positional, as the original parser prints it (it reads exec_shell's argument as a string).
      const { json } = await parse('```\nexec_shell(command="kubectl get svc", timeout=60)\n```');
      assert.deepEqual([json.args, json.kwargs], [['kubectl get svc'], { timeout: 60 }]);
      const plain = (await parse('```\nexec_shell(command="ls -l")\n```')).json;
      assert.deepEqual([plain.api_name, plain.args, plain.kwargs], ['exec_shell', ['ls -l'], {}]);
    });

    it('rejects with a specific message and exit 1', async () => {
      const cases: Array<[string, RegExp]> = [
        ['The pods look fine to me.', /no API call/i],
        ['```\nexec_shell("ls")\n```\n```\nsubmit("Yes")\n```', /two|2|more than one|exactly one/i],
        ['```\nsubmit(["geo", "rate"\n```', /syntax|unclosed|expected|bracket|parenthes/i],
        ['```\nexec_shell(kubectl get pods)\n```', /quoted string/i],
      ];
      for (const [reply, pattern] of cases) {
        const { code, json } = await parse(reply);
        assert.equal(code, 1, reply);
        assert.match(json.error, pattern, `${reply} → ${json.error}`);
      }
    });
  });

  it('lists problems, filtered and as JSON', async () => {
    const all = await cli(['problems', '--json']);
    assert.equal(all.code, 0);
    assert.equal(JSON.parse(all.stdout).length, 89);
    const mitigation = await cli(['problems', '--task', 'mitigation', '--app', 'social-network']);
    assert.match(mitigation.stdout, /k8s_target_port-misconfig-mitigation-1/);
    assert.doesNotMatch(mitigation.stdout, /detection/);
  });

  it('says clearly what is wrong with bad input, without a stack trace', async () => {
    const unknown = await cli(['run', 'no_such_problem-detection-1']);
    assert.equal(unknown.code, 2);
    assert.match(unknown.stderr, /no_such_problem-detection-1/);
    assert.doesNotMatch(unknown.stderr, /\n\s+at /);
    const cwd = fs.mkdtempSync(path.join(os.tmpdir(), 'aiopslab-cli-'));
    fs.writeFileSync(path.join(cwd, 'aiopslab.config.yaml'), 'maxSteps: lots\n');
    const badConfig = await cli(['problems'], undefined, cwd);
    assert.equal(badConfig.code, 2);
    assert.match(badConfig.stderr, /aiopslab\.config\.yaml: maxSteps/);
    const badTask = await cli(['problems', '--task', 'triage']);
    assert.equal(badTask.code, 2);
    assert.match(badTask.stderr, /triage/);
  });

  it('refuses a step budget or worker count that is not a whole number, before any session starts', async () => {
    for (const args of [
      ['run', 'k8s_target_port-misconfig-mitigation-1', '--agent', 'baseline', '--max-steps', 'abc'],
      ['eval', '--problems', 'k8s_target_port-misconfig-mitigation-1', '--max-steps', '0'],
      ['human', 'k8s_target_port-misconfig-mitigation-1', '--max-steps', '2.5'],
      ['validate', '--problems', 'no_op', '--parallel', 'many'],
    ]) {
      const r = await cli(args);
      assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
      assert.match(r.stderr, /(--max-steps|--parallel) takes .*a whole number/);
      assert.doesNotMatch(r.stderr, /\n\s+at /);
      assert.doesNotMatch(r.stdout + r.stderr, /session /, 'no session was started');
    }
  });

  it('lists sessions of an empty results folder', async () => {
    const r = await cli(['sessions', '--json']);
    assert.equal(r.code, 0);
    assert.deepEqual(JSON.parse(r.stdout), []);
  });
});
