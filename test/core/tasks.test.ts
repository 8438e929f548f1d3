import { strict as assert } from 'assert';
import * as path from 'path';
import { appSummary, getTask } from '../../src/core/tasks';
import { FAULT_TYPES, SYSTEM_LEVELS } from '../../src/core/tasks/taxonomy';
import { submitFor } from '../../src/core/actions/submit';
import { loadCatalog } from '../../src/env/catalog';

const catalog = loadCatalog(path.resolve(__dirname, '..', '..', '..'));
const hotel = catalog.apps.get('hotel-reservation')!;

describe('tasks', () => {
  it('the app summary has the five logical lines of the original', () => {
    const s = appSummary(hotel);
    const lines = s.split('\n');
    assert.equal(lines[0], 'Service Name: Hotel Reservation');
    assert.equal(lines[1], 'Namespace: test-hotel-reservation');
    assert.match(lines[2], /^Description: A hotel booking application/);
    assert.equal(lines[3], 'Supported Operations:');
    assert.deepEqual(lines.slice(4), hotel.supportedOperations.map((op) => `  - ${op}`));
  });

  it('every task description contains the app summary and a role line', () => {
    for (const app of catalog.apps.values()) {
      for (const type of ['detection', 'localization', 'analysis', 'mitigation'] as const) {
        const d = getTask(type).describe(app);
        assert.ok(d.includes(`Service Details:\n${appSummary(app)}\n`), `${type}/${app.id}`);
        assert.match(d.split('\n')[0], /DevOps engineer/);
      }
    }
  });

  it('states the allowed answers of each task', () => {
    assert.match(getTask('detection').describe(hotel), /1\. str: "Yes" .* or "No"/);
    const loc = getTask('localization').describe(hotel);
    assert.match(loc, /1\. list\[str\]/);
    assert.match(loc, /2\. list\[\]/);
    const an = getTask('analysis').describe(hotel);
    for (const v of [...SYSTEM_LEVELS, ...FAULT_TYPES]) assert.ok(an.includes(v), v);
    assert.match(an, /"system_level" and "fault_type"/);
    assert.match(an, /2\. str: "None"/);
    assert.match(getTask('mitigation').describe(hotel), /submit when you are done/);
  });

  it('the operator problems\u2019 localization asks for components or custom resources and accepts None, as the original\u2019s', () => {
    const tidb = catalog.apps.get('tidb-cluster')!;
    const problem = catalog.problems.get('operator_overload_replicas-localization-1');
    assert.equal(problem.localizationAnswer, 'resources');
    const d = getTask('localization').describe(tidb, problem);
    assert.match(d, /1\. list\[str\]: the faulty components or custom resources/);
    assert.match(d, /2\. str: `None` if you found no fault/);
    assert.doesNotMatch(getTask('localization').describe(hotel, catalog.problems.get('k8s_target_port-misconfig-localization-1')), /custom resources/);
  });

  it('instructions ask for one fenced API call and show the task\u2019s submit examples', () => {
    for (const type of ['detection', 'localization', 'analysis', 'mitigation'] as const) {
      const ins = getTask(type).instructions;
      assert.ok(ins.includes('```\n<API_NAME>(<API_PARAM1>, <API_PARAM2> ...)\n```'), type);
      assert.ok(ins.includes('```\nexec_shell("ls -l")\n```'), type);
      assert.match(ins, /exactly one API call per turn/);
      assert.doesNotMatch(ins, /^ {4,}\S/m, 'no stray indentation');
    }
    assert.ok(getTask('detection').instructions.includes('```\nsubmit("No")\n```'));
    assert.ok(getTask('detection').instructions.includes('```\nsubmit("Yes")\n```'));
    assert.ok(getTask('localization').instructions.includes('```\nsubmit(["placeholderA", "placeholderB"])\n```'));
    assert.ok(getTask('localization').instructions.includes('```\nsubmit([])\n```'));
    assert.ok(getTask('analysis').instructions.includes('submit({"system_level": "your_system_level_analysis", "fault_type": "your_fault_type_analysis"})'));
    assert.ok(getTask('mitigation').instructions.includes('```\nsubmit()\n```'));
    assert.match(getTask('mitigation').instructions, /no arguments/);
  });

  it('each task carries its submit action', () => {
    for (const type of ['detection', 'localization', 'analysis', 'mitigation'] as const) {
      assert.equal(getTask(type).type, type);
      assert.equal(getTask(type).submit, submitFor(type));
    }
    assert.throws(() => getTask('triage' as never), /Unknown task type "triage"/);
  });
});
