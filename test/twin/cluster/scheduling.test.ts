import assert from 'assert/strict';
import type { KubeObject } from '../../../src/twin/contracts';
import { deployment, harness, type Harness } from './harness';

function pvc(name: string, storageClassName?: string, size = '1Gi'): KubeObject {
  const spec: Record<string, unknown> = { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: size } } };
  if (storageClassName !== undefined) spec.storageClassName = storageClassName;
  return { apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: { name, namespace: 'default' }, spec };
}

function pv(name: string, storageClassName: string, size = '1Gi', reclaim = 'Retain'): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'PersistentVolume',
    metadata: { name },
    spec: { capacity: { storage: size }, accessModes: ['ReadWriteOnce'], storageClassName, persistentVolumeReclaimPolicy: reclaim, hostPath: { path: `/mnt/${name}` } },
  };
}

function podWithClaim(name: string, claim: string): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: 'default' },
    spec: { containers: [{ name: 'db', image: 'mongo:4.4.6', volumeMounts: [{ name: 'data', mountPath: '/data/db' }] }], volumes: [{ name: 'data', persistentVolumeClaim: { claimName: claim } }] },
  };
}

describe('twin cluster: scheduler and volumes', () => {
  let h: Harness;
  beforeEach(() => {
    h = harness();
  });
  afterEach(() => h.stop());

  it('creates a kind-like pair of nodes', () => {
    h.run(100);
    const nodes = h.store.list('nodes');
    assert.deepEqual(nodes.map((n) => n.metadata.name), ['kind-control-plane', 'kind-worker']);
    const cp = nodes[0];
    assert.deepEqual(cp.spec.taints, [{ key: 'node-role.kubernetes.io/control-plane', effect: 'NoSchedule' }]);
    assert.equal(cp.metadata.labels!['node-role.kubernetes.io/control-plane'], '');
    assert.equal(cp.status.nodeInfo.kubeletVersion, 'v1.31.9');
    assert.equal(cp.status.nodeInfo.containerRuntimeVersion, 'containerd://1.7.18');
    assert.equal(nodes[1].status.conditions.find((c: any) => c.type === 'Ready').status, 'True');
    assert.equal(nodes[1].metadata.labels!['kubernetes.io/hostname'], 'kind-worker');
    assert.ok(h.store.get('leases.coordination.k8s.io', 'kube-node-lease', 'kind-worker'));
  });

  it('leaves a pod with a nodeSelector to a missing node Pending with the real FailedScheduling message', () => {
    h.create('deployments.apps', deployment('user-service', { podSpec: { nodeSelector: { 'kubernetes.io/hostname': 'extra-node' } } }));
    h.run(3000);
    const pod = h.pods()[0];
    assert.equal(pod.status.phase, 'Pending');
    assert.equal(pod.spec.nodeName, undefined);
    const cond = pod.status.conditions.find((c: any) => c.type === 'PodScheduled');
    assert.equal(cond.status, 'False');
    assert.equal(cond.reason, 'Unschedulable');
    const ev = h.events('default', 'FailedScheduling')[0];
    assert.equal(ev.type, 'Warning');
    assert.equal((ev.source as any).component, 'default-scheduler');
    assert.equal(
      ev.message,
      "0/2 nodes are available: 1 node(s) didn't match Pod's node affinity/selector, 1 node(s) had untolerated taint {node-role.kubernetes.io/control-plane: }. preemption: 0/2 nodes are available: 2 Preemption is not helpful for scheduling.",
    );
    const d = h.store.get('deployments.apps', 'default', 'user-service')!;
    assert.equal(d.status.availableReplicas, undefined);
    assert.equal(d.status.conditions.find((c: any) => c.type === 'Available').status, 'False');
    // Mitigation: remove the nodeSelector → a new ReplicaSet schedules on kind-worker; the Pending pod goes away.
    delete d.spec.template.spec.nodeSelector;
    h.store.update('deployments.apps', d);
    h.run(5000);
    const pods = h.pods();
    assert.equal(pods.length, 1);
    assert.equal(pods[0].spec.nodeName, 'kind-worker');
    assert.equal(pods[0].status.phase, 'Running');
  });

  it('reports insufficient resources and tolerates the control-plane taint when asked', () => {
    h.create('deployments.apps', deployment('big', { podSpec: { containers: [{ name: 'big', image: 'nginx:1.25', resources: { requests: { cpu: '64' } } }] } }));
    h.run(2000);
    assert.equal(
      h.events('default', 'FailedScheduling')[0].message,
      '0/2 nodes are available: 1 Insufficient cpu, 1 node(s) had untolerated taint {node-role.kubernetes.io/control-plane: }. preemption: 0/2 nodes are available: 1 No preemption victims found for incoming pod, 1 Preemption is not helpful for scheduling.',
    );
    h.create('deployments.apps', deployment('cp', {
      podSpec: {
        nodeSelector: { 'node-role.kubernetes.io/control-plane': '' },
        tolerations: [{ key: 'node-role.kubernetes.io/control-plane', operator: 'Exists', effect: 'NoSchedule' }],
      },
    }));
    h.run(2000);
    const cp = h.pods('default', 'app', 'cp')[0];
    assert.equal(cp.spec.nodeName, 'kind-control-plane');
    assert.match(cp.status.podIP, /^10\.244\.0\.\d+$/);
  });

  it('keeps a pod Pending while its claim has no volume, and binds a matching PV', () => {
    h.create('persistentvolumeclaims', pvc('geo-pvc', 'geo-storage'));
    h.create('pods', podWithClaim('mongodb-geo', 'geo-pvc'));
    h.run(3000);
    assert.equal(h.store.get('persistentvolumeclaims', 'default', 'geo-pvc')!.status.phase, 'Pending');
    assert.equal(h.events('default', 'ProvisioningFailed')[0].message, 'storageclass.storage.k8s.io "geo-storage" not found');
    assert.equal(
      h.events('default', 'FailedScheduling')[0].message,
      '0/2 nodes are available: pod has unbound immediate PersistentVolumeClaims. preemption: 0/2 nodes are available: 2 Preemption is not helpful for scheduling.',
    );
    assert.equal(h.store.get('pods', 'default', 'mongodb-geo')!.status.phase, 'Pending');
    h.create('persistentvolumes', pv('geo-pv', 'geo-storage'));
    h.run(3000);
    const claim = h.store.get('persistentvolumeclaims', 'default', 'geo-pvc')!;
    assert.equal(claim.status.phase, 'Bound');
    assert.equal(claim.spec.volumeName, 'geo-pv');
    assert.equal(h.store.get('persistentvolumes', undefined, 'geo-pv')!.status.phase, 'Bound');
    assert.equal(h.store.get('pods', 'default', 'mongodb-geo')!.status.phase, 'Running');
  });

  it('a Released PV (claim deleted and recreated) does not bind until its claimRef is cleared', () => {
    h.create('persistentvolumes', pv('geo-pv', 'geo-storage'));
    h.create('persistentvolumeclaims', pvc('geo-pvc', 'geo-storage'));
    h.run(1000);
    assert.equal(h.store.get('persistentvolumes', undefined, 'geo-pv')!.status.phase, 'Bound');
    h.store.delete('persistentvolumeclaims', 'default', 'geo-pvc');
    h.run(1000);
    assert.equal(h.store.get('persistentvolumes', undefined, 'geo-pv')!.status.phase, 'Released');
    h.create('persistentvolumeclaims', pvc('geo-pvc', 'geo-storage'));
    h.run(2000);
    assert.equal(h.store.get('persistentvolumeclaims', 'default', 'geo-pvc')!.status.phase, 'Pending');
    const vol = h.store.get('persistentvolumes', undefined, 'geo-pv')!;
    delete vol.spec.claimRef;
    h.store.update('persistentvolumes', vol);
    h.run(2000);
    assert.equal(h.store.get('persistentvolumeclaims', 'default', 'geo-pvc')!.status.phase, 'Bound');
  });

  it('provisions a volume for a claim of the default class once a pod uses it (WaitForFirstConsumer)', () => {
    h.create('persistentvolumeclaims', pvc('data'));
    h.run(1000);
    let claim = h.store.get('persistentvolumeclaims', 'default', 'data')!;
    assert.equal(claim.spec.storageClassName, 'standard');
    assert.equal(claim.status.phase, 'Pending');
    assert.equal(h.events('default', 'WaitForFirstConsumer')[0].message, 'waiting for first consumer to be created before binding');
    h.create('pods', podWithClaim('db', 'data'));
    h.run(3000);
    claim = h.store.get('persistentvolumeclaims', 'default', 'data')!;
    assert.equal(claim.status.phase, 'Bound');
    assert.equal(claim.spec.volumeName, `pvc-${claim.metadata.uid}`);
    assert.equal(h.events('default', 'ProvisioningSucceeded')[0].message, `Successfully provisioned volume pvc-${claim.metadata.uid}`);
    assert.equal(h.store.get('pods', 'default', 'db')!.status.phase, 'Running');
  });

  it('runs a StatefulSet in order with its claims and a DaemonSet on the schedulable node', () => {
    h.create('statefulsets.apps', {
      apiVersion: 'apps/v1',
      kind: 'StatefulSet',
      metadata: { name: 'mongo', namespace: 'default' },
      spec: {
        replicas: 2,
        serviceName: 'mongo',
        selector: { matchLabels: { app: 'mongo' } },
        template: { metadata: { labels: { app: 'mongo' } }, spec: { containers: [{ name: 'mongo', image: 'mongo:4.4.6' }] } },
        volumeClaimTemplates: [{ metadata: { name: 'data' }, spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } } }],
      },
    });
    h.create('daemonsets.apps', {
      apiVersion: 'apps/v1',
      kind: 'DaemonSet',
      metadata: { name: 'agent', namespace: 'default' },
      spec: { selector: { matchLabels: { app: 'agent' } }, template: { metadata: { labels: { app: 'agent' } }, spec: { containers: [{ name: 'agent', image: 'busybox:1.36', command: ['sleep', 'infinity'] }] } } },
    });
    h.run(10_000);
    const sts = h.pods('default', 'app', 'mongo');
    assert.deepEqual(sts.map((p) => p.metadata.name), ['mongo-0', 'mongo-1']);
    assert.ok(sts.every((p) => p.status.phase === 'Running'));
    assert.deepEqual(h.store.list('persistentvolumeclaims', 'default').map((c) => `${c.metadata.name}:${c.status.phase}`), ['data-mongo-0:Bound', 'data-mongo-1:Bound']);
    const s = h.store.get('statefulsets.apps', 'default', 'mongo')!;
    assert.equal(s.status.readyReplicas, 2);
    const ds = h.pods('default', 'app', 'agent');
    assert.equal(ds.length, 1);
    assert.equal(ds[0].spec.nodeName, 'kind-worker');
    assert.equal(h.store.get('daemonsets.apps', 'default', 'agent')!.status.numberReady, 1);
  });
});

describe('twin cluster: cordon', () => {
  it('a cordoned worker gets the unschedulable taint and new pods stay Pending until uncordon', () => {
    const h = harness();
    try {
      h.run(100);
      const node = h.store.get('nodes', undefined, 'kind-worker')!;
      node.spec.unschedulable = true;
      h.store.update('nodes', node);
      h.run(500);
      assert.deepEqual(h.store.get('nodes', undefined, 'kind-worker')!.spec.taints.map((t: any) => `${t.key}:${t.effect}`), ['node.kubernetes.io/unschedulable:NoSchedule']);
      h.create('deployments.apps', deployment('web'));
      h.run(2000);
      assert.equal(
        h.events('default', 'FailedScheduling')[0].message,
        '0/2 nodes are available: 1 node(s) had untolerated taint {node-role.kubernetes.io/control-plane: }, 1 node(s) were unschedulable. preemption: 0/2 nodes are available: 2 Preemption is not helpful for scheduling.',
      );
      const n = h.store.get('nodes', undefined, 'kind-worker')!;
      n.spec.unschedulable = false;
      h.store.update('nodes', n);
      h.run(3000);
      assert.equal(h.store.get('nodes', undefined, 'kind-worker')!.spec.taints, undefined);
      assert.equal(h.pods()[0].status.phase, 'Running');
    } finally {
      h.stop();
    }
  });
});

describe('twin cluster: system components', () => {
  it('looks like a fresh kind cluster in kube-system', () => {
    const h = harness({ systemComponents: true });
    try {
      h.run(5000);
      const pods = h.pods('kube-system');
      const names = pods.map((p) => p.metadata.name!);
      for (const n of ['etcd-kind-control-plane', 'kube-apiserver-kind-control-plane', 'kube-controller-manager-kind-control-plane', 'kube-scheduler-kind-control-plane']) {
        assert.ok(names.includes(n), `${n} in ${names.join(',')}`);
      }
      assert.equal(pods.filter((p) => p.metadata.name!.startsWith('kindnet-')).length, 2);
      assert.equal(pods.filter((p) => p.metadata.name!.startsWith('kube-proxy-')).length, 2);
      assert.equal(pods.filter((p) => p.metadata.name!.startsWith('coredns-')).length, 2);
      assert.ok(pods.every((p) => p.status.phase === 'Running'), pods.map((p) => `${p.metadata.name}:${p.status.phase}`).join(','));
      const etcd = pods.find((p) => p.metadata.name === 'etcd-kind-control-plane')!;
      assert.equal(etcd.status.podIP, '172.18.0.3');
      assert.equal(h.pods('local-path-storage').length, 1);
      const dns = h.store.get('endpoints', 'kube-system', 'kube-dns')!;
      assert.equal((dns.subsets as any)[0].addresses.length, 2);
      assert.ok(h.events('kube-system', 'Pulled').every((e) => /already present on machine$/.test(String(e.message))));
    } finally {
      h.stop();
    }
  });
});

describe('twin cluster: node removal', () => {
  it('deletes the pods of a deleted node and their controller recreates them elsewhere', () => {
    const h = harness({ nodes: [{ name: 'cp', role: 'control-plane' }, { name: 'w1' }, { name: 'w2' }] });
    try {
      h.create('deployments.apps', deployment('web', { replicas: 2 }));
      h.run(3000);
      const before = h.pods().map((p) => p.spec.nodeName).sort();
      assert.deepEqual(before, ['w1', 'w2']);
      h.store.delete('nodes', undefined, 'w1');
      h.run(3000);
      const after = h.pods();
      assert.equal(after.length, 2);
      assert.deepEqual(after.map((p) => p.spec.nodeName), ['w2', 'w2']);
      assert.ok(after.every((p) => p.status.phase === 'Running'));
    } finally {
      h.stop();
    }
  });
});
