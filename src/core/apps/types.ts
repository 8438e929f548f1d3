/**
 * An application as data (`apps/<id>/app.yaml`). The four fields agents see (name, namespace, description,
 * supported operations) make the app summary of the task description.
 */
export interface AppDefinition {
  id: string;
  name: string;
  namespace: string;
  description: string;
  supportedOperations: string[];
  /** Service and port the workload targets (e.g. frontend:5000). */
  frontend?: { service: string; port: number };
  /** Pod label key that names a service, used by get_logs (e.g. `io.kompose.service`, `app`, `app.kubernetes.io/name`). */
  serviceLabel?: string;
  /** How the app is deployed on a real cluster and on the embedded one. */
  deploy: AppDeploy;
  /** Metadata-only entries (no manifests yet) cannot be deployed. */
  metadataOnly?: boolean;
  /** The file this definition came from, for error messages. */
  sourceFile?: string;
}

export type AppDeploy =
  | {
      kind: 'manifests';
      path: string;
      /**
       * Folders (relative to the app's) applied before `path`, in order, each as it is (its objects name their own
       * namespaces; cluster-wide ones such as CRDs need none), then waited for: CRDs Established, Deployments rolled
       * out. An operator and its resource types, which the app's own objects need first.
       */
      prerequisites?: string[];
      /** Besides its pods being ready, the app is ready when every object of these resources has this condition True. */
      readyConditions?: Array<{ resource: string; condition: string }>;
    }
  | { kind: 'helm'; chart: string; release: string; repo?: string; version?: string; values?: Record<string, unknown> }
  | { kind: 'docker-compose'; path: string }
  | { kind: 'none' };
