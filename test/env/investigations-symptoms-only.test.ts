/**
 * Every problem's oracle investigation finds the fault from what an SRE sees — pods, their events, logs, traces and
 * metrics — never from the fault machinery, which the agent's view hides: a proof that reads it would prove nothing
 * an agent can do. Scans every expanded problem (experimental ones too): the step's call (action and arguments) and its
 * evidence patterns.
 */
import { strict as assert } from 'node:assert';
import { loadCatalog } from '../../src/env/catalog';
import type { InvestigationStep } from '../../src/core/problems/types';

/** Names of the fault machinery: Chaos Mesh (group, kinds, namespace, its events' texts) and our own annotations. */
const MACHINERY: Array<[what: string, pattern: RegExp]> = [
  ['Chaos Mesh', /chaos-?mesh/i],
  ['a Chaos Mesh kind', /\b(pod|network|stress|io|http|dns|time|kernel|jvm|physicalmachine)chaos(es)?\b/i],
  ['a Chaos Mesh event', /apply chaos|recover chaos|Experiment has/i],
  ['an annotation of ours', /aiopslab[\w.-]*\//i],
  ['any mention of chaos', /chaos/i],
];

export function machineryIn(step: InvestigationStep): string | undefined {
  const text = [step.action, ...step.args.map(String), step.expect ?? '', step.expectNot ?? ''].join(' ');
  return MACHINERY.find(([, pattern]) => pattern.test(text))?.[0];
}

describe('problem investigations prove the fault from symptoms only', () => {
  it('the scan recognises a step that reads the fault machinery', () => {
    const reads = (action: InvestigationStep['action'], args: string[], expect?: string) => machineryIn({ action, args, expect });
    assert.equal(reads('exec_shell', ['kubectl get networkchaos -A']), 'a Chaos Mesh kind');
    assert.equal(reads('exec_shell', ['kubectl get events -n chaos-mesh']), 'Chaos Mesh');
    assert.equal(reads('exec_shell', ['kubectl get events -n test-hotel-reservation'], 'Successfully apply chaos for x'), 'a Chaos Mesh event');
    assert.equal(reads('exec_shell', ['kubectl get pods -o yaml'], 'aiopslab.io/fault'), 'an annotation of ours');
    assert.equal(reads('exec_shell', ['kubectl describe pod -l io.kompose.service=user'], 'Image:\\s+gcr.io/google-containers/pause:latest'), undefined);
  });

  it('no step of any problem touches it', () => {
    const problems = loadCatalog().problems.all({ includeExperimental: true });
    assert.ok(problems.length >= 89, `expected the whole catalog, got ${problems.length}`);
    const offending = problems.flatMap((p) => (p.investigation ?? []).flatMap((step, i) => {
      const what = machineryIn(step);
      return what ? [`${p.id} step ${i + 1} (${step.action} ${step.args.join(' ')}) reads ${what}`] : [];
    }));
    assert.deepEqual(offending, []);
  });
});
