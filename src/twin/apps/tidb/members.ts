/**
 * The objects TiDB Operator v1.6 makes for one component of a TidbCluster, as its member managers build them: the
 * Services (`<tc>-pd`, `<tc>-pd-peer`, `<tc>-tikv-peer`, `<tc>-tidb`, `<tc>-tidb-peer`), the ConfigMaps with the
 * config file and start script, and the StatefulSets (`<tc>-pd`, `<tc>-tikv`, `<tc>-tidb`), whose pod templates copy
 * the component's scheduling and security fields from the TidbCluster unchecked — the API server is what rejects a
 * bad value. Pure functions of the TidbCluster.
 */
import type { KubeObject } from '../../contracts';

export type Component = 'pd' | 'tikv' | 'tidb';
export const COMPONENTS: Component[] = ['pd', 'tikv', 'tidb'];

export const TC_RESOURCE = 'tidbclusters.pingcap.com';

/** The fields of a component's spec the operator reads here (the rest is kept as given). */
export interface ComponentSpec {
  replicas?: number;
  baseImage?: string;
  image?: string;
  version?: string;
  storageClassName?: string;
  statefulSetUpdateStrategy?: string;
  podManagementPolicy?: string;
  tolerations?: unknown[];
  podSecurityContext?: Record<string, unknown>;
  affinity?: unknown;
  nodeSelector?: Record<string, string>;
  schedulerName?: string;
  requests?: { storage?: string };
  separateSlowLog?: boolean;
  service?: { type?: string };
}

export interface TidbClusterSpec extends Omit<ComponentSpec, 'replicas'> {
  timezone?: string;
  imagePullPolicy?: string;
  helper?: { image?: string };
  pd?: ComponentSpec;
  tikv?: ComponentSpec;
  tidb?: ComponentSpec;
}

export function specOf(tc: KubeObject): TidbClusterSpec {
  return (tc.spec ?? {}) as TidbClusterSpec;
}
const HELPER_IMAGE = 'busybox:1.26.2';

export function labelsOf(tc: KubeObject, component: string): Record<string, string> {
  return {
    'app.kubernetes.io/name': 'tidb-cluster',
    'app.kubernetes.io/managed-by': 'tidb-operator',
    'app.kubernetes.io/instance': String(tc.metadata.name),
    'app.kubernetes.io/component': component,
  };
}

function meta(tc: KubeObject, name: string, component: string): KubeObject['metadata'] {
  const owner = { apiVersion: 'pingcap.com/v1alpha1', kind: 'TidbCluster', name: String(tc.metadata.name), uid: String(tc.metadata.uid), controller: true, blockOwnerDeletion: true };
  return { name, namespace: tc.metadata.namespace, labels: labelsOf(tc, component), ownerReferences: [owner] };
}

export function imageOf(tc: KubeObject, component: Component): string {
  const spec = specOf(tc)[component] ?? {};
  const version = spec.version ?? specOf(tc).version ?? 'latest';
  return spec.image ?? `${spec.baseImage ?? `pingcap/${component}`}:${version}`;
}

export function desiredReplicas(tc: KubeObject, component: Component): number {
  return Number(specOf(tc)[component]?.replicas ?? 0);
}

const PORTS: Record<Component, Array<{ name: string; containerPort: number }>> = {
  pd: [{ name: 'server', containerPort: 2380 }, { name: 'client', containerPort: 2379 }],
  tikv: [{ name: 'server', containerPort: 20160 }],
  tidb: [{ name: 'server', containerPort: 4000 }, { name: 'status', containerPort: 10080 }],
};

export function services(tc: KubeObject, component: Component): KubeObject[] {
  const name = String(tc.metadata.name);
  const selector = labelsOf(tc, component);
  const svc = (svcName: string, spec: Record<string, unknown>): KubeObject => ({ apiVersion: 'v1', kind: 'Service', metadata: meta(tc, svcName, component), spec: { selector, ...spec } });
  const tcp = (n: string, port: number) => ({ name: n, port, targetPort: port, protocol: 'TCP' });
  switch (component) {
    case 'pd':
      return [
        svc(`${name}-pd`, { type: 'ClusterIP', ports: [tcp('client', 2379)] }),
        svc(`${name}-pd-peer`, { clusterIP: 'None', publishNotReadyAddresses: true, ports: [tcp('tcp-peer-2380', 2380), tcp('tcp-peer-2379', 2379)] }),
      ];
    case 'tikv':
      return [svc(`${name}-tikv-peer`, { clusterIP: 'None', publishNotReadyAddresses: true, ports: [tcp('peer', 20160)] })];
    case 'tidb':
      return [
        svc(`${name}-tidb-peer`, { clusterIP: 'None', publishNotReadyAddresses: true, ports: [tcp('status', 10080)] }),
        svc(`${name}-tidb`, { type: specOf(tc).tidb?.service?.type ?? 'ClusterIP', ports: [tcp('mysql-client', 4000), tcp('status', 10080)] }),
      ];
  }
}

const START: Record<Component, string> = {
  pd: '#!/bin/sh\nset -uo pipefail\nANNOTATIONS="/etc/podinfo/annotations"\n...\nARGS="--data-dir=/var/lib/pd --name=${POD_NAME}.${PEER_SERVICE_NAME}.${NAMESPACE}.svc --peer-urls=http://0.0.0.0:2380 --advertise-peer-urls=http://${POD_NAME}.${PEER_SERVICE_NAME}.${NAMESPACE}.svc:2380 --client-urls=http://0.0.0.0:2379 --advertise-client-urls=http://${POD_NAME}.${PEER_SERVICE_NAME}.${NAMESPACE}.svc:2379 --config=/etc/pd/pd.toml"\nexec /pd-server ${ARGS}\n',
  tikv: '#!/bin/sh\nset -uo pipefail\n...\nARGS="--pd=http://${CLUSTER_NAME}-pd:2379 --advertise-addr=${POD_NAME}.${HEADLESS_SERVICE_NAME}.${NAMESPACE}.svc:20160 --addr=0.0.0.0:20160 --data-dir=/var/lib/tikv --capacity=${CAPACITY} --config=/etc/tikv/tikv.toml"\nexec /tikv-server ${ARGS}\n',
  tidb: '#!/bin/sh\nset -uo pipefail\n...\nARGS="--store=tikv --advertise-address=${POD_NAME}.${HEADLESS_SERVICE_NAME}.${NAMESPACE}.svc --host=0.0.0.0 --path=${CLUSTER_NAME}-pd:2379 --config=/etc/tidb/tidb.toml"\nexec /tidb-server ${ARGS}\n',
};

export function configMap(tc: KubeObject, component: Component): KubeObject {
  return {
    apiVersion: 'v1', kind: 'ConfigMap', metadata: meta(tc, `${tc.metadata.name}-${component}`, component),
    data: { 'config-file': component === 'tidb' ? '[log]\n  [log.file]\n    max-backups = 3\n' : '', 'startup-script': START[component] },
  };
}

/** The component's StatefulSet as the operator wants it (replicas: the TidbCluster's, before any stepwise scaling). */
export function statefulSet(tc: KubeObject, component: Component): KubeObject {
  const name = String(tc.metadata.name);
  const cluster = specOf(tc);
  const spec = cluster[component] ?? {};
  const labels = labelsOf(tc, component);
  const peer = `${name}-${component}-peer`;
  const slowLog = component === 'tidb' && spec.separateSlowLog !== false;
  const env = [
    { name: 'NAMESPACE', valueFrom: { fieldRef: { fieldPath: 'metadata.namespace' } } },
    { name: 'POD_NAME', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } },
    { name: 'CLUSTER_NAME', value: name },
    { name: component === 'pd' ? 'PEER_SERVICE_NAME' : 'HEADLESS_SERVICE_NAME', value: peer },
    { name: 'TZ', value: cluster.timezone ?? 'UTC' },
  ];
  const mounts = [
    { name: 'annotations', mountPath: '/etc/podinfo', readOnly: true },
    { name: 'config', mountPath: `/etc/${component}`, readOnly: true },
    { name: 'startup-script', mountPath: '/usr/local/bin', readOnly: true },
    ...(component !== 'tidb' ? [{ name: component, mountPath: `/var/lib/${component}`, readOnly: false }] : []),
    ...(slowLog ? [{ name: 'slowlog', mountPath: '/var/log/tidb', readOnly: false }] : []),
  ];
  const main = {
    name: component,
    image: imageOf(tc, component),
    imagePullPolicy: cluster.imagePullPolicy ?? 'IfNotPresent',
    command: ['/bin/sh', `/usr/local/bin/${component}_start_script.sh`],
    ports: PORTS[component].map((p) => ({ ...p, protocol: 'TCP' })),
    env,
    volumeMounts: mounts,
    resources: {},
    ...(component === 'tidb' ? { readinessProbe: { tcpSocket: { port: 4000 }, initialDelaySeconds: 10 } } : {}),
  };
  const tailer = {
    name: 'slowlog', image: cluster.helper?.image ?? HELPER_IMAGE, imagePullPolicy: 'IfNotPresent', resources: {},
    command: ['sh', '-c', 'touch /var/log/tidb/slowlog; tail -n0 -F /var/log/tidb/slowlog;'], volumeMounts: [{ name: 'slowlog', mountPath: '/var/log/tidb' }],
  };
  const volumes = [
    { name: 'annotations', downwardAPI: { items: [{ path: 'annotations', fieldRef: { fieldPath: 'metadata.annotations' } }] } },
    { name: 'config', configMap: { name: `${name}-${component}`, items: [{ key: 'config-file', path: `${component}.toml` }] } },
    { name: 'startup-script', configMap: { name: `${name}-${component}`, items: [{ key: 'startup-script', path: `${component}_start_script.sh` }] } },
    ...(slowLog ? [{ name: 'slowlog', emptyDir: {} }] : []),
  ];
  // Scheduling and security fields are copied from the TidbCluster as they are: the API server judges them.
  const copied: Record<string, unknown> = {
    schedulerName: spec.schedulerName ?? cluster.schedulerName,
    affinity: spec.affinity ?? cluster.affinity,
    nodeSelector: spec.nodeSelector ?? cluster.nodeSelector,
    tolerations: spec.tolerations ?? cluster.tolerations,
    securityContext: spec.podSecurityContext ?? cluster.podSecurityContext,
  };
  const podSpec = {
    containers: slowLog ? [tailer, main] : [main],
    volumes,
    restartPolicy: 'Always',
    dnsPolicy: 'ClusterFirst',
    ...Object.fromEntries(Object.entries(copied).filter(([, v]) => v !== undefined)),
  };
  const replicas = desiredReplicas(tc, component);
  // Only OnDelete is taken from the TidbCluster: anything else (an unknown value too) becomes RollingUpdate.
  const strategy = spec.statefulSetUpdateStrategy ?? cluster.statefulSetUpdateStrategy;
  const updateStrategy = strategy === 'OnDelete' ? { type: 'OnDelete' } : { type: 'RollingUpdate', rollingUpdate: { partition: replicas } };
  const policy = (spec.podManagementPolicy ?? cluster.podManagementPolicy) === 'OrderedReady' ? 'OrderedReady' : 'Parallel';
  const claims = component === 'tidb' ? [] : [{
    metadata: { name: component },
    spec: {
      accessModes: ['ReadWriteOnce'],
      ...(spec.storageClassName ? { storageClassName: spec.storageClassName } : {}),
      resources: { requests: { storage: spec.requests?.storage ?? '1Gi' } },
    },
  }];
  const scrapePort = component === 'pd' ? 2379 : component === 'tikv' ? 20180 : 10080;
  return {
    apiVersion: 'apps/v1',
    kind: 'StatefulSet',
    metadata: meta(tc, `${name}-${component}`, component),
    spec: {
      replicas,
      selector: { matchLabels: labels },
      serviceName: peer,
      podManagementPolicy: policy,
      updateStrategy,
      template: {
        metadata: { labels, annotations: { 'prometheus.io/scrape': 'true', 'prometheus.io/port': String(scrapePort), 'prometheus.io/path': '/metrics' } },
        spec: podSpec,
      },
      volumeClaimTemplates: claims,
    },
  };
}

/** The discovery service every cluster gets (PD members find each other through it). */
export function discovery(tc: KubeObject): KubeObject[] {
  const name = `${tc.metadata.name}-discovery`;
  const labels = labelsOf(tc, 'discovery');
  return [
    { apiVersion: 'v1', kind: 'ServiceAccount', metadata: meta(tc, name, 'discovery') },
    {
      apiVersion: 'apps/v1', kind: 'Deployment', metadata: meta(tc, name, 'discovery'),
      spec: {
        replicas: 1, selector: { matchLabels: labels },
        template: {
          metadata: { labels },
          spec: {
            serviceAccountName: name,
            containers: [{
              name: 'discovery', image: 'pingcap/tidb-operator:v1.6.0', imagePullPolicy: 'IfNotPresent', command: ['/usr/local/bin/tidb-discovery'],
              env: [{ name: 'MY_POD_NAMESPACE', valueFrom: { fieldRef: { fieldPath: 'metadata.namespace' } } }, { name: 'TC_NAME', value: tc.metadata.name }, { name: 'TZ', value: specOf(tc).timezone ?? 'UTC' }],
              ports: [{ name: 'discovery', containerPort: 10261, protocol: 'TCP' }, { name: 'proxy', containerPort: 10262, protocol: 'TCP' }],
              resources: {},
            }],
          },
        },
      },
    },
    {
      apiVersion: 'v1', kind: 'Service', metadata: meta(tc, name, 'discovery'),
      spec: { type: 'ClusterIP', selector: labels, ports: [{ name: 'discovery', port: 10261, targetPort: 10261, protocol: 'TCP' }, { name: 'proxy', port: 10262, targetPort: 10262, protocol: 'TCP' }] },
    },
  ];
}
