/**
 * Pod-spec checks beyond containers, worded like the apiserver's (pkg/apis/core/validation): tolerations and the pod
 * security context's user and group IDs. They apply to pods and to every pod template (Deployments, StatefulSets, …),
 * so a controller that writes a bad template (an operator copying a custom resource's fields) is refused with the
 * message a real cluster gives.
 */
import type { FieldError } from './errors';

interface Toleration {
  key?: string;
  operator?: string;
  value?: string;
  effect?: string;
  tolerationSeconds?: number | null;
}

type SecurityContext = Record<string, unknown> | undefined;

interface PodSpecShape {
  securityContext?: SecurityContext;
  tolerations?: unknown;
  initContainers?: Array<{ securityContext?: SecurityContext }>;
  containers?: Array<{ securityContext?: SecurityContext }>;
}

const TAINT_EFFECTS = ['NoSchedule', 'PreferNoSchedule', 'NoExecute'];
const MAX_ID = 2147483647;

function validateTolerations(tolerations: unknown, base: string, errs: FieldError[]): void {
  if (!Array.isArray(tolerations)) return;
  (tolerations as Array<Toleration | null>).forEach((t, i) => {
    const f = `${base}.tolerations[${i}]`;
    if (!t || typeof t !== 'object') return;
    const operator = t.operator ?? '';
    if (!t.key && operator !== 'Exists') {
      errs.push({ field: `${f}.operator`, type: 'Invalid', value: operator, detail: 'operator must be Exists when `key` is empty, which means "match all values and all keys"' });
    }
    if (t.tolerationSeconds !== undefined && t.tolerationSeconds !== null && t.effect !== 'NoExecute') {
      errs.push({ field: `${f}.effect`, type: 'Invalid', value: t.effect ?? '', detail: "effect must be 'NoExecute' when `tolerationSeconds` is set" });
    }
    if (operator === 'Exists' && t.value) {
      errs.push({ field: `${f}.operator`, type: 'Invalid', value: t, detail: "value must be empty when `operator` is 'Exists'" });
    } else if (operator !== '' && operator !== 'Equal' && operator !== 'Exists') {
      errs.push({ field: `${f}.operator`, type: 'Unsupported', value: operator, detail: 'supported values: "Equal", "Exists"' });
    }
    if (t.effect && !TAINT_EFFECTS.includes(t.effect)) {
      errs.push({ field: `${f}.effect`, type: 'Unsupported', value: t.effect, detail: `supported values: ${TAINT_EFFECTS.map((e) => `"${e}"`).join(', ')}` });
    }
  });
}

function validateIds(context: SecurityContext, f: string, errs: FieldError[]): void {
  if (!context || typeof context !== 'object') return;
  for (const key of ['runAsUser', 'runAsGroup', 'fsGroup']) {
    const id = context[key];
    if (typeof id === 'number' && (id < 0 || id > MAX_ID)) {
      errs.push({ field: `${f}.${key}`, type: 'Invalid', value: id, detail: `must be between 0 and ${MAX_ID}, inclusive` });
    }
  }
}

/** Tolerations and security-context IDs of a pod spec at `base` (`spec`, `spec.template.spec`). */
export function validatePodSpecExtras(podSpec: unknown, base: string, errs: FieldError[]): void {
  if (!podSpec || typeof podSpec !== 'object') return;
  const spec = podSpec as PodSpecShape;
  validateIds(spec.securityContext, `${base}.securityContext`, errs);
  for (const kind of ['initContainers', 'containers'] as const) {
    const list = spec[kind];
    (Array.isArray(list) ? list : []).forEach((c, i) => validateIds(c?.securityContext, `${base}.${kind}[${i}].securityContext`, errs));
  }
  validateTolerations(spec.tolerations, base, errs);
}
