import { strict as assert } from 'node:assert';
import { CatalogError, parseProblemFamily } from '../../src/core/problems/schema';

const family = (investigation: string) => `
family: demo
order: 1
app: hotel-reservation
idPattern: demo-{task}-{n}
tasks: [detection, localization, mitigation]
summary: "a demo fault"
fault: {kind: noop}
workload: {kind: none}
groundTruth:
  localization: {services: ["{target}"]}
  mitigation: {checks: [{kind: all-pods-healthy, mode: strict}]}
solution: ["kubectl rollout restart deployment {target} -n test-hotel-reservation"]
${investigation}
variants:
  - {n: 1, target: geo}
  - {n: 2, target: rate, investigation: [{get_logs: [test-hotel-reservation, rate], expect: "not authorized"}]}
`;

function throwsCatalog(text: string, ...parts: string[]): void {
  assert.throws(() => parseProblemFamily('problems/demo.yaml', text), (e: unknown) => {
    assert.ok(e instanceof CatalogError, `expected a CatalogError, got ${String(e)}`);
    for (const p of parts) assert.ok(e.message.includes(p), `message should contain ${JSON.stringify(p)}:\n${e.message}`);
    return true;
  });
}

describe('problems / investigation (the oracle\'s evidence, stored with the problem)', () => {
  const good = family(`investigation:
  - exec_shell: kubectl get pods -n test-hotel-reservation
    expect: '{target}-\\S+\\s+0/1'
  - get_logs: [test-hotel-reservation, "{target}"]
    expect: not authorized on {target}-db
  - get_traces: test-hotel-reservation
  - read_traces: "{exported}"
    expectNot: 'True,500'
  - get_metrics: [test-hotel-reservation, 10]
    within: 30`);

  it('expands to calls with arguments for every task, placeholders substituted; a variant replaces it', () => {
    const problems = parseProblemFamily('problems/demo.yaml', good);
    const geo = problems.filter((p) => p.id.endsWith('-1'));
    assert.equal(geo.length, 3);
    for (const p of geo) {
      assert.deepEqual(p.investigation, [
        { action: 'exec_shell', args: ['kubectl get pods -n test-hotel-reservation'], expect: 'geo-\\S+\\s+0/1' },
        { action: 'get_logs', args: ['test-hotel-reservation', 'geo'], expect: 'not authorized on geo-db' },
        { action: 'get_traces', args: ['test-hotel-reservation'] },
        { action: 'read_traces', args: ['{exported}'], expectNot: 'True,500' },
        { action: 'get_metrics', args: ['test-hotel-reservation', 10], within: 30 },
      ]);
    }
    const rate = problems.find((p) => p.id === 'demo-detection-2')!;
    assert.deepEqual(rate.investigation, [{ action: 'get_logs', args: ['test-hotel-reservation', 'rate'], expect: 'not authorized' }]);
  });

  it('is optional', () => {
    const problems = parseProblemFamily('problems/demo.yaml', family('').replace(/, investigation: \[.*\]\}/, '}'));
    assert.ok(problems.every((p) => p.investigation === undefined));
  });

  it('names the file and the field for a step without an action, with two actions, or with a bad regex', () => {
    throwsCatalog(family('investigation:\n  - expect: x'), 'problems/demo.yaml: investigation[0]: expected exactly one action (exec_shell, get_logs, get_metrics, get_traces, read_metrics, read_traces) in the step, got none');
    throwsCatalog(family('investigation:\n  - {exec_shell: ls, get_logs: [a, b]}'), 'investigation[0]: expected exactly one action', 'got exec_shell and get_logs');
    throwsCatalog(family('investigation:\n  - {exec_shell: ls, expect: "geo-("}'), 'problems/demo.yaml: investigation[0].expect: expected a valid regular expression (JavaScript syntax), got "geo-("');
    throwsCatalog(family('investigation:\n  - {get_logs: geo}'), 'investigation[0].get_logs: expected [namespace, service]');
    throwsCatalog(family('investigation:\n  - {exec_shell: ls, expekt: x}'), 'investigation[0].expekt: unknown field');
    throwsCatalog(family('investigation: []'), 'investigation: expected at least one investigation step');
    throwsCatalog(family('investigation:\n  - {exec_shell: ls, expect: x, within: -1}'), 'investigation[0].within: expected a positive number of seconds, got -1');
  });
});
