/**
 * The validations whose failures users meet most often, worded like the real apiserver.
 */
/* eslint-disable @typescript-eslint/no-explicit-any */
import type { KubeObject } from '../contracts';
import { FieldError, invalid, ApiError } from './errors';
import type { ResourceInfo } from './registry';
import { matchLabels, parseLabelSelector, selectorToString } from './selectors';
import { sortedKeysJson } from '../sorted-json';
import { validatePodSpecExtras } from './validate-pod-spec';

const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS1035_LABEL = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;

const SUBDOMAIN_MSG = "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";
const LABEL_MSG = "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')";
const DNS1035_MSG = "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')";

/** Kinds whose names must be RFC 1123 labels (not subdomains). */
const LABEL_NAMED = new Set(['Namespace']);
const DNS1035_NAMED = new Set(['Service']);
/** RBAC names are path segments (`system:discovery` is valid). */
const PATH_SEGMENT_NAMED = new Set(['Role', 'ClusterRole', 'RoleBinding', 'ClusterRoleBinding']);

function validateName(kind: string, name: string, errs: FieldError[]): void {
  if (DNS1035_NAMED.has(kind)) {
    if (!DNS1035_LABEL.test(name) || name.length > 63) errs.push({ field: 'metadata.name', type: 'Invalid', value: name, detail: DNS1035_MSG });
  } else if (LABEL_NAMED.has(kind)) {
    if (!DNS1123_LABEL.test(name) || name.length > 63) errs.push({ field: 'metadata.name', type: 'Invalid', value: name, detail: LABEL_MSG });
  } else if (PATH_SEGMENT_NAMED.has(kind)) {
    if (name === '.' || name === '..' || /[/%]/.test(name)) errs.push({ field: 'metadata.name', type: 'Invalid', value: name, detail: `may not ${name.includes('%') ? "contain '%'" : name.includes('/') ? "contain '/'" : `be '${name}'`}` });
  } else if (kind === 'Event' || kind === 'Node' && name.length > 0) {
    if (name.length > 253) errs.push({ field: 'metadata.name', type: 'Invalid', value: name, detail: 'must be no more than 253 characters' });
  } else if (!DNS1123_SUBDOMAIN.test(name) || name.length > 253) {
    errs.push({ field: 'metadata.name', type: 'Invalid', value: name, detail: SUBDOMAIN_MSG });
  }
}

function validateContainers(spec: any, base: string, errs: FieldError[]): void {
  if (!spec || typeof spec !== 'object') { errs.push({ field: base, type: 'Required' }); return; }
  const cs = spec.containers;
  if (!Array.isArray(cs) || cs.length === 0) { errs.push({ field: `${base}.containers`, type: 'Required' }); return; }
  const seen = new Set<string>();
  cs.forEach((c: any, i: number) => {
    const f = `${base}.containers[${i}]`;
    if (!c || typeof c !== 'object') { errs.push({ field: f, type: 'Required' }); return; }
    if (!c.name) errs.push({ field: `${f}.name`, type: 'Required' });
    else if (!DNS1123_LABEL.test(String(c.name))) errs.push({ field: `${f}.name`, type: 'Invalid', value: c.name, detail: LABEL_MSG });
    else if (seen.has(c.name)) errs.push({ field: `${f}.name`, type: 'Duplicate', value: c.name });
    else seen.add(c.name);
    if (!c.image || typeof c.image !== 'string' || !c.image.trim()) errs.push({ field: `${f}.image`, type: 'Required' });
  });
  validatePodSpecExtras(spec, base, errs);
  const rp = spec.restartPolicy;
  if (rp !== undefined && !['Always', 'OnFailure', 'Never'].includes(rp)) errs.push({ field: `${base}.restartPolicy`, type: 'Unsupported', value: rp, detail: 'supported values: "Always", "OnFailure", "Never"' });
}

function validateWorkload(o: any, errs: FieldError[], needsSelector = true): void {
  const spec = o.spec;
  if (!spec || typeof spec !== 'object') { errs.push({ field: 'spec', type: 'Required' }); return; }
  if (spec.replicas !== undefined && (typeof spec.replicas !== 'number' || spec.replicas < 0 || !Number.isInteger(spec.replicas))) {
    errs.push({ field: 'spec.replicas', type: 'Invalid', value: spec.replicas, detail: 'must be greater than or equal to 0' });
  }
  const sel = spec.selector;
  const tplLabels = spec.template?.metadata?.labels ?? {};
  if (needsSelector) {
    if (!sel || (!sel.matchLabels && !sel.matchExpressions)) errs.push({ field: 'spec.selector', type: 'Required' });
    else {
      try {
        if (!matchLabels(parseLabelSelector(selectorToString(sel)), tplLabels)) {
          errs.push({ field: 'spec.template.metadata.labels', type: 'Invalid', value: tplLabels, detail: '`selector` does not match template `labels`' });
        }
      } catch { errs.push({ field: 'spec.selector', type: 'Invalid', value: sel }); }
    }
  }
  validateContainers(spec.template?.spec, 'spec.template.spec', errs);
}

export function validate(info: ResourceInfo, obj: KubeObject, old?: KubeObject): void {
  const o = obj as any;
  const errs: FieldError[] = [];
  const name = obj.metadata?.name ?? '';
  if (!name) errs.push({ field: 'metadata.name', type: 'Required', detail: 'name or generateName is required' });
  else validateName(info.kind, name, errs);
  if (!info.custom) {
    switch (info.kind) {
      case 'Pod': validateContainers(o.spec, 'spec', errs); break;
      case 'Deployment': case 'ReplicaSet': case 'StatefulSet': case 'DaemonSet': validateWorkload(o, errs);
        if (info.kind === 'Deployment' && o.spec?.strategy?.type === 'Recreate' && o.spec.strategy.rollingUpdate) {
          errs.push({ field: 'spec.strategy.rollingUpdate', type: 'Forbidden', detail: "may not be specified when strategy `type` is 'Recreate'" });
        }
        if (info.kind === 'Deployment' && o.spec?.strategy?.type && !['Recreate', 'RollingUpdate'].includes(o.spec.strategy.type)) {
          errs.push({ field: 'spec.strategy.type', type: 'Unsupported', value: o.spec.strategy.type, detail: 'supported values: "Recreate", "RollingUpdate"' });
        }
        break;
      case 'Job': validateWorkload(o, errs, false); {
        const rp = o.spec?.template?.spec?.restartPolicy;
        if (o.spec && rp !== 'Never' && rp !== 'OnFailure') errs.push({ field: 'spec.template.spec.restartPolicy', type: 'Required', detail: 'valid values: "OnFailure", "Never"' });
      } break;
      case 'Service': {
        const spec = o.spec ?? {};
        if (spec.type && !['ClusterIP', 'NodePort', 'LoadBalancer', 'ExternalName'].includes(spec.type)) errs.push({ field: 'spec.type', type: 'Unsupported', value: spec.type, detail: 'supported values: "ClusterIP", "ExternalName", "LoadBalancer", "NodePort"' });
        const ports = Array.isArray(spec.ports) ? spec.ports : [];
        if (ports.length === 0 && spec.type !== 'ExternalName' && spec.clusterIP !== 'None') errs.push({ field: 'spec.ports', type: 'Required' });
        ports.forEach((p: any, i: number) => {
          if (!p || typeof p.port !== 'number' || p.port < 1 || p.port > 65535) errs.push({ field: `spec.ports[${i}].port`, type: 'Invalid', value: p?.port, detail: 'must be between 1 and 65535, inclusive' });
          if (ports.length > 1 && !p?.name) errs.push({ field: `spec.ports[${i}].name`, type: 'Required' });
        });
        if (old && old.spec?.clusterIP && spec.clusterIP !== old.spec.clusterIP) {
          errs.push({ field: 'spec.clusterIPs[0]', type: 'Invalid', value: spec.clusterIP, detail: 'may not change once set' });
        }
        break;
      }
      case 'CustomResourceDefinition': {
        const s = o.spec ?? {};
        if (!s.group) errs.push({ field: 'spec.group', type: 'Required' });
        if (!s.names?.plural) errs.push({ field: 'spec.names.plural', type: 'Required' });
        if (!s.names?.kind) errs.push({ field: 'spec.names.kind', type: 'Required' });
        if (s.group && s.names?.plural && name && name !== `${s.names.plural}.${s.group}`) {
          errs.push({ field: 'metadata.name', type: 'Invalid', value: name, detail: 'must be spec.names.plural+"."+spec.group' });
        }
        break;
      }
    }
    if (old && ['Deployment', 'ReplicaSet', 'StatefulSet', 'DaemonSet', 'Job'].includes(info.kind) && sortedKeysJson(old.spec?.selector) !== sortedKeysJson(o.spec?.selector)) {
      errs.push({ field: 'spec.selector', type: 'Invalid', value: o.spec?.selector, detail: 'field is immutable' });
    }
    if (old && info.kind === 'Job' && sortedKeysJson(old.spec?.template) !== sortedKeysJson(o.spec?.template)) {
      errs.push({ field: 'spec.template', type: 'Invalid', value: GO_ELIDED('core.PodTemplateSpec'), detail: 'field is immutable' });
    }
    if (old && (info.kind === 'ConfigMap' || info.kind === 'Secret') && (old as any).immutable === true) {
      if ((o.immutable ?? false) !== true) errs.push({ field: 'immutable', type: 'Forbidden', detail: 'field is immutable when `immutable` is set' });
      for (const f of ['data', 'binaryData', ...(info.kind === 'Secret' ? ['type'] : [])]) {
        if (sortedKeysJson((old as any)[f] ?? {}) !== sortedKeysJson(o[f] ?? {})) errs.push({ field: f, type: 'Forbidden', detail: 'field is immutable when `immutable` is set' });
      }
    }
    if (old && info.kind === 'StatefulSet') {
      const strip = (spec: any) => { const c = { ...(spec ?? {}) }; for (const k of ['replicas', 'ordinals', 'template', 'updateStrategy', 'persistentVolumeClaimRetentionPolicy', 'minReadySeconds']) delete c[k]; return sortedKeysJson(c); };
      if (strip(old.spec) !== strip(o.spec)) {
        errs.push({ field: 'spec', type: 'Forbidden', detail: "updates to statefulset spec for fields other than 'replicas', 'ordinals', 'template', 'updateStrategy', 'persistentVolumeClaimRetentionPolicy' and 'minReadySeconds' are forbidden" });
      }
    }
  }
  if (errs.length) throw invalid(info.kind, info.group, name, errs);
}

export function isApiError(e: unknown): e is ApiError { return e instanceof ApiError; }

/** A value the apiserver prints as a Go struct; shown elided. */
function GO_ELIDED(type: string): { toJSON(): string } & Record<string, never> {
  return { toJSON: () => `${type}{...}` } as never;
}

/**
 * Pod spec updates through the API (not the store: the scheduler binds through it) may change only what the real
 * apiserver allows: container and init-container images, activeDeadlineSeconds, added tolerations, removed scheduling gates.
 */
export function checkPodUpdate(old: KubeObject, next: KubeObject): void {
  const a = structuredClone(old.spec ?? {});
  const b = structuredClone(next.spec ?? {});
  for (const list of ['containers', 'initContainers']) {
    const oa: any[] = a[list] ?? [];
    const nb: any[] = b[list] ?? [];
    if (oa.length === nb.length) nb.forEach((c, i) => { if (c && oa[i] && c.name === oa[i].name) c.image = oa[i].image; });
  }
  b.activeDeadlineSeconds = a.activeDeadlineSeconds;
  const ot: any[] = a.tolerations ?? [];
  const nt: any[] = b.tolerations ?? [];
  if (ot.every((t) => nt.some((x) => sortedKeysJson(x) === sortedKeysJson(t)))) b.tolerations = a.tolerations;
  const og: any[] = a.schedulingGates ?? [];
  const ng: any[] = b.schedulingGates ?? [];
  if (ng.every((g) => og.some((x) => x?.name === g?.name))) b.schedulingGates = a.schedulingGates;
  if (!a.nodeName && b.nodeName) b.nodeName = a.nodeName;
  for (const x of [a, b]) for (const k of Object.keys(x)) if (x[k] === undefined) delete x[k];
  if (sortedKeysJson(a) !== sortedKeysJson(b)) {
    throw invalid('Pod', '', old.metadata.name ?? '', [{
      field: 'spec', type: 'Forbidden',
      detail: 'pod updates may not change fields other than `spec.containers[*].image`,`spec.initContainers[*].image`,`spec.activeDeadlineSeconds`,`spec.tolerations` (only additions to existing tolerations),`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously negative)',
    }]);
  }
}
