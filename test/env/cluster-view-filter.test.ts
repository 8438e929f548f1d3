/** The agent's view's decisions on bodies and streams, without a server (the attacks with kubectl are in test/security). */
import { strict as assert } from 'node:assert';
import { filterBody, filterWatchEvent } from '../../src/env/cluster-view/filter';
import { JsonValueSplitter } from '../../src/env/cluster-view/json-stream';
import { DEFAULT_VIEW_RULES as rules, parseTarget } from '../../src/env/cluster-view/rules';

const chaosEvent = { metadata: { name: 'e1', namespace: 'chaos-mesh' }, involvedObject: { apiVersion: 'chaos-mesh.org/v1alpha1', kind: 'NetworkChaos', namespace: 'chaos-mesh', name: 'delay' }, message: 'Successfully apply chaos for app/user-1' };
const podEvent = { metadata: { name: 'e2', namespace: 'app' }, involvedObject: { apiVersion: 'v1', kind: 'Pod', namespace: 'app', name: 'user-1' }, message: 'Started container' };
/** An event recorded in an app namespace about a chaos object (the original AIOpsLab's layout). */
const strayChaosEvent = { metadata: { name: 'e3', namespace: 'app' }, involvedObject: { apiVersion: 'chaos-mesh.org/v1alpha1', kind: 'PodChaos', namespace: 'app', name: 'x' } };

describe('env / cluster view: what the agent\'s view leaves out', () => {
  it('event lists and Tables lose events about hidden groups or namespaces; watches lose those events', () => {
    assert.deepEqual(filterBody(rules, { kind: 'EventList', items: [chaosEvent, podEvent, strayChaosEvent] }, 'events').items.map((e: { metadata: { name: string } }) => e.metadata.name), ['e2']);
    const table = { kind: 'Table', rows: [{ cells: ['x'], object: chaosEvent }, { cells: ['y'], object: podEvent }] };
    assert.equal(filterBody(rules, table, 'events').rows.length, 1);
    assert.equal(filterWatchEvent(rules, { type: 'ADDED', object: { kind: 'Event', ...strayChaosEvent } }, 'events'), undefined);
    assert.ok(filterWatchEvent(rules, { type: 'ADDED', object: { kind: 'Event', ...podEvent } }, 'events'));
    assert.equal(filterWatchEvent(rules, { type: 'ADDED', object: { kind: 'Table', rows: [{ object: chaosEvent }] } }, 'events'), undefined);
  });

  it('discovery, namespaces and CRDs lose the machinery; a hidden object itself becomes NotFound', () => {
    assert.deepEqual(filterBody(rules, { kind: 'APIGroupList', groups: [{ name: 'apps' }, { name: 'chaos-mesh.org' }] }).groups, [{ name: 'apps' }]);
    assert.deepEqual(filterBody(rules, { kind: 'APIGroupDiscoveryList', items: [{ metadata: { name: 'chaos-mesh.org' } }] }).items, []);
    assert.deepEqual(filterBody(rules, { kind: 'NamespaceList', items: [{ metadata: { name: 'chaos-mesh' } }, { metadata: { name: 'app' } }] }, 'namespaces').items, [{ metadata: { name: 'app' } }]);
    assert.deepEqual(filterBody(rules, { kind: 'Table', rows: [{ object: { kind: 'PartialObjectMetadata', metadata: { name: 'chaos-mesh' } } }] }, 'namespaces').rows, []);
    assert.deepEqual(filterBody(rules, { items: [{ metadata: { name: 'podchaos.chaos-mesh.org' }, spec: { group: 'chaos-mesh.org' } }] }, 'customresourcedefinitions').items, []);
    assert.equal(filterBody(rules, { kind: 'Event', ...chaosEvent }), undefined);
  });

  it('annotations, labels and finalizers naming the machinery go; the app\'s own stay', () => {
    const pod = filterBody(rules, {
      kind: 'Pod',
      metadata: {
        name: 'user-1', namespace: 'app',
        annotations: { 'hotel-reserv-user-normal': 'img', 'chaos-mesh-exp-pod-failure-c-normal-image': 'img', 'experiment.chaos-mesh.org/pause': 'true', 'aiopslab.io/fault': 'x', 'kubectl.kubernetes.io/restartedAt': 't' },
        labels: { app: 'user', 'x.aiopslab.dev/run': '1' },
      },
      spec: { containers: [{ name: 'hotel-reserv-user', image: 'pause' }] },
    });
    assert.deepEqual(pod.metadata.annotations, { 'kubectl.kubernetes.io/restartedAt': 't' });
    assert.deepEqual(pod.metadata.labels, { app: 'user' });
  });

  it('paths: the group and namespace a request names', () => {
    assert.deepEqual(parseTarget('/apis/chaos-mesh.org/v1alpha1/namespaces/x/podchaos/a'), { group: 'chaos-mesh.org', namespace: 'x', resource: 'podchaos', name: 'a', openapi: false });
    assert.deepEqual(parseTarget('/api/v1/namespaces/chaos-mesh'), { group: '', namespace: undefined, resource: 'namespaces', name: 'chaos-mesh', openapi: false });
    assert.equal(parseTarget('/openapi/v3/apis/chaos-mesh.org/v1alpha1').group, 'chaos-mesh.org');
  });

  it('a watch stream is cut into whole JSON values wherever the chunks end', () => {
    const split = new JsonValueSplitter();
    const text = '{"type":"ADDED","object":{"m":"a}{\\"b"}}\n{"type":"DELETED","object":{}}\n';
    const got = [...text].flatMap((ch) => split.push(ch));
    assert.deepEqual(got.map((t) => JSON.parse(t).type), ['ADDED', 'DELETED']);
  });
});
