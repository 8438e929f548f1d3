/** Table cells for the pod states an SRE reads (kubectl's printPod rules) and a few other kinds. */
import assert from 'node:assert/strict';
import { podCells, toTable } from '../../src/twin/apiserver/tables';
import { Registry } from '../../src/twin/apiserver/registry';

const now = Date.parse('2026-11-28T12:00:00Z');
const ago = (s: number) => new Date(now - s * 1000).toISOString().replace(/\.\d+Z$/, 'Z');
const pod = (status: Record<string, unknown>, extra: Record<string, unknown> = {}) => ({
  metadata: { name: 'p', creationTimestamp: ago(600), ...extra },
  spec: { containers: [{ name: 'app' }], initContainers: (status as { init?: unknown }).init ? [{ name: 'init' }] : undefined },
  status,
});

describe('twin tables', () => {
  it('prints pod READY/STATUS/RESTARTS like kubectl', () => {
    const crash = pod({ phase: 'Running', containerStatuses: [{ name: 'app', ready: false, restartCount: 4, state: { waiting: { reason: 'CrashLoopBackOff' } }, lastState: { terminated: { exitCode: 1, reason: 'Error', finishedAt: ago(75) } } }] });
    assert.deepEqual(podCells(crash, now, false), ['p', '0/1', 'CrashLoopBackOff', '4 (75s ago)', '10m']);
    const pull = pod({ phase: 'Pending', containerStatuses: [{ name: 'app', ready: false, restartCount: 0, state: { waiting: { reason: 'ImagePullBackOff' } } }] });
    assert.equal(podCells(pull, now, false)[2], 'ImagePullBackOff');
    const init = pod({ phase: 'Pending', init: true, initContainerStatuses: [{ name: 'init', restartCount: 0, state: { running: {} } }], containerStatuses: [{ name: 'app', state: { waiting: { reason: 'PodInitializing' } } }] });
    assert.equal(podCells(init, now, false)[2], 'Init:0/1');
    const done = pod({ phase: 'Succeeded', containerStatuses: [{ name: 'app', ready: false, restartCount: 0, state: { terminated: { exitCode: 0, reason: 'Completed' } } }] });
    assert.equal(podCells(done, now, false)[2], 'Completed');
    const oom = pod({ phase: 'Running', containerStatuses: [{ name: 'app', ready: false, restartCount: 1, state: { terminated: { exitCode: 137, reason: 'OOMKilled' } } }] });
    assert.equal(podCells(oom, now, false)[2], 'OOMKilled');
    const term = pod({ phase: 'Running', containerStatuses: [{ name: 'app', ready: true, restartCount: 0, state: { running: {} } }] }, { deletionTimestamp: ago(-20) });
    assert.deepEqual(podCells(term, now, false).slice(1, 3), ['1/1', 'Terminating']);
    const pending = pod({ phase: 'Pending' });
    assert.deepEqual(podCells(pending, now, true), ['p', '0/1', 'Pending', '0', '10m', '<none>', '<none>', '<none>', '<none>']);
  });

  it('prints services, events and CRD printer columns', () => {
    const reg = new Registry();
    const svc = toTable(reg.byName('services')!, [{ apiVersion: 'v1', kind: 'Service', metadata: { name: 's', creationTimestamp: ago(30) }, spec: { type: 'NodePort', clusterIP: '10.96.5.5', ports: [{ port: 80, nodePort: 30080, protocol: 'TCP' }, { port: 53, protocol: 'UDP' }], selector: { b: '2', a: '1' } } }], { now }) as { rows: { cells: unknown[] }[] };
    assert.deepEqual(svc.rows[0].cells, ['s', 'NodePort', '10.96.5.5', '<none>', '80:30080/TCP,53/UDP', '30s', 'a=1,b=2']);
    const ev = toTable(reg.byName('events')!, [{ apiVersion: 'v1', kind: 'Event', metadata: { name: 'e1' }, involvedObject: { kind: 'Pod', name: 'p' }, type: 'Warning', reason: 'BackOff', message: 'Back-off restarting failed container', firstTimestamp: ago(300), lastTimestamp: ago(5), count: 7, source: { component: 'kubelet', host: 'n1' } }], { now }) as { rows: { cells: unknown[] }[] };
    assert.deepEqual(ev.rows[0].cells, ['5s', 'Warning', 'BackOff', 'pod/p', 'Back-off restarting failed container', '', 'kubelet, n1', '5m', 7, 'e1']);
  });
});
