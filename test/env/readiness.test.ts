import { strict as assert } from 'node:assert';
import type * as k8s from '@kubernetes/client-node';
import { describeUnready, rolloutPending, unreadyPods } from '../../src/env/readiness';
import { detectRuntime } from '../../src/env/cluster-setup/runtime';

const pod = (name: string, status: k8s.V1PodStatus): k8s.V1Pod => ({ metadata: { name }, status });
const warning = (name: string, reason: string, message: string, at: string): k8s.CoreV1Event =>
  ({ metadata: {}, type: 'Warning', reason, message, involvedObject: { kind: 'Pod', name }, lastTimestamp: new Date(at) });

describe('readiness: why pods are not ready, as kubectl describe would say', () => {
  it('names the image pull failure with the kubelet\'s message and the latest Warning event', () => {
    const pods = [pod('user-7d9', { phase: 'Pending', containerStatuses: [{ name: 'user', ready: false, restartCount: 0, image: 'x', imageID: '', state: { waiting: { reason: 'ImagePullBackOff', message: 'Back-off pulling image "nginx:nope"' } } }] })];
    const events = [
      warning('user-7d9', 'Failed', 'Failed to pull image "nginx:nope": not found', '2026-01-01T00:00:05Z'),
      warning('user-7d9', 'Failed', 'Error: ErrImagePull', '2026-01-01T00:00:01Z'),
      warning('other', 'Failed', 'unrelated', '2026-01-01T00:00:09Z'),
    ];
    const [explained] = unreadyPods(pods, events);
    assert.equal(explained.reason, 'ImagePullBackOff');
    assert.match(explained.message!, /Back-off pulling image "nginx:nope"/);
    assert.match(explained.message!, /Failed: Failed to pull image "nginx:nope": not found/);
    assert.doesNotMatch(explained.message!, /unrelated|Error: ErrImagePull/);
  });

  it('gives the scheduler\'s verdict for a pod no node can take', () => {
    const pods = [pod('big-0', { phase: 'Pending', conditions: [{ type: 'PodScheduled', status: 'False', reason: 'Unschedulable', message: '0/2 nodes are available: 2 Insufficient cpu.' }] })];
    assert.equal(describeUnready(unreadyPods(pods)), 'big-0 (Unschedulable: 0/2 nodes are available: 2 Insufficient cpu.)');
  });

  it('says how a crashed container exited, and leaves ready and completed pods out', () => {
    const pods = [
      pod('ok', { phase: 'Running', containerStatuses: [{ name: 'a', ready: true, restartCount: 0, image: 'x', imageID: '', state: { running: {} } }] }),
      pod('job-done', { phase: 'Succeeded' }),
      pod('db-0', { phase: 'Running', containerStatuses: [{ name: 'mongo', ready: false, restartCount: 3, image: 'x', imageID: '', state: { terminated: { exitCode: 14, reason: 'Error' } } }] }),
    ];
    assert.deepEqual(unreadyPods(pods).map((p) => `${p.name} ${p.reason} ${p.message}`), ['db-0 Error container mongo exited with code 14']);
  });

  it('caps the list and says how many more', () => {
    const pods = Array.from({ length: 12 }, (_, i) => pod(`p${i}`, { phase: 'Pending' }));
    assert.match(describeUnready(unreadyPods(pods), 3), /^p0 \(Pending\), p1 \(Pending\), p2 \(Pending\), and 9 more$/);
  });
});

describe('readiness: a rollout is done when kubectl rollout status says so', () => {
  const deployment = (status: k8s.V1DeploymentStatus, generation = 2): k8s.V1Deployment => ({ metadata: { name: 'geo', generation }, spec: { replicas: 1, selector: {}, template: {} }, status });

  it('waits while an old ReplicaSet\'s pod runs beside the new one, though both are ready (a recovery\'s rollout restart)', () => {
    assert.equal(rolloutPending(deployment({ observedGeneration: 2, replicas: 2, updatedReplicas: 1, readyReplicas: 2, availableReplicas: 2 }), 'Deployment'), 'Deployment geo: 1 old replicas are pending termination');
    assert.equal(rolloutPending(deployment({ observedGeneration: 2, replicas: 1, updatedReplicas: 1, readyReplicas: 1, availableReplicas: 1 }), 'Deployment'), undefined);
  });

  it('waits for the controller to see a new spec, for new replicas and for their availability', () => {
    assert.match(rolloutPending(deployment({ observedGeneration: 1, replicas: 1, updatedReplicas: 1, readyReplicas: 1, availableReplicas: 1 }), 'Deployment')!, /see the new spec/);
    assert.match(rolloutPending(deployment({ observedGeneration: 2, replicas: 1, readyReplicas: 1, availableReplicas: 1 }), 'Deployment')!, /0 out of 1 new replicas have been updated/);
    assert.match(rolloutPending(deployment({ observedGeneration: 2, replicas: 1, updatedReplicas: 1 }), 'Deployment')!, /0 of 1 updated replicas are available/);
  });

  it('a StatefulSet: its pods ready and at the update revision, unless its pods are replaced only on delete', () => {
    const sts = (status: k8s.V1StatefulSetStatus, type = 'RollingUpdate'): k8s.V1StatefulSet => ({ metadata: { name: 'basic-tidb', generation: 1 }, spec: { replicas: 2, selector: {}, serviceName: 'x', template: {}, updateStrategy: { type } }, status });
    assert.match(rolloutPending(sts({ observedGeneration: 1, replicas: 2, readyReplicas: 1 }), 'StatefulSet')!, /waiting for 1 pods to be ready/);
    assert.match(rolloutPending(sts({ observedGeneration: 1, replicas: 2, readyReplicas: 2, updatedReplicas: 1, currentRevision: 'a', updateRevision: 'b' }), 'StatefulSet')!, /rolling update to complete, 1 pods at revision b/);
    assert.equal(rolloutPending(sts({ observedGeneration: 1, replicas: 2, readyReplicas: 2, currentRevision: 'a', updateRevision: 'b' }, 'OnDelete'), 'StatefulSet'), undefined);
    assert.equal(rolloutPending(sts({ observedGeneration: 1, replicas: 2, readyReplicas: 2, updatedReplicas: 2, currentRevision: 'b', updateRevision: 'b' }), 'StatefulSet'), undefined);
  });
});

describe('cluster setup: the container runtime Chaos Mesh must be told', () => {
  const node = (runtime: string, kubelet = 'v1.31.2') => ({ status: { nodeInfo: { containerRuntimeVersion: runtime, kubeletVersion: kubelet } } });
  it('reads containerd, docker, cri-o and k3s\'s own containerd socket from the nodes', () => {
    assert.deepEqual(detectRuntime([node('containerd://1.7.18'), node('containerd://1.7.18')])?.socketPath, '/run/containerd/containerd.sock');
    assert.equal(detectRuntime([node('docker://24.0.7')])?.runtime, 'docker');
    assert.equal(detectRuntime([node('cri-o://1.29.1')])?.socketPath, '/var/run/crio/crio.sock');
    assert.equal(detectRuntime([node('containerd://1.7.11-k3s2', 'v1.29.1+k3s2')])?.socketPath, '/run/k3s/containerd/containerd.sock');
    assert.equal(detectRuntime([]), undefined);
    assert.match(detectRuntime([node('containerd://1.7.18'), node('docker://24.0.7')])!.detail, /mixed/);
  });
});
