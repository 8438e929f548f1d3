import { strict as assert } from 'assert';
import { execFile } from 'child_process';
import * as fs from 'fs';
import * as http from 'http';
import * as os from 'os';
import type { AddressInfo } from 'net';
import * as path from 'path';
import { parseAllDocuments } from 'yaml';
import { loadCatalog } from '../../src/env/catalog';

/**
 * A manifest object as these checks read it: the fields they look at, required where every manifest of the kind
 * has them (a missing one fails the check that reads it).
 */
interface Container {
  name: string;
  image: string;
  command?: string[];
  args?: string[];
  ports: Array<{ containerPort: number; name?: string; protocol?: string }>;
  env: Array<{ name: string; value?: string; valueFrom?: { configMapKeyRef?: KeyRef; secretKeyRef?: KeyRef } }>;
  envFrom?: Array<{ configMapRef?: { name: string }; secretRef?: { name: string } }>;
  volumeMounts: Array<{ name: string; mountPath: string; subPath?: string }>;
  readinessProbe?: unknown;
}
interface KeyRef { name: string; key: string }
interface Volume {
  name: string;
  configMap?: { name: string; optional?: boolean; items?: Array<{ key: string }> };
  secret?: { secretName: string; optional?: boolean; items?: Array<{ key: string }> };
  persistentVolumeClaim?: { claimName: string };
}
interface Obj {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string };
  data: Record<string, string>;
  stringData?: Record<string, string>;
  binaryData?: Record<string, string>;
  spec: {
    replicas: number;
    type?: string;
    selector: Record<string, string> & { matchLabels?: Record<string, string> };
    ports: Array<{ name?: string; port: number; targetPort?: number | string; protocol?: string }>;
    template: { metadata: { labels: Record<string, string> }; spec: { containers: Container[]; initContainers?: Container[]; volumes: Volume[] } };
    storageClassName?: string;
    capacity: { storage: string };
    accessModes: string[];
    resources: { requests: { storage: string } };
    hostPath: { path: string };
  };
}
interface Loaded { file: string; obj: Obj }
/** flagd's flag file (demo.flagd.json). */
interface FlagdFile { flags: Record<string, { defaultVariant: string; state: string; variants: Record<string, unknown> }> }

const ROOT = findRoot(__dirname);
const APPS = ['hotel-reservation', 'social-network', 'astronomy-shop'] as const;

function findRoot(start: string): string {
  let dir = start;
  while (!fs.existsSync(path.join(dir, 'apps')) || !fs.existsSync(path.join(dir, 'package.json'))) {
    const up = path.dirname(dir);
    if (up === dir) throw new Error(`no project root above ${start}`);
    dir = up;
  }
  return dir;
}

function manifestFiles(dir: string): string[] {
  const out: string[] = [];
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, entry.name);
    if (entry.isDirectory()) out.push(...manifestFiles(p));
    else if (/\.(ya?ml|json)$/.test(entry.name)) out.push(p);
  }
  return out.sort();
}

const cache = new Map<string, Loaded[]>();
function load(app: string): Loaded[] {
  const hit = cache.get(app);
  if (hit) return hit;
  const dir = path.join(ROOT, 'apps', app, 'manifests');
  const loaded: Loaded[] = [];
  for (const file of manifestFiles(dir)) {
    const rel = path.relative(ROOT, file);
    for (const doc of parseAllDocuments(fs.readFileSync(file, 'utf8'))) {
      assert.deepEqual(doc.errors.map((e) => e.message), [], `${rel}: YAML errors`);
      const obj = doc.toJS() as Obj | null | undefined;
      if (obj !== null && obj !== undefined) loaded.push({ file: rel, obj });
    }
  }
  cache.set(app, loaded);
  return loaded;
}

const ofKind = (app: string, kind: string): Obj[] => load(app).filter((l) => l.obj.kind === kind).map((l) => l.obj);
function get(app: string, kind: string, name: string | undefined): Obj {
  const found = ofKind(app, kind).find((o) => o.metadata.name === name);
  assert.ok(found, `${app}: ${kind} ${name} is missing`);
  return found;
}
const labelsMatch = (selector: Record<string, string>, labels: Record<string, string> | undefined): boolean =>
  Object.entries(selector).every(([k, v]) => labels?.[k] === v);
const podsSelectedBy = (app: string, selector: Record<string, string>): Obj[] =>
  ofKind(app, 'Deployment').filter((d) => labelsMatch(selector, d.spec.template.metadata.labels));
const containerOf = (deployment: Obj, name: string | undefined): Container => {
  const c = deployment.spec.template.spec.containers.find((x) => x.name === name);
  assert.ok(c, `Deployment ${deployment.metadata.name} has no container ${name}`);
  return c;
};

// ---------------------------------------------------------------------------------------------------------------
// Expectations written from the fact sheet.

/** HotelReservation: deployment → [container, image, command, port]. */
const HOTEL_GO: Record<string, number> = { frontend: 5000, geo: 8083, profile: 8081, rate: 8084, recommendation: 8085, reservation: 8087, search: 8082, user: 8086 };
const HOTEL_MONGO = ['geo', 'profile', 'rate', 'recommendation', 'reservation', 'user'];
const HOTEL_MMC: Record<string, string> = { 'memcached-profile': 'hotel-reserv-profile-mmc', 'memcached-rate': 'hotel-reserv-rate-mmc', 'memcached-reserve': 'hotel-reserv-reservation-mmc' };

const SOCIAL_APP_SERVICES: Record<string, string> = {
  'compose-post-service': 'ComposePostService', 'home-timeline-service': 'HomeTimelineService', 'media-service': 'MediaService',
  'post-storage-service': 'PostStorageService', 'social-graph-service': 'SocialGraphService', 'text-service': 'TextService',
  'unique-id-service': 'UniqueIdService', 'url-shorten-service': 'UrlShortenService', 'user-mention-service': 'UserMentionService',
  'user-service': 'UserService', 'user-timeline-service': 'UserTimelineService',
};
const SOCIAL_MONGO = ['media-mongodb', 'post-storage-mongodb', 'social-graph-mongodb', 'url-shorten-mongodb', 'user-mongodb', 'user-timeline-mongodb'];
const SOCIAL_REDIS = ['home-timeline-redis', 'social-graph-redis', 'user-timeline-redis'];
const SOCIAL_MEMCACHED = ['media-memcached', 'post-storage-memcached', 'url-shorten-memcached', 'user-memcached'];
const SOCIAL_ALL = [...Object.keys(SOCIAL_APP_SERVICES), ...SOCIAL_MONGO, ...SOCIAL_REDIS, ...SOCIAL_MEMCACHED, 'jaeger', 'media-frontend', 'nginx-thrift'];

const ASTRO_COMPONENTS = ['accounting', 'ad', 'cart', 'checkout', 'currency', 'email', 'flagd', 'fraud-detection', 'frontend', 'frontend-proxy', 'image-provider', 'jaeger', 'kafka', 'load-generator', 'payment', 'product-catalog', 'quote', 'recommendation', 'shipping', 'valkey-cart'];
/** flag → variant the injector sets. */
const OTEL_FLAGS: Record<string, string> = {
  adFailure: 'on', adHighCpu: 'on', adManualGc: 'on', cartFailure: 'on', imageSlowLoad: '10sec', kafkaQueueProblems: 'on',
  loadGeneratorFloodHomepage: 'on', paymentFailure: '100%', paymentUnreachable: 'on', productCatalogFailure: 'on', recommendationCacheFailure: 'on',
};

// ---------------------------------------------------------------------------------------------------------------

for (const app of APPS) {
  describe(`apps/${app}/manifests`, () => {
    const present = fs.existsSync(path.join(ROOT, 'apps', app, 'manifests'));
    before(function () {
      if (!present) this.skip();
    });

    it('parses, and every object has apiVersion, kind, metadata.name and no hard-coded namespace', () => {
      const all = load(app);
      assert.ok(all.length > 0, 'no objects');
      const seen = new Set<string>();
      for (const { file, obj } of all) {
        assert.equal(typeof obj.apiVersion, 'string', `${file}: apiVersion`);
        assert.equal(typeof obj.kind, 'string', `${file}: kind`);
        assert.equal(typeof obj.metadata?.name, 'string', `${file}: metadata.name`);
        assert.match(obj.metadata.name, /^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/, `${file}: ${obj.metadata.name} is not a valid name`);
        assert.equal(obj.metadata.namespace, undefined, `${file}: ${obj.kind} ${obj.metadata.name} hard-codes a namespace (kubectl apply -n must decide)`);
        const key = `${obj.kind}/${obj.metadata.name}`;
        assert.ok(!seen.has(key), `${file}: ${key} defined twice`);
        seen.add(key);
      }
    });

    it('every Deployment selector matches its pod template labels; container names are unique', () => {
      for (const d of ofKind(app, 'Deployment')) {
        const sel = d.spec?.selector?.matchLabels;
        assert.ok(sel && Object.keys(sel).length > 0, `Deployment ${d.metadata.name}: empty selector`);
        assert.ok(labelsMatch(sel, d.spec.template.metadata.labels), `Deployment ${d.metadata.name}: selector does not match template labels`);
        const names = [...(d.spec.template.spec.initContainers ?? []), ...d.spec.template.spec.containers].map((c) => c.name);
        assert.equal(new Set(names).size, names.length, `Deployment ${d.metadata.name}: duplicate container names`);
        for (const c of d.spec.template.spec.containers) assert.ok(c.image, `Deployment ${d.metadata.name}/${c.name}: no image`);
      }
    });

    it('every Service selects the pods of a Deployment and each targetPort is a container port of those pods', () => {
      for (const s of ofKind(app, 'Service')) {
        const sel = s.spec?.selector;
        assert.ok(sel && Object.keys(sel).length > 0, `Service ${s.metadata.name}: no selector`);
        const deployments = podsSelectedBy(app, sel);
        assert.ok(deployments.length > 0, `Service ${s.metadata.name} selects no Deployment's pods`);
        for (const p of s.spec.ports) {
          const target = p.targetPort ?? p.port;
          const protocol = p.protocol ?? 'TCP';
          for (const d of deployments) {
            const ports = d.spec.template.spec.containers.flatMap((c) => c.ports ?? []);
            const hit = ports.some((cp) => (typeof target === 'number' ? cp.containerPort === target : cp.name === target) && (cp.protocol ?? 'TCP') === protocol);
            assert.ok(hit, `Service ${s.metadata.name} port ${p.port} → targetPort ${target}/${protocol}: no such container port in Deployment ${d.metadata.name}`);
          }
        }
        if (s.spec.ports.length > 1) for (const p of s.spec.ports) assert.ok(p.name, `Service ${s.metadata.name}: multi-port Services need port names`);
      }
    });

    it('ConfigMap, Secret, PVC and volume references resolve', () => {
      const cms = new Map(ofKind(app, 'ConfigMap').map((c) => [c.metadata.name, c]));
      const secrets = new Map(ofKind(app, 'Secret').map((c) => [c.metadata.name, c]));
      const pvcs = new Map(ofKind(app, 'PersistentVolumeClaim').map((c) => [c.metadata.name, c]));
      const pvs = ofKind(app, 'PersistentVolume');
      const keysOf = (o: Partial<Pick<Obj, 'data' | 'stringData' | 'binaryData'>> | undefined): string[] => [...Object.keys(o?.data ?? {}), ...Object.keys(o?.stringData ?? {}), ...Object.keys(o?.binaryData ?? {})];
      for (const d of ofKind(app, 'Deployment')) {
        const where = `Deployment ${d.metadata.name}`;
        const volumes = new Map<string, Volume>((d.spec.template.spec.volumes ?? []).map((v) => [v.name, v]));
        for (const v of volumes.values()) {
          if (v.configMap) {
            const cm = cms.get(v.configMap.name);
            assert.ok(cm || v.configMap.optional, `${where}: ConfigMap ${v.configMap.name} does not exist`);
            for (const item of v.configMap.items ?? []) assert.ok(keysOf(cm).includes(item.key), `${where}: ConfigMap ${v.configMap.name} has no key ${item.key}`);
          }
          if (v.secret) {
            const sec = secrets.get(v.secret.secretName);
            assert.ok(sec || v.secret.optional, `${where}: Secret ${v.secret.secretName} does not exist`);
            for (const item of v.secret.items ?? []) assert.ok(keysOf(sec).includes(item.key), `${where}: Secret ${v.secret.secretName} has no key ${item.key}`);
          }
          if (v.persistentVolumeClaim) assert.ok(pvcs.has(v.persistentVolumeClaim.claimName), `${where}: PVC ${v.persistentVolumeClaim.claimName} does not exist`);
        }
        const containers = [...(d.spec.template.spec.initContainers ?? []), ...d.spec.template.spec.containers];
        for (const c of containers) {
          for (const m of c.volumeMounts ?? []) {
            const v = volumes.get(m.name);
            assert.ok(v, `${where}/${c.name}: volumeMount ${m.name} has no volume`);
            if (m.subPath && v.configMap && !v.configMap.items) assert.ok(keysOf(cms.get(v.configMap.name)).includes(m.subPath), `${where}/${c.name}: ConfigMap ${v.configMap.name} has no key ${m.subPath}`);
            if (m.subPath && v.secret && !v.secret.items) assert.ok(keysOf(secrets.get(v.secret.secretName)).includes(m.subPath), `${where}/${c.name}: Secret ${v.secret.secretName} has no key ${m.subPath}`);
          }
          for (const e of c.env ?? []) {
            const cmRef = e.valueFrom?.configMapKeyRef;
            if (cmRef) assert.ok(keysOf(cms.get(cmRef.name) ?? {}).includes(cmRef.key), `${where}/${c.name}: env ${e.name} → ConfigMap ${cmRef.name}/${cmRef.key} missing`);
            const secRef = e.valueFrom?.secretKeyRef;
            if (secRef) assert.ok(keysOf(secrets.get(secRef.name) ?? {}).includes(secRef.key), `${where}/${c.name}: env ${e.name} → Secret ${secRef.name}/${secRef.key} missing`);
          }
          for (const e of c.envFrom ?? []) {
            if (e.configMapRef) assert.ok(cms.has(e.configMapRef.name), `${where}/${c.name}: envFrom ConfigMap ${e.configMapRef.name} missing`);
            if (e.secretRef) assert.ok(secrets.has(e.secretRef.name), `${where}/${c.name}: envFrom Secret ${e.secretRef.name} missing`);
          }
        }
      }
      for (const pvc of pvcs.values()) {
        if (!pvc.spec.storageClassName) continue;
        const pv = pvs.find((p) => p.spec.storageClassName === pvc.spec.storageClassName);
        assert.ok(pv, `PVC ${pvc.metadata.name}: no PersistentVolume with storageClassName ${pvc.spec.storageClassName} (no provisioner is assumed)`);
        assert.equal(pv.spec.capacity.storage, pvc.spec.resources.requests.storage, `PVC ${pvc.metadata.name}: capacity differs from ${pv.metadata.name}`);
        for (const mode of pvc.spec.accessModes) assert.ok(pv.spec.accessModes.includes(mode), `PVC ${pvc.metadata.name}: ${pv.metadata.name} lacks access mode ${mode}`);
      }
    });
  });
}

describe('apps/hotel-reservation/manifests: the original deployment and the fault targets', () => {
  const app = 'hotel-reservation';
  it('has the 19 Deployments with io.kompose.service labels, one replica each, and a Service of the same name', () => {
    const expected = [...Object.keys(HOTEL_GO), ...HOTEL_MONGO.map((m) => `mongodb-${m}`), ...Object.keys(HOTEL_MMC), 'consul', 'jaeger'].sort();
    assert.equal(expected.length, 19);
    assert.deepEqual(ofKind(app, 'Deployment').map((d) => d.metadata.name).sort(), expected);
    for (const name of expected) {
      const d = get(app, 'Deployment', name);
      assert.equal(d.spec.replicas, 1, `${name} replicas`);
      assert.equal(d.spec.template.metadata.labels['io.kompose.service'], name);
      assert.deepEqual(get(app, 'Service', name).spec.selector, { 'io.kompose.service': name });
    }
  });

  it('Go services: container hotel-reserv-<name>, image yinfangchen/hotelreservation:latest, command [<name>], their port', () => {
    for (const [name, port] of Object.entries(HOTEL_GO)) {
      const c = containerOf(get(app, 'Deployment', name), `hotel-reserv-${name}`);
      assert.equal(c.image, 'yinfangchen/hotelreservation:latest');
      assert.deepEqual(c.command, [name]);
      assert.deepEqual(c.ports.map((p) => p.containerPort), [port]);
      assert.ok(c.env.some((e) => e.name === 'JAEGER_SAMPLE_RATIO' && e.value === '1'), `${name}: JAEGER_SAMPLE_RATIO=1`);
      assert.equal(c.readinessProbe, undefined, `${name}: the real app has no probes`);
      assert.equal(get(app, 'Service', name).spec.ports[0].targetPort, port);
    }
  });

  it('Mongo, memcached, consul and jaeger containers, images and ports', () => {
    for (const m of HOTEL_MONGO) {
      const c = containerOf(get(app, 'Deployment', `mongodb-${m}`), `hotel-reserv-${m}-mongo`);
      assert.equal(c.image, 'mongo:4.4.6');
      assert.equal(c.ports[0].containerPort, 27017);
      assert.ok(c.volumeMounts.some((v) => v.mountPath === '/data/db'), `mongodb-${m}: /data/db`);
    }
    for (const [name, container] of Object.entries(HOTEL_MMC)) {
      const c = containerOf(get(app, 'Deployment', name), container);
      assert.match(c.image, /^memcached(:|$)/);
      assert.equal(c.ports[0].containerPort, 11211);
    }
    const consul = containerOf(get(app, 'Deployment', 'consul'), 'consul');
    assert.equal(consul.image, 'hashicorp/consul:latest');
    assert.deepEqual(consul.ports.map((p) => p.containerPort).sort(), [53, 8300, 8400, 8500]);
    const dns = get(app, 'Service', 'consul').spec.ports.find((p) => p.port === 8600);
    assert.equal(dns?.targetPort, 53);
    const jaeger = containerOf(get(app, 'Deployment', 'jaeger'), 'hotel-reserv-jaeger');
    assert.equal(jaeger.image, 'jaegertracing/all-in-one:1.57');
    for (const p of [16686, 14269, 5778, 14268, 14267, 5775, 6831, 6832]) assert.ok(jaeger.ports.some((x) => x.containerPort === p), `jaeger port ${p}`);
    const out = get(app, 'Service', 'jaeger-out');
    assert.equal(out.spec.type, 'NodePort');
    assert.equal(out.spec.ports[0].targetPort, 16686);
  });

  it('mongodb-geo / mongodb-rate: --auth, init scripts at /docker-entrypoint-initdb.d, failure scripts at /scripts', () => {
    for (const key of ['geo', 'rate']) {
      const d = get(app, 'Deployment', `mongodb-${key}`);
      const c = containerOf(d, `hotel-reserv-${key}-mongo`);
      assert.ok([...(c.command ?? []), ...(c.args ?? [])].includes('--auth'), `mongodb-${key} runs with --auth`);
      const mountOf = (p: string) => {
        const m = c.volumeMounts.find((v) => v.mountPath === p);
        assert.ok(m, `mongodb-${key}: nothing mounted at ${p}`);
        return d.spec.template.spec.volumes.find((v) => v.name === m.name);
      };
      assert.equal(mountOf('/docker-entrypoint-initdb.d')?.configMap?.name, `mongo-${key}-script`);
      assert.equal(mountOf('/scripts')?.configMap?.name, `failure-admin-${key}`);

      const init = get(app, 'ConfigMap', `mongo-${key}-script`).data[`k8s-${key}-mongo.sh`];
      assert.ok(init, `mongo-${key}-script has k8s-${key}-mongo.sh`);
      for (const needle of ['user: "admin", pwd: "admin"', 'user: "root", pwd: "root"', 'userAdminAnyDatabase', `role: "readWrite", db: "${key}-db"`]) assert.ok(init.includes(needle), `init script of ${key}: ${needle}`);

      const scripts = get(app, 'ConfigMap', `failure-admin-${key}`).data;
      const expectScript = (name: string, needles: string[]) => {
        assert.ok(scripts[name], `failure-admin-${key} has ${name}`);
        assert.match(scripts[name], /^#!\/bin\/bash\n/, `${name} is a bash script`);
        for (const n of needles) assert.ok(scripts[name].includes(n), `${name}: ${n}`);
      };
      expectScript(`revoke-admin-${key}-mongo.sh`, ['-u admin -p admin', 'revokeRolesFromUser("admin"', `db: "${key}-db"`]);
      expectScript(`revoke-mitigate-admin-${key}-mongo.sh`, ['-u admin -p admin', 'grantRolesToUser("admin"', `db: "${key}-db"`]);
      expectScript('remove-admin-mongo.sh', ['-u root -p root', 'dropUser("admin")']);
      expectScript(`remove-mitigate-admin-${key}-mongo.sh`, ['-u root -p root', 'createUser({user: "admin", pwd: "admin"', 'userAdminAnyDatabase', `db: "${key}-db"`]);
    }
  });

  it('six hostPath PersistentVolumes /data/volumes/<name>-pv, 1Gi, storageClassName <name>-storage, bound by the Mongo PVCs', () => {
    for (const m of HOTEL_MONGO) {
      const pv = get(app, 'PersistentVolume', `${m}-pv`);
      assert.equal(pv.spec.hostPath.path, `/data/volumes/${m}-pv`);
      assert.equal(pv.spec.capacity.storage, '1Gi');
      assert.equal(pv.spec.storageClassName, `${m}-storage`);
      const pvc = get(app, 'PersistentVolumeClaim', `${m}-pvc`);
      assert.equal(pvc.spec.storageClassName, `${m}-storage`);
      const d = get(app, 'Deployment', `mongodb-${m}`);
      assert.ok(d.spec.template.spec.volumes.some((v) => v.persistentVolumeClaim?.claimName === `${m}-pvc`), `mongodb-${m} uses ${m}-pvc`);
    }
  });

  it('fault targets exist: geo container hotel-reserv-geo; profile command [profile]; Chaos Mesh label on user/geo', () => {
    assert.equal(containerOf(get(app, 'Deployment', 'geo'), 'hotel-reserv-geo').image, 'yinfangchen/hotelreservation:latest');
    assert.deepEqual(containerOf(get(app, 'Deployment', 'profile'), 'hotel-reserv-profile').command, ['profile']);
    for (const s of ['user', 'geo']) assert.equal(get(app, 'Deployment', s).spec.template.metadata.labels['io.kompose.service'], s);
    assert.equal(get(app, 'Service', 'frontend').spec.ports[0].port, 5000);
  });
});

describe('apps/social-network/manifests: the original deployment and the fault targets', () => {
  const app = 'social-network';
  before(function () {
    if (!fs.existsSync(path.join(ROOT, 'apps', app, 'manifests'))) this.skip();
  });

  it('has the 27 services as Deployments + Services labelled app=<name> and service=<name>', () => {
    assert.equal(SOCIAL_ALL.length, 27);
    assert.deepEqual(ofKind(app, 'Deployment').map((d) => d.metadata.name).sort(), [...SOCIAL_ALL].sort());
    assert.deepEqual(ofKind(app, 'Service').map((d) => d.metadata.name).sort(), [...SOCIAL_ALL].sort());
    for (const name of SOCIAL_ALL) {
      const labels = get(app, 'Deployment', name).spec.template.metadata.labels;
      assert.equal(labels.app, name, `${name}: label app`);
      assert.equal(labels.service, name, `${name}: label service`);
      assert.deepEqual(get(app, 'Service', name).spec.selector, { service: name });
    }
  });

  it('C++ services: image deathstarbench/social-network-microservices:latest, the real binary as command, Service 9090 → 9090', () => {
    for (const [name, binary] of Object.entries(SOCIAL_APP_SERVICES)) {
      const c = containerOf(get(app, 'Deployment', name), name);
      assert.match(c.image, /^(docker\.io\/)?deathstarbench\/social-network-microservices:latest$/);
      assert.deepEqual(c.command, [binary]);
      assert.deepEqual(c.ports.map((p) => p.containerPort), [9090]);
      const ports = get(app, 'Service', name).spec.ports;
      assert.deepEqual(ports.map((p) => [p.port, p.targetPort]), [[9090, 9090]], `${name}: Service port 9090 → targetPort 9090`);
      const cm = get(app, 'ConfigMap', name).data;
      const config = JSON.parse(cm['service-config.json']) as Record<string, { addr?: string; port?: number } | undefined>;
      for (const peer of [...Object.keys(SOCIAL_APP_SERVICES), ...SOCIAL_MONGO, ...SOCIAL_REDIS, ...SOCIAL_MEMCACHED]) assert.equal(config[peer]?.addr, peer, `${name}: service-config.json names ${peer}`);
      assert.equal(config['user-service']?.port, 9090);
      assert.equal(config['url-shorten-mongodb']?.port, 27017);
      assert.match(cm['jaeger-config.yml'], /type: "probabilistic"\n\s+param: 0\.01/, `${name}: sampler probabilistic 0.01`);
    }
  });

  it('datastores, jaeger and the two frontends: images and ports', () => {
    const check = (names: string[], image: RegExp, port: number) => {
      for (const name of names) {
        const c = containerOf(get(app, 'Deployment', name), name);
        assert.match(c.image, image, `${name} image`);
        assert.ok(c.ports.some((p) => p.containerPort === port), `${name} listens on ${port}`);
        assert.equal(get(app, 'Service', name).spec.ports[0].port, port);
      }
    };
    check(SOCIAL_MONGO, /^mongo:4\.4\.6$/, 27017);
    check(SOCIAL_REDIS, /^redis:6\.2\.4$/, 6379);
    check(SOCIAL_MEMCACHED, /^memcached:1\.6\.7$/, 11211);
    check(['jaeger'], /^jaegertracing\/all-in-one:1\.57$/, 16686);
    check(['nginx-thrift'], /^docker\.io\/yg397\/openresty-thrift:xenial$/, 8080);
    const media = get(app, 'Service', 'media-frontend').spec.ports[0];
    assert.deepEqual([media.port, media.targetPort], [8081, 8080]);
    assert.ok(get(app, 'ConfigMap', 'nginx-thrift').data['nginx.conf'].includes('location /wrk2-api/post/compose'));
  });

  it('fault targets: user-/text-/post-storage-service targetPort 9090; url-shorten-mongodb TLS config and the mongodb-tls Secret', () => {
    for (const s of ['user-service', 'text-service', 'post-storage-service']) assert.equal(get(app, 'Service', s).spec.ports[0].targetPort, 9090);
    assert.equal(get(app, 'Deployment', 'user-service').spec.replicas, 1);
    const mongo = get(app, 'Deployment', 'url-shorten-mongodb');
    const c = containerOf(mongo, 'url-shorten-mongodb');
    const conf = get(app, 'ConfigMap', 'url-shorten-mongodb').data['mongod.conf'];
    assert.match(conf, /tls:\n\s+mode: disabled/);
    assert.ok(!conf.includes('requireTLS'), 'healthy config has no requireTLS');
    assert.ok((c.args ?? []).join(' ').includes('mongod.conf'), 'mongod reads the ConfigMap');
    const tlsMount = c.volumeMounts.find((m) => m.mountPath === '/etc/tls');
    assert.ok(tlsMount, '/etc/tls mounted');
    assert.equal(mongo.spec.template.spec.volumes.find((v) => v.name === tlsMount.name)?.secret?.secretName, 'mongodb-tls');
    const secret = get(app, 'Secret', 'mongodb-tls');
    const data = secret.stringData ?? {};
    assert.ok(data['tls.pem'] && data['ca.crt'], 'tls.pem and ca.crt');
    const decoded = Buffer.from(data['ca.crt'].split('\n').filter((l: string) => l && !l.startsWith('-----')).join(''), 'base64').toString();
    assert.match(decoded, /NOT A REAL KEY/, 'the placeholder says it is test material');
  });
});

describe('apps/*/workload: the wrk2 scripts the problem catalog names', () => {
  it('every wrk2 script referenced by a problem exists in its app\'s workload folder and defines request()', () => {
    const wanted = new Set<string>();
    for (const f of fs.readdirSync(path.join(ROOT, 'problems')).filter((n) => n.endsWith('.yaml'))) {
      const family = parseAllDocuments(fs.readFileSync(path.join(ROOT, 'problems', f), 'utf8'))[0].toJS();
      for (const v of [family, ...(family.variants ?? [])]) {
        const script = v.workload?.script ?? (v === family ? undefined : family.workload?.script);
        const appId = v.app ?? family.app;
        if (script && appId && APPS.includes(appId)) wanted.add(`${appId}/workload/${script}`);
      }
    }
    assert.ok(wanted.size >= 2);
    for (const rel of wanted) {
      const file = path.join(ROOT, 'apps', rel);
      assert.ok(fs.existsSync(file), `apps/${rel} is missing`);
      assert.match(fs.readFileSync(file, 'utf8'), /^request = /m, `apps/${rel} defines request`);
    }
    for (const extra of ['read-home-timeline.lua', 'read-user-timeline.lua', 'mixed-workload.lua']) assert.ok(fs.existsSync(path.join(ROOT, 'apps/social-network/workload', extra)), extra);
  });
});

describe('apps/astronomy-shop/manifests: demo 2.0.2 components and the flagd flags', () => {
  const app = 'astronomy-shop';
  before(function () {
    if (!fs.existsSync(path.join(ROOT, 'apps', app, 'manifests'))) this.skip();
  });

  it('has every core component, labelled app.kubernetes.io/name and app.kubernetes.io/component, found by get_logs\'s label', () => {
    const names = ofKind(app, 'Deployment').map((d) => d.metadata.name);
    for (const c of ASTRO_COMPONENTS) assert.ok(names.includes(c), `Deployment ${c} is missing`);
    for (const d of ofKind(app, 'Deployment')) {
      const l = d.spec.template.metadata.labels;
      assert.equal(l['app.kubernetes.io/name'], d.metadata.name, `${d.metadata.name}: app.kubernetes.io/name`);
      assert.ok(l['app.kubernetes.io/component'], `${d.metadata.name}: app.kubernetes.io/component`);
      assert.ok(labelsMatch({ 'app.kubernetes.io/name': d.metadata.name }, l));
    }
  });

  it('demo images ghcr.io/open-telemetry/demo:2.0.2-<component>, app services on 8080 (image-provider 8081, load-generator 8089)', () => {
    const own = ['accounting', 'ad', 'cart', 'checkout', 'currency', 'email', 'fraud-detection', 'frontend', 'frontend-proxy', 'image-provider', 'kafka', 'load-generator', 'payment', 'product-catalog', 'quote', 'recommendation', 'shipping'];
    for (const c of own) assert.equal(containerOf(get(app, 'Deployment', c), c).image, `ghcr.io/open-telemetry/demo:2.0.2-${c}`);
    const ports: Record<string, number> = { ad: 8080, cart: 8080, checkout: 8080, currency: 8080, email: 8080, frontend: 8080, 'frontend-proxy': 8080, payment: 8080, 'product-catalog': 8080, quote: 8080, recommendation: 8080, shipping: 8080, 'image-provider': 8081, 'load-generator': 8089, kafka: 9092, 'valkey-cart': 6379, flagd: 8013 };
    for (const [name, port] of Object.entries(ports)) assert.equal(get(app, 'Service', name).spec.ports[0].port, port, `Service ${name} port`);
    assert.equal(get(app, 'Service', 'jaeger-query').spec.ports[0].port, 16686);
    assert.ok(get(app, 'Service', 'jaeger-collector').spec.ports.some((p) => p.port === 4317));
    const env = (d: string) => containerOf(get(app, 'Deployment', d), d).env;
    assert.ok(env('load-generator').some((e) => e.name === 'LOCUST_HOST' && e.value === 'http://frontend-proxy:8080'));
    assert.ok(env('checkout').some((e) => e.name === 'PAYMENT_ADDR' && e.value === 'payment:8080'));
    const jaeger = containerOf(get(app, 'Deployment', 'jaeger'), 'jaeger');
    assert.ok((jaeger.args ?? []).includes('--query.base-path=/jaeger/ui'), 'get_traces reads /jaeger/ui/api');
  });

  it('flagd-config/demo.flagd.json holds the 11 flags the original uses, each off by default and with the variant the injector sets', () => {
    const cm = get(app, 'ConfigMap', 'flagd-config');
    const doc = JSON.parse(cm.data['demo.flagd.json']) as FlagdFile;
    for (const [flag, variant] of Object.entries(OTEL_FLAGS)) {
      const f = doc.flags[flag];
      assert.ok(f, `flag ${flag} is missing`);
      assert.equal(f.defaultVariant, 'off', `${flag} defaultVariant`);
      assert.equal(f.state, 'ENABLED', `${flag} state`);
      assert.ok(variant in f.variants, `${flag} has variant ${variant}`);
      assert.ok('off' in f.variants, `${flag} has variant off`);
    }
    const flagd = get(app, 'Deployment', 'flagd');
    assert.ok(flagd.spec.template.spec.volumes.some((v) => v.configMap?.name === 'flagd-config'), 'flagd reads flagd-config');
    assert.ok((flagd.spec.template.spec.initContainers ?? []).some((c) => c.name === 'init-config'), 'init-config prints the flags');
    assert.deepEqual(flagd.spec.template.spec.containers.map((c) => c.name), ['flagd', 'flagd-ui']);
  });
});

describe('apps/*/manifests against the problem catalog', () => {
  it('every fault target, container, script, ConfigMap, flag, workload URL and mitigation check of a problem names a real object', () => {
    const catalog = loadCatalog(ROOT);
    const problems = catalog.problems.all({ includeExperimental: true }).filter((p) => (APPS as readonly string[]).includes(p.app));
    assert.ok(problems.length > 50, `only ${problems.length} problems for the three apps`);
    const exists = (app: string, name: string) => ofKind(app, 'Deployment').some((d) => d.metadata.name === name) || ofKind(app, 'Service').some((d) => d.metadata.name === name);
    const flagsOf = (app: string, cm: string | undefined) => (JSON.parse(get(app, 'ConfigMap', cm).data['demo.flagd.json']) as FlagdFile).flags;
    for (const p of problems) {
      const app = p.app;
      const at = `${p.id} (${p.sourceFile})`;
      if (!fs.existsSync(path.join(ROOT, 'apps', app, 'manifests'))) continue;
      const f = p.fault;
      // The fault parameters that name manifest objects (the injectors' own schemas validate the rest).
      const params = f.params as { service?: string; deployment?: string; container?: string; originalImage?: string; from?: string; restartDeployment?: string; restartPods?: string[]; configMap?: string; flag?: string; variant?: string; script?: string; recoverScript?: string; persistentVolumes?: string[] };
      if (f.target) assert.ok(exists(app, f.target), `${at}: fault target ${f.target} is not a Deployment or Service`);
      if (typeof params.service === 'string') assert.ok(exists(app, params.service), `${at}: params.service ${params.service}`);
      if (typeof params.deployment === 'string') get(app, 'Deployment', params.deployment);
      if (typeof params.container === 'string') containerOf(get(app, 'Deployment', params.deployment ?? f.target), params.container);
      if (typeof params.originalImage === 'string') assert.equal(containerOf(get(app, 'Deployment', params.deployment), params.container).image, params.originalImage, `${at}: originalImage`);
      if (typeof params.from === 'string' && f.kind === 'wrong-bin-usage') assert.deepEqual(containerOf(get(app, 'Deployment', params.deployment), params.container).command, [params.from]);
      if (typeof params.restartDeployment === 'string') get(app, 'Deployment', params.restartDeployment);
      for (const r of params.restartPods ?? []) get(app, 'Deployment', r);
      if (typeof params.configMap === 'string') get(app, 'ConfigMap', params.configMap);
      if (f.kind === 'flagd') {
        const flag = flagsOf(app, params.configMap)[params.flag ?? ''];
        assert.ok(flag && params.variant !== undefined && params.variant in flag.variants, `${at}: flag ${params.flag} variant ${params.variant}`);
      }
      if (typeof params.script === 'string' || typeof params.recoverScript === 'string') {
        const cm = get(app, 'ConfigMap', `failure-admin-${params.service}`).data;
        for (const s of [params.script, params.recoverScript].filter((x): x is string => !!x)) assert.ok(cm[s], `${at}: script ${s} not in failure-admin-${params.service}`);
      }
      for (const pv of params.persistentVolumes ?? []) get(app, 'PersistentVolume', pv);
      const w = p.workload;
      if (w.kind === 'wrk2') {
        const { service, port } = w.url;
        const svc = get(app, 'Service', service);
        assert.ok(svc.spec.ports.some((x) => x.port === port), `${at}: Service ${service} has no port ${port}`);
        assert.ok(fs.existsSync(path.join(ROOT, 'apps', app, 'workload', w.script)), `${at}: workload script ${w.script}`);
      }
      const gt = p.groundTruth;
      if (gt.task === 'localization') for (const s of gt.services) assert.ok(exists(app, s), `${at}: localization answer ${s} is not a Deployment or Service`);
      if (gt.task === 'mitigation') {
        // Each check must pass on the healthy manifests (where it is a static property), so a fix that restores them scores.
        for (const c of gt.checks) {
          if (c.kind === 'service-target-port') assert.equal(get(app, 'Service', c.service).spec.ports[0].targetPort, c.port, `${at}: ${c.service} targetPort`);
          if (c.kind === 'deployment-replicas') assert.equal(get(app, 'Deployment', c.deployment).spec.replicas, c.replicas, `${at}: ${c.deployment} replicas`);
          if (c.kind === 'container-command-contains') {
            const d = get(app, 'Deployment', c.deployment);
            const cs = c.container ? [containerOf(d, c.container)] : d.spec.template.spec.containers;
            assert.ok(cs.every((x) => (x.command ?? []).includes(c.value)), `${at}: ${c.deployment} command contains ${c.value}`);
          }
          if (c.kind === 'configmap-not-contains') assert.ok(!JSON.stringify(get(app, 'ConfigMap', c.configMap).data).includes(c.text), `${at}: healthy ConfigMap ${c.configMap} already contains ${c.text}`);
          if (c.kind === 'flagd-flag') assert.equal(flagsOf(app, c.configMap)[c.flag]?.defaultVariant, c.variant, `${at}: flag ${c.flag} default`);
          if (c.kind === 'pod-exists') assert.ok(ofKind(app, 'Deployment').some((d) => d.metadata.name.includes(c.nameContains)), `${at}: no pod name would contain ${c.nameContains}`);
        }
      }
    }
  });
});

// A real kubectl, if there is one, must accept every folder. `apply --dry-run=client` still asks an API server for
// discovery and the current object, so the test serves a tiny stand-in: discovery for the kinds used, 404 for objects.
describe('apps/*/manifests with a real kubectl (skipped without /usr/bin/kubectl)', function () {
  this.timeout(60_000);
  const kubectl = process.env.KUBECTL ?? '/usr/bin/kubectl';
  let server: http.Server | undefined;
  let kubeconfig = '';

  before(async function () {
    if (!fs.existsSync(kubectl)) this.skip();
    const core = [
      ['configmaps', 'ConfigMap', true], ['secrets', 'Secret', true], ['services', 'Service', true], ['persistentvolumeclaims', 'PersistentVolumeClaim', true],
      ['persistentvolumes', 'PersistentVolume', false], ['namespaces', 'Namespace', false], ['pods', 'Pod', true],
    ] as const;
    const resources = (list: ReadonlyArray<readonly [string, string, boolean]>) =>
      list.map(([name, kind, namespaced]) => ({ name, singularName: kind.toLowerCase(), namespaced, kind, verbs: ['create', 'delete', 'get', 'list', 'patch', 'update', 'watch'] }));
    const routes: Record<string, unknown> = {
      '/version': { major: '1', minor: '31', gitVersion: 'v1.31.9', platform: 'linux/amd64' },
      '/api': { kind: 'APIVersions', versions: ['v1'], serverAddressByClientCIDRs: [] },
      '/apis': { kind: 'APIGroupList', apiVersion: 'v1', groups: [{ name: 'apps', versions: [{ groupVersion: 'apps/v1', version: 'v1' }], preferredVersion: { groupVersion: 'apps/v1', version: 'v1' } }] },
      '/api/v1': { kind: 'APIResourceList', groupVersion: 'v1', resources: resources(core) },
      '/apis/apps/v1': { kind: 'APIResourceList', apiVersion: 'v1', groupVersion: 'apps/v1', resources: resources([['deployments', 'Deployment', true]]) },
    };
    server = http.createServer((req, res) => {
      const url = (req.url ?? '/').split('?')[0];
      const body = routes[url];
      res.setHeader('Content-Type', 'application/json');
      if (body) {
        res.end(JSON.stringify(body));
      } else {
        res.statusCode = 404;
        res.end(JSON.stringify({ kind: 'Status', apiVersion: 'v1', status: 'Failure', reason: 'NotFound', code: 404, message: `${url} not found` }));
      }
    });
    await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as AddressInfo).port;
    kubeconfig = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'manifests-kubectl-')), 'config');
    fs.writeFileSync(kubeconfig, [
      'apiVersion: v1', 'kind: Config', 'current-context: stub',
      'clusters: [{name: stub, cluster: {server: "http://127.0.0.1:' + port + '"}}]',
      'users: [{name: stub, user: {}}]',
      'contexts: [{name: stub, context: {cluster: stub, user: stub, namespace: default}}]', '',
    ].join('\n'));
  });

  after(() => {
    server?.close();
    if (kubeconfig) fs.rmSync(path.dirname(kubeconfig), { recursive: true, force: true });
  });

  for (const app of APPS) {
    it(`kubectl apply --dry-run=client --validate=false -R -f apps/${app}/manifests`, async function () {
      const dir = path.join(ROOT, 'apps', app, 'manifests');
      if (!fs.existsSync(dir)) this.skip();
      const run = () =>
        new Promise<string>((resolve, reject) => {
          execFile(
            kubectl,
            ['apply', '--dry-run=client', '--validate=false', '-R', '-f', dir, '-n', `test-${app}`, '-o', 'name'],
            { env: { ...process.env, KUBECONFIG: kubeconfig, HOME: path.dirname(kubeconfig) }, timeout: 50_000 },
            (error, stdout, stderr) => (error ? reject(new Error(`${error.message}\n${stderr}`)) : resolve(stdout)),
          );
        });
      const out = await run();
      const applied = out.split('\n').filter(Boolean).length;
      assert.equal(applied, load(app).length, `kubectl accepted ${applied} of ${load(app).length} objects:\n${out}`);
    });
  }
});
