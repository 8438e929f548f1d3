/**
 * The validations whose failures users meet most often, worded like the real apiserver.
 */
/* eslint-disable @typescript-eslint/no-explicit-any */
import type { KubeObject } from '../contracts';
import { FieldError, invalid, ApiError } from './errors';
import type { ResourceInfo } from './registry';
import { matchLabels, parseLabelSelector, selectorToString } from './selectors';

const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS1035_LABEL = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;

const SUBDOMAIN_MSG = "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";
const LABEL_MSG = "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')";
const DNS1035_MSG = "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')";

/** Kinds whose names must be RFC 1123 labels (not subdomains). */
const LABEL_NAMED = new Set(['Namespace']);
const DNS1035_NAMED = new Set(['Service']);

function validateName(kind: string, name: string, errs: FieldError[]): void {
  if (DNS1035_NAMED.has(kind)) {
    if (!DNS1035_LABEL.test(name) || name.length > 63) errs.push({ field: 'metadata.name', type: 'Invalid', value: name, detail: DNS1035_MSG });
  } else if (LABEL_NAMED.has(kind)) {
    if (!DNS1123_LABEL.test(name) || name.length > 63) errs.push({ field: 'metadata.name', type: 'Invalid', value: name, detail: LABEL_MSG });
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
      case 'Deployment': case 'ReplicaSet': case 'StatefulSet': case 'DaemonSet': validateWorkload(o, errs); break;
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
    if (old && info.kind === 'Deployment' && JSON.stringify(old.spec?.selector) !== JSON.stringify(o.spec?.selector)) {
      errs.push({ field: 'spec.selector', type: 'Invalid', value: o.spec?.selector, detail: 'field is immutable' });
    }
  }
  if (errs.length) throw invalid(info.kind, info.group, name, errs);
}

export function isApiError(e: unknown): e is ApiError { return e instanceof ApiError; }
