/**
 * What a container sees: its environment (env, envFrom, fieldRefs, service links, `$(VAR)` expansion) and the files
 * of its ConfigMap / Secret / projected / downwardAPI volumes at their mount paths (items and subPath honoured),
 * plus the files the kubelet always provides (/etc/hostname, /etc/hosts, /etc/resolv.conf, service-account token).
 */
import type { V1Container, V1KeyToPath, V1ResourceFieldSelector, V1Volume } from '@kubernetes/client-node';
import type { KubeObject, ObjectStore } from '../contracts';
import { cpuMillis, bytesOf } from './util';

export const CLUSTER_DOMAIN = 'cluster.local';
export const DNS_SERVICE_IP = '10.96.0.10';

function decodeSecret(value: string): string {
  return Buffer.from(value, 'base64').toString('utf8');
}

type KeyMap = Record<string, string>;

function configMapData(cm: KubeObject): KeyMap {
  const out: KeyMap = { ...((cm.data as KeyMap | undefined) ?? {}) };
  for (const [k, v] of Object.entries((cm.binaryData as KeyMap | undefined) ?? {})) out[k] = decodeSecret(v);
  return out;
}

function secretData(s: KubeObject): KeyMap {
  const out: KeyMap = {};
  for (const [k, v] of Object.entries((s.data as KeyMap | undefined) ?? {})) out[k] = decodeSecret(v);
  for (const [k, v] of Object.entries((s.stringData as KeyMap | undefined) ?? {})) out[k] = v;
  return out;
}

/** Where a container's keys come from: a ConfigMap's data or a Secret's decoded data, with the kubelet's words for each. */
interface KeySource {
  resource: string;
  noun: string;
  kind: string;
  data: (o: KubeObject) => KeyMap;
}
const CONFIG_MAP: KeySource = { resource: 'configmaps', noun: 'configmap', kind: 'ConfigMap', data: configMapData };
const SECRET: KeySource = { resource: 'secrets', noun: 'secret', kind: 'Secret', data: secretData };

/** The keys of a referenced ConfigMap or Secret; neither keys nor error when an optional one does not exist. */
function referencedKeys(store: ObjectStore, ns: string | undefined, source: KeySource, ref: { name?: string; optional?: boolean }): { data?: KeyMap; error?: string } {
  const obj = store.get(source.resource, ns, ref.name ?? '');
  if (obj) return { data: source.data(obj) };
  return ref.optional ? {} : { error: `${source.noun} "${ref.name}" not found` };
}

function fieldValue(pod: KubeObject, path: string): string | undefined {
  const m = /^metadata\.(labels|annotations)\['(.+)'\]$/.exec(path);
  if (m) return (pod.metadata[m[1]] as KeyMap | undefined)?.[m[2]];
  switch (path) {
    case 'metadata.name':
      return pod.metadata.name;
    case 'metadata.namespace':
      return pod.metadata.namespace;
    case 'metadata.uid':
      return pod.metadata.uid;
    case 'metadata.labels':
      return Object.entries(pod.metadata.labels ?? {}).map(([k, v]) => `${k}="${v}"`).join('\n');
    case 'metadata.annotations':
      return Object.entries(pod.metadata.annotations ?? {}).map(([k, v]) => `${k}="${v}"`).join('\n');
    case 'spec.nodeName':
      return pod.spec?.nodeName;
    case 'spec.serviceAccountName':
      return pod.spec?.serviceAccountName ?? 'default';
    case 'status.hostIP':
      return pod.status?.hostIP;
    case 'status.hostIPs':
      return ((pod.status?.hostIPs ?? []) as Array<{ ip?: string }>).map((x) => x.ip).join(',');
    case 'status.podIP':
      return pod.status?.podIP;
    case 'status.podIPs':
      return ((pod.status?.podIPs ?? []) as Array<{ ip?: string }>).map((x) => x.ip).join(',');
    default:
      return undefined;
  }
}

function resourceValue(container: V1Container | undefined, ref: V1ResourceFieldSelector, node: KubeObject | undefined): string {
  const res: string = ref.resource ?? '';
  const [kind, name] = res.split('.');
  const raw = (container?.resources as Record<string, Record<string, string> | undefined> | undefined)?.[kind]?.[name] ?? (kind === 'limits' ? node?.status?.allocatable?.[name] : undefined);
  const divisor = ref.divisor ?? (name === 'cpu' ? '1' : '1');
  if (name === 'cpu') return String(Math.ceil(cpuMillis(raw ?? '0') / Math.max(cpuMillis(divisor), 0.001)));
  return String(Math.ceil(bytesOf(raw ?? '0') / Math.max(bytesOf(divisor), 1)));
}

/** `$(VAR)` expansion as the kubelet does it for env values, command and args (`$$(VAR)` escapes). */
export function expandVars(text: string, env: KeyMap): string {
  return text.replace(/\$\$\(|\$\(([A-Za-z_][A-Za-z0-9_]*)\)/g, (m, name: string | undefined) => {
    if (m === '$$(') return '$(';
    return name !== undefined && env[name] !== undefined ? env[name] : m;
  });
}

function serviceEnvName(name: string): string {
  return name.toUpperCase().replace(/-/g, '_');
}

/** Docker-link style variables for every Service in the namespace (and the `kubernetes` Service). */
export function serviceLinkEnv(store: ObjectStore, pod: KubeObject): KeyMap {
  const env: KeyMap = {};
  const add = (svc: KubeObject) => {
    const ip = svc.spec?.clusterIP;
    if (!ip || ip === 'None') return;
    const ports: any[] = svc.spec?.ports ?? [];
    if (ports.length === 0) return;
    const n = serviceEnvName(svc.metadata.name ?? '');
    env[`${n}_SERVICE_HOST`] = ip;
    env[`${n}_SERVICE_PORT`] = String(ports[0].port);
    for (const p of ports) if (p.name) env[`${n}_SERVICE_PORT_${serviceEnvName(p.name)}`] = String(p.port);
    const proto0 = (ports[0].protocol ?? 'TCP').toLowerCase();
    env[`${n}_PORT`] = `${proto0}://${ip}:${ports[0].port}`;
    for (const p of ports) {
      const proto = (p.protocol ?? 'TCP');
      const prefix = `${n}_PORT_${p.port}_${proto.toUpperCase()}`;
      env[prefix] = `${proto.toLowerCase()}://${ip}:${p.port}`;
      env[`${prefix}_PROTO`] = proto.toLowerCase();
      env[`${prefix}_PORT`] = String(p.port);
      env[`${prefix}_ADDR`] = ip;
    }
  };
  const master = store.get('services', 'default', 'kubernetes');
  if (master) add(master);
  else {
    Object.assign(env, {
      KUBERNETES_SERVICE_HOST: '10.96.0.1',
      KUBERNETES_SERVICE_PORT: '443',
      KUBERNETES_SERVICE_PORT_HTTPS: '443',
      KUBERNETES_PORT: 'tcp://10.96.0.1:443',
      KUBERNETES_PORT_443_TCP: 'tcp://10.96.0.1:443',
      KUBERNETES_PORT_443_TCP_PROTO: 'tcp',
      KUBERNETES_PORT_443_TCP_PORT: '443',
      KUBERNETES_PORT_443_TCP_ADDR: '10.96.0.1',
    });
  }
  if (pod.spec?.enableServiceLinks !== false) {
    for (const svc of store.list('services', pod.metadata.namespace)) {
      if (svc.metadata.namespace === 'default' && svc.metadata.name === 'kubernetes') continue;
      add(svc);
    }
  }
  return env;
}

export interface EnvResult {
  env: KeyMap;
  /** Set when the container cannot be created (CreateContainerConfigError). */
  error?: string;
}

export function buildEnv(store: ObjectStore, pod: KubeObject, container: V1Container | undefined, node?: KubeObject): EnvResult {
  const ns = pod.metadata.namespace;
  const env: KeyMap = {
    PATH: '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin',
    HOSTNAME: pod.spec?.hostname ?? pod.metadata.name ?? '',
    ...serviceLinkEnv(store, pod),
  };
  for (const from of container?.envFrom ?? []) {
    const prefix: string = from.prefix ?? '';
    const [source, ref] = from.configMapRef ? [CONFIG_MAP, from.configMapRef] : [SECRET, from.secretRef];
    if (!ref) continue;
    const { data, error } = referencedKeys(store, ns, source, ref);
    if (error) return { env, error };
    for (const [k, v] of Object.entries(data ?? {})) env[prefix + k] = v;
  }
  for (const e of container?.env ?? []) {
    if (!e?.name) continue;
    if (e.value !== undefined) {
      env[e.name] = expandVars(String(e.value), env);
      continue;
    }
    const vf = e.valueFrom;
    if (!vf) {
      env[e.name] = '';
      continue;
    }
    if (vf.fieldRef) {
      env[e.name] = fieldValue(pod, vf.fieldRef.fieldPath) ?? '';
    } else if (vf.resourceFieldRef) {
      env[e.name] = resourceValue(container, vf.resourceFieldRef, node);
    } else if (vf.configMapKeyRef || vf.secretKeyRef) {
      const [source, ref] = vf.configMapKeyRef ? [CONFIG_MAP, vf.configMapKeyRef] : [SECRET, vf.secretKeyRef!];
      const { data, error } = referencedKeys(store, ns, source, ref);
      if (error) return { env, error };
      const value = data?.[ref.key];
      if (value === undefined) {
        if (ref.optional) continue;
        return { env, error: `couldn't find key ${ref.key} in ${source.kind} ${ns}/${ref.name}` };
      }
      env[e.name] = value;
    }
  }
  if (env.HOME === undefined) env.HOME = '/root';
  return { env };
}

/** Key → relative path for one volume's content, or an error message as the kubelet words FailedMount. */
function volumeFiles(store: ObjectStore, pod: KubeObject, volume: Partial<V1Volume>): { files?: KeyMap; error?: string } {
  const ns = pod.metadata.namespace;
  const project = (data: KeyMap, items: V1KeyToPath[] | undefined, kind: string, optional: boolean): { files?: KeyMap; error?: string } => {
    if (!items || items.length === 0) return { files: { ...data } };
    const out: KeyMap = {};
    for (const it of items) {
      if (data[it.key] === undefined) {
        if (optional) continue;
        return { error: `${kind} references non-existent config key: ${it.key}` };
      }
      out[it.path ?? it.key] = data[it.key];
    }
    return { files: out };
  };
  if (volume.configMap || volume.secret) {
    const [source, ref] = volume.configMap ? [CONFIG_MAP, volume.configMap] : [SECRET, { ...volume.secret, name: volume.secret!.secretName }];
    const { data, error } = referencedKeys(store, ns, source, ref);
    if (error) return { error };
    return project(data ?? {}, ref.items, source.noun, !!ref.optional);
  }
  if (volume.downwardAPI) {
    const out: KeyMap = {};
    for (const it of volume.downwardAPI.items ?? []) {
      if (it.fieldRef) out[it.path] = fieldValue(pod, it.fieldRef.fieldPath) ?? '';
    }
    return { files: out };
  }
  if (volume.projected) {
    const out: KeyMap = {};
    for (const src of volume.projected.sources ?? []) {
      let r: { files?: KeyMap; error?: string } = { files: {} };
      if (src.configMap) r = volumeFiles(store, pod, { configMap: src.configMap });
      else if (src.secret) r = volumeFiles(store, pod, { secret: { ...src.secret, secretName: src.secret.name } });
      else if (src.downwardAPI) r = volumeFiles(store, pod, { downwardAPI: src.downwardAPI });
      else if (src.serviceAccountToken) r = { files: { [src.serviceAccountToken.path ?? 'token']: serviceAccountToken(pod) } };
      if (r.error) return r;
      Object.assign(out, r.files);
    }
    return { files: out };
  }
  return { files: undefined };
}

function serviceAccountToken(pod: KubeObject): string {
  const payload = Buffer.from(JSON.stringify({ iss: 'https://kubernetes.default.svc.cluster.local', sub: `system:serviceaccount:${pod.metadata.namespace}:${pod.spec?.serviceAccountName ?? 'default'}` })).toString('base64url');
  return `eyJhbGciOiJSUzI1NiIsImtpZCI6InR3aW4ifQ.${payload}.c2lnbmF0dXJl`;
}

/** The first volume that cannot be mounted, worded like the kubelet's FailedMount event. */
export function mountError(store: ObjectStore, pod: KubeObject): string | undefined {
  for (const v of (pod.spec?.volumes ?? []) as V1Volume[]) {
    const r = volumeFiles(store, pod, v);
    if (r.error) return `MountVolume.SetUp failed for volume "${v.name}" : ${r.error}`;
  }
  return undefined;
}

function join(dir: string, rel: string): string {
  return `${dir.replace(/\/+$/, '')}/${rel.replace(/^\/+/, '')}`;
}

export function buildFiles(store: ObjectStore, pod: KubeObject, container: V1Container | undefined): KeyMap {
  const files: KeyMap = {};
  const name = pod.spec?.hostname ?? pod.metadata.name ?? '';
  const ns = pod.metadata.namespace ?? 'default';
  files['/etc/hostname'] = `${name}\n`;
  files['/etc/passwd'] = 'root:x:0:0:root:/root:/bin/sh\ndaemon:x:1:1:daemon:/usr/sbin:/usr/sbin/nologin\nnobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin\n';
  files['/etc/group'] = 'root:x:0:\ndaemon:x:1:\nnogroup:x:65534:\n';
  files['/etc/os-release'] = 'PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\nNAME="Debian GNU/Linux"\nVERSION_ID="12"\nVERSION="12 (bookworm)"\nID=debian\n';
  files['/etc/hosts'] =
    '# Kubernetes-managed hosts file.\n127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\nfe00::0\tip6-localnet\nfe00::0\tip6-mcastprefix\nfe00::1\tip6-allnodes\nfe00::2\tip6-allrouters\n' +
    (pod.status?.podIP ? `${pod.status.podIP}\t${name}\n` : '');
  files['/etc/resolv.conf'] = `search ${ns}.svc.${CLUSTER_DOMAIN} svc.${CLUSTER_DOMAIN} ${CLUSTER_DOMAIN}\nnameserver ${DNS_SERVICE_IP}\noptions ndots:5\n`;
  if (pod.spec?.automountServiceAccountToken !== false) {
    const dir = '/var/run/secrets/kubernetes.io/serviceaccount';
    files[`${dir}/namespace`] = ns;
    files[`${dir}/token`] = serviceAccountToken(pod);
    files[`${dir}/ca.crt`] = '-----BEGIN CERTIFICATE-----\nMIIDBTCCAe2gAwIBAgIIdHdpbi1jYTAeFw0yNjAxMDEwMDAwMDBaFw0zNjAxMDEwMDAwMDBa\n-----END CERTIFICATE-----\n';
  }
  const volumes = new Map<string, V1Volume>(((pod.spec?.volumes ?? []) as V1Volume[]).map((v) => [v.name, v]));
  for (const m of container?.volumeMounts ?? []) {
    const v = volumes.get(m.name);
    if (!v) continue;
    const r = volumeFiles(store, pod, v);
    if (!r.files) continue;
    if (m.subPath) {
      const content = r.files[m.subPath];
      if (content !== undefined) files[m.mountPath] = content;
      continue;
    }
    for (const [rel, content] of Object.entries(r.files)) files[join(m.mountPath, rel)] = content;
  }
  return files;
}
