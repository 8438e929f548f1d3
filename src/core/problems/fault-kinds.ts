/**
 * Every fault kind a problem file may name, with the parameters the catalog gives it. Injectors
 * (src/env/faults/) implement these; the schema rejects any other kind so a typo fails at load time.
 */
export const FAULT_KINDS = {
  'k8s-target-port': 'Service targetPort change: params {service, from: 9090, to: 9999}',
  'scale-to-zero': 'kubectl scale: params {deployment, replicas: 0, originalReplicas: 1, settleSeconds}',
  'assign-non-existent-node': 'Deployment nodeSelector to a missing node: params {deployment, nodeSelector, settleSeconds}',
  'image-change': 'container image swap: params {deployment, container, image, originalImage, settleSeconds}',
  'wrong-bin-usage': 'container command swap: params {deployment, container, from, to}',
  'redeploy-without-pv': 'namespace deleted and re-applied while PVs keep stale claims: params {persistentVolumes, settleSeconds}',
  'mongo-revoke-auth': 'revoke readWrite from a Mongo user by a ConfigMap script: params {service, db, user, role, script, recoverScript}',
  'mongo-user-unregistered': 'drop a Mongo user by a ConfigMap script: params {service, db, user, script, recoverScript}',
  'mongo-require-tls': 'Mongo TLS mode requireTLS through the app config: params {configMap, mode, certificateKeyFile, CAFile, restartPods, restartDeployment}',
  'chaos-pod-failure': 'Chaos Mesh PodChaos pod-failure: params {name, duration, mode, labelKey}',
  'chaos-pod-kill': 'Chaos Mesh PodChaos named pod-kill with action pod-failure: params {name, action, duration, mode, labelKey}',
  'chaos-container-kill': 'Chaos Mesh PodChaos container-kill: params {container, duration, mode, labelKey}',
  'chaos-network-loss': 'Chaos Mesh NetworkChaos loss: params {name, loss, correlation, duration, mode, labelKey}',
  'chaos-network-delay': 'Chaos Mesh NetworkChaos delay: params {name, latency, jitter, correlation, duration, mode, labelKey}',
  'kernel-chaos': 'Chaos Mesh KernelChaos (experimental): params {mode, labelKey, failKernRequest}',
  'disk-worn-out': 'write() errors (EIO) on the data volumes of a process, as Chaos Mesh IOChaos (experimental): params {process, services, syscall, errno, volumePath}',
  flagd: 'OpenTelemetry demo feature flag: params {flag, variant, configMap, restartDeployment}',
  'flower-container-stop': 'docker stop of a Flower container: params {container, settleSeconds}',
  'flower-model-misconfig': 'sed on the installed Flower task.py during the workload: params {container, file, line, from, to, injectDuringWorkload}',
  noop: 'nothing is injected',
  'tidb-operator-overload-replicas': 'TidbCluster with tidb.replicas 100000 (experimental): params {cluster, version, crName, tidbReplicas}',
  'tidb-operator-non-existent-storage': 'TidbCluster with a missing PD StorageClass (experimental): params {cluster, version, crName, pdStorageClassName, tidbReplicas}',
  'tidb-operator-invalid-affinity-toleration': 'TidbCluster with an invalid toleration effect (experimental): params {cluster, version, crName, toleration}',
  'tidb-operator-security-context-fault': 'TidbCluster with runAsUser -1 (experimental): params {cluster, version, crName, runAsUser}',
  'tidb-operator-wrong-update-strategy': 'TidbCluster with an unknown update strategy (experimental): params {cluster, version, crName, statefulSetUpdateStrategy}',
} as const;

export type FaultKind = keyof typeof FAULT_KINDS;
