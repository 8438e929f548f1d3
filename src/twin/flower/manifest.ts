/**
 * The Flower Docker Compose stack (aiopslab-applications flower/compose.yml @92d8ab1b, FLWR_VERSION 1.15.2) as twin
 * objects: namespace `docker`, one bare Pod per compose container, named like the container, restartPolicy Never
 * (compose sets no restart policy: a stopped container stays Exited). Arguments follow the compose file as
 * the original describes it; exact flags beyond those are our inference.
 */
import { DOCKER_NAMESPACE } from './docker-state';

const FLWR = '1.15.2';

interface C { name: string; image: string; args: string[]; ports?: number[] }

const CONTAINERS: C[] = [
  { name: 'superlink', image: `flwr/superlink:${FLWR}`, args: ['--insecure', '--isolation', 'process'], ports: [9091, 9092, 9093] },
  { name: 'serverapp', image: 'adityapgupta/flower-server:1.1', args: ['--insecure', '--serverappio-api-address', 'superlink:9091'] },
  { name: 'supernode-1', image: `flwr/supernode:${FLWR}`, args: ['--insecure', '--superlink', 'superlink:9092', '--node-config', 'partition-id=0 num-partitions=2', '--clientappio-api-address', '0.0.0.0:9094', '--isolation', 'process'], ports: [9094] },
  { name: 'supernode-2', image: `flwr/supernode:${FLWR}`, args: ['--insecure', '--superlink', 'superlink:9092', '--node-config', 'partition-id=1 num-partitions=2', '--clientappio-api-address', '0.0.0.0:9095', '--isolation', 'process'], ports: [9095] },
  { name: 'clientapp-1', image: 'adityapgupta/flower-client:1.0', args: ['--insecure', '--clientappio-api-address', 'supernode-1:9094'] },
  { name: 'clientapp-2', image: 'adityapgupta/flower-client:1.0', args: ['--insecure', '--clientappio-api-address', 'supernode-2:9095'] },
];

/** The compose service names and the ports other containers reach them on (compose's network DNS = Services here). */
const SERVICES: Array<{ name: string; ports: Array<[string, number]> }> = [
  { name: 'superlink', ports: [['serverappio', 9091], ['fleet', 9092], ['exec', 9093]] },
  { name: 'supernode-1', ports: [['clientappio', 9094]] },
  { name: 'supernode-2', ports: [['clientappio', 9095]] },
];

/** The objects of apps/flower/manifests (without the Namespace): one Pod per compose container, plus a Service per container others dial. */
export function flowerObjects(): Array<Record<string, unknown>> {
  const items: Array<Record<string, unknown>> = [];
  for (const c of CONTAINERS) {
    items.push({
      apiVersion: 'v1', kind: 'Pod',
      metadata: { name: c.name, namespace: DOCKER_NAMESPACE, labels: { 'com.docker.compose.project': 'flower', 'com.docker.compose.service': c.name } },
      spec: {
        restartPolicy: 'Never', hostname: c.name,
        containers: [{ name: c.name, image: c.image, args: c.args, ...(c.ports ? { ports: c.ports.map((p) => ({ containerPort: p, hostPort: p })) } : {}) }],
      },
    });
  }
  for (const s of SERVICES) {
    items.push({
      apiVersion: 'v1', kind: 'Service',
      metadata: { name: s.name, namespace: DOCKER_NAMESPACE, labels: { 'com.docker.compose.project': 'flower' } },
      spec: { selector: { 'com.docker.compose.service': s.name }, ports: s.ports.map(([name, port]) => ({ name, port, targetPort: port })) },
    });
  }
  return items;
}

/** JSON objects (a List, with the Namespace) for `kubectl apply -f -`. */
export function flowerManifest(): string {
  return JSON.stringify({ apiVersion: 'v1', kind: 'List', items: [{ apiVersion: 'v1', kind: 'Namespace', metadata: { name: DOCKER_NAMESPACE } }, ...flowerObjects()] });
}
