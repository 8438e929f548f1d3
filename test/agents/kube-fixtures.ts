/** Hand-written kubectl JSON in the shapes a real cluster returns (managedFields omitted, as kubectl does). */

export const NS_SN = 'test-social-network';
export const NS_HR = 'test-hotel-reservation';

type Obj = Record<string, any>;

export function list(items: Obj[]): string {
  return JSON.stringify({ apiVersion: 'v1', kind: 'List', metadata: { resourceVersion: '' }, items }, null, 2);
}

export function pod(name: string, opts: { app: string; labelKey?: string; ns?: string; image?: string; port?: number; phase?: string; created?: string; state?: Obj; lastState?: Obj; ready?: boolean; restarts?: number; nodeSelector?: Obj; command?: string[] }): Obj {
  const labelKey = opts.labelKey ?? 'service';
  const container = opts.app;
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name,
      namespace: opts.ns ?? NS_SN,
      creationTimestamp: opts.created ?? '2026-09-15T12:30:00Z',
      labels: { app: opts.app, [labelKey]: opts.app, 'pod-template-hash': name.split('-').slice(-2, -1)[0] },
      ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: name.split('-').slice(0, -1).join('-'), controller: true }],
    },
    spec: {
      containers: [
        {
          name: container,
          image: opts.image ?? 'deathstarbench/social-network-microservices:latest',
          ...(opts.command ? { command: opts.command } : {}),
          ports: [{ containerPort: opts.port ?? 9090, protocol: 'TCP' }],
          resources: {},
        },
      ],
      ...(opts.nodeSelector ? { nodeSelector: opts.nodeSelector } : {}),
      restartPolicy: 'Always',
      schedulerName: 'default-scheduler',
    },
    status: {
      phase: opts.phase ?? 'Running',
      ...(opts.phase === 'Pending'
        ? { conditions: [{ type: 'PodScheduled', status: 'False', reason: 'Unschedulable', message: '0/2 nodes are available' }] }
        : {
            podIP: '10.244.1.7',
            containerStatuses: [
              {
                name: container,
                image: opts.image ?? 'deathstarbench/social-network-microservices:latest',
                ready: opts.ready ?? true,
                restartCount: opts.restarts ?? 0,
                started: opts.ready ?? true,
                state: opts.state ?? { running: { startedAt: '2026-09-15T12:30:05Z' } },
                lastState: opts.lastState ?? {},
              },
            ],
          }),
    },
  };
}

export function deployment(name: string, opts: { labelKey?: string; replicas?: number; available?: number; image?: string; command?: string[]; nodeSelector?: Obj; revision?: string; ns?: string } = {}): Obj {
  const labelKey = opts.labelKey ?? 'service';
  const replicas = opts.replicas ?? 1;
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, namespace: opts.ns ?? NS_SN, annotations: { 'deployment.kubernetes.io/revision': opts.revision ?? '1' }, labels: { [labelKey]: name } },
    spec: {
      replicas,
      selector: { matchLabels: { [labelKey]: name } },
      template: {
        metadata: { labels: { [labelKey]: name, app: name } },
        spec: {
          ...(opts.nodeSelector ? { nodeSelector: opts.nodeSelector } : {}),
          containers: [{ name, image: opts.image ?? 'deathstarbench/social-network-microservices:latest', ...(opts.command ? { command: opts.command } : {}) }],
        },
      },
    },
    status: replicas === 0 ? { observedGeneration: 2 } : { replicas, availableReplicas: opts.available ?? replicas, readyReplicas: opts.available ?? replicas, updatedReplicas: replicas },
  };
}

export function service(name: string, opts: { labelKey?: string; port?: number; targetPort?: number; ns?: string } = {}): Obj {
  const port = opts.port ?? 9090;
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name, namespace: opts.ns ?? NS_SN },
    spec: {
      type: 'ClusterIP',
      clusterIP: '10.96.12.34',
      selector: { [opts.labelKey ?? 'service']: name },
      ports: [{ name: String(port), port, protocol: 'TCP', targetPort: opts.targetPort ?? port }],
    },
  };
}

export function endpoints(name: string, opts: { ips?: string[]; port?: number; ns?: string } = {}): Obj {
  const ips = opts.ips ?? ['10.244.1.7'];
  return {
    apiVersion: 'v1',
    kind: 'Endpoints',
    metadata: { name, namespace: opts.ns ?? NS_SN },
    ...(ips.length > 0
      ? { subsets: [{ addresses: ips.map((ip) => ({ ip, nodeName: 'kind-worker', targetRef: { kind: 'Pod', name: `${name}-abc`, namespace: opts.ns ?? NS_SN } })), ports: [{ name: String(opts.port ?? 9090), port: opts.port ?? 9090, protocol: 'TCP' }] }] }
      : {}),
  };
}

export function warning(kind: string, name: string, reason: string, message: string, count = 1): Obj {
  return { apiVersion: 'v1', kind: 'Event', type: 'Warning', involvedObject: { kind, name, namespace: NS_SN }, reason, message, count, source: { component: 'kubelet' } };
}

/** A healthy SocialNetwork slice: three services, each with one pod. */
export function socialNetwork(overrides: { pods?: Obj[]; deployments?: Obj[]; services?: Obj[]; endpoints?: Obj[] } = {}) {
  const names = ['compose-post-service', 'user-service', 'text-service'];
  return {
    pods: overrides.pods ?? names.map((n, i) => pod(`${n}-5d8f9c7b4-${'abcde'[i]}x7k2`, { app: n })),
    deployments: overrides.deployments ?? names.map((n) => deployment(n)),
    services: overrides.services ?? names.map((n) => service(n)),
    endpoints: overrides.endpoints ?? names.map((n) => endpoints(n)),
  };
}
