import { strict as assert } from 'assert';
import { actionsForTask, apisForAgents, bindArguments, isWriteAction, toJsonSchema, usageOf } from '../../src/core/actions';
import { submitFor } from '../../src/core/actions/submit';
import type { ActionDefinition } from '../../src/core/actions/types';
import { TASK_TYPES } from '../../src/core/tasks/task-type';

const byName = (name: string, task = 'detection' as const): ActionDefinition => actionsForTask(task).find((a) => a.name === name)!;

function bindError(def: ActionDefinition, args: unknown[], kwargs: Record<string, unknown> = {}): string {
  const r = bindArguments(def, args, kwargs);
  assert.equal(r.ok, false, `expected an error for ${def.name}(${JSON.stringify(args)}, ${JSON.stringify(kwargs)})`);
  return (r as { error: string }).error;
}

function bindOk(def: ActionDefinition, args: unknown[], kwargs: Record<string, unknown> = {}): Record<string, unknown> {
  const r = bindArguments(def, args, kwargs);
  assert.ok(r.ok, (r as { error?: string }).error);
  return r.values;
}

describe('actions', () => {
  it('every task gets the seven actions in alphabetical order, as the original', () => {
    for (const task of TASK_TYPES) {
      assert.deepEqual(
        actionsForTask(task).map((a) => a.name),
        ['exec_shell', 'get_logs', 'get_metrics', 'get_traces', 'read_metrics', 'read_traces', 'submit'],
      );
      const apis = apisForAgents(task);
      assert.deepEqual(Object.keys(apis), actionsForTask(task).map((a) => a.name));
      for (const doc of Object.values(apis)) {
        assert.match(doc, /Returns:/);
      }
    }
    assert.deepEqual(actionsForTask('detection').filter((a) => a.kind === 'read').map((a) => a.name), ['get_logs', 'get_metrics', 'get_traces', 'read_metrics', 'read_traces']);
    assert.equal(byName('exec_shell').kind, 'action');
    assert.equal(byName('submit').kind, 'action');
  });

  it('documents parameters in the docstring style: summary, Args:, Returns:', () => {
    const doc = byName('get_logs').doc;
    assert.match(doc, /^\S.*\n/);
    assert.match(doc, /Args:\n\s+namespace \(str\): .+\n\s+service \(str\): .+/);
    assert.match(byName('exec_shell').doc, /timeout \(int\): .*Defaults to 30/);
    assert.match(byName('get_metrics').doc, /duration \(int\): .*Defaults to 5/);
    assert.match(submitFor('localization').doc, /faulty_components \(list\[str\]\)/);
    assert.match(submitFor('analysis').doc, /analysis \(dict\[str, str\]\).*system_level/s);
    assert.doesNotMatch(submitFor('mitigation').doc, /Args:/);
  });

  it('submit takes the answer of each task', () => {
    assert.deepEqual(submitFor('detection').parameters.map((p) => p.name), ['has_anomaly']);
    assert.deepEqual(submitFor('localization').parameters.map((p) => p.name), ['faulty_components']);
    assert.deepEqual(submitFor('analysis').parameters.map((p) => p.name), ['analysis']);
    assert.deepEqual(submitFor('mitigation').parameters, []);
  });

  it('turns an action into one JSON object schema', () => {
    assert.deepEqual(toJsonSchema(byName('get_metrics')), {
      type: 'object',
      properties: {
        namespace: byName('get_metrics').parameters[0].schema,
        duration: { ...byName('get_metrics').parameters[1].schema, default: 5 },
      },
      required: ['namespace'],
      additionalProperties: false,
    });
    const exec = toJsonSchema(byName('exec_shell'));
    assert.deepEqual(exec.required, ['command']);
    assert.equal(exec.properties!.timeout.default, 30);
    assert.deepEqual(toJsonSchema(submitFor('mitigation')), { type: 'object', properties: {}, required: [], additionalProperties: false });
    assert.equal(toJsonSchema(submitFor('localization')).properties!.faulty_components.type, 'array');
  });

  it('classes exec_shell and mitigation submit as writes', () => {
    assert.equal(isWriteAction('exec_shell', 'detection'), true);
    assert.equal(isWriteAction('get_logs', 'mitigation'), false);
    assert.equal(isWriteAction('submit', 'mitigation'), true);
    assert.equal(isWriteAction('submit', 'detection'), false);
    assert.equal(isWriteAction('nope', 'detection'), false);
  });

  describe('bindArguments', () => {
    it('binds positional and keyword arguments and fills defaults', () => {
      assert.deepEqual(bindOk(byName('get_logs'), ['test-hotel-reservation', 'geo']), { namespace: 'test-hotel-reservation', service: 'geo' });
      assert.deepEqual(bindOk(byName('get_logs'), ['ns'], { service: 'geo' }), { namespace: 'ns', service: 'geo' });
      assert.deepEqual(bindOk(byName('get_metrics'), ['ns']), { namespace: 'ns', duration: 5 });
      assert.deepEqual(bindOk(byName('get_traces'), [], { namespace: 'ns', duration: 10 }), { namespace: 'ns', duration: 10 });
      assert.deepEqual(bindOk(byName('exec_shell'), ['ls']), { command: 'ls', timeout: 30 });
      assert.deepEqual(bindOk(submitFor('mitigation'), []), {});
    });

    it('accepts an int-like timeout for exec_shell', () => {
      assert.equal(bindOk(byName('exec_shell'), ['ls'], { timeout: 60 }).timeout, 60);
      assert.equal(bindOk(byName('exec_shell'), ['ls', '45']).timeout, 45);
      assert.equal(bindOk(byName('exec_shell'), ['ls', 60.0]).timeout, 60);
      assert.equal(bindOk(byName('exec_shell'), ['ls'], { timeout: null }).timeout, 30);
      assert.match(bindError(byName('exec_shell'), ['ls', 'soon']), /exec_shell\(\) argument 'timeout' must be a whole number, got a string \("soon"\)/);
      assert.match(bindError(byName('exec_shell'), ['ls', 2.5]), /must be a whole number/);
      assert.match(bindError(byName('exec_shell'), ['ls', 0]), /must be at least 1, got 0/);
    });

    it('names a missing argument and shows the correct call', () => {
      assert.equal(
        bindError(byName('get_logs'), ['test-hotel-reservation']),
        `get_logs() missing required argument 'service'. Call it as get_logs("<namespace>", "<service>")`,
      );
      assert.match(bindError(byName('get_logs'), []), /missing required arguments 'namespace' and 'service'\./);
      assert.match(bindError(byName('exec_shell'), []), /Call it as exec_shell\("<command>"\) or exec_shell\("<command>", timeout=30\)$/);
      assert.match(bindError(submitFor('detection'), []), /submit\(\) missing required argument 'has_anomaly'\. Call it as submit\("Yes"\) or submit\("No"\)$/);
    });

    it('rejects extra and unknown arguments', () => {
      assert.match(bindError(byName('get_logs'), ['a', 'b', 'c']), /^get_logs\(\) takes at most 2 arguments \(namespace, service\) but 3 were given\. Call it as/);
      assert.match(bindError(submitFor('mitigation'), ['done']), /^submit\(\) takes no arguments but 1 was given\. Call it as submit\(\)$/);
      assert.match(bindError(byName('get_logs'), ['a'], { pod: 'x' }), /unexpected keyword argument 'pod'\. Its arguments are: namespace, service\./);
      assert.match(bindError(byName('get_logs'), ['a', 'b'], { namespace: 'x' }), /got multiple values for argument 'namespace'/);
    });

    it('checks types and says what was given', () => {
      assert.match(bindError(byName('get_logs'), [1, 'geo']), /get_logs\(\) argument 'namespace' must be a quoted string, got an integer \(1\)/);
      assert.match(bindError(submitFor('detection'), [true]), /argument 'has_anomaly' must be one of the strings "Yes" or "No", got a boolean \(True\)/);
      assert.match(bindError(submitFor('localization'), [['geo', 3]]), /must be a list of strings, but item 1 is an integer \(3\)/);
      assert.match(bindError(submitFor('analysis'), [['Application']]), /argument 'analysis' must be a dict/);
      assert.match(bindError(submitFor('analysis'), [{ system_level: null, fault_type: 'x' }]), /key 'system_level' must be a string, got None/);
      assert.match(bindError(byName('get_metrics'), ['ns', 'five']), /argument 'duration' must be a whole number/);
    });

    it('accepts a single service name for localization and "None" for analysis', () => {
      assert.deepEqual(bindOk(submitFor('localization'), ['geo']), { faulty_components: 'geo' });
      assert.deepEqual(bindOk(submitFor('localization'), [[]]), { faulty_components: [] });
      assert.deepEqual(bindOk(submitFor('analysis'), ['None']), { analysis: 'None' });
      assert.deepEqual(bindOk(submitFor('analysis'), [], { analysis: { system_level: 'Application', fault_type: 'Misconfiguration' } }), {
        analysis: { system_level: 'Application', fault_type: 'Misconfiguration' },
      });
    });

    it('shows a usage line for every action', () => {
      assert.equal(usageOf(byName('read_traces')), 'read_traces("<file_path>")');
      assert.equal(usageOf(byName('get_metrics')), 'get_metrics("<namespace>") or get_metrics("<namespace>", duration=5)');
      assert.equal(usageOf(submitFor('analysis')), 'submit({"system_level": "<system_level>", "fault_type": "<fault_type>"})');
    });
  });
});
