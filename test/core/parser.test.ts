import assert from 'assert/strict';
import {
  ParsedAction,
  ResponseParsingError,
  formatCall,
  parseCommandOutput,
  parseResponse,
  submittedSolution,
  wrapHumanInput,
} from '../../src/core/parser';

const F = '```';

function block(call: string): string {
  return `${F}\n${call}\n${F}`;
}

function call(reply: string): Omit<ParsedAction, 'context'> {
  const { api_name, args, kwargs } = parseResponse(reply);
  return { api_name, args, kwargs };
}

function rejects(reply: string, code: string, ...fragments: string[]): ResponseParsingError {
  let caught: unknown;
  try {
    const r = parseResponse(reply);
    assert.fail(`expected a ResponseParsingError (${code}) but parsed ${JSON.stringify(r)}`);
  } catch (e) {
    caught = e;
  }
  assert.ok(caught instanceof ResponseParsingError, `expected ResponseParsingError, got ${String(caught)}`);
  const err = caught;
  assert.equal(err.code, code, err.message);
  assert.ok(err.message.startsWith('Error parsing response: '), err.message);
  assert.ok(!err.message.includes('Error parsing response: Error parsing response'), 'prefix appears once');
  for (const f of fragments) assert.ok(err.message.includes(f), `message should contain ${JSON.stringify(f)}:\n${err.message}`);
  return err;
}

describe('response parser — the original suite\'s intents, with its indented inputs', () => {
  // The original's tests wrote replies as indented triple-quoted strings; its validator then rejected them.
  const indented = (c: string) => `\n        Thought: next step\n        ${F}\n        ${c}\n        ${F}\n        `;

  it('a call with no arguments', () => {
    assert.deepEqual(call(indented('get_traces()')), { api_name: 'get_traces', args: [], kwargs: {} });
  });

  it('an int argument', () => {
    assert.deepEqual(call(indented('get_metrics(5)')), { api_name: 'get_metrics', args: [5], kwargs: {} });
  });

  it('an int and a string argument', () => {
    assert.deepEqual(call(indented('get_metrics("test-hotel-reservation", 10)')), {
      api_name: 'get_metrics',
      args: ['test-hotel-reservation', 10],
      kwargs: {},
    });
  });

  it('a shell command', () => {
    assert.deepEqual(call(indented('exec_shell("kubectl get pods -n test-hotel-reservation")')), {
      api_name: 'exec_shell',
      args: ['kubectl get pods -n test-hotel-reservation'],
      kwargs: {},
    });
  });

  it('a shell command with nested JSON quotes (escaped)', () => {
    const c = String.raw`exec_shell("kubectl patch svc geo -n x --type='json' -p='[{\"op\": \"replace\", \"path\": \"/spec/ports/0/targetPort\", \"value\": 8083}]'")`;
    assert.deepEqual(call(indented(c)).args, [
      `kubectl patch svc geo -n x --type='json' -p='[{"op": "replace", "path": "/spec/ports/0/targetPort", "value": 8083}]'`,
    ]);
  });

  it('a shell command with nested JSON quotes left unescaped (the original\'s quote stripping, kept)', () => {
    const c = `exec_shell("kubectl patch svc geo -p '{"spec": {"ports": [{"port": 8083}]}}'")`;
    assert.deepEqual(call(block(c)).args, [`kubectl patch svc geo -p '{"spec": {"ports": [{"port": 8083}]}}'`]);
  });

  it('extracts the context: text outside the block, each segment stripped, empties dropped', () => {
    const r = parseResponse(`  Thought: the geo pods crash.  \n\n${block('submit(["geo"])')}\n\n  I am confident.  \n`);
    assert.deepEqual(r.context, ['Thought: the geo pods crash.', 'I am confident.']);
    assert.deepEqual(parseResponse(block('submit()')).context, []);
  });

  it('a reply without any API call is an error', () => {
    rejects('I think the service is fine, nothing to do.', 'no-call', 'no API call found');
  });

  const submits: Array<[string, string, unknown[], Record<string, unknown>]> = [
    ['detection, positional', 'submit("Yes")', ['Yes'], {}],
    ['detection, keyword', 'submit(has_anomaly="Yes")', [], { has_anomaly: 'Yes' }],
    ['localization, positional', 'submit(["geo", "rate"])', [['geo', 'rate']], {}],
    ['localization, keyword', 'submit(faulty_components=["geo"])', [], { faulty_components: ['geo'] }],
    ['localization, empty list', 'submit([])', [[]], {}],
    [
      'analysis, positional',
      'submit({"system_level": "Application", "fault_type": "Misconfiguration"})',
      [{ system_level: 'Application', fault_type: 'Misconfiguration' }],
      {},
    ],
    [
      'analysis, keyword',
      'submit(analysis={"system_level": "Virtualization", "fault_type": "Operation Error"})',
      [],
      { analysis: { system_level: 'Virtualization', fault_type: 'Operation Error' } },
    ],
    ['mitigation, no argument', 'submit()', [], {}],
  ];
  for (const [label, c, args, kwargs] of submits) {
    it(`submit for ${label}`, () => {
      assert.deepEqual(call(indented(c)), { api_name: 'submit', args, kwargs });
    });
  }

  it('the solution of a keyword-form submit is its single keyword value (the original stored [])', () => {
    assert.deepEqual(submittedSolution(parseResponse(block('submit(has_anomaly="Yes")'))), { given: true, value: 'Yes' });
    assert.deepEqual(submittedSolution(parseResponse(block('submit(["geo"])'))), { given: true, value: ['geo'] });
    assert.deepEqual(submittedSolution(parseResponse(block('submit()'))), { given: false });
  });
});

describe('response parser — accepted block forms', () => {
  const ls = { api_name: 'exec_shell', args: ['ls -l'], kwargs: {} };

  it('the original\'s exact form, with and without Action:', () => {
    assert.deepEqual(call(block('exec_shell("ls -l")')), ls);
    assert.deepEqual(call(`Action:\n${block('exec_shell("ls -l")')}`), ls);
    assert.deepEqual(call(`Action:${block('exec_shell("ls -l")')}`), ls);
    assert.deepEqual(call(`Action: ${block('exec_shell("ls -l")')}`), ls);
  });

  it('an indented block and an indented closing fence', () => {
    assert.deepEqual(call(`    ${F}\n    exec_shell("ls -l")\n    ${F}`), ls);
    assert.deepEqual(call(`${F}\nexec_shell("ls -l")\n  ${F}`), ls);
  });

  it('a language tag after the opening fence', () => {
    for (const tag of ['python', 'bash', 'tool_code', 'py', 'sh', 'python3', 'text']) {
      assert.deepEqual(call(`${F}${tag}\nexec_shell("ls -l")\n${F}`), ls, tag);
      assert.deepEqual(call(`${F} ${tag} \nexec_shell("ls -l")\n${F}`), ls, tag);
    }
  });

  it('a one-line block and a call on the opening fence\'s line', () => {
    assert.deepEqual(call(`${F}exec_shell("ls -l")${F}`), ls);
    assert.deepEqual(call(`Action: ${F} exec_shell("ls -l") ${F}`), ls);
    assert.deepEqual(call(`${F}exec_shell("ls -l")\n${F}`), ls);
    assert.deepEqual(call(`${F}python exec_shell("ls -l")${F}`), ls);
    assert.deepEqual(call(`${F}\nexec_shell("ls -l")${F}`), ls);
  });

  it('longer fences, an `Action:` label inside the block, a trailing semicolon', () => {
    assert.deepEqual(call('````\nexec_shell("ls -l")\n````'), ls);
    assert.deepEqual(call(block('Action: exec_shell("ls -l")')), ls);
    assert.deepEqual(call(block('exec_shell("ls -l");')), ls);
  });

  it('a tool_code block that wraps the call in print(...)', () => {
    assert.deepEqual(call(`${F}tool_code\nprint(exec_shell("ls -l"))\n${F}`), ls);
    assert.deepEqual(call(`${F}tool_code\nprint( exec_shell("ls -l") )  # run\n${F}`), ls);
    rejects(`${F}tool_code\nprint(exec_shell("ls -l"), 1)\n${F}`, 'syntax', 'closing `print(`');
    assert.equal(call(block('print("hello")')).api_name, 'print', 'print of a non-API value is just an unknown API');
  });

  it('a block left open at the end of the reply when it holds one call', () => {
    assert.deepEqual(call(`Thought: list\n${F}\nexec_shell("ls -l")\n`), ls);
  });

  it('blank lines and comments around the call, trailing # comments, comments inside a multi-line call', () => {
    const r = call(block('\n# list the pods\n\nget_logs(\n    "test-social-network",  # the namespace\n    "user-service",  # the service\n)  # done\n'));
    assert.deepEqual(r, { api_name: 'get_logs', args: ['test-social-network', 'user-service'], kwargs: {} });
  });

  it('ignores a block without a call when exactly one other block holds the call', () => {
    const reply = `The config was:\n${F}yaml\nspec:\n  replicas: 0\n${F}\nSo I scale it:\n${block('exec_shell("kubectl scale deploy geo --replicas=1")')}`;
    const r = parseResponse(reply);
    assert.equal(r.api_name, 'exec_shell');
    assert.deepEqual(r.context, ['The config was:', 'So I scale it:']);
  });

  it('an unknown API name in a block still parses (the orchestrator answers "Invalid action")', () => {
    assert.deepEqual(call(block('restart_pod("geo")')), { api_name: 'restart_pod', args: ['geo'], kwargs: {} });
  });

  it('a space between the name and the parenthesis', () => {
    assert.deepEqual(call(block('exec_shell ("ls -l")')), ls);
  });

  it('CRLF line endings', () => {
    const r = parseResponse('Thought: pods\r\nAction:\r\n```\r\nexec_shell("ls -l")\r\n```\r\n');
    assert.deepEqual({ ...r, context: r.context }, { ...ls, context: ['Thought: pods\nAction:'] });
    assert.deepEqual(call('```\r\nsubmit("""a\r\nb""")\r\n```').args, ['a\nb']);
    assert.deepEqual(parseResponse('Thought\r```\rsubmit("Yes")\r```\r').context, ['Thought']);
  });

  it('unicode in thoughts and in arguments', () => {
    const r = parseResponse(`Думаю: 服务 ✓ 🚀\n${block('exec_shell("echo \'héllo wörld ✓ 🚀 日本\'")')}`);
    assert.deepEqual(r.args, ["echo 'héllo wörld ✓ 🚀 日本'"]);
    assert.deepEqual(r.context, ['Думаю: 服务 ✓ 🚀']);
    assert.deepEqual(call(block('submit(["сервис", "サービス"])')).args, [['сервис', 'サービス']]);
  });
});

describe('response parser — a call without a code block', () => {
  it('accepts a reply that is exactly one call of a known API', () => {
    assert.deepEqual(parseResponse('  exec_shell("kubectl get pods")  \n'), {
      api_name: 'exec_shell',
      args: ['kubectl get pods'],
      kwargs: {},
      context: [],
    });
  });

  it('accepts a known call that is everything after the last Action:, on the same or the next line', () => {
    const r = parseResponse('Thought: I should look at the pods.\nAction: exec_shell("kubectl get pods")');
    assert.deepEqual(r, {
      api_name: 'exec_shell',
      args: ['kubectl get pods'],
      kwargs: {},
      context: ['Thought: I should look at the pods.\nAction:'],
    });
    assert.equal(parseResponse('Thought: x\nAction:\n\nsubmit(\n  ["geo"],\n)\n').api_name, 'submit');
  });

  it('finds the right Action: label (a line-start label, an Action: inside the command, an earlier mention)', () => {
    assert.deepEqual(parseResponse('Action: exec_shell("echo Action: x")').args, ['echo Action: x']);
    assert.deepEqual(parseResponse('submit() comes later.\nAction: exec_shell("ls")').args, ['ls']);
    assert.deepEqual(parseResponse('Thought: x. Action: submit("Yes")').context, ['Thought: x. Action:']);
    assert.deepEqual(parseResponse('action: submit("No")').args, ['No']);
  });

  it('reports the specific error of a malformed known call without a block', () => {
    rejects('Thought: x\nAction: submit(["geo"', 'syntax', 'never closed');
    rejects('Action: exec_shell(kubectl get pods)', 'unquoted-command', block('exec_shell("kubectl get pods")'));
  });

  it('rejects an unknown name without a block, listing the available APIs', () => {
    rejects('restart_pod("geo")', 'no-call', '`restart_pod(...)` is not one of the available APIs', 'exec_shell, get_logs');
  });

  it('rejects a bare call followed by more text', () => {
    rejects('exec_shell("ls")\nThat will list the files.', 'no-call', 'does not consist of the API call alone', block('exec_shell("ls")'));
  });

  it('rejects a call in the middle of prose', () => {
    rejects('I will run exec_shell("ls") next.', 'no-call');
  });

  it('the set of known names is an option', () => {
    assert.equal(parseResponse('restart_pod("geo")', { knownApis: ['restart_pod'] }).api_name, 'restart_pod');
    rejects('get_logs("a", "b")'.replace('get_logs', 'nope'), 'no-call');
  });
});

describe('response parser — Python literal arguments', () => {
  const args = (s: string) => call(block(`submit(${s})`)).args;

  it('strings: single, double, triple-quoted, adjacent concatenation', () => {
    assert.deepEqual(args(`'a', "b", '''c'd''', """e"f\ng""", "h" 'i'\n  "j"`), ['a', 'b', "c'd", 'e"f\ng', 'hij']);
    assert.deepEqual(args(`""`), ['']);
    assert.deepEqual(args(`''''''`), ['']);
  });

  it('escapes: \\n \\t \\\\ \\\' \\" \\xNN \\uNNNN \\U, octal, line continuation; unknown escapes keep the backslash', () => {
    assert.deepEqual(args(String.raw`"a\nb\tc\\d\'e\"f\x41\u00e9\U0001F680\101\0"`), ['a\nb\tc\\d\'e"fAé🚀A\0']);
    assert.deepEqual(args('"one \\\ntwo"'), ['one two']);
    assert.deepEqual(args(String.raw`"grep -E 'a\|b' \d"`), [String.raw`grep -E 'a\|b' \d`]);
  });

  it('raw strings and other prefixes', () => {
    assert.deepEqual(args(String.raw`r'\d+\n', R"a\"b", b'x', u'y', rb"\z", f'plain'`), [String.raw`\d+\n`, String.raw`a\"b`, 'x', 'y', String.raw`\z`, 'plain']);
  });

  it('ints and floats: negatives, exponents, underscores, bases', () => {
    assert.deepEqual(args('0, 42, -7, +3, - 5, --2, 1_000_000, 0x1F, 0o17, 0b101, 0xff_ff'), [0, 42, -7, 3, -5, 2, 1000000, 31, 15, 5, 65535]);
    assert.deepEqual(args('1.5, -0.25, .5, 1., 1e3, 2.5E-2, -1e-3, 1_000.5'), [1.5, -0.25, 0.5, 1, 1000, 0.025, -0.001, 1000.5]);
  });

  it('True/False/None and JSON\'s true/false/null', () => {
    assert.deepEqual(args('True, False, None, true, false, null'), [true, false, null, true, false, null]);
  });

  it('lists, dicts and tuples (top-level and nested, tuples become arrays), trailing commas', () => {
    assert.deepEqual(args('[], {}, (), [1, [2, [3]],], {"a": {"b": [1, (2, 3)]},}, (1,), (1, (2, "x")), ("paren")'), [
      [],
      {},
      [],
      [1, [2, [3]]],
      { a: { b: [1, [2, 3]] } },
      [1],
      [1, [2, 'x']],
      'paren',
    ]);
  });

  it('dict keys become strings like json.dumps writes them; __proto__ is an ordinary key', () => {
    const [d] = args('{1: "a", True: "b", None: "c", "__proto__": {"polluted": 1}}') as [Record<string, unknown>];
    assert.deepEqual(Object.keys(d), ['1', 'true', 'null', '__proto__']);
    assert.equal(Object.getPrototypeOf(d), Object.prototype);
    assert.equal(({} as Record<string, unknown>).polluted, undefined);
  });

  it('keyword arguments, multi-line calls', () => {
    assert.deepEqual(call(block('get_metrics(\n  namespace="astronomy-shop",\n  duration=10,\n)')), {
      api_name: 'get_metrics',
      args: [],
      kwargs: { namespace: 'astronomy-shop', duration: 10 },
    });
    assert.deepEqual(call(block('get_logs("ns", service = "cart")')), { api_name: 'get_logs', args: ['ns'], kwargs: { service: 'cart' } });
  });

  it('exec_shell: keyword form and a timeout (positional or keyword)', () => {
    assert.deepEqual(call(block('exec_shell(command="kubectl get pods", timeout=60)')), {
      api_name: 'exec_shell',
      args: [],
      kwargs: { command: 'kubectl get pods', timeout: 60 },
    });
    assert.deepEqual(call(block('exec_shell("kubectl get pods", 45)')).args, ['kubectl get pods', 45]);
    // `command=` inside the command is kept (the original deleted every occurrence).
    assert.deepEqual(call(block(`exec_shell(command="grep command= x.log")`)).kwargs, { command: 'grep command= x.log' });
    assert.deepEqual(call(block(`exec_shell(command='kubectl patch x -p '{"a": 1}'', timeout=30)`)), {
      api_name: 'exec_shell',
      args: [`kubectl patch x -p '{"a": 1}'`],
      kwargs: { timeout: 30 },
    });
  });

  it('a multi-line shell command in a string (even single-quoted)', () => {
    assert.deepEqual(call(block('exec_shell("kubectl get pods \\\n  -n x")')).args, ['kubectl get pods   -n x']);
    assert.deepEqual(call(block('exec_shell("cat <<EOF\nline\nEOF")')).args, ['cat <<EOF\nline\nEOF']);
  });
});

describe('response parser — rejected replies say what was wrong and show the correct form', () => {
  const example = `${F}\nexec_shell("kubectl get pods -n test-social-network")\n${F}`;

  it('no call at all: one fenced block with one call, and an example', () => {
    rejects('Let me think about this problem.', 'no-call', 'no API call found', 'exactly one markdown code block', 'exactly one API call', example);
    rejects('', 'no-call', 'empty', example);
    rejects('   \n\n  ', 'no-call', 'empty');
  });

  it('two blocks that each hold a call: how many, one per turn, the first one alone', () => {
    const e = rejects(
      `${block('exec_shell("kubectl get pods")')}\nthen\n${block('exec_shell("kubectl get svc")')}`,
      'multiple-calls',
      'found 2 API calls',
      'in 2 code blocks',
      'only one call per turn',
      block('exec_shell("kubectl get pods")'),
    );
    assert.ok(!e.message.includes('get svc'));
  });

  it('two (or three) calls in one block', () => {
    rejects(block('exec_shell("kubectl get pods")\nexec_shell("kubectl get svc")'), 'multiple-calls', 'found 2 API calls', 'in one code block', 'only one call per turn');
    rejects(block('get_logs("a", "b"); get_logs("a", "c"); submit()'), 'multiple-calls', 'found 3 API calls');
    rejects('exec_shell("a")\nexec_shell("b")', 'multiple-calls', 'found 2 API calls');
  });

  it('a syntax error: line, column, the offending character, a caret and the Python form', () => {
    const e = rejects(
      `Thought\n${block('submit(["geo", "rate")')}`,
      'syntax',
      'line 3, column 22',
      'at `)`',
      'expected `,` or `]` in the list',
      '                         ^',
      'Python syntax',
    );
    assert.deepEqual(e.position, { offset: 33, line: 3, column: 22 });
    rejects(block('get_logs("ns" "svc"'), 'syntax', 'never closed');
    rejects(block('submit("geo)'), 'syntax', 'this string is never closed', 'column 8');
    rejects(block('get_logs("a", "b" x)'), 'syntax', 'expected `,` or `)` after an argument', 'at `x`');
  });

  it('an unquoted shell command: must be a quoted string, with the user\'s command quoted', () => {
    rejects('exec_shell(kubectl get pods)', 'unquoted-command', 'must be a quoted string', block('exec_shell("kubectl get pods")'));
    rejects(
      block(`exec_shell(kubectl get pods -n test-hotel-reservation -o jsonpath='{.items[*].metadata.name}')`),
      'unquoted-command',
      'must be a quoted string',
      block(`exec_shell("kubectl get pods -n test-hotel-reservation -o jsonpath='{.items[*].metadata.name}'")`),
    );
    rejects(block('exec_shell(command=kubectl logs geo, timeout=60)'), 'unquoted-command', block('exec_shell("kubectl logs geo", timeout=60)'));
    rejects(block('exec_shell(grep "x" a.log)'), 'unquoted-command', block('exec_shell("grep \\"x\\" a.log")'));
    rejects(block('exec_shell(123)'), 'unquoted-command', block('exec_shell("123")'));
    rejects(block('exec_shell(["ls", "-l"])'), 'unquoted-command', block('exec_shell("ls -l")'));
  });

  it('exec_shell without a command, with the command twice, or with a bad timeout', () => {
    rejects(block('exec_shell()'), 'invalid-argument', 'needs the shell command', example);
    rejects(block('exec_shell("ls", command="ls")'), 'invalid-argument', 'twice');
    rejects(block('exec_shell("ls", timeout="soon")'), 'invalid-argument', 'positive number of seconds', 'timeout=60');
  });

  it('a block whose content is not a call', () => {
    rejects(block('kubectl get pods -n x'), 'not-a-call', '`kubectl get pods -n x`, which is not an API call', block('exec_shell("kubectl get pods -n x")'));
    rejects(block('submit'), 'not-a-call', 'without parentheses', 'submit()');
    rejects(`${F}yaml\napiVersion: v1\nkind: Pod\n${F}`, 'not-a-call', 'does not contain an API call', example);
    rejects(block(''), 'empty-block', 'empty', example);
    rejects(block('import os\nexec_shell("ls")'), 'not-a-call');
  });

  it('text after the call inside the block', () => {
    rejects(block('exec_shell("ls") and then look at the output'), 'syntax', 'unexpected text after the API call', 'outside the block', block('exec_shell("ls")'));
    rejects(block('submit({"a": 1})]'), 'syntax', 'after the end of the API call', 'column 17', 'at `]`', 'balanced', block('submit({"a": 1})'));
  });

  it('values Python literals cannot express here', () => {
    rejects(block('submit(geo)'), 'syntax', '`geo` is not a value', '"geo"');
    rejects(block('submit(get_logs("a", "b"))'), 'syntax', 'cannot be an argument');
    rejects(block('submit({"a", "b"})'), 'syntax', 'sets like {a, b} are not supported');
    rejects(block('submit(f"{x}")'), 'syntax', 'f-strings');
    rejects(block('submit(1j)'), 'syntax', 'complex');
    rejects(block('get_metrics("ns", 10m)'), 'syntax', '`10m` is not a valid number');
    rejects(block('get_logs(namespace="a", "b")'), 'syntax', 'positional argument follows a keyword argument');
    rejects(block('get_logs(namespace="a", namespace="b")'), 'syntax', 'given twice');
    rejects(block('submit(*xs)'), 'syntax', 'unpacking');
    rejects(block('submit("\\xZZ")'), 'syntax', 'hex digits');
    rejects(block('submit(“geo”)'), 'syntax', 'curly quote');
    rejects(block('submit(-"a")'), 'syntax', 'sign must be followed by a number');
    rejects(block('submit([1, , 2])'), 'syntax', 'expected a value');
  });

  it('nesting beyond the depth limit', () => {
    rejects(block(`submit(${'['.repeat(150)}${']'.repeat(150)})`), 'too-deep', 'nested more than 100 levels');
    assert.equal(parseResponse(block(`submit(${'['.repeat(90)}${']'.repeat(90)})`)).api_name, 'submit');
  });

  it('per-API examples can be given by the orchestrator', () => {
    const e = (() => {
      try {
        parseResponse(block('submit(["geo"'), { examples: { submit: 'submit(["geo"])' } });
      } catch (err) {
        return err as ResponseParsingError;
      }
      return undefined;
    })();
    assert.ok(e?.message.includes(block('submit(["geo"])')));
  });
});

describe('formatCall, wrapHumanInput, parseCommandOutput', () => {
  it('formatCall renders Python-literal text that parses back to the same call', () => {
    const text = formatCall('submit', [{ system_level: 'Application', fault_type: 'Code Defect' }, ['a', 1.5, -2, true, null]], {
      note: 'a "quoted"\nline\\',
    });
    assert.equal(
      text,
      'submit({"system_level": "Application", "fault_type": "Code Defect"}, ["a", 1.5, -2, True, None], note="a \\"quoted\\"\\nline\\\\")',
    );
    assert.deepEqual(call(block(text)), {
      api_name: 'submit',
      args: [{ system_level: 'Application', fault_type: 'Code Defect' }, ['a', 1.5, -2, true, null]],
      kwargs: { note: 'a "quoted"\nline\\' },
    });
    assert.equal(formatCall('submit'), 'submit()');
  });

  it('wrapHumanInput wraps a typed line the way the original CLI does', () => {
    assert.equal(wrapHumanInput('exec_shell("ls")'), 'Action:```\nexec_shell("ls")\n```');
    assert.equal(parseResponse(wrapHumanInput('submit("Yes")')).api_name, 'submit');
    assert.equal(wrapHumanInput('```\nsubmit()\n```'), '```\nsubmit()\n```');
  });

  it('wrapHumanInput can send a plain shell line as exec_shell', () => {
    assert.deepEqual(call(wrapHumanInput('kubectl get pods -n "x"', { shellFallback: true })).args, ['kubectl get pods -n "x"']);
    assert.equal(wrapHumanInput('submit("Yes")', { shellFallback: true }), 'Action:```\nsubmit("Yes")\n```');
  });

  it('parseCommandOutput: the parsed call with exit 0, or {error} with exit 1', () => {
    assert.deepEqual(parseCommandOutput('```\nget_logs("ns", "svc")\n```\n'), {
      exitCode: 0,
      json: { api_name: 'get_logs', args: ['ns', 'svc'], kwargs: {}, context: [] },
    });
    const bad = parseCommandOutput('exec_shell(kubectl get pods)\n');
    assert.equal(bad.exitCode, 1);
    assert.deepEqual(Object.keys(bad.json), ['error']);
    assert.match((bad.json as { error: string }).error, /must be a quoted string/);
    assert.equal(JSON.parse(JSON.stringify(bad.json)).error, (bad.json as { error: string }).error);
  });
});
