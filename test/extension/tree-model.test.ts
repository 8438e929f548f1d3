import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { loadCatalog } from '../../src/env/catalog';
import type { ProblemDefinition } from '../../src/core/problems/types';
import type { SessionIndexEntry } from '../../src/core/session/types';
import { buildProblemTree, definitionLine, latestByProblem, problemLabel, problemNodeView, problemsGuidance, sessionItemView, sessionsForView, type ProblemNode } from '../../src/extension/model/tree-model';

const root = path.resolve(__dirname, '../../..');

function problem(id: string, app: string, task: ProblemDefinition['task'], summary = 'a fault'): ProblemDefinition {
  return { id, family: id.split('-')[0], task, app, summary, fault: { kind: 'scale-to-zero', target: 'geo', params: {} }, workload: { kind: 'none' }, groundTruth: { task: 'detection', expected: 'Yes' }, experimental: false, sourceFile: 'problems/x.yaml' };
}

function entry(id: string, problemId: string, start: number, over: Partial<SessionIndexEntry> = {}): SessionIndexEntry {
  return { session_id: id, problem_id: problemId, task_type: 'detection', agent: 'baseline', status: 'completed', success: true, start_time: start, end_time: start + 10, steps: 3, file: `${id}.json`, ...over };
}

describe('extension tree model', () => {
  const problems = [
    problem('b_mitigation_hotel-1', 'hotel-reservation', 'mitigation'),
    problem('a_detection_hotel-1', 'hotel-reservation', 'detection', 'geo scaled to zero'),
    problem('c_detection_social-1', 'social-network', 'detection'),
    problem('a_localization_hotel-1', 'hotel-reservation', 'localization'),
  ];

  it('groups problems by app (alphabetical) then task type (original order), keeping registry order inside', () => {
    const tree = buildProblemTree(problems, []);
    assert.deepEqual(tree.map((n) => n.id), ['hotel-reservation', 'social-network']);
    const hotel = tree[0] as Extract<ProblemNode, { kind: 'app' }>;
    assert.equal(hotel.count, 3);
    assert.deepEqual(hotel.children.map((t) => (t.kind === 'task' ? t.task : '')), ['detection', 'localization', 'mitigation']);
  });

  it('shows the latest result of each problem from the index (newest wins, tombstones ignored)', () => {
    const index = [
      entry('old', 'a_detection_hotel-1', 100, { success: true }),
      entry('new', 'a_detection_hotel-1', 200, { success: false, agent: 'gpt' }),
      entry('gone', 'c_detection_social-1', 300, { deleted: true }),
    ];
    const latest = latestByProblem(index);
    assert.equal(latest.get('a_detection_hotel-1')?.sessionId, 'new');
    assert.equal(latest.has('c_detection_social-1'), false);
    const tree = buildProblemTree(problems, index);
    const leaf = ((tree[0] as Extract<ProblemNode, { kind: 'app' }>).children[0] as Extract<ProblemNode, { kind: 'task' }>).children[0];
    const view = problemNodeView(leaf, 200_000 + 60_000);
    assert.equal(view.icon, 'error');
    assert.match(view.description!, /^not solved · geo scaled to zero$/);
    assert.match(view.tooltip, /Latest: not solved by gpt/);
    assert.match(view.tooltip, /Fault: geo scaled to zero \(scale-to-zero on geo\)/);
    assert.equal(view.contextValue, 'problem');
  });

  it('counts solved problems per group and marks running ones', () => {
    const tree = buildProblemTree(problems, [entry('s', 'a_detection_hotel-1', 1)], new Set(['a_localization_hotel-1']));
    const hotel = tree[0] as Extract<ProblemNode, { kind: 'app' }>;
    assert.equal(hotel.solved, 1);
    assert.match(problemNodeView(hotel).description!, /1 solved/);
    const loc = (hotel.children[1] as Extract<ProblemNode, { kind: 'task' }>).children[0];
    const v = problemNodeView(loc);
    assert.equal(v.icon, 'sync~spin');
    assert.equal(v.contextValue, 'problem.running');
  });

  it('lists sessions newest first with running ones from this window on top and live progress', () => {
    const index = [entry('a', 'p1', 100), entry('b', 'p2', 300)];
    const running = [entry('r', 'p3', 200, { status: 'running', success: null, steps: 0 })];
    assert.deepEqual(sessionsForView(index, running).map((e) => e.session_id), ['b', 'r', 'a']);
    const live = sessionItemView(running[0], { steps: 4, maxSteps: 30, phase: 'agent' }, 260_000);
    assert.match(live.description!, /step 4\/30 · agent/);
    assert.equal(live.contextValue, 'session.running');
    const done = sessionItemView(index[0], undefined, 160_000);
    assert.match(done.description!, /baseline · solved · 3 steps · 1m ago/);
    assert.equal(done.contextValue, 'session');
  });

  it('offers Re-evaluate only where scoring again means something (not a mitigation, not a cancelled session)', () => {
    assert.equal(sessionItemView(entry('d', 'p', 1)).contextValue, 'session');
    assert.equal(sessionItemView(entry('m', 'p', 1, { task_type: 'mitigation' })).contextValue, 'session.final');
    assert.equal(sessionItemView(entry('c', 'p', 1, { status: 'cancelled', success: null })).contextValue, 'session.final');
    const manifest = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')) as { contributes: { menus: Record<string, Array<{ command: string; when: string }>> } };
    const when = (command: string) => manifest.contributes.menus['view/item/context'].filter((m) => m.command === command).map((m) => m.when);
    const shows = (w: string, contextValue: string) => w.includes(`viewItem == ${contextValue}`) || (/viewItem =~ \/(.*)\//.exec(w) !== null && new RegExp(/viewItem =~ \/(.*)\//.exec(w)![1]).test(contextValue));
    assert.ok(when('aiopslab.reevaluateSession').every((w) => !shows(w, 'session.final')), 'Re-evaluate is not offered on a mitigation');
    assert.ok(when('aiopslab.reevaluateSession').some((w) => shows(w, 'session')));
    for (const command of ['aiopslab.exportSession', 'aiopslab.deleteSession', 'aiopslab.replaySession', 'aiopslab.openTranscript']) {
      assert.ok(when(command).some((w) => shows(w, 'session.final')), `${command} on a mitigation session`);
    }
  });

  it('labels rows so they fit the sidebar (the group says the task), with task icons and first-run guidance', () => {
    assert.equal(problemLabel({ id: 'k8s_target_port-misconfig-mitigation-1', task: 'mitigation' }), 'k8s_target_port-misconfig #1');
    assert.equal(problemLabel({ id: 'noop_detection_hotel_reservation-1', task: 'detection' }), 'noop_detection_hotel_reservation-1', 'no task segment: the ID as it is');
    const tree = buildProblemTree(problems, []);
    const hotel = tree[0] as Extract<ProblemNode, { kind: 'app' }>;
    assert.deepEqual(hotel.children.map((t) => problemNodeView(t).icon), ['eye', 'target', 'tools']);
    const leaf = (hotel.children[0] as Extract<ProblemNode, { kind: 'task' }>).children[0];
    assert.match(problemNodeView(leaf).tooltip, /^ID: a_detection_hotel-1$/m, 'the full ID in the tooltip');
    assert.match(problemsGuidance([])!, /press ▶/);
    assert.equal(problemsGuidance([entry('s', 'p', 1)]), undefined);
  });

  it('finds the line of a problem in its family YAML (the task ground truth; the variant when numbered)', () => {
    const catalog = loadCatalog(root);
    const p = catalog.problems.all().find((x) => x.id.startsWith('assign_to_non_existent_node_social_net-mitigation'))!;
    const text = fs.readFileSync(path.join(root, p.sourceFile), 'utf8');
    const line = definitionLine(text, p);
    assert.match(text.split('\n')[line], /\{n: 1\}/);
    const yaml = 'family: f\ngroundTruth:\n  detection: {expected: "Yes"}\n  localization: {services: [a]}\n';
    assert.equal(definitionLine(yaml, { id: 'x-localization-1a', task: 'localization', family: 'f' }), 3);
    assert.equal(definitionLine('nothing', { id: 'x', task: 'analysis', family: 'f' }), 0);
  });
});
