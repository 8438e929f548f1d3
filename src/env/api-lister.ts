/**
 * Lists a namespace's objects of several kinds straight from the API server, one request per resource and all at
 * once, with the kubeconfig's credentials. `kubectl get a,b,c -o json` does the same, but as a process it costs ~100 ms
 * more per call (start-up, discovery cache): too much for the diff that runs before every session of a batch.
 */
import type { KubeConfig } from '@kubernetes/client-node';
import { kubeFetch, KubeProxyError } from './telemetry/kube-proxy';

/** A resource as the API serves it: `/api/v1/…` for the core group, `/apis/<group>/<version>/…` otherwise. */
export interface ResourceRef {
  group: string;
  version: string;
  plural: string;
  namespaced: boolean;
}

export interface ObjectLister {
  /** Every object of these resources in the namespace (cluster-scoped ones: all of them). */
  list(namespace: string, resources: ResourceRef[]): Promise<any[]>; // eslint-disable-line @typescript-eslint/no-explicit-any
  /** The resources an API group serves in its preferred version (none when the group is not installed). */
  groupResources(group: string): Promise<ResourceRef[]>;
  /**
   * Each object as the server would store it if it were created in the namespace now (server-side dry run, strict
   * field validation: `kubectl create --dry-run=server`), all at once. Fails naming the first object refused.
   */
  dryRunCreate(namespace: string, objects: Array<{ object: ManifestObject; resource: ResourceRef }>): Promise<unknown[]>;
}

/** An object of an app's manifests, as far as the lister needs to know it. */
export interface ManifestObject {
  kind?: string;
  metadata?: { name?: string };
}

/** The lister over a kubeconfig; resources the server does not serve (404) list as empty, like kubectl's `--ignore-not-found`. */
export function apiLister(kc: KubeConfig): ObjectLister {
  const get = kubeFetch(kc);
  const server = kc.getCurrentCluster()?.server?.replace(/\/+$/, '');
  // The parsed body, or undefined when the resource is not served.
  const getJson = async (url: string): Promise<any> => { // eslint-disable-line @typescript-eslint/no-explicit-any
    let res: Response;
    try {
      res = await get(url);
    } catch (error) {
      if (error instanceof KubeProxyError && error.code === 404) return undefined;
      throw error;
    }
    if (res.status === 404) return undefined;
    if (!res.ok) throw new Error(`HTTP ${res.status}`);
    return res.json();
  };
  const list = async (namespace: string, resources: ResourceRef[]) => {
    if (!server) throw new Error('the kubeconfig has no current cluster');
    const lists = await Promise.all(resources.map(async (r) => {
      const base = r.group ? `${server}/apis/${r.group}/${r.version}` : `${server}/api/${r.version}`;
      const url = r.namespaced ? `${base}/namespaces/${encodeURIComponent(namespace)}/${r.plural}` : `${base}/${r.plural}`;
      const found = await getJson(url).catch((error: Error) => {
        throw new Error(`Listing ${r.plural}${r.group ? `.${r.group}` : ''} in ${namespace} failed: ${error.message}`);
      }) as { kind?: string; apiVersion?: string; items?: any[] } | undefined; // eslint-disable-line @typescript-eslint/no-explicit-any
      if (!found) return [];
      // A list's items carry no kind/apiVersion of their own (kubectl fills them in from the list; so do we).
      const kind = String(found.kind ?? '').replace(/List$/, '');
      return (found.items ?? []).map((o) => ({ apiVersion: found.apiVersion, kind, ...o }));
    }));
    return lists.flat();
  };
  const groupResources = async (group: string): Promise<ResourceRef[]> => {
    if (!server) throw new Error('the kubeconfig has no current cluster');
    const info = await getJson(`${server}/apis/${group}`) as { preferredVersion?: { version?: string } } | undefined;
    const version = info?.preferredVersion?.version;
    if (!version) return [];
    const served = await getJson(`${server}/apis/${group}/${version}`) as { resources?: Array<{ name: string; namespaced: boolean }> } | undefined;
    return (served?.resources ?? []).filter((r) => !r.name.includes('/')).map((r) => ({ group, version, plural: r.name, namespaced: r.namespaced }));
  };
  const dryRunCreate = async (namespace: string, objects: Array<{ object: ManifestObject; resource: ResourceRef }>): Promise<unknown[]> => {
    if (!server) throw new Error('the kubeconfig has no current cluster');
    return Promise.all(objects.map(async ({ object, resource: r }) => {
      const base = r.group ? `${server}/apis/${r.group}/${r.version}` : `${server}/api/${r.version}`;
      const url = `${r.namespaced ? `${base}/namespaces/${encodeURIComponent(namespace)}` : base}/${r.plural}?dryRun=All&fieldValidation=Strict&fieldManager=kubectl-create`;
      const what = `${object.kind ?? 'object'} ${object.metadata?.name ?? ''}`;
      let res: Response;
      try {
        res = await get(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(object) });
      } catch (error) {
        throw new Error(`${what}: ${(error as Error).message}`);
      }
      if (!res.ok) throw new Error(`${what}: HTTP ${res.status}`);
      const stored: unknown = await res.json();
      return stored;
    }));
  };
  return { list, groupResources, dryRunCreate };
}

/** `apps/v1` → group `apps`, version `v1`; `v1` → core. */
export function splitApiVersion(apiVersion: string): { group: string; version: string } {
  const i = apiVersion.indexOf('/');
  return i < 0 ? { group: '', version: apiVersion } : { group: apiVersion.slice(0, i), version: apiVersion.slice(i + 1) };
}
