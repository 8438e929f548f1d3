import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import { loadCatalog } from '../../src/env/catalog';
import { matchesProblemQuery, problemPickItems, SEPARATOR_KIND } from '../../src/extension/model/problem-picks';

const root = path.resolve(__dirname, '../../..');

describe('extension: the problem quick pick (Start Problem…, Run Agent on Problem…)', () => {
  const problems = loadCatalog(root).problems.all({ includeExperimental: true });

  it('lists every problem of the catalog once, grouped under one separator per app, tasks in order within an app', () => {
    const items = problemPickItems(problems);
    const picks = items.filter((i) => i.kind !== SEPARATOR_KIND);
    assert.deepEqual(picks.map((i) => i.id).sort(), problems.map((p) => p.id).sort());
    const separators = items.filter((i) => i.kind === SEPARATOR_KIND).map((i) => i.label);
    assert.deepEqual(separators, [...new Set(problems.map((p) => p.app))].sort((a, b) => a.localeCompare(b)));
    // Each item says its app and task; under a separator only that app's problems follow.
    let app = '';
    const order = ['detection', 'localization', 'analysis', 'mitigation'];
    let lastTask = -1;
    for (const i of items) {
      if (i.kind === SEPARATOR_KIND) {
        app = i.label;
        lastTask = -1;
        continue;
      }
      const p = problems.find((x) => x.id === i.id)!;
      assert.equal(p.app, app, i.label);
      assert.ok(i.description?.startsWith(`${p.app} · ${p.task}`), i.description);
      assert.ok(order.indexOf(p.task) >= lastTask, `${i.label} after a later task`);
      lastTask = order.indexOf(p.task);
      assert.equal(i.alwaysShow, true);
    }
  });

  it('filters by app and task in any order, each word anywhere in the ID, app, task or summary', () => {
    const hotelMitigation = problemPickItems(problems, 'hotel mitigation').filter((i) => i.id);
    assert.ok(hotelMitigation.length > 0);
    for (const i of hotelMitigation) assert.match(i.description!, /^hotel-reservation · mitigation/);
    assert.equal(hotelMitigation.length, problems.filter((p) => p.app === 'hotel-reservation' && p.task === 'mitigation').length);
    assert.deepEqual(problemPickItems(problems, 'MITIGATION hotel').map((i) => i.id), problemPickItems(problems, 'hotel mitigation').map((i) => i.id));
    // Only the matching apps keep a separator.
    assert.deepEqual(problemPickItems(problems, 'hotel mitigation').filter((i) => i.kind === SEPARATOR_KIND).map((i) => i.label), ['hotel-reservation']);
    assert.deepEqual(problemPickItems(problems, 'no-such-word'), []);
  });

  it('matches words of the problem ID and its summary too', () => {
    const p = problems.find((x) => x.id.startsWith('k8s_target_port-misconfig'))!;
    assert.ok(matchesProblemQuery(p, 'target_port social'));
    assert.ok(matchesProblemQuery(p, `${p.task} ${p.summary.split(/\s+/)[0]}`));
    assert.ok(!matchesProblemQuery(p, 'target_port hotel-reservation'));
  });
});
